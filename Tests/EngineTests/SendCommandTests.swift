import Foundation
import TestSupport
import Testing

/// `fhirbridge send` against real receivers on loopback: fhirbridge's own `serve` (MLLP and HTTP)
/// and hl7apy's MLLP server; and python-hl7's `mllp_send` against `serve`. Each peer is started for
/// the test and stopped after it; every exchange is a handful of messages with timeouts.
@Suite(.serialized) struct SendCommandTests {
    /// A process started for a test, its output in a file.
    final class Peer {
        let process: Process
        let log: URL

        init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
            log = FileManager.default.temporaryDirectory.appendingPathComponent("fhirbridge-peer-\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process = Process()
            process.executableURL = executable
            process.arguments = arguments
            var variables = ProcessInfo.processInfo.environment
            variables["FHIRBRIDGE_KEY"] = nil
            variables["FHIRBRIDGE_AUDIT"] = nil
            for (key, value) in environment { variables[key] = value }
            process.environment = variables
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits (at most 30 s) for `text` in the output.
        func wait(for text: String) async throws {
            for _ in 0..<300 {
                if output.contains(text) { return }
                if !process.isRunning { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("the peer did not say \(text): \(output.suffix(2000))")
            throw CancellationError()
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
        }
    }

    /// `serve` on a free MLLP port and a free HTTP port.
    func startServe(_ extra: [String] = []) async throws -> (peer: Peer, mllp: Int, http: Int) {
        let mllp = try #require(PythonPeers.freePort())
        let http = try #require(PythonPeers.freePort())
        let peer = try Peer(
            try CLIRunner.locateBinary(),
            ["serve", "--http-port", "\(http)", "--mllp-port", "\(mllp)", "--log-level", "info"] + extra,
            environment: ["FHIRBRIDGE_HOME": Repository.root.path])
        do {
            try await peer.wait(for: "mllp.listening")
            try await peer.wait(for: "http.listening")
        } catch {
            peer.stop()
            throw error
        }
        return (peer, mllp, http)
    }

    func folder(_ files: [String: String]) throws -> URL {
        let folder = try Support.temporaryFolder("send")
        for (name, sample) in files {
            try FileManager.default.copyItem(at: Repository.url(sample), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    @Test func sendToServeCountsAcknowledgementsAndNamesTheRejectedMessageByPosition() async throws {
        let (serve, port, _) = try await startServe()
        defer { serve.stop() }
        let suite = try folder([
            "a-adt.hl7": "Samples/hl7v2/adt-a01-basic.hl7", "b-batch.hl7": "Samples/hl7v2/batch-fhs-three-messages.hl7",
            "c-bad.hl7": "Samples/malformed/hl7-bad-msh2-short.hl7",
        ])
        defer { try? FileManager.default.removeItem(at: suite) }
        let result = try CLIRunner.run([
            "send", suite.path, "--to", "127.0.0.1:\(port)", "--concurrency", "2", "--rate", "100", "--ack-timeout",
            "20",
        ])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("AR  \(suite.path)/c-bad.hl7 #2"), "\(result.stderr)")
        #expect(result.stderr.contains("    ERR E MSH[1]-2 102 Data type error"), "\(result.stderr)")
        #expect(
            result.stderr.contains("send: 7 messages to 127.0.0.1:\(port): 6 AA, 1 AR, 0 without answer"),
            "\(result.stderr)")
        #expect(!result.stderr.contains("ZQXSENTINEL"))
        // a batch kept whole is one frame and one ACK
        let kept = try CLIRunner.run([
            "send", suite.appendingPathComponent("b-batch.hl7").path, "--to", "127.0.0.1:\(port)", "--batch", "keep",
        ])
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stderr.contains("send: 1 message to 127.0.0.1:\(port): 1 AA, 0 without answer"), "\(kept.stderr)")
    }

    @Test func sendOverHTTPToServeWithABearerToken() async throws {
        let suite = try folder([
            "ccd.xml": "Samples/ccda/ccd-all-sections.xml", "oru.hl7": "Samples/hl7v2/oru-r01-lab.hl7",
            "bad.xml": "Samples/malformed/ccda-truncated.xml",
        ])
        defer { try? FileManager.default.removeItem(at: suite) }
        let token = suite.appendingPathComponent("token.txt")
        try "sample-token-1234\n".write(to: token, atomically: true, encoding: .utf8)
        let (serve, _, port) = try await startServe(["--token-file", token.path])
        defer { serve.stop() }
        let url = "http://127.0.0.1:\(port)/convert"
        let good = try CLIRunner.run([
            "send", suite.appendingPathComponent("ccd.xml").path, suite.appendingPathComponent("oru.hl7").path,
            "--http", url, "--token-file", token.path,
        ])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stderr.contains("2 HTTP 200"), "\(good.stderr)")
        let bad = try CLIRunner.run([
            "send", suite.appendingPathComponent("bad.xml").path, "--http", url, "--token-file", token.path,
        ])
        #expect(bad.status == 65, "\(bad.stderr)")
        #expect(bad.stderr.contains("HTTP 422 \(suite.path)/bad.xml #1"), "\(bad.stderr)")
        #expect(bad.stderr.contains("    issue "), "\(bad.stderr)")
        let noToken = try CLIRunner.run(["send", suite.appendingPathComponent("oru.hl7").path, "--http", url])
        #expect(noToken.status == 65)
        #expect(noToken.stderr.contains("HTTP 401"), "\(noToken.stderr)")
    }

    @Test func sendToHL7apysMLLPServer() async throws {
        guard let python = PythonPeers.python(with: "hl7apy.mllp") else { return }
        let port = try #require(PythonPeers.freePort())
        let server = try Peer(
            URL(fileURLWithPath: python), [Repository.url("Tools/peers/hl7apy_mllp_server.py").path, "\(port)"])
        defer { server.stop() }
        try await server.wait(for: "listening \(port)")
        let suite = try folder([
            "1-adt.hl7": "Samples/hl7v2/adt-a01-basic.hl7", "2-oru.hl7": "Samples/hl7v2/oru-r01-lab.hl7",
            "3-vxu.hl7": "Samples/hl7v2/vxu-v04-immunization.hl7", "4-siu.hl7": "Samples/hl7v2/siu-s12-appointment.hl7",
        ])
        defer { try? FileManager.default.removeItem(at: suite) }
        let result = try CLIRunner.run(["send", suite.path, "--to", "127.0.0.1:\(port)", "--ack-timeout", "20"])
        #expect(result.status == 65, "\(result.stderr)\n\(server.output)")
        // hl7apy closes each connection after its answer: the next message goes on a new one, no retry
        #expect(result.stderr.contains("AA  \(suite.path)/1-adt.hl7 #1\n"), "\(result.stderr)")
        #expect(result.stderr.contains("AE  \(suite.path)/2-oru.hl7 #1\n"), "\(result.stderr)")
        #expect(result.stderr.contains("    ERR E PID[1]-7 102 Data type error"), "\(result.stderr)")
        #expect(result.stderr.contains("AR  \(suite.path)/3-vxu.hl7 #1\n"), "\(result.stderr)")
        #expect(result.stderr.contains("    ERR E MSH[1]-9 200 Unsupported message type"), "\(result.stderr)")
        // the server closed the first connection of the SIU message without an answer: retried
        #expect(result.stderr.contains("AA  \(suite.path)/4-siu.hl7 #1 (after 1 retry)\n"), "\(result.stderr)")
        #expect(result.stderr.contains("2 AA, 1 AE, 1 AR, 0 without answer"), "\(result.stderr)")
        // without retries a dropped connection leaves the message without an answer (exit 74)
        let fresh = suite.appendingPathComponent("5-siu.hl7")
        let siu = try String(contentsOf: suite.appendingPathComponent("4-siu.hl7"), encoding: .utf8)
        try siu.replacingOccurrences(of: "SAMPLE-SIU-1212", with: "SAMPLE-SIU-9999").write(
            to: fresh, atomically: true, encoding: .utf8)
        let dropped = try CLIRunner.run(["send", fresh.path, "--to", "127.0.0.1:\(port)", "--retries", "0"])
        #expect(dropped.status == 74, "\(dropped.stderr)")
        #expect(dropped.stderr.contains("no answer \(fresh.path) #1: connection dropped"), "\(dropped.stderr)")
    }

    @Test func pythonHL7sMLLPSendToServe() async throws {
        guard let python = PythonPeers.python(with: "hl7.client") else { return }
        let (serve, port, _) = try await startServe()
        defer { serve.stop() }
        let suite = try Support.temporaryFolder("mllp-send")
        defer { try? FileManager.default.removeItem(at: suite) }
        var messages = Data()
        for sample in ["adt-a01-basic.hl7", "oru-r01-lab.hl7", "vxu-v04-immunization.hl7"] {
            messages += try Data(contentsOf: Repository.url("Samples/hl7v2/\(sample)"))
        }
        let file = suite.appendingPathComponent("three.hl7")
        try messages.write(to: file)
        let script =
            "import sys; sys.argv = ['mllp_send'] + sys.argv[1:]; from hl7.client import mllp_send; mllp_send()"
        let result = try PythonPeers.run(
            python, script: script, arguments: ["--loose", "--file", file.path, "--port", "\(port)", "127.0.0.1"],
            timeout: 60)
        #expect(result.status == 0, "\(result.output)")
        let acks = result.output.components(separatedBy: "MSA|AA|")
        #expect(acks.count == 4, "\(result.output)")
        for control in ["SAMPLE-ADT-0001", "SAMPLE-ORU-0001"] {
            #expect(result.output.contains("MSA|AA|\(control)"), "\(result.output)")
        }
    }

    @Test func usageErrors() throws {
        #expect(try CLIRunner.run(["send", "Samples/hl7v2"]).status == 64)
        #expect(try CLIRunner.run(["send", "Samples/hl7v2", "--to", "nohost"]).status == 64)
        #expect(try CLIRunner.run(["send", "no-such-folder", "--to", "127.0.0.1:2575"]).status == 64)
        #expect(
            try CLIRunner.run(["send", "Samples/ccda/ccd-all-sections.xml", "--to", "127.0.0.1:2575"]).status == 64)
    }

    @Test func nothingListeningIsNoAnswer() throws {
        let port = try #require(PythonPeers.freePort())
        let result = try CLIRunner.run([
            "send", "Samples/hl7v2/adt-a01-basic.hl7", "--to", "127.0.0.1:\(port)", "--retries", "1",
            "--connect-timeout", "2",
        ])
        #expect(result.status == 74, "\(result.stderr)")
        #expect(
            result.stderr.contains("no answer Samples/hl7v2/adt-a01-basic.hl7 #1: cannot connect (after 1 retry)"),
            "\(result.stderr)")
    }
}
