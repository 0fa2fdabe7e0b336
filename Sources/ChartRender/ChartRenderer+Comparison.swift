import ClinicalModel

extension ChartRenderer {
    /// The side-by-side page: every record of the patient, source on the left and FHIR on the
    /// right, with records whose digests differ or that one side lacks highlighted.
    public func comparisonPage(
        _ comparison: ChartComparison, sourceDirectory: ChartDirectory, fhirDirectory: ChartDirectory,
        sourcePage: String?, fhirPage: String?
    ) -> [UInt8] {
        var html = HTMLWriter()
        let chart = comparison.source ?? comparison.fhir
        let name = ChartFormat.name(ChartFormat.preferredName(chart?.patient.names ?? []))
        document(&html, title: "Source vs. FHIR: \(name.isEmpty ? "unnamed patient" : name)") { html in
            html.element("header", [("class", "banner"), ("aria-label", "Patient")]) { html in
                html.element("h1") { html in
                    html.text(name.isEmpty ? "(no name recorded)" : name)
                    html.raw(" ")
                    html.element("span", [("class", "side")], text: "Source vs. FHIR")
                }
                html.element("p") { html in
                    let differing = comparison.differingCount
                    html.element(
                        "strong", [("class", differing == 0 ? "status-same" : "status-changed")],
                        text: differing == 0
                            ? "✓ All \(comparison.pairs.count) records have the same digest on both sides."
                            : "✗ \(differing) of \(comparison.pairs.count) records differ or are missing on one side.")
                }
                var counts: [ChartComparison.Status: Int] = [:]
                for pair in comparison.pairs { counts[pair.status, default: 0] += 1 }
                html.element("p") { html in
                    html.text(
                        "Same: \(counts[.same] ?? 0) · differs: \(counts[.changed] ?? 0) · missing in FHIR: \(counts[.missingInFHIR] ?? 0) · only in FHIR: \(counts[.onlyInFHIR] ?? 0)"
                    )
                }
                html.element("p") { html in
                    html.element("a", [("href", "index.html")], text: "All patients")
                    if let sourcePage {
                        html.raw(" · ")
                        html.element("a", [("href", sourcePage)], text: "Source chart")
                    }
                    if let fhirPage {
                        html.raw(" · ")
                        html.element("a", [("href", fhirPage)], text: "FHIR chart")
                    }
                }
            }
            html.element("main", [("id", "main")]) { html in
                html.open("table", [("class", "compare")])
                html.element("caption", text: "Records paired by record key; digests over the canonical form")
                tableHead(&html, ["Record", "Source", "FHIR", "Status"])
                html.open("tbody")
                for pair in comparison.pairs {
                    html.open("tr", HTMLWriter.classes(pair.status == .same ? nil : "differs"))
                    html.element("th", [("scope", "row")]) { html in
                        html.text(pair.ref.kind.rawValue)
                        html.raw("<br>")
                        html.element(
                            "small", [("class", "codes")],
                            text: String((pair.sourceDigest ?? pair.fhirDigest ?? "").prefix(12)))
                    }
                    html.element("td") { html in
                        if let entity = pair.source {
                            summary(&html, entity, directory: sourceDirectory)
                        } else {
                            html.element("span", [("class", "none")], text: "not in the source")
                        }
                    }
                    html.element("td") { html in
                        if let entity = pair.fhir {
                            summary(&html, entity, directory: fhirDirectory)
                        } else {
                            html.element("span", [("class", "none")], text: "not in the FHIR output")
                        }
                    }
                    html.element("td") { html in
                        html.element("span", [("class", pair.status.cssClass)], text: pair.status.text)
                        if !pair.differingFields.isEmpty {
                            html.raw("<br>")
                            html.element("small", text: "fields: " + pair.differingFields.joined(separator: ", "))
                        }
                    }
                    html.close("tr")
                }
                html.close("tbody")
                html.close("table")
            }
        }
        return html.bytes
    }

    /// A one-cell summary of any record: what a clinician needs to recognise it.
    func summary(_ html: inout HTMLWriter, _ entity: any ClinicalEntity, directory: ChartDirectory) {
        func when(_ html: inout HTMLWriter, _ date: ClinicalDateTime?) {
            guard let date else { return }
            html.text(" · ")
            time(&html, date)
        }
        switch entity {
        case let patient as Patient:
            html.text(ChartFormat.name(ChartFormat.preferredName(patient.names)))
            html.text(
                " · born \(patient.birthDate.map { ChartFormat.dateTime($0) } ?? "?") · \(gender(patient.gender))")
            html.text(" · \(patient.identifiers.count) identifier\(patient.identifiers.count == 1 ? "" : "s")")
        case let allergy as Allergy:
            if allergy.noKnownAllergy { html.text("No known allergies ") }
            concept(&html, allergy.code)
            html.text(" · \(allergy.reactions.count) reaction\(allergy.reactions.count == 1 ? "" : "s")")
            if let criticality = allergy.criticality { html.text(" · \(criticality)") }
        case let condition as Condition:
            concept(&html, condition.code)
            html.text(" · \(condition.clinicalStatus ?? "status not recorded")")
            when(&html, condition.onset)
        case let medication as Medication:
            concept(&html, medication.code)
            html.text(" · \(medication.status)")
            if let dose = medication.dosageText { html.text(" · \(dose)") }
        case let observation as Observation:
            concept(&html, observation.code)
            html.text(" = ")
            if observation.value == nil { html.text("no value (\(observation.dataAbsentReason ?? "none given"))") }
            observationValue(&html, observation.value)
            if case .quantity(let quantity)? = observation.value, let unit = ChartFormat.unit(quantity) {
                html.text(" \(unit)")
            }
            if let flag = AbnormalFlag.of(
                value: observation.value, interpretation: observation.interpretation, ranges: observation.referenceRange
            ) {
                html.raw(" ")
                html.element("span", [("class", "flag")], text: flag.marker)
            }
            when(&html, observation.effective)
        case let report as DiagnosticReport:
            concept(&html, report.code)
            html.text(" · \(report.results.count) result\(report.results.count == 1 ? "" : "s") · \(report.status)")
        case let immunization as Immunization:
            concept(&html, immunization.vaccine)
            html.text(" · \(immunization.status)")
            when(&html, immunization.occurrence)
        case let procedure as Procedure:
            concept(&html, procedure.code)
            html.text(" · \(procedure.status) \(ChartFormat.period(procedure.performed))")
        case let encounter as Encounter:
            if let type = encounter.type.first { concept(&html, type) } else { coding(&html, encounter.patientClass) }
            html.text(" · \(ChartFormat.period(encounter.period)) · \(encounter.status ?? "")")
        case let note as DocumentNote:
            html.text(note.title ?? "Document")
            html.text(" · \(note.status)")
            when(&html, note.date)
        case let person as RelatedPerson:
            html.text(ChartFormat.name(ChartFormat.preferredName(person.names)))
            for relationship in person.relationship {
                html.text(" · ")
                concept(&html, relationship)
            }
        case let request as ServiceRequest:
            concept(&html, request.code)
            html.text(" · \(request.status)")
        case let plan as CarePlan:
            html.text(plan.title ?? "Care plan")
            html.text(" · \(plan.status) · \(plan.activities.count) activit\(plan.activities.count == 1 ? "y" : "ies")")
        case let coverage as Coverage:
            html.text(coverage.planName ?? "Coverage")
            html.text(" · \(coverage.status)")
        default:
            html.text("\(type(of: entity).kind.rawValue) record")
        }
    }
}
