import ClinicalModel
import Foundation
import Pipeline
import TestSupport
import Testing

/// One file of Samples/malformed and what its `.expected` says.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    var file: String
    /// `kind` (an error: the unit fails) or `warning` (a diagnostic: the unit still converts).
    var kind: String
    var isWarning: Bool
    /// The failing unit's number, or `row` for CSV.
    var unit: String
    /// The location as printed (`message 2 MSH[1]-2`, `file.csv:4 column Sex`, `/ (line 3)`).
    var position: String
    /// Good messages or rows around the bad one that must still convert.
    var good: Int

    var testDescription: String { file }
    var url: URL { Robustness.malformed.appendingPathComponent(file) }

    static let all: [MalformedCase] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Robustness.malformed.path)) ?? []
        return names.filter { $0.hasSuffix(".expected") }.sorted().compactMap { name in
            // the input beside it, not its expectations (.expected, and the good units' .expected.json)
            let stem = String(name.dropLast(".expected".count))
            guard let file = names.first(where: { $0.hasPrefix(stem + ".") && !$0.contains(".expected") }),
                let text = try? String(contentsOf: Robustness.malformed.appendingPathComponent(name), encoding: .utf8)
            else { return nil }
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            guard let kind = fields["kind"] ?? fields["warning"], let position = fields["position"],
                let unit = fields["unit"], let good = fields["good"].flatMap(Int.init)
            else { return nil }
            return MalformedCase(
                file: file, kind: kind, isWarning: fields["warning"] != nil, unit: unit, position: position, good: good)
        }
    }()
}

/// Samples/malformed through the engine: each bad input fails (or warns) with its expected kind at
/// its expected position, no error holds input text, and the good units around it still convert.
@Suite struct MalformedCorpusTests {
    @Test func theCorpusCoversEveryFamily() {
        let files = MalformedCase.all.map(\.file)
        #expect(files.count >= 30)
        for prefix in ["hl7-", "csv-", "ccda-"] {
            #expect(files.filter { $0.hasPrefix(prefix) }.count >= 8, "\(prefix)")
        }
        let kinds = Set(MalformedCase.all.map(\.kind))
        for kind in [
            "invalidEncodingCharacters", "fieldTooLarge", "messageTooLarge", "tooManySegments", "unterminatedEscape",
            "invalidUTF8", "unsupportedCharset", "documentTooDeep", "externalEntityRefused", "entityDeclarationRefused",
            "fieldCountMismatch", "quoteInUnquotedField", "recordTooLong", "fieldTooLong",
        ] {
            #expect(kinds.contains(kind), "\(kind)")
        }
    }

    @Test(arguments: MalformedCase.all)
    func failsWithItsPositionedError(_ sample: MalformedCase) throws {
        let units = try convert(sample)
        if sample.file.hasSuffix(".csv"), sample.isWarning {
            let diagnostics = units.flatMap(\.diagnostics)
            #expect(
                diagnostics.contains {
                    $0.kind.rawValue == sample.kind && $0.location.map(String.init(describing:)) == sample.position
                }, "\(diagnostics)")
        } else if sample.file.hasSuffix(".csv") {
            let errors = units.compactMap(\.error)
            #expect(
                errors.contains {
                    $0.kind.rawValue == sample.kind && $0.location.map(String.init(describing:)) == sample.position
                },
                "\(errors)")
        } else {
            let number = try #require(Int(sample.unit))
            let unit = try #require(units.first { $0.index == number })
            if sample.isWarning {
                #expect(unit.error == nil, "\(String(describing: unit.error))")
                #expect(
                    unit.diagnostics.contains {
                        $0.kind.rawValue == sample.kind && $0.location.map(String.init(describing:)) == sample.position
                    }, "\(unit.diagnostics)")
            } else {
                let error = try #require(unit.error)
                #expect(error.kind.rawValue == sample.kind)
                #expect(error.location.map(String.init(describing:)) == sample.position)
                #expect(unit.record == nil)
            }
        }
        for text in Robustness.texts(units) {
            #expect(!text.contains(Robustness.sentinel), "input text in: \(text)")
        }
    }

    /// The good messages and rows around each bad one convert; for C-CDA, good documents converted
    /// in the same run around the bad one.
    @Test(arguments: MalformedCase.all)
    func theGoodUnitsAroundItStillConvert(_ sample: MalformedCase) throws {
        let converted: Int
        if sample.file.hasSuffix(".xml") {
            let good = try Robustness.bytes(Repository.url("Samples/ccda/ccd-all-sections.xml"))
            let run = [("before.xml", good), (sample.file, try Robustness.bytes(sample.url)), ("after.xml", good)]
            let units = run.flatMap { Robustness.engine.convert($0.1, inputName: $0.0) }
            #expect(units.count == 3)
            #expect(units[1].record == nil)
            converted = units.filter { $0.record != nil }.count
        } else if sample.file.hasSuffix(".csv") {
            let records = try convert(sample).compactMap(\.record)
            // the row with a warning converts too
            converted = records.reduce(0) { $0 + $1.observations.count } - (sample.isWarning ? 1 : 0)
        } else {
            let units = try convert(sample)
            let bad = Int(sample.unit) ?? 0
            converted = units.filter { $0.record != nil && $0.index != bad }.count
            #expect(units.filter { $0.record != nil }.count == sample.good + (sample.isWarning ? 1 : 0))
        }
        #expect(converted == sample.good)
    }

    /// Bundles of what converted: the engine writes them whatever failed beside them.
    @Test func aWholeFolderOfBadInputsStillBundlesTheGoodOnes() throws {
        var records: [ClinicalRecord] = []
        var failed = 0
        for sample in MalformedCase.all where sample.file.hasSuffix(".hl7") {
            let units = try convert(sample)
            records += units.compactMap(\.record)
            failed += units.filter { $0.error != nil }.count
        }
        let expectedGood = MalformedCase.all.filter { $0.file.hasSuffix(".hl7") }.reduce(0) {
            $0 + $1.good + ($1.isWarning ? 1 : 0)
        }
        #expect(records.count == expectedGood)
        #expect(failed == MalformedCase.all.filter { $0.file.hasSuffix(".hl7") && !$0.isWarning }.count)
        let (bytes, _) = Robustness.engine.bundleJSON(records)
        #expect(!bytes.isEmpty)
    }

    func convert(_ sample: MalformedCase) throws -> [UnitResult] {
        if sample.file.hasSuffix(".csv") {
            return Robustness.engine.convertCSV(sample.url, profile: Robustness.labProfile)
        }
        return Robustness.engine.convert(try Robustness.bytes(sample.url), inputName: sample.file)
    }
}
