public import NIOCore

/// One unit read from an MLLP stream by `MLLPFrameDecoder`.
///
/// MLLP (HL7 v2.5.1 Appendix C, "Minimal Lower Layer Protocol") wraps each message in a start byte
/// `0x0B` and the two end bytes `0x1C 0x0D`:
///
///     <VT> MSH|^~\&|… <CR> PID|… <CR> <FS><CR>
public enum MLLPFrame: Sendable, Hashable {
    /// The bytes between a start byte and its end bytes (the framing itself removed).
    case message(ByteBuffer)
    /// A frame longer than the decoder's limit: its content was discarded, except the first bytes
    /// (`prefix`, enough for the MSH segment so that a negative ACK can name the message). `byteCount`
    /// is the length of the whole frame content.
    case oversized(prefix: ByteBuffer, byteCount: Int)
}

/// The MLLP framing bytes, and framing of whole messages for clients and tests.
public enum MLLPFraming {
    /// Start block character (VT).
    public static let startByte: UInt8 = 0x0B
    /// End block character (FS), followed by `carriageReturn`.
    public static let endByte: UInt8 = 0x1C
    public static let carriageReturn: UInt8 = 0x0D

    /// The message wrapped in MLLP framing.
    ///
    ///     MLLPFraming.frame(Array("MSH|…\r".utf8))   // [0x0B, 0x4D, …, 0x0D, 0x1C, 0x0D]
    /// - Complexity: O(n).
    public static func frame(_ message: some Collection<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(message.count + 3)
        bytes.append(startByte)
        bytes.append(contentsOf: message)
        bytes.append(endByte)
        bytes.append(carriageReturn)
        return bytes
    }
}
