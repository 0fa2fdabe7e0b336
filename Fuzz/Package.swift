// swift-tools-version: 6.1
// libFuzzer harnesses for the parsers, the sealed files, the audit trail, the FHIR JSON reader and the
// HTTP layer. Build and run through Tools/fuzz.sh (see README.md here):
//     swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import PackageDescription

let package = Package(
    name: "fhirbridge-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "fhirbridge", path: ".."),
        // The same packages and versions as the root package: FuzzHTTP builds requests and a channel for
        // the router itself.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver for the entry points.
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "FuzzHL7v2",
            dependencies: [
                "CFuzzerDriver",
                .product(name: "HL7v2", package: "fhirbridge"), .product(name: "HL7v2Mapping", package: "fhirbridge"),
            ]),
        .executableTarget(
            name: "FuzzMLLP",
            dependencies: [
                "CFuzzerDriver", .product(name: "MLLP", package: "fhirbridge"), .product(name: "HL7v2", package: "fhirbridge"),
            ]),
        .executableTarget(
            name: "FuzzCSV",
            dependencies: [
                "CFuzzerDriver",
                .product(name: "CSVSource", package: "fhirbridge"), .product(name: "HL7v2Mapping", package: "fhirbridge"),
            ]),
        .executableTarget(
            name: "FuzzCCDA",
            dependencies: [
                "CFuzzerDriver",
                .product(name: "CCDA", package: "fhirbridge"), .product(name: "HL7v2Mapping", package: "fhirbridge"),
            ]),
        .executableTarget(
            name: "FuzzSealed", dependencies: ["CFuzzerDriver", .product(name: "EngineServer", package: "fhirbridge")]),
        .executableTarget(
            name: "FuzzAudit", dependencies: ["CFuzzerDriver", .product(name: "EngineServer", package: "fhirbridge")]),
        .executableTarget(
            name: "FuzzFHIRJSON", dependencies: ["CFuzzerDriver", .product(name: "EngineServer", package: "fhirbridge")]),
        .executableTarget(
            name: "FuzzHTTP",
            dependencies: [
                "CFuzzerDriver",
                .product(name: "EngineServer", package: "fhirbridge"), .product(name: "Pipeline", package: "fhirbridge"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ]),
    ]
)
