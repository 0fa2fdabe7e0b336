import Foundation
import Pipeline
import Testing
import Yams

/// `reconcile --report r.yaml`: the YAML reads back as the same values whatever the text holds.
struct ReconciliationReportYAMLTests {
    /// Text that breaks naive quoting: quotes, backslashes, line breaks, control characters, YAML
    /// indicators, words YAML 1.1 reads as booleans or null, Unicode line separators, long lines.
    static let awkward = [
        "plain", "with \"double\" quotes", "back\\slash \\\" both", "new\nline", "cr\r\nlf", "tab\tstop",
        "colon: space", "# not a comment", "- not a list", "? not a key", "yes", "No", "null", "~", "", "  padded  ",
        "\u{0}nul", "\u{1B}[31mescape", "\u{7F}del", "ünïcödé ✓ 漢字", "'single'", "{flow: map}", "[flow, list]",
        "&anchor", "*alias", "!tag", "%directive", "@at `tick`", "|literal", ">folded", "line\u{2028}separator",
        "next\u{85}line", "bom\u{FEFF}", String(repeating: "long line ", count: 40), "0x1F", "1e3", ".inf",
    ]

    @Test func awkwardStringsReadBackAsTheyWere() throws {
        var report = ReconciliationReport()
        for (index, text) in Self.awkward.enumerated() { report.unusedSource[text] = index }
        report.sourceRollup = Self.awkward.joined(separator: "\n")
        report.fhirRollup = "\"\\\n"
        let yaml = try report.yaml()
        let loaded = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        #expect(loaded["unusedSource"] as? [String: Int] == report.unusedSource)
        #expect(loaded["sourceRollup"] as? String == report.sourceRollup)
        #expect(loaded["fhirRollup"] as? String == report.fhirRollup)
        #expect(loaded["clean"] as? Bool == true)
        #expect(loaded["matched"] as? Int == 0)
        #expect((loaded["missing"] as? [Any])?.isEmpty == true)
        #expect((loaded["sourceCounts"] as? [String: Any])?.isEmpty == true)
        // one line per member: no wrapping inside long strings
        #expect(yaml.contains("\"clean\": true\n"))
    }
}
