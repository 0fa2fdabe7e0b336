// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "fhirbridge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fhirbridge", targets: ["fhirbridge"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        // Parsers as libraries of their own, for the fuzz harnesses in Fuzz/.
        .library(name: "HL7v2", targets: ["HL7v2"]),
        .library(name: "MLLP", targets: ["MLLP"]),
        .library(name: "CSVSource", targets: ["CSVSource"]),
        .library(name: "CCDA", targets: ["CCDA"]),
        .library(name: "HL7v2Mapping", targets: ["HL7v2Mapping", "MappingSpec", "Terminology"]),
        .library(name: "EngineServer", targets: ["EngineServer", "PHISafety", "FHIRR4", "FHIRMapping"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Canonical clinical model: value types with source positions. Depends on nothing.
        .target(name: "ClinicalModel", swiftSettings: swiftSettings),
        // HL7 v2 ER7 grammar: delimiters, escapes, repetitions, batches, charsets (positions from ClinicalModel).
        .target(name: "HL7v2", dependencies: ["ClinicalModel"], swiftSettings: swiftSettings),
        // Code systems and concept maps loaded from Terminology/.
        .target(name: "Terminology", dependencies: ["ClinicalModel"], swiftSettings: swiftSettings),
        // FHIR R4 JSON values and a deterministic writer/reader. Depends on nothing.
        .target(name: "FHIRR4", swiftSettings: swiftSettings),
        // Typed loading and validation of Mappings/.
        .target(
            name: "MappingSpec",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings),
        // HL7 v2 message -> canonical clinical records, driven by Mappings/hl7v2.
        .target(
            name: "HL7v2Mapping", dependencies: ["HL7v2", "ClinicalModel", "MappingSpec", "Terminology"],
            swiftSettings: swiftSettings),
        // libxml2 (system library): only CCDA sees it.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // C-CDA R2.1 XML -> canonical clinical records, through libxml2 and XPath.
        .target(
            name: "CCDA",
            dependencies: [
                "CLibXML2", "CanonicalHash", "ClinicalModel", "MappingSpec", "Terminology",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings),
        // CSV exports -> canonical clinical records through column profiles in Mappings/csv.
        .target(
            name: "CSVSource",
            dependencies: ["ClinicalModel", "MappingSpec", "Terminology", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings),
        // Canonical form of every record, SHA-256 digests and roll-ups.
        .target(
            name: "CanonicalHash",
            dependencies: ["ClinicalModel", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        // Canonical clinical records -> FHIR R4 resources and bundles, derived ids.
        .target(
            name: "FHIRMapping",
            dependencies: ["ClinicalModel", "FHIRR4", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        // PHI safety: a log handler that prints no patient data, the hash-chained audit trail,
        // AES-256-GCM encryption at rest, Safe Harbor de-identification, minimum-necessary filters.
        .target(
            name: "PHISafety",
            dependencies: [
                "ClinicalModel", "FHIRR4", "FHIRMapping", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // Clinician charts: canonical records -> static, self-contained HTML pages.
        .target(
            name: "ChartRender", dependencies: ["ClinicalModel", "CanonicalHash", "Terminology"],
            swiftSettings: swiftSettings),
        // Source -> canonical -> normalized -> outputs: the one entry point.
        .target(
            name: "Pipeline",
            dependencies: [
                "ClinicalModel", "HL7v2", "HL7v2Mapping", "MappingSpec", "Terminology", "FHIRR4", "FHIRMapping",
                "CCDA", "CSVSource", "CanonicalHash", "PHISafety",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings),
        // MLLP framing (decoder/encoder) and HL7 ACK building: the only place besides the server that sees NIO.
        .target(
            name: "MLLP",
            dependencies: ["HL7v2", "ClinicalModel", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings),
        // Clients for `send`: MLLP (framing from MLLP, ACKs checked) and HTTP (NIOHTTP1), over TCP or TLS.
        .target(
            name: "EngineClient",
            dependencies: [
                "MLLP", "HL7v2", "FHIRR4", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings),
        // HTTP convert endpoint (Hummingbird) and MLLP listener (SwiftNIO) as lifecycle services.
        .target(
            name: "EngineServer",
            dependencies: [
                "Pipeline", "MLLP", "ClinicalModel", "FHIRR4", "PHISafety",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fhirbridge",
            dependencies: [
                "Pipeline", "EngineServer", "EngineClient", "ClinicalModel", "FHIRR4", "FHIRMapping", "HL7v2", "CCDA",
                "CSVSource", "MappingSpec",
                "Terminology", "PHISafety", "ChartRender", "CanonicalHash",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        // What every test target shares: the repository root, the test corpus (FHIRBRIDGE_CORPUS, else
        // ../shared/corpus) with the trait that skips corpus tests without one, and the CLI runner.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "ClinicalModelTests", dependencies: ["ClinicalModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HL7v2Tests", dependencies: ["HL7v2", "ClinicalModel", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CCDATests", dependencies: ["CCDA", "ClinicalModel", "MappingSpec", "Terminology", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CSVSourceTests",
            dependencies: ["CSVSource", "ClinicalModel", "Terminology", "MappingSpec", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CanonicalHashTests", dependencies: ["CanonicalHash", "ClinicalModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MLLPTests",
            dependencies: [
                "MLLP", "HL7v2", "ClinicalModel", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EngineServerTests",
            dependencies: [
                "EngineServer", "Pipeline", "MLLP", "FHIRR4", "PHISafety", "CSVSource", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // test certificates made on the fly: a CA, client certificates, an RSA server certificate
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "FHIRR4Tests", dependencies: ["FHIRR4"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TerminologyTests", dependencies: ["Terminology", "ClinicalModel", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FHIRMappingTests",
            dependencies: [
                "FHIRMapping", "FHIRR4", "ClinicalModel", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PHISafetyTests",
            dependencies: [
                "PHISafety", "Pipeline", "ClinicalModel", "FHIRR4", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ChartRenderTests",
            dependencies: ["ChartRender", "Pipeline", "ClinicalModel", "FHIRMapping", "FHIRR4", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RobustnessTests",
            dependencies: [
                "Pipeline", "HL7v2", "MLLP", "CSVSource", "CCDA", "ClinicalModel", "TestSupport", "PHISafety",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Regressions"], swiftSettings: swiftSettings),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Pipeline", "FHIRR4", "FHIRMapping", "ClinicalModel", "HL7v2", "CanonicalHash", "CSVSource",
                "PHISafety", "HL7v2Mapping", "MappingSpec", "Terminology",
                "TestSupport", .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings),
    ]
)
