import ClinicalModel
import Foundation
import Testing

@testable import HL7v2

/// Synthetic samples; no real patient data.
enum Sample {
    static let adtA01: [String] = [
        #"MSH|^~\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240101120000||ADT^A01^ADT_A01|MSG0001|P|2.5.1"#,
        "EVN|A01|20240101120000",
        "PID|1||123456^^^HOSP^MR~654321^^^OTHER^PI||DOE^JOHN^Q||19700101|M|||1 MAIN ST^^TOWN^ST^12345",
        "PV1|1|I|WARD^101^A",
    ]

    static func bytes(_ segments: [String], terminator: String = "\r") -> [UInt8] {
        Array((segments.joined(separator: terminator) + terminator).utf8)
    }

    static func header(type: String = "ADT^A01", control: String = "MSG0001", version: String = "2.5.1") -> String {
        #"MSH|^~\&|APP|FAC|RAPP|RFAC|20240101120000||"# + type + "|" + control + "|P|" + version
    }
}

func parse(_ segments: [String], index: Int = 1, limits: HL7Limits = .default) throws -> HL7Message {
    try HL7Parser.parse(Sample.bytes(segments), index: index, limits: limits)
}

/// The error parsing `bytes` throws, or `nil` when it parses.
func parseError(_ bytes: [UInt8], index: Int = 1, limits: HL7Limits = .default) -> HL7ParseError? {
    do {
        _ = try HL7Parser.parse(bytes, index: index, limits: limits)
        return nil
    } catch {
        return error
    }
}

func parseError(_ segments: [String], index: Int = 1, limits: HL7Limits = .default) -> HL7ParseError? {
    parseError(Sample.bytes(segments), index: index, limits: limits)
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
