import Foundation
import TestSupport
import Testing

/// What a cluster needs of the command line: shard keys without patient data.
@Suite(.serialized) struct ClusterCLITests {
    static let merge =
        [
            "MSH|^~\\&|ADT1|GOOD HEALTH HOSPITAL|GHH LAB|GOOD HEALTH HOSPITAL|202601011200||ADT^A40^ADT_A39|MSG00040|P|2.5.1",
            "EVN|A40|202601011200",
            "PID|1||ZZMRN111^^^GHH^MR||EVERYWOMAN^EVE",
            "MRG|ZZMRN222^^^GHH^MR",
        ].joined(separator: "\r") + "\r"

    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// Each unit's key is its Patient resource id; a merge lists both identities, survivor first;
    /// no MRN or name is printed.
    @Test func shardKeysAreThePatientIdsAndAMergeListsBoth() throws {
        guard CLIRunner.binary != nil else { return }
        let folder = try Support.temporaryFolder("shard-keys")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("a40.hl7")
        try Data(Self.merge.utf8).write(to: input)
        let listed = try CLIRunner.run([
            "shard-keys", input.path, Support.samples.appendingPathComponent("adt-a01-basic.hl7").path,
        ])
        #expect(listed.status == 0, "\(listed.stderr)")
        let units = try Self.lines(listed.stdoutText)
        #expect(units.count == 2)
        #expect(!listed.stdoutText.contains("ZZMRN") && !listed.stdoutText.contains("EVERYWOMAN"))
        let mergeKeys = try #require(units.first?["keys"] as? [String])
        #expect(units.first?["input"] as? String == "a40.hl7" && units.first?["unit"] as? Int == 1)
        #expect(mergeKeys.count == 2 && mergeKeys[0] != mergeKeys[1])
        let bundle = try CLIRunner.run(["convert", input.path])
        let text = bundle.stdoutText
        let object = try #require(try JSONSerialization.jsonObject(with: bundle.stdout) as? [String: Any])
        let patients = ((object["entry"] as? [[String: Any]]) ?? []).compactMap { $0["resource"] as? [String: Any] }
            .filter { $0["resourceType"] as? String == "Patient" }.compactMap { $0["id"] as? String }
        #expect(patients.contains(mergeKeys[0]), "the survivor's key is its Patient resource id")
        #expect(text.contains(mergeKeys[1]), "the merged identity's key is the id its references use")
        // a plain admission: one key, the Patient id of the golden bundle
        let golden = try String(
            contentsOf: Support.samples.appendingPathComponent("adt-a01-basic.expected.json"), encoding: .utf8)
        let keys = try #require(units.last?["keys"] as? [String])
        #expect(keys.count == 1 && golden.contains("\"id\": \"\(keys[0])\""))
    }
}
