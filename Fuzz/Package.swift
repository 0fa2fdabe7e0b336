// swift-tools-version: 6.1
// libFuzzer harnesses for the parsers. Build and run through Tools/fuzz.sh (see README.md here):
//     swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import PackageDescription

let package = Package(
    name: "fhirbridge-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "fhirbridge", path: "..")],
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
                "CFuzzerDriver",.product(name: "MLLP", package: "fhirbridge"), .product(name: "HL7v2", package: "fhirbridge")]),
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
    ]
)
