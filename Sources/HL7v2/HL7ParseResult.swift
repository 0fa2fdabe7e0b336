public import ClinicalModel

/// Everything `HL7Parser.parseAll` found in one input.
public struct HL7ParseResult: Sendable {
    /// One result per message (or per chunk of content that is not a message), in input order;
    /// the index of each message or error is its position here plus one.
    public var messages: [Result<HL7Message, HL7ParseError>]
    /// FHS and BHS segments, in input order; not part of any message (their message number is 0).
    public var batchHeaders: [HL7Segment]
    /// All batch envelope segments (FHS, BHS, BTS, FTS) in input order.
    public var envelopeSegments: [HL7Segment]
    /// Findings about the input as a whole, such as `batchCountMismatch` (per-message findings are
    /// in each message's `diagnostics`).
    public var diagnostics: [Diagnostic]

    public init(
        messages: [Result<HL7Message, HL7ParseError>], batchHeaders: [HL7Segment] = [],
        envelopeSegments: [HL7Segment] = [], diagnostics: [Diagnostic] = []
    ) {
        self.messages = messages
        self.batchHeaders = batchHeaders
        self.envelopeSegments = envelopeSegments
        self.diagnostics = diagnostics
    }

    /// The messages that parsed.
    public var parsed: [HL7Message] {
        messages.compactMap { try? $0.get() }
    }

    /// The errors, one per message that did not parse.
    public var errors: [HL7ParseError] {
        messages.compactMap {
            if case .failure(let error) = $0 { return error }
            return nil
        }
    }
}
