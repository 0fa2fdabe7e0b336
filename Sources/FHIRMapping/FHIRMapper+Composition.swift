import ClinicalModel
import FHIRR4
import Foundation

extension FHIRMapper {
    /// Composition → Composition (http://hl7.org/fhir/R4/composition.html): the document itself.
    ///
    /// `status`, `type`, `date`, `author` and `title` are required: a missing one holds a
    /// data-absent-reason (reported), never invented text. R4 allows one `identifier`: the first.
    /// The legal authenticator is an `attester` in `legal` mode. Each section keeps its title and
    /// code, references the records its entries became, and holds its narrative as `text` (status
    /// `additional`: the source's own words, one `<br/>` per line) where no entry carries it; a
    /// section with none of these has `emptyReason` `unavailable` (cmp-2) and, for cmp-1, `text` of
    /// status `empty` holding its title, which the reverse mapping does not read as narrative.
    public func composition(_ composition: Composition) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(composition)
        resource.set("identifier", composition.identifiers.first.flatMap { context.identifier($0) })
        context.setRequiredCode(
            "status", composition.status, in: .compositionStatus, fallback: nil, path: "Composition.status",
            into: &resource)
        resource.set("type", context.requiredConcept(composition.type, path: "Composition.type"))
        resource.set("subject", context.reference(composition.patient))
        resource.set("encounter", context.reference(composition.encounter))
        if composition.date != nil {
            context.setDateTime("date", composition.date, into: &resource)
        } else {
            context.reportMissing("Composition.date")
            resource.setPrimitive("date", nil, extensions: [context.absentReasonExtension()])
        }
        let authors = context.references(composition.authors)
        if authors.contains(where: { $0 != nil }) {
            resource.set("author", authors)
        } else {
            context.reportMissing("Composition.author")
            resource.set("author", [context.absentElement()])
        }
        if let title = composition.title, title.hasContent {
            resource.set("title", title)
        } else {
            context.reportMissing("Composition.title")
            resource.setPrimitive("title", nil, extensions: [context.absentReasonExtension()])
        }
        context.setCode("confidentiality", composition.confidentiality, in: .confidentiality, into: &resource)
        if let party = context.reference(composition.legalAuthenticator) {
            var attester = ElementBuilder()
            attester.set("mode", .string("legal"))
            context.setDateTime("time", composition.legalAuthenticationTime, into: &attester)
            attester.set("party", party)
            resource.set("attester", [attester.json])
        }
        resource.set("custodian", context.reference(composition.custodian))
        resource.set("section", composition.sections.map { section($0, &context) })
        return (resource.object, context.diagnostics)
    }

    private func section(_ section: DocumentSection, _ context: inout MappingContext) -> JSON? {
        var element = ElementBuilder()
        element.set("title", section.title)
        element.set("code", context.concept(section.code))
        if let text = section.text, text.hasContent {
            element.set(
                "text",
                .object(JSONObject(["status": .string("additional"), "div": .string(NarrativeDiv.xhtml(text))])))
        }
        element.set("entry", context.references(section.entries))
        if section.isEmpty {
            // cmp-1 wants text, entries or subsections: the title (else "No entries") as `empty` narrative
            element.set(
                "text",
                .object(
                    JSONObject([
                        "status": .string("empty"), "div": .string(NarrativeDiv.xhtml(section.title ?? "No entries")),
                    ])))
            element.set(
                "emptyReason",
                .object(
                    JSONObject([
                        "coding": .array([
                            .object(
                                JSONObject([
                                    "system": .string(FHIRURL.listEmptyReason), "code": .string("unavailable"),
                                ]))
                        ])
                    ])))
        }
        element.set("section", section.sections.map { self.section($0, &context) })
        return element.json
    }
}

/// Plain narrative text as an R4 Narrative `div` and back: each line escaped (`&`, `<`, `>`) and
/// lines joined by `<br/>` inside one XHTML `div`, so the text reads back exactly.
///
///     NarrativeDiv.xhtml("a < b\nc")   // <div xmlns="http://www.w3.org/1999/xhtml">a &lt; b<br/>c</div>
enum NarrativeDiv {
    static let open = "<div xmlns=\"http://www.w3.org/1999/xhtml\">"
    static let close = "</div>"
    static let lineBreak = "<br/>"

    static func xhtml(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var escaped = ""
            for character in line {
                switch character {
                case "&": escaped += "&amp;"
                case "<": escaped += "&lt;"
                case ">": escaped += "&gt;"
                default: escaped.append(character)
                }
            }
            return escaped
        }
        return open + lines.joined(separator: lineBreak) + close
    }

    /// The text of a `div` written by `xhtml(_:)`, or `nil` for any other markup.
    static func text(_ div: String) -> String? {
        guard div.hasPrefix(open), div.hasSuffix(close) else { return nil }
        let parts = String(div.dropFirst(open.count).dropLast(close.count)).components(separatedBy: lineBreak)
        guard !parts.contains(where: { $0.contains("<") }) else { return nil }
        let lines = parts.map { line in
            line.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&")
        }
        return lines.joined(separator: "\n")
    }
}
