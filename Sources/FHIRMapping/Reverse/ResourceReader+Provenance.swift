import ClinicalModel
import FHIRR4

extension ResourceReader {
    /// The `SourceDocument` a Provenance describes (see `FHIRMapper.provenance`): the fhirbridge
    /// `source-document` extension on the source entity, else the entity's display
    /// (`<format> <unit> <index> of <inputName>`); `recorded` (with `recorded-precision`); the digest
    /// from `entity.what.identifier`; the sending application and facility from the agents.
    mutating func sourceDocument(_ o: JSONObject) -> SourceDocument {
        let entities = o["entity"]?.arrayValue ?? []
        let entity = entities.first { $0["role"]?.stringValue == "source" } ?? entities.first
        let facts = Self.extensions(entity, FHIRURL.sourceDocument).first.map(JSON.object)
        func part(_ name: String) -> JSON? {
            for item in facts?["extension"]?.arrayValue ?? [] where item["url"]?.stringValue == name {
                return item.objectValue?.members.first { $0.key.hasPrefix("value") }?.value
            }
            return nil
        }
        let display = entity?["what"]?["display"]?.stringValue.flatMap(Self.parseDisplay)
        let format = part("format")?.stringValue.flatMap(SourceFormat.init(rawValue:)) ?? display?.format ?? .fhir
        let inputName = part("inputName")?.stringValue ?? display?.inputName ?? ""
        let index = part("index")?.numberLexical.flatMap { Int($0) } ?? display?.index ?? 0
        var document = SourceDocument(format: format, inputName: inputName, index: index)
        document.controlID = part("controlID")?.stringValue
        document.type = part("type")?.stringValue
        document.version = part("version")?.stringValue
        if let recorded = part("recorded")?.stringValue {
            document.recorded = ClinicalDateTime(fhir: recorded)
        } else if let recorded = text(o, "recorded", "") {
            let precision = Self.extensions(o["_recorded"], FHIRURL.recordedPrecision).first?["valueCode"]?
                .stringValue
            let length = ["year": 4, "month": 7, "day": 10][precision ?? ""]
            document.recorded = ClinicalDateTime(fhir: length.map { String(recorded.prefix($0)) } ?? recorded)
        }
        if let identifier = entity?["what"]?["identifier"], identifier["system"]?.stringValue == FHIRURL.sourceDigest {
            document.digest = identifier["value"]?.stringValue
        }
        for agent in o["agent"]?.arrayValue ?? [] {
            let code = agent["type"]?["coding"]?.arrayValue?.first?["code"]?.stringValue
            guard code == "author", let who = agentResource(agent["who"]) else { continue }
            if who["resourceType"]?.stringValue == "Device" {
                document.sendingApplication = JSON.object(who)["deviceName"]?.arrayValue?.first?["name"]?.stringValue
                let facility = agentResource(agent["onBehalfOf"]) ?? agentResource(who["owner"])
                document.sendingFacility = facility?["name"]?.stringValue
            } else {
                document.sendingFacility = who["name"]?.stringValue
            }
        }
        return document
    }

    /// The resource a Provenance agent reference names, when it is in the input.
    func agentResource(_ reference: JSON?) -> JSONObject? {
        guard let text = reference?["reference"]?.stringValue, let position = index.position(of: text) else {
            return nil
        }
        return index.resources[position]
    }

    /// `hl7v2 message 3 of adt.hl7` → (format, index, inputName).
    static func parseDisplay(_ display: String) -> (format: SourceFormat, index: Int, inputName: String)? {
        let words = display.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
        guard words.count == 5, let format = SourceFormat(rawValue: String(words[0])), let index = Int(words[2]),
            words[3] == "of"
        else { return nil }
        return (format, index, String(words[4]))
    }
}
