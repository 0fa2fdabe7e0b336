/// Hard limits on CSV rows, so that a broken export (a stray quote that never closes, a file with no
/// line ends) costs bounded memory and fails with a positioned error instead.
///
///     CSVLimits()                                        // 1 MiB per row, 256 KiB per field
///     CSVLimits(maxRecordBytes: 64 << 10, maxFieldBytes: 4 << 10)
///
/// A row over `maxRecordBytes` is cut where it crosses the limit (`recordTooLong`, with its file, line
/// and column); a field over `maxFieldBytes` fails its row (`fieldTooLong`). The other rows go on.
public struct CSVLimits: Hashable, Sendable {
    /// The most bytes one record (row) may hold, quoted line breaks included.
    public var maxRecordBytes: Int
    /// The most bytes one field may hold.
    public var maxFieldBytes: Int

    public init(maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes, maxFieldBytes: Int = 256 << 10) {
        self.maxRecordBytes = max(1, maxRecordBytes)
        self.maxFieldBytes = max(1, maxFieldBytes)
    }
}
