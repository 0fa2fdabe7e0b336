import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

/// Canonical records → FHIR → canonical records gives the records back (without `source`
/// locations): the reverse mapping that reconciliation hashes is exact.
@Suite struct RoundTripTests {
    static let baseSeed: UInt64 = 0x5EED_F1B2_0006
    static let count = 300

    /// The records read back from one record's NDJSON resources.
    static func roundTrip(_ record: ClinicalRecord) -> ([ClinicalRecord], [Diagnostic]) {
        FHIRReader().records(from: BundleBuilder().resources(record).0)
    }

    /// The first kind of entity (or the document) where two records differ, for failure messages.
    static func firstDifference(_ lhs: ClinicalRecord, _ rhs: ClinicalRecord) -> String {
        if lhs.document != rhs.document { return "document: \(lhs.document) vs \(rhs.document)" }
        func check<T: Equatable>(_ name: String, _ left: [T], _ right: [T]) -> String? {
            guard left != right else { return nil }
            guard left.count == right.count else { return "\(name): \(left.count) vs \(right.count) entities" }
            for (offset, pair) in zip(left, right).enumerated() where pair.0 != pair.1 {
                let fields = zip(Mirror(reflecting: pair.0).children, Mirror(reflecting: pair.1).children)
                for (mine, theirs) in fields where String(describing: mine.value) != String(describing: theirs.value) {
                    return
                        "\(name)[\(offset)].\(mine.label ?? "?"):\n  expected \(mine.value)\n  read     \(theirs.value)"
                }
                return "\(name)[\(offset)]:\n  expected \(pair.0)\n  read     \(pair.1)"
            }
            return name
        }
        return check("patients", lhs.patients, rhs.patients) ?? check(
            "relatedPersons", lhs.relatedPersons, rhs.relatedPersons)
            ?? check("practitioners", lhs.practitioners, rhs.practitioners)
            ?? check("organizations", lhs.organizations, rhs.organizations)
            ?? check("locations", lhs.locations, rhs.locations) ?? check("encounters", lhs.encounters, rhs.encounters)
            ?? check("conditions", lhs.conditions, rhs.conditions) ?? check("allergies", lhs.allergies, rhs.allergies)
            ?? check("procedures", lhs.procedures, rhs.procedures)
            ?? check("immunizations", lhs.immunizations, rhs.immunizations)
            ?? check("medications", lhs.medications, rhs.medications)
            ?? check("serviceRequests", lhs.serviceRequests, rhs.serviceRequests)
            ?? check("specimens", lhs.specimens, rhs.specimens) ?? check(
                "observations", lhs.observations, rhs.observations)
            ?? check("diagnosticReports", lhs.diagnosticReports, rhs.diagnosticReports)
            ?? check("documents", lhs.documents, rhs.documents) ?? check(
                "appointments", lhs.appointments, rhs.appointments)
            ?? check("coverages", lhs.coverages, rhs.coverages) ?? check("carePlans", lhs.carePlans, rhs.carePlans)
            ?? check("imagingStudies", lhs.imagingStudies, rhs.imagingStudies)
            ?? check("patientLinks", lhs.patientLinks, rhs.patientLinks)
            ?? check("compositions", lhs.compositions, rhs.compositions) ?? "no difference"
    }

    @Test func randomRecordsSurviveARoundTrip() {
        var failures = 0
        for offset in 0..<Self.count {
            let seed = Self.baseSeed &+ UInt64(offset)
            var generator = RandomRecords(seed: seed)
            let record = generator.record(index: offset + 1)
            let (read, _) = Self.roundTrip(record)
            let expected = record.withoutSourceLocations()
            guard read.map({ $0.withoutSourceLocations() }) != [expected] else { continue }
            failures += 1
            let detail =
                read.count == 1
                ? Self.firstDifference(expected, read[0].withoutSourceLocations()) : "\(read.count) records"
            Issue.record(
                "round trip differs for seed \(seed) (RandomRecords(seed:).record(index: \(offset + 1))): \(detail)")
            if failures >= 5 { break }
        }
    }

    @Test func fixturesSurviveARoundTrip() {
        for record in [Fixtures.fullRecord, Fixtures.secondRecord] {
            let (read, diagnostics) = Self.roundTrip(record)
            #expect(read.map { $0.withoutSourceLocations() } == [record.withoutSourceLocations()])
            #expect(diagnostics.isEmpty)
            // each entity read back says where: the resource's position in the input
            #expect(read.first?.patients.first?.source == .input(name: "resources[0]", offset: nil))
        }
    }

    @Test(arguments: BundleType.allCases, [false, true])
    func bundlesOfSeveralRecordsSurviveARoundTrip(_ type: BundleType, _ conditional: Bool) throws {
        var generator = RandomRecords(seed: Self.baseSeed ^ 0xB0B)
        let records = (1...4).map { generator.record(index: $0) }
        let (bundle, _) = BundleBuilder().bundle(records, type: type, conditional: conditional)
        let bytes = JSONWriter(style: .pretty).bytes(.object(bundle))
        let reader = FHIRReader()
        let (read, _) = reader.records(from: reader.resources(fromBundle: try JSONReader.parse(bytes)))
        let expected = records.map { $0.withoutSourceLocations() }.sorted {
            ($0.document.inputName, $0.document.index) < ($1.document.inputName, $1.document.index)
        }
        let actual = read.map { $0.withoutSourceLocations() }
        #expect(actual.count == expected.count)
        for (left, right) in zip(expected, actual) where left != right {
            Issue.record("\(type) bundle: \(Self.firstDifference(left, right))")
        }
    }

    @Test func ndjsonLinesReadBack() throws {
        var generator = RandomRecords(seed: Self.baseSeed ^ 0xAD)
        let record = generator.record(index: 1)
        var bytes: [UInt8] = []
        for line in BundleBuilder().ndjsonLines(record) { bytes += line + [0x0A, 0x0A] }
        let reader = FHIRReader()
        let resources = try reader.resources(fromNDJSON: bytes)
        #expect(resources == BundleBuilder().resources(record).0)
        #expect(
            reader.records(from: resources).0.map { $0.withoutSourceLocations() } == [record.withoutSourceLocations()])
    }

    @Test func ndjsonParseErrorsCountBytesFromTheStart() {
        let bytes = Array("{\"resourceType\":\"Patient\"}\n{\"resourceType\": }\n".utf8)
        #expect(throws: JSONParseError.self) { try FHIRReader().resources(fromNDJSON: bytes) }
        do {
            _ = try FHIRReader().resources(fromNDJSON: bytes)
        } catch {
            #expect(error.offset > 27)
        }
    }

    /// What a server returns after a transaction: its own ids, `Type/id` references (absolute or
    /// versioned), `meta.versionId` and `meta.lastUpdated` of its own.
    @Test func serverAssignedIDsStillResolve() {
        var generator = RandomRecords(seed: Self.baseSeed ^ 0x5E4)
        let record = generator.record(index: 1)
        let resources = BundleBuilder().resources(record).0
        var ids: [String: String] = [:]
        for (offset, resource) in resources.enumerated() {
            if let type = resource["resourceType"]?.stringValue, let id = resource["id"]?.stringValue {
                ids[type + "/" + id] = "srv\(offset)"
            }
        }
        func rewrite(_ value: JSON, key: String?) -> JSON {
            switch value {
            case .string(let text) where key == "reference":
                guard let server = ids[text] else { return value }
                let type = text.split(separator: "/").first.map(String.init) ?? ""
                return .string("https://fhir.example.org/r4/" + type + "/" + server + "/_history/1")
            case .array(let items): return .array(items.map { rewrite($0, key: nil) })
            case .object(let object):
                var copy = JSONObject()
                for member in object.members { copy.append(member.key, rewrite(member.value, key: member.key)) }
                return .object(copy)
            default: return value
            }
        }
        let served = resources.map { resource -> JSONObject in
            var copy = rewrite(.object(resource), key: nil).objectValue ?? resource
            let type = resource["resourceType"]?.stringValue ?? ""
            copy["id"] = .string(ids[type + "/" + (resource["id"]?.stringValue ?? "")] ?? "")
            copy["meta"] = .object(
                JSONObject(["versionId": .string("1"), "lastUpdated": .string("2030-01-01T00:00:00.000Z")]))
            return copy
        }
        let (read, diagnostics) = FHIRReader().records(from: served)
        #expect(read.count == 1)
        if let first = read.first?.withoutSourceLocations(), first != record.withoutSourceLocations() {
            Issue.record("\(Self.firstDifference(record.withoutSourceLocations(), first))")
        }
        #expect(!diagnostics.contains { $0.kind == .unresolvedReference })
    }

    @Test func resourcesWithoutProvenanceFormOneRecord() {
        var resources = BundleBuilder().resources(Fixtures.fullRecord).0
        resources.removeAll { $0["resourceType"]?.stringValue == "Provenance" }
        let (read, _) = FHIRReader().records(from: resources)
        #expect(read.count == 1)
        #expect(read.first?.document.format == .fhir)
        #expect(read.first?.document.inputName == FHIRReader.unattributedInputName)
        // the sending facility (the sending application Device's owner) is no canonical organization
        #expect(read.first?.organizations.count == Fixtures.fullRecord.organizations.count)
        #expect(read.first?.patients.map(\.ref) == Fixtures.fullRecord.patients.map(\.ref))
    }

    @Test func unreadableInputIsReportedByKindAndPath() {
        let sentinel = "ZZSENTINEL"
        let observation = JSONObject([
            "resourceType": .string("Observation"), "id": .string("obs-1"), "status": .string("final"),
            "code": .object(JSONObject(["text": .string(sentinel)])),
            "subject": .object(JSONObject(["reference": .string("Patient/" + sentinel)])),
            "valueSampledData": .object(JSONObject(["data": .string(sentinel)])),
        ])
        let unknown = JSONObject(["resourceType": .string("Basic"), "id": .string(sentinel)])
        let (read, diagnostics) = FHIRReader().records(from: [observation, unknown])
        #expect(read.count == 1)
        let kinds = Set(diagnostics.map(\.kind))
        #expect(kinds == [.missingRecordKey, .unresolvedReference, .unsupportedElement, .unsupportedResourceType])
        #expect(diagnostics.contains { $0.location == .input(name: "resources[0].subject", offset: nil) })
        for diagnostic in diagnostics { #expect(!diagnostic.description.contains(sentinel)) }
        // a reference to a resource that is not there keeps a key made from its id
        #expect(read.first?.observations.first?.patient == EntityRef(.patient, key: "id|" + sentinel))
    }
}
