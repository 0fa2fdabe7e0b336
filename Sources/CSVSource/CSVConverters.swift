import ClinicalModel

/// A rule data cannot express, named by profiles (`converters: { bloodPressurePair: {…} }`) and run
/// over one patient's records of one table once all its rows are read.
struct CSVConverter: Sendable {
    /// The kind of record the converter works on.
    let entity: EntityKind
    /// Options it understands, with their defaults.
    let defaults: [String: String]
    /// Rewrites `record`'s records of the table, found at `range` of its list for `entity`.
    let run: @Sendable (_ options: [String: String], _ record: inout ClinicalRecord, _ range: Range<Int>) -> Void
}

/// The converters a profile may name.
enum CSVConverters {
    static let catalog: [String: CSVConverter] = [
        "bloodPressurePair": CSVConverter(
            entity: .observation,
            defaults: [
                "system": "http://loinc.org", "panel": "85354-9",
                "display": "Blood pressure panel with all children optional",
                "systolic": "8480-6", "diastolic": "8462-4",
            ],
            run: bloodPressurePair)
    ]

    /// Combines a systolic and a diastolic row of the same encounter and time into one Observation
    /// coded `panel`, with the two as components in row order, as FHIR's vital signs profile writes
    /// blood pressure (http://hl7.org/fhir/R4/observation-vitalsigns.html). Rows pair in order
    /// within one encounter and time; a row without a partner stays as it is.
    ///
    /// The combined record takes the systolic row's key with `|<panel>` appended, its source position
    /// and the first row's status, times and links; categories and performers are the union.
    @Sendable static func bloodPressurePair(
        _ options: [String: String], _ record: inout ClinicalRecord, _ range: Range<Int>
    ) {
        let system = options["system"] ?? "http://loinc.org"
        let systolicCode = options["systolic"] ?? "8480-6"
        let diastolicCode = options["diastolic"] ?? "8462-4"
        struct GroupKey: Hashable {
            var encounter: EntityRef?
            var effective: ClinicalDateTime?
        }
        var order: [GroupKey] = []
        var systolic: [GroupKey: [Int]] = [:]
        var diastolic: [GroupKey: [Int]] = [:]
        func hasCode(_ observation: Observation, _ code: String) -> Bool {
            observation.code.codings.contains { $0.code == code && ($0.system == nil || $0.system == system) }
        }
        for index in range {
            let observation = record.observations[index]
            let key = GroupKey(encounter: observation.encounter, effective: observation.effective)
            if hasCode(observation, systolicCode) {
                if systolic[key] == nil && diastolic[key] == nil { order.append(key) }
                systolic[key, default: []].append(index)
            } else if hasCode(observation, diastolicCode) {
                if systolic[key] == nil && diastolic[key] == nil { order.append(key) }
                diastolic[key, default: []].append(index)
            }
        }
        var removed: [Int] = []
        for key in order {
            for (high, low) in zip(systolic[key] ?? [], diastolic[key] ?? []) {
                let first = min(high, low)
                let second = max(high, low)
                let members = [record.observations[first], record.observations[second]]
                let panel = options["panel"] ?? "85354-9"
                let display = options["display"]
                var combined = Observation(
                    ref: EntityRef(.observation, key: record.observations[high].ref.key + "|" + panel),
                    code: Concept(codings: [Coding(system: system, code: panel, display: display)], text: display),
                    source: record.observations[high].source)
                combined.patient = members[0].patient
                combined.encounter = members[0].encounter
                combined.status = members[0].status
                combined.effective = members[0].effective
                combined.issued = members[0].issued
                for member in members {
                    for category in member.categories where !combined.categories.contains(category) {
                        combined.categories.append(category)
                    }
                    for performer in member.performers where !combined.performers.contains(performer) {
                        combined.performers.append(performer)
                    }
                    var component = ObservationComponent(code: member.code, value: member.value)
                    component.interpretation = member.interpretation
                    component.referenceRange = member.referenceRange
                    component.dataAbsentReason = member.dataAbsentReason
                    combined.components.append(component)
                }
                record.observations[first] = combined
                removed.append(second)
            }
        }
        for index in removed.sorted(by: >) { record.observations.remove(at: index) }
    }
}
