/// Size limits that protect the parser from hostile or broken input: every one fails the message
/// with a positioned `HL7ParseError`, the other messages of the input go on, and memory stays bounded.
///
///     var limits = HL7Limits.default            // 16 MiB per message, 1 MiB per field, 100 000 segments
///     limits.maxFieldBytes = 64 * 1024
public struct HL7Limits: Hashable, Sendable {
    /// A message (its bytes as split from the input) larger than this fails with `messageTooLarge`;
    /// the splitter stops holding its bytes just past the limit.
    public var maxMessageBytes: Int
    /// A field larger than this fails with `fieldTooLarge`.
    public var maxFieldBytes: Int
    /// A message with more segments than this fails with `tooManySegments`.
    public var maxSegments: Int

    public init(maxMessageBytes: Int = 16 * 1024 * 1024, maxFieldBytes: Int = 1024 * 1024, maxSegments: Int = 100_000) {
        self.maxMessageBytes = maxMessageBytes
        self.maxFieldBytes = maxFieldBytes
        self.maxSegments = maxSegments
    }

    /// 16 MiB per message, 1 MiB per field, 100 000 segments.
    public static let `default` = HL7Limits()
}
