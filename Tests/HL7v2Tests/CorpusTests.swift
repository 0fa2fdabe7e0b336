import ClinicalModel
import Foundation
import TestSupport
import Testing

@testable import HL7v2

/// The HL7 v2 part of the shared test corpus (`TestCorpus`).
enum Corpus {
    static func files(in folder: String) -> [String] {
        let base = TestCorpus.url(folder)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return [] }
        return walker.compactMap { $0 as? String }
            .filter { !$0.hasSuffix(".md") && !isDirectory(base.appendingPathComponent($0)) }
            .sorted()
    }

    static func isDirectory(_ url: URL) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
    }

    static func bytes(_ folder: String, _ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: TestCorpus.url(folder).appendingPathComponent(file)))
    }

    /// One row of hl7v2-public/MANIFEST.md.
    struct Row: Sendable, CustomTestStringConvertible {
        var file: String
        var msh9: String
        var msh12: String
        var messages: Int
        var features: String
        var testDescription: String { file }
    }

    static let manifest: [Row] = {
        let url = TestCorpus.url("hl7v2-public/MANIFEST.md")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line -> Row? in
            guard line.hasPrefix("| `") else { return nil }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 8, let count = Int(cells[4]) else { return nil }
            return Row(
                file: cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), msh9: cells[2], msh12: cells[3],
                messages: count, features: cells[7])
        }
    }()

    /// Files whose (only) message is malformed, with the error each must give.
    static let expectedErrors: [String: HL7ParseError.Kind] = [
        "cdc-trusted-intermediary/Test/Message/empty.hl7": .noMessageHeader,
        "cdc-data-exchange-hl7/resources__BatchMessage.txt": .noMessageHeader,
        "cdc-data-exchange-hl7/resources__CovidELRWithBlanks.txt": .noMessageHeader,
        "cdc-trusted-intermediary/Test/Message/msh_present_but_missing_all_fields.hl7": .invalidEncodingCharacters,
        "cdc-trusted-intermediary/Test/Message/msh_present_but_missing_msh-2.hl7": .invalidEncodingCharacters,
        "cdc-trusted-intermediary/Test/Message/msh_present_but_missing_msh-9.hl7": .missingMessageType,
        "cdc-data-exchange-hl7/resources__Lyme_WithBadDelimiters.txt": .invalidEncodingCharacters,
        // OBR-4 is broken across two lines (a raw line feed inside the field).
        "cdc-trusted-intermediary/TX/001_TX_OML_O21.hl7": .invalidSegmentID,
    ]
}

@Suite(.needsCorpus) struct CorpusTests {
    @Test func theCorpusIsPresentWithEveryFile() throws {
        #expect(Corpus.files(in: "fhir-converter/hl7v2").count == 139)
        #expect(Corpus.files(in: "hl7v2-public").filter { $0 != "NOTICE.md" }.count == 127)
        #expect(Corpus.manifest.count == 127)
        #expect(Corpus.manifest.map(\.messages).reduce(0, +) == 176)
    }

    @Test(arguments: Corpus.files(in: "fhir-converter/hl7v2"))
    func everyFHIRConverterSampleParses(file: String) throws {
        let result = HL7Parser.parseAll(try Corpus.bytes("fhir-converter/hl7v2", file))
        #expect(result.errors.isEmpty, "\(file): \(result.errors)")
        #expect(result.parsed.count == 1)
        let message = try #require(result.parsed.first)
        #expect(!message.messageType.code.isEmpty)
        #expect(
            message.messageType.structure != nil || message.messageType.event != nil
                || message.messageType.code == "ACK")
        #expect(message.segments.count > 1)
        // Every value of every segment decodes without trapping.
        for segment in message.segments {
            for field in segment.fields {
                for repetition in field.repetitions {
                    for component in repetition.components { _ = component.subcomponents }
                }
            }
        }
    }

    @Test(arguments: Corpus.manifest)
    func everyPublicSampleGivesTheManifestsMessages(row: Corpus.Row) throws {
        let result = HL7Parser.parseAll(try Corpus.bytes("hl7v2-public", row.file))
        let headerless = result.messages.filter { $0.failure?.kind == .noMessageHeader }
        #expect(result.messages.count - headerless.count == row.messages)
        for (offset, outcome) in result.messages.enumerated() {
            if case .failure(let error) = outcome { #expect(error.messageIndex == offset + 1) }
        }
        if let expected = Corpus.expectedErrors[row.file] {
            #expect(result.errors.map(\.kind) == [expected])
            return
        }
        #expect(result.errors.isEmpty, "\(row.file): \(result.errors)")
        let first = try #require(result.parsed.first)
        let written = row.msh9.split(separator: "^").map(String.init)
        #expect(first.messageType.code == written[0])
        #expect(first.messageType.event == (written.count > 1 ? written[1] : nil))
        // a structure as written, or one the mapper derives from table 0354 (an event, or an ACK)
        #expect(first.messageType.structure != nil || first.messageType.event != nil || first.messageType.code == "ACK")
        if row.msh12 != "-" && !row.msh12.contains(",") { #expect(first.version == row.msh12) }
        if row.features.contains("batch(FHS/BHS)") { #expect(!result.batchHeaders.isEmpty) }
        if row.features.contains("Z:") {
            #expect(first.segments.contains { $0.id.hasPrefix("Z") })
        }
    }

    @Test func theMalformedPublicSamplesFailWithPositions() throws {
        for (file, kind) in Corpus.expectedErrors {
            let result = HL7Parser.parseAll(try Corpus.bytes("hl7v2-public", file))
            let error = try #require(result.errors.first, "\(file)")
            #expect(error.kind == kind, "\(file)")
            #expect(error.messageIndex == 1)
            #expect(error.description.hasPrefix("\(kind.rawValue) at message 1"))
        }
        let wrapped = HL7Parser.parseAll(
            try Corpus.bytes("hl7v2-public", "cdc-trusted-intermediary/TX/001_TX_OML_O21.hl7"))
        #expect(wrapped.errors.first?.description == "invalidSegmentID at message 1 segment 6")
    }

    @Test func aBatchTrailerThatMiscountsIsReported() throws {
        let result = HL7Parser.parseAll(
            try Corpus.bytes("hl7v2-public", "cdc-prime-reportstream/compare-test-files__test-0001-input-covid-19.hl7"))
        #expect(result.parsed.count == 20)
        #expect(result.diagnostics.map(\.kind) == [.batchCountMismatch])
    }

    @Test func corpusFilesSplitTheSameWhenStreamed() throws {
        for row in Corpus.manifest where row.messages > 1 {
            let bytes = try Corpus.bytes("hl7v2-public", row.file)
            var whole = HL7InputSplitter(bytes: bytes)
            var streamed = HL7InputSplitter(chunks: SplitterTests.chunked(bytes, size: 997))
            #expect(SplitterTests.drain(&streamed).map(\.bytes) == SplitterTests.drain(&whole).map(\.bytes))
        }
    }
}
