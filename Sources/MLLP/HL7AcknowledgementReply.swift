/// An acknowledgement as a sender reads it: MSA-1 and MSA-2, and each ERR segment's position and
/// code. Only what is a code or a position is kept, so that a report of it holds no patient data:
/// MSA-3 (free text) is counted, not kept; ERR-8 (user message) is not read.
///
///     let reply = HL7AcknowledgementReply(parsing: ackBytes)
///     reply?.code            // "AE"
///     reply?.controlID       // MSA-2: the MSH-10 of the message it answers
///     reply?.errors.first    // location "PID[1]-7", code 102, severity "E"
///
/// HL7 v2.5.1 §2.14.1 (MSA) and §2.15.5 (ERR): ERR-2 is the error location (ERL: segment ID ^
/// sequence ^ field ^ field repetition ^ component ^ subcomponent), ERR-3 the HL7 error code (table
/// 0357), ERR-4 the severity (table 0516); before v2.5 the location and code are in ERR-1 (ELD:
/// segment ID ^ sequence ^ field ^ code & text & table).
public struct HL7AcknowledgementReply: Sendable, Hashable {
    /// One ERR segment: where and which code, nothing else.
    public struct ErrorEntry: Sendable, Hashable, CustomStringConvertible {
        /// `PID[1]-7.1`, or `nil` when the segment gives none (or one that is not a position).
        public var location: String?
        /// The table 0357 code (`102`), when it is a number.
        public var code: Int?
        /// `E`, `W`, `I` (table 0516), when given.
        public var severity: String?

        public var description: String {
            var parts: [String] = []
            if let severity { parts.append(severity) }
            parts.append(location ?? "(no location)")
            if let code {
                let known = HL7ErrorCode.all.first { $0.code == code }
                parts.append(known.map { "\($0.code) \($0.text)" } ?? String(code))
            }
            return parts.joined(separator: " ")
        }
    }

    /// MSA-1 (`AA`, `AE`, `AR`, or `CA`, `CE`, `CR` in enhanced mode); upper-cased.
    public var code: String
    /// MSA-2, the control id of the message acknowledged (`nil` when it is not a plain token).
    public var controlID: String?
    /// The length of MSA-3 (a free-text message, never shown), 0 when absent.
    public var textMessageLength: Int
    public var errors: [ErrorEntry]

    /// Whether the message was accepted (`AA`, or `CA` commit accept).
    public var isAccepted: Bool { code == "AA" || code == "CA" }

    /// Reads an ACK's ER7 bytes (MLLP framing already removed); `nil` when there is no MSH with a
    /// usable field separator or no MSA segment with an MSA-1.
    public init?(parsing bytes: some Collection<UInt8>) {
        let all = Array(bytes)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in all.enumerated() where byte == 0x0D || byte == 0x0A {
            if index > start { lines.append(all[start..<index]) }
            start = index + 1
        }
        if start < all.count { lines.append(all[start...]) }
        guard let header = lines.first(where: { $0.starts(with: Array("MSH".utf8)) }), header.count > 8 else {
            return nil
        }
        let field = header[header.startIndex + 3]
        let component = header[header.startIndex + 4]
        let subcomponent = header[header.startIndex + 7]
        func fields(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
            Array(line.split(separator: field, omittingEmptySubsequences: false).dropFirst())
        }
        func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
        guard let msa = lines.first(where: { $0.starts(with: Array("MSA".utf8) + [field]) }) else { return nil }
        let msaFields = fields(msa)
        guard let first = msaFields.first, !first.isEmpty else { return nil }
        code = text(first).uppercased()
        let control = msaFields.count > 1 ? text(msaFields[1]) : ""
        controlID = Self.isToken(control) ? control : nil
        textMessageLength = msaFields.count > 2 ? msaFields[2].count : 0
        var errors: [ErrorEntry] = []
        for line in lines where line.starts(with: Array("ERR".utf8) + [field]) {
            let values = fields(line)
            func components(_ number: Int) -> [ArraySlice<UInt8>] {
                guard number <= values.count else { return [] }
                return values[number - 1].split(separator: component, omittingEmptySubsequences: false)
            }
            var entry = ErrorEntry()
            let erl = components(2).map(text)
            if !erl.isEmpty, !erl[0].isEmpty {
                entry.location = Self.position(erl)
                entry.code = components(3).first.flatMap { Int(text($0)) }
                let severity = components(4).first.map(text) ?? ""
                entry.severity = ["E", "W", "I", "F"].contains(severity) ? severity : nil
            } else {
                // v2.4 and earlier: ERR-1 ELD, code in its fourth component's first subcomponent
                let eld = components(1)
                entry.location = Self.position(eld.prefix(3).map(text))
                if eld.count > 3 {
                    let code = eld[3].split(separator: subcomponent, omittingEmptySubsequences: false).first
                    entry.code = code.flatMap { Int(text($0)) }
                }
                if entry.location == nil && entry.code == nil {
                    entry.code = components(3).first.flatMap { Int(text($0)) }
                    let severity = components(4).first.map(text) ?? ""
                    entry.severity = ["E", "W", "I", "F"].contains(severity) ? severity : nil
                }
            }
            errors.append(entry)
        }
        self.errors = errors
    }

    /// `SEG[n]-f[r].c.s` from ERL components, or `nil` unless the segment ID is three capitals or
    /// digits and the numbers are numbers.
    static func position(_ parts: [String]) -> String? {
        guard let segment = parts.first, segment.count == 3,
            segment.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) })
        else { return nil }
        var numbers: [Int?] = []
        for part in parts.dropFirst() {
            if part.isEmpty {
                numbers.append(nil)
                continue
            }
            guard let number = Int(part), number >= 0, number < 100_000 else { return nil }
            numbers.append(number)
        }
        var text = segment + "[\((numbers.first ?? nil) ?? 1)]"
        if numbers.count > 1, let field = numbers[1] {
            text += "-\(field)"
            if numbers.count > 2, let repetition = numbers[2], repetition > 1 { text += "[\(repetition)]" }
            if numbers.count > 3, let component = numbers[3] {
                text += ".\(component)"
                if numbers.count > 4, let sub = numbers[4] { text += ".\(sub)" }
            }
        }
        return text
    }

    /// A control id that is safe to compare and show: letters, digits and `-_.`, at most 64.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64
            && text.unicodeScalars.allSatisfy {
                ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0)
                    || "-_.".unicodeScalars.contains($0)
            }
    }
}

extension HL7ErrorCode {
    /// Every code of table 0357 this module names.
    public static let all: [HL7ErrorCode] = [
        .messageAccepted, .segmentSequenceError, .requiredFieldMissing, .dataTypeError, .tableValueNotFound,
        .unsupportedMessageType, .unsupportedEventCode, .unsupportedProcessingID, .unsupportedVersionID,
        .unknownKeyIdentifier, .duplicateKeyIdentifier, .applicationRecordLocked, .applicationInternalError,
    ]
}
