import CCDA
import CSVSource
import ClinicalModel
import Foundation
import HL7v2
import MLLP
import NIOCore
import Pipeline
import TestSupport
import Testing

/// Every hard limit yields its own positioned error, configurable through `EngineConfiguration`, and
/// memory stays bounded by the limit however large the input.
@Suite struct LimitTests {
    static let sentinel = Robustness.sentinel
    static let header = "MSH|^~\\&|A|B|C|D|20240301120000||ADT^A01^ADT_A01|L-1|P|2.5.1\r"

    static func engine(_ configure: (inout EngineLimits) -> Void) throws -> Engine {
        var configuration = EngineConfiguration(home: Repository.root)
        configure(&configuration.limits)
        return try Engine(configuration: configuration)
    }

    // MARK: HL7 v2

    @Test func hl7MessageSize() throws {
        let message = Array((Self.header + "NTE|1||\(String(repeating: Self.sentinel, count: 100))\r").utf8)
        let strict = try Self.engine { $0.hl7.maxMessageBytes = 512 }
        let error = try #require(strict.convert(message, inputName: "big.hl7").first?.error)
        #expect(error.kind == .messageTooLarge)
        #expect(error.location == .hl7(message: 1, segment: "MSH", occurrence: 1))
        #expect(!String(describing: error).contains(Self.sentinel))
        let lenient = try Self.engine { $0.hl7.maxMessageBytes = 4096 }
        #expect(lenient.convert(message, inputName: "big.hl7").first?.error?.kind != .messageTooLarge)
    }

    @Test func hl7FieldSize() throws {
        let message = Array((Self.header + "PID|1||\(String(repeating: Self.sentinel, count: 10))\r").utf8)
        let strict = try Self.engine { $0.hl7.maxFieldBytes = 64 }
        let error = try #require(strict.convert(message, inputName: "f.hl7").first?.error)
        #expect(error.kind == .fieldTooLarge)
        #expect(error.location == .hl7(message: 1, segment: "PID", occurrence: 1, field: 3))
        #expect(!String(describing: error).contains(Self.sentinel))
    }

    @Test func hl7SegmentCount() throws {
        let message = Array((Self.header + String(repeating: "NTE|1||\(Self.sentinel)\r", count: 20)).utf8)
        #expect(
            throws: HL7ParseError(
                .tooManySegments, at: .hl7(message: 1, segment: "", occurrence: 11), segmentNumber: 11)
        ) {
            try HL7Parser.parse(message, index: 1, limits: HL7Limits(maxSegments: 10))
        }
        #expect(try HL7Parser.parse(message, index: 1, limits: HL7Limits(maxSegments: 21)).segmentCount == 21)
        let strict = try Self.engine { $0.hl7.maxSegments = 10 }
        #expect(strict.convert(message, inputName: "s.hl7").first?.error?.kind == .tooManySegments)
    }

    /// A 64 MiB message arriving in chunks: the splitter holds no more than the limit plus a chunk.
    @Test func hl7SplitterMemoryStaysBounded() {
        let limit = 1 << 20
        let chunk = Array(repeating: UInt8(ascii: "X"), count: 64 * 1024)
        var sent = 0
        var splitter = HL7InputSplitter(
            nextChunk: {
                defer { sent += 1 }
                if sent == 0 { return Array((Self.header + "NTE|1||").utf8) }
                return sent <= 1024 ? chunk : nil
            }, limits: HL7Limits(maxMessageBytes: limit))
        var largest = 0
        var count = 0
        while let (_, bytes) = splitter.next() {
            largest = max(largest, bytes.count)
            count += 1
            #expect(throws: HL7ParseError.self) { try HL7Parser.parse(bytes, index: 1, limits: splitter.limits) }
        }
        #expect(count == 1)
        #expect(largest <= limit + chunk.count)
    }

    // MARK: MLLP

    /// A 32 MiB frame against a 64 KiB limit: reported as oversized, buffer bounded by the chunk size.
    @Test func mllpOversizedFrameIsDiscardedAsItArrives() {
        var decoder = MLLPFrameDecoder(maxFrameBytes: 64 * 1024, keptPrefixBytes: 128)
        var buffer = ByteBuffer(bytes: [MLLPFraming.startByte] + Array(Self.header.utf8))
        var frames: [MLLPFrame] = []
        var largest = 0
        let chunk = [UInt8](repeating: UInt8(ascii: "Z"), count: 256 * 1024)
        for _ in 0..<128 {
            buffer.writeBytes(chunk)
            while let frame = decoder.readFrame(from: &buffer) { frames.append(frame) }
            buffer.discardReadBytes()
            largest = max(largest, buffer.readableBytes)
        }
        buffer.writeBytes(
            [MLLPFraming.endByte, MLLPFraming.carriageReturn] + MLLPFraming.frame(Array(Self.header.utf8)))
        while let frame = decoder.readFrame(from: &buffer) { frames.append(frame) }
        #expect(largest <= 64 * 1024 + chunk.count)
        #expect(frames.count == 2)
        guard case .oversized(let prefix, let count)? = frames.first else {
            Issue.record("no oversized frame")
            return
        }
        #expect(prefix.readableBytes == 128)
        #expect(count == Self.header.utf8.count + 128 * chunk.count)
        #expect(frames.last == .message(ByteBuffer(bytes: Array(Self.header.utf8))))
    }

    // MARK: C-CDA

    static let ccd: [UInt8] = {
        (try? Robustness.bytes(Repository.url("Samples/ccda/ccd-all-sections.xml"))) ?? []
    }()

    @Test func ccdaDocumentSize() throws {
        #expect(Self.ccd.count > 16 * 1024)
        let strict = try Self.engine { $0.ccda.maxDocumentBytes = 16 * 1024 }
        let error = try #require(strict.convert(Self.ccd, inputName: "ccd.xml").first?.error)
        #expect(error.kind == .documentTooLarge)
        #expect(error.location == .xml(xpath: "/", line: nil))
        let lenient = try Self.engine { $0.ccda.maxDocumentBytes = 1 << 20 }
        #expect(lenient.convert(Self.ccd, inputName: "ccd.xml").first?.record != nil)
    }

    @Test func ccdaDepth() throws {
        let strict = try Self.engine { $0.ccda.maxDepth = 8 }
        let error = try #require(strict.convert(Self.ccd, inputName: "ccd.xml").first?.error)
        #expect(error.kind == .documentTooDeep)
        guard case .xml(let xpath, _)? = error.location else {
            Issue.record("not an XML location")
            return
        }
        #expect(xpath.split(separator: "/").count == 9)
        let nested = Array(
            ("<?xml version=\"1.0\"?><ClinicalDocument xmlns=\"urn:hl7-org:v3\">"
                + String(repeating: "<a>", count: 5000)
                + String(repeating: "</a>", count: 5000) + "</ClinicalDocument>").utf8)
        #expect(Robustness.engine.convert(nested, inputName: "deep.xml").first?.error?.kind == .documentTooDeep)
    }

    // MARK: CSV

    /// A quote that never closes in a 16 MiB file: the reader holds at most the row limit.
    @Test func csvUnterminatedQuoteStaysBounded() {
        var bytes = Array("a,b\n1,\"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 16 << 20)
        var reader = CSVReader(bytes: bytes, maxRecordBytes: 64 * 1024)
        var records: [CSVRecord] = []
        while let record = reader.readRecord() { records.append(record) }
        #expect(records.count == 2)
        #expect(records.last?.problems.map(\.kind).contains(.recordTooLong) == true)
        #expect(reader.peakHeldBytes < 64 * 1024 + 2 * CSVReader.defaultChunkSize)
    }

    @Test func csvRowAndFieldSize() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("robustness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let header =
            "MRN,Last Name,First Name,DOB,Sex,Accession,Collected,LOINC,Test,Result,Units,Ref Low,Ref High,Flag,Comment\n"
        func row(_ n: Int, comment: String) -> String {
            "\(n),\(Self.sentinel),\(Self.sentinel),01/02/1970,F,A-\(n),2024-02-01 08:15,2345-7,T,105,mg/dL,70,99,H,\(comment)\n"
        }
        let url = folder.appendingPathComponent("rows.csv")
        try Data(
            (header + row(1, comment: "ok") + row(2, comment: String(repeating: "c", count: 3000))
                + row(3, comment: "ok")).utf8
        )
        .write(to: url)
        let fieldLimit = try Self.engine { $0.csv = CSVLimits(maxRecordBytes: 1 << 20, maxFieldBytes: 2048) }
        let units = fieldLimit.convertCSV(url, profile: Robustness.labProfile)
        #expect(units.compactMap(\.error).map { String(describing: $0.location!) } == ["rows.csv:3 column Comment"])
        #expect(units.compactMap(\.error).map(\.kind) == [.fieldTooLong])
        #expect(units.compactMap(\.record).count == 2)
        let rowLimit = try Self.engine { $0.csv = CSVLimits(maxRecordBytes: 1024, maxFieldBytes: 1 << 20) }
        let rowUnits = rowLimit.convertCSV(url, profile: Robustness.labProfile)
        #expect(rowUnits.compactMap(\.error).map(\.kind) == [.recordTooLong])
        for text in Robustness.texts(units + rowUnits) { #expect(!text.contains(Self.sentinel)) }
    }
}
