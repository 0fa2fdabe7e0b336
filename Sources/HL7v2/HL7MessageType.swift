/// The message type from MSH-9: code (MSG-1), trigger event (MSG-2) and message structure (MSG-3).
///
///     // MSH-9 "ADT^A04"           -> code "ADT", event "A04", structure nil (the mapper derives
///     //                              "ADT_A01" from table 0354, which is data in Terminology/)
///     // MSH-9 "ORU^R01^ORU_R01"   -> structure as written
///     // MSH-9 "ADT_A01"           -> code "ADT", event nil, structure "ADT_A01"
///     type.description             // "ORU^R01^ORU_R01"
public struct HL7MessageType: Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var event: String?
    /// MSH-9.3 as written (or MSH-9.1 when it is a structure name such as `ADT_A01`); `nil` when
    /// absent. `deriving(_:)` fills it from HL7 table 0354.
    public var structure: String?

    public init(code: String, event: String? = nil, structure: String? = nil) {
        self.code = code
        self.event = event
        self.structure = structure
    }

    /// Reads MSH-9's three components (already decoded).
    public init(code: String, event: String?, writtenStructure: String?) {
        if event == nil, writtenStructure == nil, let underscore = code.firstIndex(of: "_") {
            self.init(code: String(code[..<underscore]), event: nil, structure: code)
            return
        }
        self.init(code: code, event: event, structure: writtenStructure)
    }

    /// This type with the structure `derive` gives for its code and event when MSH-9.3 named none.
    ///
    ///     HL7MessageType(code: "ADT", event: "A04").deriving { code, event in table.structure(code: code, event: event) }
    ///     // ADT^A04^ADT_A01
    public func deriving(_ derive: (_ code: String, _ event: String?) -> String?) -> HL7MessageType {
        guard structure == nil else { return self }
        return HL7MessageType(code: code, event: event, structure: derive(code, event))
    }

    /// `code^event^structure`, leaving out trailing missing parts: `ADT^A01^ADT_A01`, `ACK`.
    public var description: String {
        var parts = [code, event ?? "", structure ?? ""]
        while parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
        return parts.joined(separator: "^")
    }
}
