import Foundation
import Terminology
import TestSupport
import Testing

/// Every row of the IG's vocabulary map CSVs that names a FHIR code must be in the generated JSON.
@Suite("IG corpus coverage")
struct CorpusCoverageTests {
    struct Columns {
        var code = 0, system = 2, fhirCode: Int, fhirSystem: Int, conditions: [Int]

        init?(banner: [String], header: [String]) {
            let names = header.map { $0.trimmed.lowercased() }
            guard let fhirStart = banner.firstIndex(where: { $0.trimmed.lowercased() == "hl7 fhir" }),
                let code = names[fhirStart...].firstIndex(of: "code"),
                let system = names[fhirStart...].firstIndex(of: "code system")
            else { return nil }
            fhirCode = code
            fhirSystem = system
            conditions = Array(3..<fhirStart)
        }
    }

    @Test(.needsCorpus) func everyMappedRowIsRepresented() throws {
        let corpus = Fixtures.corpusDirectory
        let store = try Fixtures.store()
        let maps = store.conceptMapIDs.compactMap(store.conceptMap(id:))
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".csv") }
        #expect(files.count == 99)

        var checkedRows = 0
        var filesWithRows = 0
        for file in files.sorted() {
            let text = try String(contentsOf: corpus.appendingPathComponent(file), encoding: .utf8)
            let rows = parseCSV(text)
            let columns = try #require(
                rows.count >= 2 ? Columns(banner: rows[0], header: rows[1]) : nil, "\(file): no header rows")
            let dataRows = rows.dropFirst(2).enumerated().map { (line: $0.offset + 3, cells: $0.element) }
            func cell(_ row: [String], _ index: Int) -> String { index < row.count ? row[index].trimmed : "" }
            let withCodes = dataRows.filter { !cell($0.cells, columns.code).isEmpty }
            let candidates = maps.filter { $0.source.file?.hasSuffix("/" + file) == true }
            if withCodes.isEmpty {
                #expect(candidates.isEmpty, "\(file) has no v2 codes but a map")
                continue
            }
            filesWithRows += 1
            let map = try #require(candidates.first, "\(file): no generated map")
            #expect(candidates.count == 1)
            for (line, row) in withCodes {
                let code = cell(row, columns.code)
                let fhirCode = cell(row, columns.fhirCode)
                let fhirSystem = cell(row, columns.fhirSystem)
                let conditional = columns.conditions.contains { !cell(row, $0).isEmpty }
                if conditional {
                    let targets = map.conditionalMappings(for: code)
                    #expect(!targets.isEmpty, "\(file):\(line) conditional row missing")
                    if !fhirCode.isEmpty {
                        #expect(targets.contains { $0.target?.code == fhirCode && $0.target?.system == fhirSystem })
                    }
                } else if fhirCode.isEmpty {
                    #expect(map.translate(code) != nil || map.unmappedReason(code) != nil, "\(file):\(line) \(code)")
                } else {
                    let mapped = map.translate(code)
                    #expect(
                        mapped?.code == fhirCode && mapped?.system == fhirSystem,
                        "\(file):\(line) \(code) -> \(fhirSystem)|\(fhirCode), got \(mapped?.description ?? "nil")")
                }
                if !fhirCode.isEmpty { checkedRows += 1 }
            }
        }
        #expect(filesWithRows == 78)
        #expect(checkedRows > 2000, "only \(checkedRows) rows with a FHIR code checked")
    }
}
