import CSVSource
import FHIRR4
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PHISafety
import Pipeline
import TestSupport
import Testing

@testable import EngineServer

/// The server runs the pipeline `convert` runs: CSV bodies convert through a fitting profile, and
/// the record policy (types, dates, de-identification) applies to HTTP responses and MLLP bundles.
@Suite struct PipelineServerTests {
    /// An engine that also knows the sample CSV layout (as `serve --csv-profile` gives it).
    static let csvEngine: Engine = {
        do {
            var configuration = EngineConfiguration(home: Repository.root)
            configuration.csvProfiles = [
                try CSVProfile.load(Repository.root.appendingPathComponent("Samples/csv/lab-results.profile.yaml"))
            ]
            return try Engine(configuration: configuration)
        } catch {
            fatalError("cannot load the engine: \(error)")
        }
    }()

    static let key: DataKey = {
        do { return try DataKey(base64: Data((1...32).map { UInt8($0) }).base64EncodedString()) } catch {
            fatalError("test key: \(error)")
        }
    }()

    static func post(
        _ body: [UInt8], engine: Engine, configuration: ServerConfiguration = ServerConfiguration(mllpPort: nil),
        headers: HTTPFields = [:]
    ) async throws -> (HTTPResponse.Status, HTTPFields, ByteBuffer) {
        let server = try BridgeServer(engine: engine, configuration: configuration, logger: LogCapture().logger())
        do {
            let result = try await server.application().test(.router) { client in
                let response = try await client.execute(
                    uri: "/convert", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                return (response.status, response.headers, response.body)
            }
            try await server.conversions.shutdown()
            return result
        } catch {
            try? await server.conversions.shutdown()
            throw error
        }
    }

    static func resourceTypes(_ body: ByteBuffer) throws -> [String: Int] {
        FHIREmitter.resourceCounts(try json(body))
    }

    @Test func aCSVBodyConvertsThroughAFittingProfile() async throws {
        let csv = Array(try Data(contentsOf: Repository.root.appendingPathComponent("Samples/csv/lab-results.csv")))
        let (status, headers, body) = try await Self.post(
            csv, engine: Self.csvEngine, headers: [.contentType: "text/csv"])
        #expect(status == .ok)
        #expect(headers[HTTPField.Name("FHIRBridge-Units")!] == "3", "one unit per patient")
        let types = try Self.resourceTypes(body)
        #expect(types["Patient"] == 3)
        #expect(types["Observation"] == 8)
        // detected from content too, with no Content-Type
        let (detected, _, _) = try await Self.post(csv, engine: Self.csvEngine)
        #expect(detected == .ok)
    }

    @Test func aCSVBodyNoProfileFitsIsUnsupported() async throws {
        let csv = Array("Alpha,Beta,Gamma\n1,2,3\n".utf8)
        let (status, _, body) = try await Self.post(csv, engine: TestEngine.shared, headers: [.contentType: "text/csv"])
        #expect(status == .unsupportedMediaType)
        #expect(try issues(body).map(\.kind) == ["unsupportedInputFormat"])
    }

    @Test func theRecordPolicyAppliesToHTTPResponses() async throws {
        let message = try sample("oru-r01-lab.hl7")
        let (plain, _, plainBody) = try await Self.post(message, engine: TestEngine.shared)
        #expect(plain == .ok)
        #expect(try Self.resourceTypes(plainBody)["Observation", default: 0] > 0)

        var configuration = ServerConfiguration(mllpPort: nil)
        configuration.policy = RecordPolicy(
            filter: try RecordFilter(types: ["Patient"], since: nil, until: nil),
            deidentifier: Deidentifier(key: Self.key))
        let (status, _, body) = try await Self.post(message, engine: TestEngine.shared, configuration: configuration)
        #expect(status == .ok)
        let types = try Self.resourceTypes(body)
        #expect(types["Patient"] == 1)
        #expect(types["Observation"] == nil && types["DiagnosticReport"] == nil)
        // the plain bundle's family name is gone from the de-identified one
        let family = try #require(
            try json(plainBody)["entry"]?.arrayValue?.compactMap { $0["resource"] }
                .first { $0["resourceType"]?.stringValue == "Patient" }?["name"]?[0]?["family"]?.stringValue)
        #expect(String(buffer: plainBody).contains(family))
        #expect(!String(buffer: body).contains(family))
    }

    @Test func theRecordPolicyAppliesToMLLPBundles() throws {
        let out = try temporaryFolder("mllp-policy")
        defer { try? FileManager.default.removeItem(at: out) }
        let policy = RecordPolicy(filter: try RecordFilter(types: ["Patient"], since: nil, until: nil))
        let (ack, converted) = ConversionService.process(
            try sample("oru-r01-lab.hl7"), engine: TestEngine.shared,
            output: ConversionService.Output(directory: out, sealingKey: nil), policy: policy, controlID: "A1",
            timestamp: "20260101000000+0000")
        #expect(ack.code.rawValue == "AA")
        #expect(converted == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(files.count == 1)
        let bundle = try JSONReader.parse(Array(try Data(contentsOf: out.appendingPathComponent(files[0]))))
        let types = FHIREmitter.resourceCounts(bundle)
        #expect(types["Patient"] == 1 && types["Observation"] == nil)
    }
}
