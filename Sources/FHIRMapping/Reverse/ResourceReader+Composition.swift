import ClinicalModel
import FHIRR4

extension ResourceReader {
    /// Composition: the document, with its sections' narrative read back from the `div`
    /// `NarrativeDiv` wrote (other markup is reported as `invalidValue` and left out).
    mutating func composition(_ o: JSONObject, _ ref: EntityRef) -> Composition {
        var composition = Composition(ref: ref, source: location)
        composition.identifiers = [identifier(o["identifier"], "identifier")].compactMap { $0 }
        composition.status = text(o, "status", "") ?? ""
        composition.type = concept(o["type"], "type")
        composition.patient = reference(o["subject"], "subject")
        composition.encounter = reference(o["encounter"], "encounter")
        composition.date = dateTime(o, "date", "")
        composition.authors = references(o["author"], "author")
        composition.title = text(o, "title", "")
        composition.confidentiality = text(o, "confidentiality", "")
        for (offset, item) in (o["attester"]?.arrayValue ?? []).enumerated()
        where item["mode"]?.stringValue == "legal" {
            let path = "attester[\(offset)]"
            composition.legalAuthenticator = reference(item["party"], path + ".party")
            composition.legalAuthenticationTime = dateTime(item.objectValue, "time", path)
        }
        composition.custodian = reference(o["custodian"], "custodian")
        composition.sections = sections(o["section"], "section")
        return composition
    }

    mutating func sections(_ json: JSON?, _ path: String) -> [DocumentSection] {
        (json?.arrayValue ?? []).enumerated().map { offset, item in
            let itemPath = path + "[\(offset)]"
            var section = DocumentSection(
                title: text(item.objectValue, "title", itemPath), code: concept(item["code"], itemPath + ".code"))
            if item["text"]?["status"]?.stringValue != "empty", let div = item["text"]?["div"]?.stringValue {
                section.text = NarrativeDiv.text(div)
                if section.text == nil { report(.invalidValue, itemPath + ".text.div") }
            }
            section.entries = references(item["entry"], itemPath + ".entry")
            section.sections = sections(item["section"], itemPath + ".section")
            return section
        }
    }
}
