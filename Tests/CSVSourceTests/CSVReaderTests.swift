import CSVSource
import Foundation
import Testing

/// RFC 4180 cases, each read in many chunk sizes: the records must not depend on where chunks end.
struct CSVCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    var records: [[String]]
    var lines: [Int]

    var testDescription: String { name }

    static let all: [CSVCase] = [
        CSVCase(name: "plain LF", input: "a,b\n1,2\n", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        CSVCase(name: "CRLF", input: "a,b\r\n1,2\r\n", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        CSVCase(name: "CR only", input: "a,b\r1,2", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        CSVCase(name: "no final line break", input: "a,b\n1,2", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        CSVCase(
            name: "BOM", input: "\u{FEFF}Id,NAME\r\nx,y\r\n", records: [["Id", "NAME"], ["x", "y"]], lines: [1, 2]),
        CSVCase(
            name: "quoted delimiter and doubled quote", input: "a,\"b, \"\"c\"\"\"\n",
            records: [["a", "b, \"c\""]], lines: [1]),
        CSVCase(
            name: "line break inside quotes", input: "h1,h2\r\n\"one\r\ntwo\",x\r\nnext,y\r\n",
            records: [["h1", "h2"], ["one\r\ntwo", "x"], ["next", "y"]], lines: [1, 2, 4]),
        CSVCase(
            name: "empty fields", input: ",,\n\"\",x,\n", records: [["", "", ""], ["", "x", ""]], lines: [1, 2]),
        CSVCase(name: "blank lines skipped", input: "a\n\n\r\nb\n", records: [["a"], ["b"]], lines: [1, 4]),
        CSVCase(
            name: "UTF-8 text", input: "María José279,Mascareñas995\n", records: [["María José279", "Mascareñas995"]],
            lines: [1]),
    ]
}

@Suite("RFC 4180 reader")
struct CSVReaderTests {
    static func readAll(_ text: String, chunkSize: Int) -> [CSVRecord] {
        var reader = CSVReader(bytes: Array(text.utf8), chunkSize: chunkSize)
        var records: [CSVRecord] = []
        while let record = reader.readRecord() { records.append(record) }
        return records
    }

    @Test(arguments: CSVCase.all, [1, 2, 3, 7, 64, 4096])
    func recordsSurviveAnyChunking(_ csv: CSVCase, chunkSize: Int) {
        let records = Self.readAll(csv.input, chunkSize: chunkSize)
        #expect(records.map(\.fields) == csv.records)
        #expect(records.map(\.line) == csv.lines)
        #expect(records.allSatisfy { $0.problems.isEmpty })
    }

    @Test func offsetsLetAReaderSeekBackToARecord() throws {
        let text = "h1,h2\r\n\"a\nb\",1\r\nc,2\r\nd,3\r\n"
        let records = Self.readAll(text, chunkSize: 3)
        var reader = CSVReader(bytes: Array(text.utf8), chunkSize: 5)
        reader.seek(toOffset: records[2].offset, line: records[2].line)
        let next = reader.readRecord()
        let again = try #require(next)
        #expect(again.fields == ["c", "2"])
        #expect(again.line == 4)
        #expect(records[1].endOffset == records[2].offset)
        #expect(records[1].nextLine == 4)
    }

    @Test func fileReaderStartsAtAnOffset() throws {
        let folder = try Fixtures.temporaryFolder("reader")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("x.csv")
        try Data("\u{FEFF}h\r\none\r\ntwo\r\n".utf8).write(to: url)
        var reader = try CSVReader(url: url, chunkSize: 2)
        let header = reader.readRecord()
        #expect(header?.fields == ["h"])
        let next = reader.readRecord()
        let second = try #require(next)
        #expect(second.fields == ["one"])
        reader.close()
        var resumed = try CSVReader(url: url, offset: second.offset, line: second.line)
        let one = resumed.readRecord()
        let two = resumed.readRecord()
        #expect(one?.fields == ["one"])
        #expect(two?.line == 3)
        resumed.close()
    }

    @Test func unterminatedQuoteIsReportedAtTheRecordStart() {
        let records = Self.readAll("a,b\n1,\"open\n2,3\n", chunkSize: 4)
        #expect(records.count == 2)
        #expect(records[1].problems.map(\.kind) == [.unterminatedQuote])
        #expect(records[1].problems.first?.line == 2)
        #expect(records[1].problems.first?.field == 1)
    }

    @Test func strayQuotesAreKeptAndReported() {
        let records = Self.readAll("a\"b,\"c\"d\nok,ok\n", chunkSize: 64)
        #expect(records[0].fields == ["a\"b", "cd"])
        #expect(records[0].problems.map(\.kind) == [.quoteInUnquotedField, .textAfterClosingQuote])
        #expect(records[1].problems.isEmpty)
    }

    @Test func commentLinesAndOtherDelimiters() {
        var reader = CSVReader(
            bytes: Array("# preamble, with a comma\nx;\"y;z\"\n".utf8), chunkSize: 3, delimiter: UInt8(ascii: ";"),
            comment: UInt8(ascii: "#"))
        let record = reader.readRecord()
        #expect(record?.fields == ["x", "y;z"])
        #expect(record?.line == 2)
    }

    @Test func invalidUTF8BecomesReplacementAndAWarning() {
        var reader = CSVReader(bytes: [0x61, 0x2C, 0xFF, 0x0A])
        let record = reader.readRecord()
        #expect(record?.fields == ["a", "\u{FFFD}"])
        #expect(record?.problems.map(\.kind) == [.invalidUTF8])
        #expect(record?.problems.first?.isFatal == false)
    }

    @Test func overlongRecordIsCutAndReported() {
        let text = "a," + String(repeating: "x", count: 100) + "\nb,c\n"
        var reader = CSVReader(bytes: Array(text.utf8), chunkSize: 16, maxRecordBytes: 10)
        let first = reader.readRecord()
        #expect(first?.problems.map(\.kind) == [.recordTooLong])
        let second = reader.readRecord()
        #expect(second?.fields == ["b", "c"])
    }

    /// 20 MB of rows through a producer: the reader holds one chunk and one record, whatever the size.
    @Test func memoryStaysFlatWithInputSize() {
        let row = Array("2015-07-12,3287bb9c-e395-4146-8dd5-1fc3d887d220,\"Body, Height\",54.3,cm\r\n".utf8)
        let chunk = Array(repeating: row, count: 800).flatMap { $0 }
        var produced = 0
        let total = 20_000_000
        var reader = CSVReader(chunks: {
            guard produced < total else { return nil }
            produced += chunk.count
            return chunk
        })
        var count = 0
        while let record = reader.readRecord() {
            count += 1
            if record.fields.count != 5 { break }
        }
        #expect(count == (total + chunk.count - 1) / chunk.count * 800)
        #expect(reader.peakHeldBytes < chunk.count * 2 + 4096)
    }
}
