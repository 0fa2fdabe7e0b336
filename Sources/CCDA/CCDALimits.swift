/// Hard limits on one C-CDA document. Exceeding one is a `SourceError` (`documentTooLarge`,
/// `documentTooDeep`) for that document, never a crash or a partial record.
///
///     CCDALimits()                                   // 64 MiB, 256 levels of elements
///     CCDALimits(maxDocumentBytes: 8 << 20)          // a server taking smaller uploads
public struct CCDALimits: Hashable, Sendable {
    /// The largest document read, in bytes (checked before parsing).
    public var maxDocumentBytes: Int
    /// The deepest element nesting accepted; `ClinicalDocument` is depth 1. C-CDA documents nest
    /// about 20 levels; libxml2's own limit without `XML_PARSE_HUGE` is 256.
    public var maxDepth: Int

    public init(maxDocumentBytes: Int = 64 << 20, maxDepth: Int = 256) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxDepth = maxDepth
    }
}
