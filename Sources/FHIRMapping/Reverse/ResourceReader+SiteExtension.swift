import ClinicalModel
import FHIRR4

extension ResourceReader {
    /// The site extensions on a resource (`SiteExtension`): every top-level extension whose URL is
    /// a site's (`SiteExtension.isSiteURL`, so none of HL7's or fhirbridge's own), read back with
    /// the data type conversions of the other elements. An extension with no value of the six
    /// types a site map can write is reported as `invalidValue` by path.
    mutating func siteExtensions(_ resource: JSONObject, _ ref: EntityRef) -> [SiteExtension] {
        var result: [SiteExtension] = []
        for (offset, item) in (resource["extension"]?.arrayValue ?? []).enumerated() {
            guard let object = item.objectValue, let url = object["url"]?.stringValue, SiteExtension.isSiteURL(url)
            else { continue }
            let path = "extension[\(offset)]"
            let value: SiteExtension.Value?
            if object["valueString"] != nil || object["_valueString"] != nil {
                value = text(object, "valueString", path).map(SiteExtension.Value.text)
            } else if let coding = coding(object["valueCoding"], Self.join(path, "valueCoding")) {
                value = .coding(coding)
            } else if let concept = concept(object["valueCodeableConcept"], Self.join(path, "valueCodeableConcept")) {
                value = .concept(concept)
            } else if let identifier = identifier(object["valueIdentifier"], Self.join(path, "valueIdentifier")) {
                value = .identifier(identifier)
            } else if let dateTime = dateTime(object, "valueDateTime", path) {
                value = .dateTime(dateTime)
            } else if let lexical = object["valueDecimal"]?.numberLexical {
                value = .decimal(DecimalValue(lexical: lexical))
            } else {
                value = nil
            }
            guard let value else {
                report(.invalidValue, path)
                continue
            }
            result.append(SiteExtension(target: ref, url: url, value: value))
        }
        return result
    }
}
