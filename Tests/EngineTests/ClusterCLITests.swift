import Foundation
import TestSupport
import Testing

/// What a cluster needs of the command line: shard keys without patient data, NDJSON on standard
/// output, per-record digests, and roll-ups of shards equal to the roll-up of one run.
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

    /// Two shards split the samples (two ways); their NDJSON on standard output holds the lines of
    /// one run, and `rollup` over their `--digests` files is byte for byte `rollup` over one run's.
    @Test func rollupsOfShardsEqualTheRollupOfOneRun() throws {
        guard CLIRunner.binary != nil else { return }
        let folder = try Support.temporaryFolder("rollup")
        defer { try? FileManager.default.removeItem(at: folder) }
        let samples = try FileManager.default.contentsOfDirectory(atPath: Support.samples.path)
            .filter { $0.hasSuffix(".hl7") }.sorted().map { Support.samples.appendingPathComponent($0).path }
        func convert(_ inputs: [String], _ name: String) throws -> (ndjson: [Substring], digests: String) {
            let digests = folder.appendingPathComponent(name + ".tsv").path
            let result = try CLIRunner.run(["convert"] + inputs + ["--ndjson", "--digests", digests, "--quiet"])
            #expect(result.status == 0 || result.status == 65, "\(result.stderr)")
            return (result.stdoutText.split(separator: "\n"), digests)
        }
        func rollup(_ files: [String]) throws -> String {
            let result = try CLIRunner.run(["rollup"] + files)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdoutText
        }
        let single = try convert(samples, "single")
        let whole = try rollup([single.digests])
        #expect(whole.contains("\"Patient\""))
        for (name, split) in [
            ("halves", [Array(samples.prefix(samples.count / 2)), Array(samples.dropFirst(samples.count / 2))]),
            (
                "interleaved",
                [
                    samples.enumerated().filter { $0.offset % 2 == 1 }.map(\.element),
                    samples.enumerated().filter { $0.offset % 2 == 0 }.map(\.element),
                ]
            ),
        ] {
            let shards = try split.enumerated().map { try convert($0.element, "\(name)-\($0.offset)") }
            #expect(shards.flatMap(\.ndjson).sorted() == single.ndjson.sorted(), "the lines of one run (\(name))")
            #expect(try rollup(shards.map(\.digests)) == whole, "the roll-up of one run (\(name))")
            #expect(try rollup(shards.map(\.digests).reversed()) == whole, "in any order (\(name))")
            #expect(try rollup([shards[0].digests]) != whole, "one shard alone is not the whole")
        }
        // the digests name records and positions, never values
        let digests = try String(contentsOfFile: single.digests, encoding: .utf8)
        let first = try #require(digests.split(separator: "\n").first?.split(separator: "\t"))
        #expect(first.count == 4 && first[3].count == 64)
    }

    @Test func ndjsonOnStandardOutputCannotBeSealed() throws {
        guard CLIRunner.binary != nil else { return }
        let result = try CLIRunner.run(
            ["convert", Support.samples.appendingPathComponent("adt-a01-basic.hl7").path, "--ndjson", "--encrypt"],
            environment: ["FHIRBRIDGE_KEY": Data(repeating: 7, count: 32).base64EncodedString()])
        #expect(result.status == 64)
    }
}
