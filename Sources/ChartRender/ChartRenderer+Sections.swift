import ClinicalModel

extension ChartRenderer {
    func allergies(_ html: inout HTMLWriter, _ chart: PatientChart) {
        section(&html, "Allergies") { html in
            let real = chart.allergies.filter { !$0.noKnownAllergy }
            let statements = chart.allergies.filter(\.noKnownAllergy)
            if real.isEmpty {
                if statements.isEmpty {
                    none(&html, "No allergy information recorded (not the same as no known allergies).")
                } else {
                    html.element("p", [("class", "nka")], text: "No known allergies")
                    for statement in statements where statement.code != nil || statement.recordedDate != nil {
                        html.element("p", [("class", "codes")]) { html in
                            html.text("Stated as: ")
                            concept(&html, statement.code)
                            if let date = statement.recordedDate ?? statement.onset {
                                html.text(" on ")
                                time(&html, date)
                            }
                        }
                    }
                }
                return
            }
            html.open("table")
            tableHead(&html, ["Substance", "Type", "Criticality", "Reactions", "Status", "Onset"])
            html.open("tbody")
            for allergy in real.sorted(by: {
                ($0.criticality == "high" ? 0 : 1, label($0.code ?? Concept())) < (
                    $1.criticality == "high" ? 0 : 1, label($1.code ?? Concept())
                )
            }) {
                let severe = allergy.criticality == "high" || allergy.reactions.contains { $0.severity == "severe" }
                html.open("tr", HTMLWriter.classes(severe ? "abnormal" : nil))
                html.element("th", [("scope", "row")]) { concept(&$0, allergy.code) }
                html.element(
                    "td", text: ([allergy.type].compactMap { $0 } + allergy.categories).joined(separator: ", "))
                html.element("td") { html in
                    if let criticality = allergy.criticality {
                        if criticality == "high" {
                            html.element("span", [("class", "flag")], text: "! High criticality")
                        } else {
                            html.text(criticality)
                        }
                    }
                }
                html.element("td") { html in
                    if allergy.reactions.isEmpty { html.element("span", [("class", "none")], text: "none recorded") }
                    for (offset, reaction) in allergy.reactions.enumerated() {
                        if offset > 0 { html.raw("<br>") }
                        for (index, manifestation) in reaction.manifestations.enumerated() {
                            if index > 0 { html.raw("; ") }
                            concept(&html, manifestation)
                        }
                        if let description = reaction.description, !description.isEmpty {
                            html.text(reaction.manifestations.isEmpty ? description : " — \(description)")
                        }
                        if let severity = reaction.severity {
                            html.raw(" ")
                            if severity == "severe" {
                                html.element("span", [("class", "flag")], text: "(! severe)")
                            } else {
                                html.text("(\(severity))")
                            }
                        }
                    }
                }
                html.element(
                    "td",
                    text: [allergy.clinicalStatus, allergy.verificationStatus].compactMap { $0 }.joined(separator: ", ")
                )
                html.element("td") { time(&$0, allergy.onset ?? allergy.recordedDate) }
                html.close("tr")
            }
            html.close("tbody")
            html.close("table")
            for statement in statements {
                html.element("p", [("class", "unmapped")]) { html in
                    html.text("⚑ Also recorded: a no-known-allergy statement (")
                    concept(&html, statement.code)
                    html.text("), alongside the allergies above.")
                }
            }
        }
    }

    static let activeStatuses: Set<String> = ["active", "recurrence", "relapse"]

    func isActive(_ condition: Condition) -> Bool {
        if let status = condition.clinicalStatus { return Self.activeStatuses.contains(status) }
        return condition.abatement == nil
    }

    func problems(_ html: inout HTMLWriter, _ chart: PatientChart) {
        section(&html, "Problems") { html in
            let sorted = chart.conditions.sorted {
                ((($0.onset ?? $0.recordedDate)?.fhir ?? ""), label($0.code ?? Concept())) > (
                    (($1.onset ?? $1.recordedDate)?.fhir ?? ""), label($1.code ?? Concept())
                )
            }
            let active = sorted.filter(isActive)
            let history = sorted.filter { !isActive($0) }
            for (title, list) in [("Active problems", active), ("History", history)] {
                html.element("h3", text: title)
                if list.isEmpty {
                    none(&html, title == "History" ? "No past problems recorded." : "No active problems recorded.")
                    continue
                }
                html.open("table")
                tableHead(&html, ["Problem", "Status", "Category", "Severity", "Onset", "Resolved"])
                html.open("tbody")
                for condition in list {
                    html.open("tr")
                    html.element("th", [("scope", "row")]) { concept(&$0, condition.code) }
                    html.element(
                        "td",
                        text: [condition.clinicalStatus, condition.verificationStatus].compactMap { $0 }.joined(
                            separator: ", "))
                    html.element("td", text: condition.category ?? "")
                    html.element("td") { html in if let severity = condition.severity { concept(&html, severity) } }
                    html.element("td") { time(&$0, condition.onset ?? condition.recordedDate) }
                    html.element("td") { time(&$0, condition.abatement) }
                    html.close("tr")
                }
                html.close("tbody")
                html.close("table")
            }
        }
    }

    func medications(_ html: inout HTMLWriter, _ chart: PatientChart) {
        section(&html, "Medications") { html in
            guard !chart.medications.isEmpty else { return none(&html, "No medications recorded.") }
            html.open("table")
            tableHead(&html, ["Medication", "Status", "Dose and route", "Period", "Dispense", "Reason"])
            html.open("tbody")
            let sorted = chart.medications.sorted {
                ($0.status == "active" ? 0 : 1, label($0.code ?? Concept())) < (
                    $1.status == "active" ? 0 : 1, label($1.code ?? Concept())
                )
            }
            for medication in sorted {
                html.open("tr")
                html.element("th", [("scope", "row")]) { concept(&$0, medication.code) }
                html.element("td", text: "\(medication.status) (\(medication.intent))")
                html.element("td") { html in
                    var parts: [String] = []
                    if let text = medication.dosageText, !text.isEmpty { parts.append(text) }
                    let dose = ChartFormat.quantity(medication.doseQuantity)
                    if !dose.isEmpty { parts.append(dose) }
                    if let timing = medication.timing, !timing.isEmpty { parts.append(timing) }
                    html.text(parts.joined(separator: "; "))
                    if let route = medication.route {
                        if !parts.isEmpty { html.raw("<br>") }
                        concept(&html, route)
                    }
                }
                html.element("td") { html in
                    let period = ChartFormat.period(medication.period, openEnded: true)
                    if !period.isEmpty { html.text(period) } else { time(&html, medication.authoredOn) }
                }
                html.element("td") { html in
                    var parts: [String] = []
                    let dispense = ChartFormat.quantity(medication.dispenseQuantity)
                    if !dispense.isEmpty { parts.append(dispense) }
                    if let refills = medication.refills { parts.append("\(refills) refill\(refills == 1 ? "" : "s")") }
                    html.text(parts.joined(separator: ", "))
                }
                html.element("td") { html in
                    for (offset, reason) in medication.reasons.enumerated() {
                        if offset > 0 { html.raw("<br>") }
                        concept(&html, reason)
                    }
                }
                html.close("tr")
            }
            html.close("tbody")
            html.close("table")
        }
    }

    func immunizations(_ html: inout HTMLWriter, _ chart: PatientChart) {
        section(&html, "Immunizations") { html in
            guard !chart.immunizations.isEmpty else { return none(&html, "No immunizations recorded.") }
            html.open("table")
            tableHead(&html, ["Vaccine", "Date", "Status", "Dose", "Lot", "Route and site"])
            html.open("tbody")
            for immunization in chart.immunizations.sorted(by: {
                ($0.occurrence?.fhir ?? "", $0.ref) > ($1.occurrence?.fhir ?? "", $1.ref)
            }) {
                html.open("tr", HTMLWriter.classes(immunization.status == "completed" ? nil : "abnormal"))
                html.element("th", [("scope", "row")]) { concept(&$0, immunization.vaccine) }
                html.element("td") { time(&$0, immunization.occurrence) }
                html.element("td") { html in
                    if immunization.status == "completed" {
                        html.text(immunization.status)
                    } else {
                        html.element("span", [("class", "flag")], text: "! \(immunization.status)")
                    }
                    if let reason = immunization.statusReason {
                        html.raw("<br>")
                        concept(&html, reason)
                    }
                }
                html.element("td", text: ChartFormat.quantity(immunization.dose))
                html.element("td", text: immunization.lotNumber ?? "")
                html.element("td") { html in
                    if let route = immunization.route { concept(&html, route) }
                    if let site = immunization.site {
                        if immunization.route != nil { html.raw("<br>") }
                        concept(&html, site)
                    }
                }
                html.close("tr")
            }
            html.close("tbody")
            html.close("table")
        }
    }

    func procedures(_ html: inout HTMLWriter, _ chart: PatientChart) {
        section(&html, "Procedures") { html in
            guard !chart.procedures.isEmpty else { return none(&html, "No procedures recorded.") }
            html.open("table")
            tableHead(&html, ["Procedure", "Date", "Status", "Body site", "Reason"])
            html.open("tbody")
            for procedure in chart.procedures.sorted(by: {
                ($0.performed?.start?.fhir ?? "", $0.ref) > ($1.performed?.start?.fhir ?? "", $1.ref)
            }) {
                html.open("tr")
                html.element("th", [("scope", "row")]) { concept(&$0, procedure.code) }
                html.element("td", text: ChartFormat.period(procedure.performed))
                html.element("td", text: procedure.status)
                html.element("td") { html in
                    for (offset, site) in procedure.bodySites.enumerated() {
                        if offset > 0 { html.raw("<br>") }
                        concept(&html, site)
                    }
                }
                html.element("td") { html in
                    for (offset, reason) in procedure.reasons.enumerated() {
                        if offset > 0 { html.raw("<br>") }
                        concept(&html, reason)
                    }
                }
                html.close("tr")
            }
            html.close("tbody")
            html.close("table")
        }
    }

    func encounters(_ html: inout HTMLWriter, _ chart: PatientChart, directory: ChartDirectory) {
        section(&html, "Encounters") { html in
            guard !chart.encounters.isEmpty else { return none(&html, "No encounters recorded.") }
            html.open("ol", [("class", "timeline"), ("aria-label", "Encounters, most recent first")])
            for encounter in chart.encounters.sorted(by: {
                ($0.period?.start?.fhir ?? "", $0.ref) > ($1.period?.start?.fhir ?? "", $1.ref)
            }) {
                html.open("li")
                html.open("strong")
                if let start = encounter.period?.start { time(&html, start) } else { html.text("date not recorded") }
                if let end = encounter.period?.end, end != encounter.period?.start {
                    html.text(" – ")
                    time(&html, end)
                }
                html.close("strong")
                html.raw(" ")
                if let type = encounter.type.first {
                    concept(&html, type)
                } else if let patientClass = encounter.patientClass {
                    coding(&html, patientClass)
                } else {
                    html.text("Encounter")
                }
                var details: [String] = []
                if !encounter.type.isEmpty, let patientClass = encounter.patientClass {
                    details.append("class \(patientClass.display ?? patientClass.code ?? "")")
                }
                if let status = encounter.status { details.append(status) }
                let places = encounter.locations.compactMap { directory.locations[$0]?.name }
                if !places.isEmpty { details.append("at " + places.joined(separator: ", ")) }
                if let provider = encounter.serviceProvider.flatMap({ directory.organizations[$0]?.name }) {
                    details.append(provider)
                }
                let clinicians = encounter.participants.compactMap {
                    directory.practitioners[$0.who].map { ChartFormat.name(ChartFormat.preferredName($0.names)) }
                }.filter { !$0.isEmpty }
                if !clinicians.isEmpty { details.append("with " + clinicians.joined(separator: ", ")) }
                if !details.isEmpty { html.text(" · " + details.joined(separator: " · ")) }
                if !encounter.reasons.isEmpty {
                    html.raw("<br>")
                    html.text("Reason: ")
                    for (offset, reason) in encounter.reasons.enumerated() {
                        if offset > 0 { html.raw("; ") }
                        concept(&html, reason)
                    }
                }
                if let disposition = encounter.dischargeDisposition {
                    html.raw("<br>")
                    html.text("Discharge: ")
                    concept(&html, disposition)
                }
                html.close("li")
            }
            html.close("ol")
        }
    }
}
