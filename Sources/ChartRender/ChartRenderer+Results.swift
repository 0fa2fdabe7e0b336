import ClinicalModel

extension ChartRenderer {
    /// LOINC codes of vital signs (the FHIR R4 vital signs profiles and their components).
    static let vitalSignCodes: Set<String> = [
        "85353-1", "8867-4", "8480-6", "8462-4", "85354-9", "55284-4", "8310-5", "8331-1", "9279-1", "2708-6",
        "59408-5", "29463-7", "3141-9", "8302-2", "8306-3", "39156-5", "9843-4", "8287-5", "8478-0",
    ]

    /// A vital sign with a measured value: a vital-signs LOINC code, or the vital-signs category on
    /// an observation not also filed as a laboratory result. Others (a coded smoking status filed
    /// under vital signs, a lab panel a source filed there too) are charted as results.
    func isVitalSign(_ observation: Observation) -> Bool {
        let hasQuantity: Bool = {
            if case .quantity? = observation.value { return true }
            return observation.components.contains { if case .quantity? = $0.value { true } else { false } }
        }()
        guard hasQuantity else { return false }
        let vitalCode = observation.code.codings.contains {
            names.canonical($0.system) == "http://loinc.org" && Self.vitalSignCodes.contains($0.code ?? "")
        }
        if vitalCode { return true }
        return observation.categories.contains("vital-signs") && !observation.categories.contains("laboratory")
    }

    // MARK: Results

    static let resultColumns = ["Test", "Value", "Unit", "Reference range", "Flag", "Date", "Status"]

    func results(_ html: inout HTMLWriter, _ chart: PatientChart) {
        section(&html, "Results") { html in
            var byRef: [EntityRef: Observation] = [:]
            for observation in chart.observations { byRef[observation.ref] = observation }
            var shown = Set<EntityRef>()
            let reports = chart.diagnosticReports.sorted {
                (($0.effective?.start ?? $0.issued)?.fhir ?? "", $0.ref) > (
                    ($1.effective?.start ?? $1.issued)?.fhir ?? "", $1.ref
                )
            }
            for report in reports {
                html.element("article", [("class", "report")]) { html in
                    html.element("h3") { html in
                        html.text(label(report.code))
                        let when = ChartFormat.period(report.effective)
                        let date = when.isEmpty ? ChartFormat.dateTime(report.issued) : when
                        if !date.isEmpty { html.text(" — \(date)") }
                        html.text(" (\(report.status))")
                    }
                    html.element("p", [("class", "codes")]) { concept(&$0, report.code) }
                    html.open("table")
                    tableHead(&html, Self.resultColumns)
                    html.open("tbody")
                    for ref in report.results {
                        guard let observation = byRef[ref] else {
                            html.raw(
                                "<tr><td colspan=\"7\" class=\"none\">A result of this report is not in this input.</td></tr>"
                            )
                            continue
                        }
                        shown.insert(ref)
                        resultRows(&html, observation, byRef: byRef, shown: &shown)
                    }
                    html.close("tbody")
                    html.close("table")
                    if let conclusion = report.conclusion, !conclusion.isEmpty {
                        html.element("p") { html in
                            html.element("strong", text: "Conclusion: ")
                            html.text(conclusion)
                        }
                    }
                }
            }
            let memberRefs = Set(chart.observations.flatMap(\.members))
            let rest = chart.observations.filter {
                !shown.contains($0.ref) && !isVitalSign($0) && !memberRefs.contains($0.ref)
            }
            .sorted { ($0.effective?.fhir ?? "", $0.ref) > ($1.effective?.fhir ?? "", $1.ref) }
            let panels = rest.filter { !$0.members.isEmpty }
            let singles = rest.filter(\.members.isEmpty)
            for panel in panels {
                html.element("article", [("class", "report")]) { html in
                    html.element("h3") { html in
                        html.text(label(panel.code))
                        if let date = panel.effective { html.text(" — \(ChartFormat.dateTime(date))") }
                    }
                    html.open("table")
                    tableHead(&html, Self.resultColumns)
                    html.open("tbody")
                    resultRows(&html, panel, byRef: byRef, shown: &shown)
                    html.close("tbody")
                    html.close("table")
                }
            }
            if !singles.isEmpty {
                html.element("article", [("class", "report")]) { html in
                    html.element("h3", text: reports.isEmpty && panels.isEmpty ? "Results" : "Other results")
                    html.open("table")
                    tableHead(&html, Self.resultColumns)
                    html.open("tbody")
                    for observation in singles { resultRows(&html, observation, byRef: byRef, shown: &shown) }
                    html.close("tbody")
                    html.close("table")
                }
            }
            if reports.isEmpty && rest.isEmpty { none(&html, "No results recorded.") }
        }
    }

    /// A result row, its components, and (for a panel) its members.
    func resultRows(
        _ html: inout HTMLWriter, _ observation: Observation, byRef: [EntityRef: Observation],
        shown: inout Set<EntityRef>, depth: Int = 0
    ) {
        resultRow(
            &html, code: observation.code, value: observation.value, absent: observation.dataAbsentReason,
            interpretation: observation.interpretation, ranges: observation.referenceRange, date: observation.effective,
            status: observation.status, notes: observation.note.map(\.text), nested: depth > 0)
        for component in observation.components {
            resultRow(
                &html, code: component.code, value: component.value, absent: component.dataAbsentReason,
                interpretation: component.interpretation, ranges: component.referenceRange, date: nil, status: "",
                notes: [], nested: true)
        }
        guard depth < 4 else { return }
        for member in observation.members {
            guard let child = byRef[member], !shown.contains(member) else { continue }
            shown.insert(member)
            resultRows(&html, child, byRef: byRef, shown: &shown, depth: depth + 1)
        }
    }

    func resultRow(
        _ html: inout HTMLWriter, code: Concept, value: ObservationValue?, absent: String?, interpretation: [Concept],
        ranges: [ReferenceRange], date: ClinicalDateTime?, status: String, notes: [String], nested: Bool
    ) {
        let flag = AbnormalFlag.of(value: value, interpretation: interpretation, ranges: ranges)
        let classes = [nested ? "component" : nil, flag == nil ? nil : "abnormal"].compactMap { $0 }
        html.open("tr", HTMLWriter.classes(classes.isEmpty ? nil : classes.joined(separator: " ")))
        html.element("th", [("scope", "row")]) { concept(&$0, code) }
        html.element("td", [("class", "value")]) { html in
            observationValue(&html, value)
            if value == nil, let absent { html.element("span", [("class", "none")], text: "no value (\(absent))") }
            for note in notes {
                html.raw("<br>")
                html.element("small", text: note)
            }
        }
        if case .quantity(let quantity)? = value {
            html.element("td", text: ChartFormat.unit(quantity) ?? "")
        } else {
            html.raw("<td></td>")
        }
        html.element("td", text: ChartFormat.range(ranges))
        html.element("td") { html in
            if let flag {
                html.element("span", [("class", flag.critical ? "flag critical" : "flag")], text: flag.marker)
            } else if !interpretation.isEmpty {
                html.text(interpretation.map(label).joined(separator: ", "))
            }
        }
        html.element("td") { time(&$0, date) }
        html.element("td", text: status)
        html.close("tr")
    }

    func observationValue(_ html: inout HTMLWriter, _ value: ObservationValue?) {
        switch value {
        case nil: break
        case .quantity(let quantity)?: html.text(ChartFormat.quantity(quantity, withUnit: false))
        case .concept(let concept)?: self.concept(&html, concept)
        case .string(let text)?: html.text(text)
        case .dateTime(let date)?: time(&html, date)
        case .ratio(let numerator, let denominator)?:
            html.text("\(ChartFormat.quantity(numerator)) / \(ChartFormat.quantity(denominator))")
        case .range(let low, let high)?: html.text("\(ChartFormat.quantity(low)) – \(ChartFormat.quantity(high))")
        case .boolean(let flag)?: html.text(flag ? "yes" : "no")
        case .integer(let number)?: html.text(String(number))
        case .period(let period)?: html.text(ChartFormat.period(period))
        }
    }

    // MARK: Vital signs

    struct VitalReading {
        var date: ClinicalDateTime?
        var quantity: Quantity
        var flag: AbnormalFlag?
    }

    struct VitalSeries {
        var code: Concept
        var readings: [VitalReading] = []
    }

    func vitalSeries(_ chart: PatientChart) -> [VitalSeries] {
        var series: [String: VitalSeries] = [:]
        var order: [String] = []
        func add(_ code: Concept, _ value: ObservationValue?, _ date: ClinicalDateTime?, _ flag: AbnormalFlag?) {
            guard case .quantity(let quantity)? = value else { return }
            let key =
                code.codings.first.map { "\(names.canonical($0.system) ?? "")|\($0.code ?? "")" }
                ?? "text|\(label(code))"
            if series[key] == nil {
                series[key] = VitalSeries(code: code)
                order.append(key)
            }
            series[key]?.readings.append(VitalReading(date: date, quantity: quantity, flag: flag))
        }
        let vitals = chart.observations.filter(isVitalSign).sorted {
            ($0.effective?.fhir ?? "", $0.ref) < ($1.effective?.fhir ?? "", $1.ref)
        }
        for observation in vitals {
            add(
                observation.code, observation.value, observation.effective,
                AbnormalFlag.of(
                    value: observation.value, interpretation: observation.interpretation,
                    ranges: observation.referenceRange))
            for component in observation.components {
                add(
                    component.code, component.value, observation.effective,
                    AbnormalFlag.of(
                        value: component.value, interpretation: component.interpretation,
                        ranges: component.referenceRange))
            }
        }
        return order.compactMap { series[$0] }
    }

    func vitals(_ html: inout HTMLWriter, _ chart: PatientChart) {
        section(&html, "Vital signs") { html in
            let series = vitalSeries(chart)
            guard !series.isEmpty else { return none(&html, "No vital signs recorded.") }
            html.open("table")
            tableHead(&html, ["Vital sign", "Latest", "Date", "Readings", "Trend"])
            html.open("tbody")
            for item in series {
                guard let latest = item.readings.last else { continue }
                html.open("tr", HTMLWriter.classes(latest.flag == nil ? nil : "abnormal"))
                html.element("th", [("scope", "row")]) { concept(&$0, item.code) }
                html.element("td") { html in
                    html.text(ChartFormat.quantity(latest.quantity))
                    if let flag = latest.flag {
                        html.raw(" ")
                        html.element("span", [("class", flag.critical ? "flag critical" : "flag")], text: flag.marker)
                    }
                }
                html.element("td") { time(&$0, latest.date) }
                html.element("td") { html in
                    html.text(String(item.readings.count))
                    if item.readings.count > 1 {
                        html.raw("<br>")
                        let recent = item.readings.suffix(5).reversed().map {
                            "\(ChartFormat.quantity($0.quantity, withUnit: false)) (\(ChartFormat.dateTime($0.date)))"
                        }
                        html.element(
                            "small", text: recent.joined(separator: ", ") + (item.readings.count > 5 ? ", …" : ""))
                    }
                }
                html.element("td") { html in
                    let unit = ChartFormat.unit(latest.quantity)
                    let values = item.readings.filter { ChartFormat.unit($0.quantity) == unit }.compactMap {
                        $0.quantity.value?.doubleValue
                    }
                    let first = values.first.map { ChartFormat.coordinate($0) } ?? ""
                    let last = values.last.map { ChartFormat.coordinate($0) } ?? ""
                    let description =
                        "\(label(item.code)): \(values.count) readings, from \(first) to \(last) \(unit ?? "")"
                    if let svg = Sparkline.svg(values: values, label: description) {
                        html.trusted(svg)
                    } else {
                        html.element("span", [("class", "none")], text: "one reading")
                    }
                }
                html.close("tr")
            }
            html.close("tbody")
            html.close("table")
        }
    }
}
