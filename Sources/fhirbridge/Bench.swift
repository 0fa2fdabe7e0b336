import ArgumentParser
import ClinicalModel
import FHIRR4
import Foundation
import HL7v2
import Pipeline

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput per stage (parse, map, emit) and peak memory.",
        discussion: """
            Generates deterministic synthetic ADT^A01/ORU^R01 messages (about 2.5 KB each), or reads an \
            HL7 v2 folder, and reports messages/s and MB/s for each stage and the process's peak resident \
            memory. Build with -c release for meaningful figures: swift run -c release fhirbridge bench.
            """)

    @Option(help: "Number of synthetic messages.")
    var messages: Int = 10_000

    @Option(help: "Benchmark these HL7 v2 files instead of synthetic messages (each file's messages, repeated to --messages).")
    var input: String?

    @Option(help: "Folder holding Terminology/ and Mappings/.")
    var home: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let engine = try Convert.loadEngine(home: home, configure: { _ in })
        var source: [[UInt8]] = []
        if let input {
            let files = try InputFile.collect([input])
            for file in files {
                let bytes = try file.read()
                for case let .success(message) in HL7Parser.parseAll(bytes).messages { source.append(message.bytes) }
            }
            guard !source.isEmpty else { throw ValidationError("no HL7 v2 messages under \(input)") }
        }
        var generator = SyntheticMessages(seed: 42)
        func message(_ index: Int) -> [UInt8] {
            source.isEmpty ? generator.next(index: index) : source[index % source.count]
        }
        var totalBytes = 0
        var parseTime = 0.0
        var mapTime = 0.0
        var emitTime = 0.0
        var emitted = 0
        var failures = 0
        let clock = ContinuousClock()
        for index in 0..<messages {
            let bytes = message(index)
            totalBytes += bytes.count
            var start = clock.now
            let parsed: HL7Message
            do {
                parsed = try HL7Parser.parse(bytes, index: 1)
            } catch {
                failures += 1
                continue
            }
            parseTime += (clock.now - start).seconds
            start = clock.now
            let unit = engine.mapHL7(parsed, inputName: "bench")
            mapTime += (clock.now - start).seconds
            guard let record = unit.record else {
                failures += 1
                continue
            }
            start = clock.now
            let (output, _) = engine.bundleJSON([record], pretty: false)
            emitTime += (clock.now - start).seconds
            emitted += output.count
        }
        let megabytes = Double(totalBytes) / 1_048_576
        let peak = peakResidentMegabytes()
        let rows: [(String, Double)] = [
            ("parse", parseTime), ("map to canonical", mapTime), ("emit FHIR JSON", emitTime),
            ("end to end", parseTime + mapTime + emitTime),
        ]
        if json {
            var object = JSONObject()
            object.append("messages", .int(messages))
            object.append("inputMegabytes", .number(String(format: "%.3f", megabytes)))
            for (name, seconds) in rows {
                object.append(
                    name,
                    .object(JSONObject([
                        "seconds": .number(String(format: "%.4f", seconds)),
                        "messagesPerSecond": .number(String(format: "%.0f", Double(messages) / max(seconds, 1e-9))),
                        "megabytesPerSecond": .number(String(format: "%.2f", megabytes / max(seconds, 1e-9))),
                    ])))
            }
            object.append("peakResidentMegabytes", .number(String(format: "%.1f", peak)))
            object.append("failures", .int(failures))
            print(JSONWriter(style: .pretty).string(.object(object)))
            return
        }
        print("messages: \(messages) (\(String(format: "%.2f", megabytes)) MB in, \(emitted / 1_048_576) MB FHIR JSON out), failures: \(failures)")
        print("stage                     msgs/s        MB/s")
        for (name, seconds) in rows {
            let rate = Double(messages) / max(seconds, 1e-9)
            print(
                name.padding(toLength: 20, withPad: " ", startingAt: 0)
                    + String(format: "%12.0f %11.2f", rate, megabytes / max(seconds, 1e-9)))
        }
        print(String(format: "peak resident memory: %.1f MB", peak))
    }

    func peakResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
