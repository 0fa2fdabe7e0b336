import ArgumentParser
import EngineClient
import Foundation
import NIOCore

extension BatchMode: ExpressibleByArgument {}

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Send HL7 v2 messages to an MLLP listener (or sources to an HTTP convert endpoint) and check the answers.",
        discussion: """
            Files and folders are read in order; each MSH starts a message. With --batch split (the \
            default) every message goes in its own MLLP frame and FHS/BHS/BTS/FTS are left out; with \
            --batch keep each file goes whole, envelope and all, in one frame (one ACK per file). Each ACK \
            is read: MSA-1 is counted (AA, AE, AR), MSA-2 must name the message's MSH-10, and for a message \
            not accepted its file and index are shown with the ERR positions (ERR-2) and codes (ERR-3), never \
            field values (MSA-3 and ERR-8 text are not shown). A connection that cannot be made or drops \
            before the answer is retried (--retries, on a new connection); a message whose ACK does not \
            come within --ack-timeout is not resent. With --http URL each HL7 v2 message, C-CDA document or \
            CSV file is POSTed instead; 2xx is accepted, otherwise the status and the OperationOutcome issue \
            codes and locations are shown. Exit codes: 0 every message accepted, 65 some message answered \
            with an error or rejection (or an answer that does not fit), 74 some message got no answer, 64 \
            usage error.
            """)

    @Argument(help: "Files or folders of messages.", completion: .file())
    var paths: [String] = []

    @Option(name: .customLong("to"), help: "The MLLP listener, as host:port ([v6addr]:port for IPv6).")
    var destination: String?

    @Option(help: "An HTTP convert endpoint (http://host:port/convert) instead of MLLP.")
    var http: String?

    @Option(
        help: "A file holding the bearer token for --http (never the token on the command line).", completion: .file())
    var tokenFile: String?

    @Flag(help: "Connect with TLS (MLLP; https:// URLs always do).")
    var tls = false

    @Option(
        help: "PEM file of the certificate authorities to trust for TLS (default: the system's).", completion: .file())
    var caFile: String?

    @Option(help: "Seconds to wait for a connection.")
    var connectTimeout: Double = 10

    @Option(help: "Seconds to wait for each ACK (or HTTP response).")
    var ackTimeout: Double = 30

    @Option(help: "Connections used at once.")
    var concurrency: Int = 1

    @Option(help: "Messages a second in all (default: as fast as answers come).")
    var rate: Double?

    @Option(help: "Retries of a message whose connection could not be made or dropped before its answer.")
    var retries: Int = 3

    @Option(help: "Batch files: split (one frame per message) or keep (one frame per file).")
    var batch: BatchMode = .split

    @Flag(help: "Show only the messages that were not accepted, and the summary.")
    var quiet = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give the files or folders to send.") }
        if (destination == nil) == (http == nil) { throw ValidationError("Give either --to host:port or --http URL.") }
        if let destination, Self.hostPort(destination) == nil {
            throw ValidationError("--to must be host:port with a port from 1 to 65535.")
        }
        if tokenFile != nil && http == nil { throw ValidationError("--token-file goes with --http.") }
        if concurrency < 1 || concurrency > 256 { throw ValidationError("--concurrency must be from 1 to 256.") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive.") }
        if retries < 0 || retries > 20 { throw ValidationError("--retries must be from 0 to 20.") }
        if connectTimeout <= 0 || ackTimeout <= 0 { throw ValidationError("Timeouts must be positive.") }
    }

    static func hostPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        return (host, port)
    }

    func run() async throws {
        let started = ContinuousClock.now
        let messages: [OutboundMessage]
        do {
            messages = try readMessages()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            if case .usage = error { throw Exit.usage }
            throw Exit.ioError
        }
        guard !messages.isEmpty else {
            FileHandle.standardError.write(Data("error: no messages in \(paths.joined(separator: ", "))\n".utf8))
            throw Exit.usage
        }
        let sender = MessageSender(concurrency: concurrency, rate: rate, retries: retries)
        let connect = TimeAmount.nanoseconds(Int64(connectTimeout * 1e9))
        let answer = TimeAmount.nanoseconds(Int64(ackTimeout * 1e9))
        let results: [DeliveryResult]
        let target: String
        do {
            let context =
                try (tls || http?.lowercased().hasPrefix("https:") == true)
                ? MLLPEndpoint.tlsContext(caFile: caFile) : nil
            if let http {
                let token = try tokenFile.map { path -> String in
                    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                        throw SendError.io("cannot read the token file")
                    }
                    return text.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                let endpoint = try HTTPEndpoint(
                    url: http, tls: context, bearerToken: token, connectTimeout: connect, responseTimeout: answer)
                target = "\(endpoint.host):\(endpoint.port)"
                results = await sender.send(messages, to: endpoint)
            } else {
                guard let destination, let address = Self.hostPort(destination) else { throw Exit.usage }
                let endpoint = MLLPEndpoint(
                    host: address.host, port: address.port, tls: context, connectTimeout: connect, ackTimeout: answer)
                target = destination
                results = await sender.send(messages, to: endpoint)
            }
        } catch let error as SendError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            if case .usage = error { throw Exit.usage }
            throw Exit.ioError
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandle.standardError.write(Data("error: cannot set up TLS (check --ca-file)\n".utf8))
            throw Exit.usage
        }
        var lines = ""
        var counts: [String: Int] = [:]
        var unanswered = 0
        var notAccepted = 0
        for result in results {
            switch result.outcome {
            case .answered(let code, let accepted):
                counts[code, default: 0] += 1
                if !accepted { notAccepted += 1 }
                if accepted && quiet { continue }
                let retried =
                    result.retries > 0 ? " (after \(result.retries) retr\(result.retries == 1 ? "y" : "ies"))" : ""
                // ACK codes padded to three columns; "HTTP 422" and the like as they are
                let shown = code.count < 3 ? code + String(repeating: " ", count: 3 - code.count) : code
                lines += "\(shown) \(result.message.label)\(retried)\n"
            case .failed(let failure):
                unanswered += 1
                lines += "no answer \(result.message.label): \(failure)"
                lines +=
                    result.retries > 0 ? " (after \(result.retries) retr\(result.retries == 1 ? "y" : "ies"))\n" : "\n"
            }
            for detail in result.details { lines += "    \(detail)\n" }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let tally = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        lines +=
            "send: \(results.count) message\(results.count == 1 ? "" : "s") to \(target): "
            + (tally + ["\(unanswered) without answer"]).joined(separator: ", ")
            + String(format: " (%.1f s)\n", seconds)
        FileHandle.standardError.write(Data(lines.utf8))
        if unanswered > 0 { throw Exit.ioError }
        if notAccepted > 0 { throw Exit.dataError }
    }

    /// HL7 v2 messages split by `--batch`; for HTTP, C-CDA and CSV files go whole.
    func readMessages() throws(SendError) -> [OutboundMessage] {
        var messages: [OutboundMessage] = []
        for (url, shown) in try OutboundMessages.files(paths) {
            guard let data = try? Data(contentsOf: url) else { throw .io("cannot read \(shown)") }
            let bytes = Array(data)
            let type = Self.kind(bytes)
            switch type {
            case .hl7:
                messages += OutboundMessages.split(bytes, file: shown, mode: batch)
            case .other where http != nil:
                messages.append(OutboundMessage(file: shown, index: 1, bytes: bytes, controlID: ""))
            case .other:
                throw .usage("\(shown) is not HL7 v2: MLLP carries HL7 v2 messages (send documents with --http)")
            }
        }
        return messages
    }

    enum Kind { case hl7, other }

    static func kind(_ bytes: [UInt8]) -> Kind {
        var head = bytes.prefix(4096)[...]
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head = head.dropFirst(3) }
        head = head.drop { $0 == 0x0B || $0 == 0x0A || $0 == 0x0D || $0 == 0x20 }
        for header in ["MSH", "FHS", "BHS"] where head.starts(with: Array(header.utf8)) { return .hl7 }
        return .other
    }
}
