import ClinicalModel
import Foundation
import Terminology

/// Renders charts as static, self-contained HTML5 pages: one stylesheet inline, no script, no
/// external resource (a Content-Security-Policy forbids both), semantic sections and tables, and a
/// print stylesheet. Every value from the records is escaped.
///
///     let book = ChartBook(records)
///     let renderer = ChartRenderer(terminology: engine.terminology)
///     let page = renderer.chartPage(book.charts[0], directory: book.directory)   // UTF-8 HTML bytes
public struct ChartRenderer: Sendable {
    public var names: CodeSystemNames

    /// Links between pages, relative to the page being rendered.
    public struct Links: Sendable {
        public var index: String? = "index.html"
        /// The comparison page for this patient, if any.
        public var comparison: String?
        /// The same patient's chart from the other side (FHIR when this is the source, and back).
        public var otherSide: String?
        /// Which side this chart shows: `Source` or `FHIR`; `nil` when there is one side only.
        public var side: String?

        public init(
            index: String? = "index.html", comparison: String? = nil, otherSide: String? = nil, side: String? = nil
        ) {
            self.index = index
            self.comparison = comparison
            self.otherSide = otherSide
            self.side = side
        }
    }

    /// The section headings every chart has, in order (also the headings the browser test looks for).
    public static let sectionTitles = [
        "Allergies", "Problems", "Medications", "Results", "Vital signs", "Immunizations", "Procedures", "Encounters",
    ]

    public init(terminology: TerminologyStore? = nil) {
        names = CodeSystemNames(terminology: terminology)
    }

    // MARK: Pages

    /// One patient's chart.
    public func chartPage(_ chart: PatientChart, directory: ChartDirectory, links: Links = Links()) -> [UInt8] {
        var html = HTMLWriter()
        let name = ChartFormat.name(ChartFormat.preferredName(chart.patient.names))
        document(&html, title: "Chart: \(name.isEmpty ? "unnamed patient" : name)") { html in
            html.element("a", [("class", "skip"), ("href", "#main")], text: "Skip to chart")
            banner(&html, chart, links: links)
            html.element("nav", [("class", "sections"), ("aria-label", "Chart sections")]) { html in
                html.open("ul")
                for title in Self.sectionTitles {
                    html.element("li") { $0.element("a", [("href", "#" + anchor(title))], text: title) }
                }
                html.close("ul")
            }
            html.element("main", [("id", "main")]) { html in
                allergies(&html, chart)
                problems(&html, chart)
                medications(&html, chart)
                results(&html, chart)
                vitals(&html, chart)
                immunizations(&html, chart)
                procedures(&html, chart)
                encounters(&html, chart, directory: directory)
            }
            footer(&html, chart)
        }
        return html.bytes
    }

    /// The index of charts: one row per patient, with links to each chart (and comparison).
    ///
    /// - Parameter comparisons: comparison summaries by page id, when charts were compared with FHIR.
    public func indexPage(
        _ book: ChartBook, comparisons: [String: ChartComparison] = [:], fhirPages: Set<String> = [],
        pageName: (String) -> String = { "\($0).html" }
    ) -> [UInt8] {
        var html = HTMLWriter()
        document(&html, title: "Patient charts") { html in
            html.element("header", [("class", "banner")]) { html in
                html.element("h1", text: "Patient charts")
                html.element("p") { html in
                    html.text("\(book.charts.count) patient\(book.charts.count == 1 ? "" : "s")")
                    if book.unattributed > 0 {
                        html.text(
                            "; \(book.unattributed) record\(book.unattributed == 1 ? "" : "s") could not be attributed to a patient"
                        )
                    }
                    html.text(".")
                }
            }
            html.element("main", [("id", "main")]) { html in
                html.open("table")
                html.element("caption", text: "Patients")
                html.raw(
                    "<thead><tr><th scope=\"col\">Patient</th><th scope=\"col\">Born</th><th scope=\"col\">Sex</th>")
                html.raw(
                    "<th scope=\"col\">Allergies</th><th scope=\"col\">Problems</th><th scope=\"col\">Medications</th>")
                html.raw(
                    "<th scope=\"col\">Results</th><th scope=\"col\">Immunizations</th><th scope=\"col\">Encounters</th>"
                )
                if !comparisons.isEmpty { html.raw("<th scope=\"col\">Source vs. FHIR</th>") }
                html.raw("</tr></thead><tbody>")
                let rows = book.charts.map { (ChartFormat.name(ChartFormat.preferredName($0.patient.names)), $0) }
                    .sorted { ($0.0.lowercased(), $0.1.id) < ($1.0.lowercased(), $1.1.id) }
                for (_, chart) in rows {
                    html.open("tr")
                    html.element("th", [("scope", "row")]) { html in
                        let name = ChartFormat.name(ChartFormat.preferredName(chart.patient.names))
                        html.element(
                            "a", [("href", pageName(chart.id))], text: name.isEmpty ? "(no name recorded)" : name)
                    }
                    html.element("td", text: ChartFormat.dateTime(chart.patient.birthDate))
                    html.element("td", text: gender(chart.patient.gender))
                    for count in [
                        chart.allergies.filter { !$0.noKnownAllergy }.count, chart.conditions.count,
                        chart.medications.count,
                        chart.observations.count, chart.immunizations.count, chart.encounters.count,
                    ] {
                        html.element("td", text: String(count))
                    }
                    if !comparisons.isEmpty {
                        html.element("td") { html in
                            if let comparison = comparisons[chart.id] {
                                let differing = comparison.differingCount
                                html.element(
                                    "a",
                                    [
                                        ("href", ChartComparison.pageName(chart.id)),
                                        ("class", differing == 0 ? "status-same" : "status-changed"),
                                    ],
                                    text: differing == 0
                                        ? "✓ all \(comparison.pairs.count) records match"
                                        : "✗ \(differing) of \(comparison.pairs.count) records differ")
                            }
                        }
                    }
                    html.close("tr")
                }
                html.raw("</tbody></table>")
                let onlyFHIR = comparisons.values.filter { $0.source == nil }.sorted { $0.id < $1.id }
                if !onlyFHIR.isEmpty {
                    html.element("h2", text: "Patients only in the FHIR output")
                    html.open("ul")
                    for comparison in onlyFHIR {
                        html.element("li") { html in
                            html.element(
                                "a", [("href", ChartComparison.pageName(comparison.id))],
                                text: "Comparison \(comparison.id)")
                        }
                    }
                    html.close("ul")
                }
            }
        }
        return html.bytes
    }

    // MARK: Page parts

    func document(_ html: inout HTMLWriter, title: String, body: (inout HTMLWriter) -> Void) {
        html.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        html.raw(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        )
        html.raw(
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">"
        )
        html.element("title", text: title)
        html.raw("<style>")
        html.trusted(ChartStyle.css)
        html.raw("</style></head><body>")
        body(&html)
        html.raw("</body></html>\n")
    }

    func anchor(_ title: String) -> String {
        title.lowercased().replacingOccurrences(of: " ", with: "-")
    }

    func banner(_ html: inout HTMLWriter, _ chart: PatientChart, links: Links) {
        let patient = chart.patient
        html.element("header", [("class", "banner"), ("aria-label", "Patient demographics")]) { html in
            let name = ChartFormat.name(ChartFormat.preferredName(patient.names))
            html.element("h1") { html in
                html.text(name.isEmpty ? "(no name recorded)" : name)
                if let side = links.side {
                    html.raw(" ")
                    html.element("span", [("class", "side")], text: side)
                }
            }
            if !chart.hasPatientRecord {
                html.element(
                    "p", [("class", "unmapped")],
                    text: "No Patient record in this input: other records refer to this patient.")
            }
            html.open("dl")
            func item(_ html: inout HTMLWriter, _ term: String, _ value: String) {
                guard !value.isEmpty else { return }
                html.element("div") { html in
                    html.element("dt", text: term)
                    html.element("dd", text: value)
                }
            }
            item(&html, "Born", ChartFormat.dateTime(patient.birthDate))
            item(&html, "Sex", gender(patient.gender))
            if patient.deceased == true || patient.deceasedAt != nil {
                item(&html, "Deceased", patient.deceasedAt.map { ChartFormat.dateTime($0) } ?? "yes")
            }
            for identifier in patient.identifiers {
                let type = identifier.type.map(label) ?? ""
                let authority = identifier.assigner ?? identifier.system.map { names.name(for: $0) } ?? ""
                let term = type.isEmpty ? "ID" : type
                item(&html, term, authority.isEmpty ? identifier.value : "\(identifier.value) (\(authority))")
            }
            if let address = patient.addresses.first { item(&html, "Address", ChartFormat.address(address)) }
            for contact in patient.telecom.prefix(3) {
                item(
                    &html, contact.system ?? "Contact", contact.use.map { "\(contact.value) (\($0))" } ?? contact.value)
            }
            item(&html, "Language", patient.languages.map(label).joined(separator: ", "))
            item(&html, "Race", patient.races.map(label).joined(separator: ", "))
            item(&html, "Ethnicity", patient.ethnicities.map(label).joined(separator: ", "))
            item(&html, "Marital status", patient.maritalStatus.map(label) ?? "")
            let others = patient.names.map(ChartFormat.name).filter { !$0.isEmpty && $0 != name }
            item(&html, "Also known as", others.joined(separator: "; "))
            html.close("dl")
            var navigation: [(String, String)] = []
            if let index = links.index { navigation.append(("All patients", index)) }
            if let other = links.otherSide {
                navigation.append((links.side == "FHIR" ? "Source chart" : "FHIR chart", other))
            }
            if let comparison = links.comparison { navigation.append(("Source vs. FHIR", comparison)) }
            if !navigation.isEmpty {
                html.element("p") { html in
                    for (offset, (text, href)) in navigation.enumerated() {
                        if offset > 0 { html.raw(" · ") }
                        html.element("a", [("href", href)], text: text)
                    }
                }
            }
        }
    }

    func footer(_ html: inout HTMLWriter, _ chart: PatientChart) {
        html.element("footer") { html in
            html.element("p") { html in
                html.text("Rendered by fhirbridge from the canonical model. \(chart.entities.count) records")
                let inputs = chart.documents.map { "\($0.format.rawValue) \($0.inputName) #\($0.index)" }
                if !inputs.isEmpty { html.text(" from " + inputs.joined(separator: ", ")) }
                html.text(".")
            }
            if !chart.otherRecords.isEmpty {
                var counts: [EntityKind: Int] = [:]
                for record in chart.otherRecords { counts[type(of: record).kind, default: 0] += 1 }
                html.element(
                    "p",
                    text: "Not drawn on this chart: "
                        + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }.joined(
                            separator: ", ") + ".")
            }
        }
    }

    func gender(_ coding: Coding?) -> String {
        guard let coding else { return "" }
        let text = coding.display ?? coding.code ?? ""
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    /// The words for a concept: the display of a mapped code, else the source text, else any
    /// display, else a code. (Some sources put a panel's name in every member's original text.)
    func label(_ concept: Concept) -> String {
        if let display = concept.codings.first(where: names.isMapped)?.display { return display }
        if let text = concept.text, !text.trimmingSpaces().isEmpty { return text }
        if let display = concept.codings.compactMap(\.display).first(where: { !$0.isEmpty }) { return display }
        return concept.codings.compactMap(\.code).first ?? ""
    }

    /// A concept with its codes: `Glucose [Mass/volume]… LOINC 2345-7`, each unmapped code marked.
    func concept(_ html: inout HTMLWriter, _ concept: Concept?) {
        guard let concept, !concept.isEmpty else {
            html.element("span", [("class", "none")], text: "not recorded")
            return
        }
        html.element("span", [("class", "label")], text: label(concept))
        html.raw(" ")
        html.element("span", [("class", "codes")]) { html in
            if let text = concept.text, !text.trimmingSpaces().isEmpty, text != label(concept) {
                html.text("text “\(text)” · ")
            }
            if concept.codings.isEmpty {
                html.element(
                    "span", [("class", "unmapped"), ("title", "free text, no code")], text: "⚑ unmapped: text only")
            }
            for (offset, coding) in concept.codings.enumerated() {
                if offset > 0 { html.raw(" · ") }
                html.element(
                    "span", [("class", "coding"), ("title", names.canonical(coding.system) ?? "no code system")]
                ) { html in
                    html.text("\(names.name(for: coding.system)) \(coding.code ?? "")")
                    if let display = coding.display, !display.isEmpty, display != label(concept) {
                        html.text(" “\(display)”")
                    }
                }
                if let reason = names.unmappedReason(coding) {
                    html.raw(" ")
                    html.element("span", [("class", "unmapped"), ("title", reason)], text: "⚑ unmapped: \(reason)")
                }
            }
        }
    }

    func coding(_ html: inout HTMLWriter, _ coding: Coding?) {
        concept(&html, coding.map { Concept($0) })
    }

    func none(_ html: inout HTMLWriter, _ text: String) {
        html.element("p", [("class", "none")], text: text)
    }

    /// A `<section>` with an `<h2>` that labels it.
    func section(_ html: inout HTMLWriter, _ title: String, _ body: (inout HTMLWriter) -> Void) {
        let id = anchor(title)
        html.element("section", [("id", id), ("aria-labelledby", id + "-heading")]) { html in
            html.element("h2", [("id", id + "-heading")], text: title)
            body(&html)
        }
    }

    func tableHead(_ html: inout HTMLWriter, _ columns: [String]) {
        html.open("thead")
        html.open("tr")
        for column in columns { html.element("th", [("scope", "col")], text: column) }
        html.close("tr")
        html.close("thead")
    }

    func time(_ html: inout HTMLWriter, _ value: ClinicalDateTime?) {
        guard let value else { return }
        html.element("time", [("datetime", value.fhir)], text: ChartFormat.dateTime(value))
    }
}
