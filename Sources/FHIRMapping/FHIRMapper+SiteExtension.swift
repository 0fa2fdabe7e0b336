import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// A record's site extensions (`SiteExtension`, a site's Z-segment fields) as FHIR extensions
    /// with the site's URLs, in the order the map read them: `valueString`, `valueCoding`,
    /// `valueCodeableConcept`, `valueIdentifier`, `valueDateTime` or `valueDecimal`. The data type
    /// conversions are the ones every resource uses (a date/time keeps its canonical form in
    /// `source-value` on `_valueDateTime` when R4 cannot write it as it is).
    func siteExtensions(_ extensions: [SiteExtension], location: SourceLocation?) -> ([JSON], [Diagnostic]) {
        var mapping = self.context(location)
        var result: [JSON] = []
        for item in extensions {
            var element = ElementBuilder()
            element.set("url", .string(item.url))
            switch item.value {
            case .text(let text): element.set("valueString", text)
            case .coding(let coding): element.set("valueCoding", mapping.coding(coding))
            case .concept(let concept): element.set("valueCodeableConcept", mapping.concept(concept))
            case .identifier(let identifier): element.set("valueIdentifier", mapping.identifier(identifier))
            case .dateTime(let dateTime): mapping.setDateTime("valueDateTime", dateTime, into: &element)
            case .decimal(let decimal): element.set("valueDecimal", MappingContext.decimal(decimal.lexical))
            }
            // an extension needs a value: one whose value could not be written is left out (reported above)
            if let json = element.json, json.objectValue?.count ?? 0 > 1 { result.append(json) }
        }
        return (result, mapping.diagnostics)
    }
}
