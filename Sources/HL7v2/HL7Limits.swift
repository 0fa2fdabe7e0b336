/// Size limits that protect the parser from hostile or broken input.
///
///     var limits = HL7Limits.default            // 16 MiB per message, 1 MiB per field
///     limits.maxFieldBytes = 64 * 1024
public struct HL7Limits: Hashable, Sendable {
    /// A message (its bytes as split from the input) larger than this fails with `messageTooLarge`.
    public var maxMessageBytes: Int
    /// A field larger than this fails with `fieldTooLarge`.
    public var maxFieldBytes: Int

    public init(maxMessageBytes: Int = 16 * 1024 * 1024, maxFieldBytes: Int = 1024 * 1024) {
        self.maxMessageBytes = maxMessageBytes
        self.maxFieldBytes = maxFieldBytes
    }

    /// 16 MiB per message, 1 MiB per field.
    public static let `default` = HL7Limits()
}
