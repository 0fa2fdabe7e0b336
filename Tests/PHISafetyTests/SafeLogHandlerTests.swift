import ClinicalModel
import Foundation
import Logging
import PHISafety
import Testing

/// The log handler prints catalogued events and allow-listed, pattern-checked metadata only.
struct SafeLogHandlerTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [String] = []
        func append(_ line: String) { lock.withLock { storage.append(line) } }
        var all: [String] { lock.withLock { storage } }
    }

    func logger() -> (Logger, Lines) {
        let lines = Lines()
        return (SafeLogging.logger(label: "fhirbridge.test", level: .trace, sink: { lines.append($0) }), lines)
    }

    @Test func catalogueEventWithAllowedMetadataIsPrinted() throws {
        let (logger, lines) = logger()
        logger.notice(
            "unit.failed",
            metadata: [
                "kind": "invalidTimestamp", "position": "message 1 PID[1]-7", "count": "3",
                "digest": "0a1b2c3d4e5f6789",
            ])
        let line = try #require(lines.all.first)
        #expect(
            line.hasSuffix(
                "notice fhirbridge.test unit.failed count=3 digest=0a1b2c3d4e5f6789 kind=invalidTimestamp position=message 1 PID[1]-7"
            ))
    }

    @Test func freeTextMessageIsRedacted() throws {
        let (logger, lines) = logger()
        logger.error("patient Alex Synthetic born 1980-07-04 failed")
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("error fhirbridge.test \(SafeLogHandler.redacted)"))
        #expect(!line.contains("Alex"))
    }

    @Test(arguments: [
        ("kind", "Smith, John"), ("count", "12 apples"), ("digest", "not-hex-ZZSENTINEL"),
        ("position", "PID-5 = Smith"),
        ("recordKey", "MR|urn:oid:1.2|12345"), ("route", "/patients/ZZSENTINEL"), ("name", "ZZSENTINEL"),
        ("controlDigest", "ZZSENTINEL"), ("position", "/ClinicalDocument[1]/recordTarget[@value='ZZSENTINEL']"),
    ])
    func disallowedKeysAndValuesAreRedacted(key: String, value: String) throws {
        let (logger, lines) = logger()
        logger.info("unit.converted", metadata: [key: "\(value)"])
        let line = try #require(lines.all.first)
        #expect(!line.contains(value))
        #expect(line.contains(SafeLogHandler.redacted))
    }

    @Test func listAndDictionaryValuesAreNeverPrinted() throws {
        let (logger, lines) = logger()
        logger.info(
            "unit.converted", metadata: ["kinds": .array(["ZZSENTINEL"]), "count": .dictionary(["a": "ZZSENTINEL"])])
        let line = try #require(lines.all.first)
        #expect(!line.contains("ZZSENTINEL"))
    }

    @Test func handlerMetadataIsCheckedToo() throws {
        var (logger, lines) = logger()
        logger[metadataKey: "patient"] = "ZZSENTINEL"
        logger[metadataKey: "kind"] = "ZZ SENTINEL with spaces"
        logger.info("run.started")
        let line = try #require(lines.all.first)
        #expect(!line.contains("ZZSENTINEL") && !line.contains("with spaces"))
    }

    /// Positions as `SourceLocation` prints them pass the grammar.
    @Test(arguments: [
        ClinicalModel.SourceLocation.hl7(
            message: 2, segment: "OBX", occurrence: 3, field: 5, repetition: 2, component: 1, subcomponent: 1),
        .hl7(message: 1, segment: "PID", occurrence: 1),
        .csv(file: "lab-results.csv", line: 12, column: "Last Name"),
        .xml(xpath: "/ClinicalDocument[1]/recordTarget[1]/patientRole[1]/id[2]/@extension", line: 40),
        .input(name: "adt.hl7", offset: 512),
    ])
    func sourceLocationsArePositions(_ location: ClinicalModel.SourceLocation) {
        #expect(SafeLogHandler.isPosition(location.description), "\(location.description)")
    }

    @Test func levelFiltersEvents() {
        let lines = Lines()
        let logger = SafeLogging.logger(label: "t", level: .warning, sink: { lines.append($0) })
        logger.info("run.started")
        logger.warning("run.finished")
        #expect(lines.all.count == 1)
    }
}
