import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A sentinel in every field of every sample format, every command run through the real binary:
/// the sentinel must appear in no log line, error, diagnostic, report, audit record or server
/// response. Outputs written to `--out` (and the bundle on standard output) are PHI by design and
/// are not checked, except where a command's standard output is not data (`audit verify`).
///
/// To cover a new command, add an `Invocation` to `invocations(_:)`.
@Suite(.serialized)
struct SentinelCLITests {
    static let sentinel = SentinelSeeding.sentinel

    /// The seeded inputs, written once into a scratch folder.
    struct Workspace {
        var root: URL
        var hl7: String
        var csv: String
        var ccda: [String]
        var audit: String
        var keyFile: String
        var wrongKeyFile: String
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
    }

    static func workspace() throws -> Workspace {
        let root = try Support.temporaryFolder("sentinel")
        // HL7 v2: every sample, every variant, one batch file of many messages
        var messages: [String] = []
        for path in Support.files(in: Support.samples.appendingPathComponent("hl7v2"), extension: "hl7") {
            let text = try String(contentsOfFile: path, encoding: .isoLatin1)
            let units = text.components(separatedBy: "MSH|").dropFirst().map { "MSH|" + $0 }
            for unit in units { messages += SentinelSeeding.hl7Variants(unit) }
        }
        let hl7 = root.appendingPathComponent("seeded.hl7").path
        try messages.joined().write(toFile: hl7, atomically: true, encoding: .utf8)
        // CSV
        let csvFolder = root.appendingPathComponent("csv")
        try FileManager.default.createDirectory(at: csvFolder, withIntermediateDirectories: true)
        let csvText = try String(
            contentsOf: Support.samples.appendingPathComponent("csv/lab-results.csv"), encoding: .utf8)
        let csv = csvFolder.appendingPathComponent("seeded-labs.csv").path
        try SentinelSeeding.csvVariant(csvText, keyColumn: "MRN").write(toFile: csv, atomically: true, encoding: .utf8)
        // C-CDA: the sample and, when there is a corpus, one public document, three ways each
        var documents = Support.files(in: Support.samples.appendingPathComponent("ccda"), extension: "xml")
        if let folder = TestCorpus.optional("synthea/ccda"),
            let synthea = Support.smallestFile(in: folder, extension: "xml")
        {
            documents.append(synthea)
        }
        var ccda: [String] = []
        for (number, document) in documents.enumerated() {
            let xml = try String(contentsOfFile: document, encoding: .utf8)
            for (mode, label) in [
                (SentinelSeeding.XMLSeeding.everything, "all"), (.textOnly, "text"), (.attributesOnly, "attributes"),
            ] {
                let path = root.appendingPathComponent("seeded-\(number)-\(label).xml").path
                try SentinelSeeding.ccdaVariant(xml, mode).write(toFile: path, atomically: true, encoding: .utf8)
                ccda.append(path)
            }
        }
        let keyFile = root.appendingPathComponent("key").path
        try Support.keyBase64.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let wrongKeyFile = root.appendingPathComponent("wrong-key").path
        try Support.otherKeyBase64.write(toFile: wrongKeyFile, atomically: true, encoding: .utf8)
        return Workspace(
            root: root, hl7: hl7, csv: csv, ccda: ccda, audit: root.appendingPathComponent("runs.audit").path,
            keyFile: keyFile, wrongKeyFile: wrongKeyFile)
    }

    /// One command run: arguments, exit codes it may end with, files it writes that must be clean,
    /// and whether its standard output must be clean too (it is not data).
    struct Invocation {
        var name: String
        var arguments: [String]
        var statuses: Set<Int32>
        var checkedFiles: [String] = []
        var checkStdout = false
    }

    static func invocations(_ w: Workspace) -> [Invocation] {
        let profile = Support.samples.appendingPathComponent("csv/lab-results.profile.yaml").path
        let trace = ["--log-level", "trace"]
        return [
            Invocation(
                name: "convert hl7v2",
                arguments: [
                    "convert", w.hl7, "--out", w.path("out-hl7"), "--report", w.path("r-hl7.json"),
                    "--audit", w.audit,
                ] + trace,
                statuses: [65], checkedFiles: [w.path("r-hl7.json")]),
            Invocation(
                name: "convert csv",
                arguments: [
                    "convert", w.csv, "--csv-profile", profile, "--out", w.path("out-csv"),
                    "--report", w.path("r-csv.json"), "--audit", w.audit,
                ] + trace,
                statuses: [0, 65], checkedFiles: [w.path("r-csv.json")]),
            Invocation(
                name: "convert ccda",
                arguments: ["convert"] + w.ccda + [
                    "--out", w.path("out-ccda"), "--report",
                    w.path("r-ccda.json"), "--audit", w.audit,
                ] + trace,
                statuses: [0, 65], checkedFiles: [w.path("r-ccda.json")]),
            Invocation(
                name: "convert ndjson encrypted de-identified limited",
                arguments: [
                    "convert", w.hl7, "--ndjson", "--out", w.path("out-enc"), "--encrypt", "--key-file", w.keyFile,
                    "--deidentify", "--types", "Patient,Observation", "--since", "2000-01-01", "--report",
                    w.path("r-enc.json"),
                    "--audit", w.audit,
                ] + trace,
                statuses: [65], checkedFiles: [w.path("r-enc.json")]),
            Invocation(
                name: "convert to stdout", arguments: ["convert", w.hl7, "--report", w.path("r-stdout.json")] + trace,
                statuses: [65], checkedFiles: [w.path("r-stdout.json")]),
            Invocation(
                name: "reconcile hl7v2",
                arguments: [
                    "reconcile", w.hl7, "--fhir", w.path("out-hl7"), "--report",
                    w.path("rec-hl7.json"), "--audit", w.audit,
                ] + trace,
                statuses: [0, 65], checkedFiles: [w.path("rec-hl7.json")]),
            Invocation(
                name: "reconcile ccda yaml",
                arguments: ["reconcile"] + w.ccda + [
                    "--fhir", w.path("out-ccda"), "--report",
                    w.path("rec-ccda.yaml"), "--audit", w.audit,
                ] + trace,
                statuses: [0, 65], checkedFiles: [w.path("rec-ccda.yaml")]),
            Invocation(
                name: "reconcile csv",
                arguments: [
                    "reconcile", w.csv, "--csv-profile", profile, "--fhir", w.path("out-csv"),
                    "--report", w.path("rec-csv.json"), "--audit", w.audit,
                ] + trace,
                statuses: [0, 65], checkedFiles: [w.path("rec-csv.json")]),
            Invocation(
                name: "render hl7v2 with errors, against its FHIR",
                arguments: ["render", w.hl7, "--fhir", w.path("out-hl7"), "--out", w.path("charts-hl7")],
                statuses: [65], checkStdout: true),
            Invocation(
                name: "render ccda and csv",
                arguments: ["render", w.csv, "--csv-profile", profile] + w.ccda + ["--out", w.path("charts")],
                statuses: [0, 65], checkStdout: true),
            Invocation(
                name: "decrypt with a wrong key",
                arguments: ["decrypt", w.path("out-enc/Patient.ndjson.enc"), "--key-file", w.wrongKeyFile],
                statuses: [65], checkStdout: true),
            Invocation(
                name: "audit verify", arguments: ["audit", "verify", w.audit], statuses: [0],
                checkedFiles: [w.audit, w.audit + ".head"], checkStdout: true),
        ]
    }

    static func assertClean(_ text: String, _ what: String) {
        #expect(!text.lowercased().contains(sentinel.lowercased()), "sentinel leaked into \(what)")
        if text.lowercased().contains(sentinel.lowercased()) {
            let lines = text.split(separator: "\n").filter { $0.lowercased().contains(sentinel.lowercased()) }
            // print the offending lines' shape only (they are synthetic test data)
            Issue.record("\(what): \(lines.prefix(3).joined(separator: " | "))")
        }
    }

    @Test func sentinelAppearsInNoLogErrorReportOrAuditRecord() throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        for invocation in Self.invocations(workspace) {
            let run = try Support.run(invocation.arguments)
            #expect(invocation.statuses.contains(run.status), "\(invocation.name): exit \(run.status)\n\(run.stderr)")
            #expect(!run.stderr.isEmpty || invocation.name == "audit verify", "\(invocation.name): expected log lines")
            Self.assertClean(run.stderr, "\(invocation.name) stderr")
            if invocation.checkStdout {
                Self.assertClean(String(decoding: run.stdout, as: UTF8.self), "\(invocation.name) stdout")
            }
            for file in invocation.checkedFiles {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                #expect(!text.isEmpty, "\(invocation.name): \(file) is empty")
                Self.assertClean(text, "\(invocation.name) \(URL(fileURLWithPath: file).lastPathComponent)")
            }
        }
        // the outputs did carry the sentinel (the seeding reached the data), and the encrypted ones do not
        for folder in ["out-hl7", "out-csv", "out-ccda"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: workspace.path(folder))
            let carrying = try names.filter {
                try String(contentsOfFile: workspace.path("\(folder)/\($0)"), encoding: .utf8).contains(Self.sentinel)
            }
            #expect(
                !carrying.isEmpty, "\(folder): no output carries the sentinel, so the seeding did not reach the data")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: workspace.path("out-enc")) {
            #expect(name.hasSuffix(".ndjson.enc"))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: workspace.path("out-enc/\(name)")))
            let plaintext = String(decoding: bytes, as: UTF8.self).contains(Self.sentinel)
            #expect(!plaintext, "\(name) holds plaintext")
        }
        // the audit trail recorded every audited run
        #expect(try String(contentsOfFile: workspace.audit, encoding: .utf8).split(separator: "\n").count == 7)
    }

    /// `serve`: the HTTP convert error path (and the request log) with seeded bodies.
    @Test func serverErrorResponsesAndLogsCarryNoSentinel() async throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let errURL = workspace.root.appendingPathComponent("serve.stderr")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = try CLIRunner.locateBinary()
        process.arguments = ["serve", "--http-port", "0", "--mllp-port", "0", "--log-level", "trace"]
        var environment = ProcessInfo.processInfo.environment
        environment["FHIRBRIDGE_HOME"] = Repository.root.path
        process.environment = environment
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        var port: Int?
        for _ in 0..<200 where port == nil {
            try await Task.sleep(for: .milliseconds(100))
            let log = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            if let range = log.range(of: #"http\.listening port=[0-9]+"#, options: .regularExpression) {
                port = Int(log[range].split(separator: "=").last ?? "")
            }
        }
        let bound = try #require(port, "the server did not report its port")
        let hl7 = try String(contentsOfFile: workspace.hl7, encoding: .utf8)
        let messages = hl7.components(separatedBy: "MSH|").dropFirst().map { "MSH|" + $0 }
        let csv = try String(contentsOfFile: workspace.csv, encoding: .utf8)
        let ccda = try String(contentsOfFile: workspace.ccda[0], encoding: .utf8)
        var bodies: [(String, String)] = messages.prefix(60).map { ("hl7v2", $0) }
        bodies += [
            ("hl7v2", messages.last ?? ""), ("csv", csv), ("ccda", ccda),
            ("ccda", "<ClinicalDocument>\(Self.sentinel)"),
        ]
        var errorResponses = 0
        for (format, body) in bodies {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(bound)/convert?format=\(format)")!)
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            if status != 200 {
                errorResponses += 1
                Self.assertClean(String(decoding: data, as: UTF8.self), "HTTP \(status) response for \(format)")
            }
        }
        #expect(errorResponses > 0, "the error path was exercised")
        process.terminate()
        process.waitUntilExit()
        let log = try String(contentsOf: errURL, encoding: .utf8)
        #expect(log.contains("http.request"))
        Self.assertClean(log, "serve log")
    }
}
