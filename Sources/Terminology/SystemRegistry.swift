/// Code system identities: HL7 v2 table 0396 names, OIDs and URIs, loaded from `Terminology/systems/`.
///
/// Rules that need code rather than a list live here: `HL7nnnn` names and `2.16.840.1.113883.12.N`
/// OIDs denote HL7 v2 tables, legacy `http://hl7.org/fhir/v2/…` and `…/v3/…` URIs move to THO.
struct SystemRegistry: Sendable {
    static let v2TableOIDPrefix = "2.16.840.1.113883.12."
    static let thoV3Prefix = "http://terminology.hl7.org/CodeSystem/v3-"

    /// Upper-cased v2 name → URI.
    var uriByV2Name: [String: String] = [:]
    var localNames: Set<String> = []
    var localPrefixes: [String] = []
    var uriByOID: [String: String] = [:]
    var oidByURI: [String: String] = [:]
    /// Alternative spelling → canonical URI.
    var canonicalByAlias: [String: String] = [:]
    /// Canonical URI → the system's name in the registry files.
    var nameByURI: [String: String] = [:]
    /// Canonical URI → a shorter name, where the OID registry gives one.
    var shortNameByURI: [String: String] = [:]

    func systemURI(forV2Name name: String) -> String? {
        let key = name.trimmingWhitespace().uppercased()
        guard !key.isEmpty else { return nil }
        if let uri = uriByV2Name[key] { return uri }
        if isLocal(key) { return nil }
        if key.hasPrefix("HL7"), let table = v2TableFromName(key.dropFirst(3)) {
            return V2Table.systemPrefix + table
        }
        return nil
    }

    func isLocal(_ name: String) -> Bool {
        let key = name.trimmingWhitespace().uppercased()
        return localNames.contains(key) || localPrefixes.contains { key.hasPrefix($0) }
    }

    /// `HL7nnnn`, `HL7-nnnn`, `HL7_nnnn`, `HL7nnn`: the digits after `HL7`.
    private func v2TableFromName(_ rest: Substring) -> String? {
        var digits = rest
        if let first = digits.first, first == "-" || first == "_" { digits = digits.dropFirst() }
        guard digits.count >= 3 else { return nil }
        return V2Table.digits(digits)
    }

    func systemURI(forOID raw: String) -> String? {
        let oid = Self.bareOID(raw)
        guard Self.isOID(oid) else { return nil }
        if let uri = uriByOID[oid] { return uri }
        if oid.hasPrefix(Self.v2TableOIDPrefix) {
            let number = oid.dropFirst(Self.v2TableOIDPrefix.count)
            if let table = V2Table.digits(number) { return V2Table.systemPrefix + table }
        }
        return nil
    }

    func oid(forSystemURI raw: String) -> String? {
        let uri = canonicalURI(raw.trimmingWhitespace())
        if let oid = oidByURI[uri] { return oid }
        if uri.hasPrefix(V2Table.systemPrefix), let table = V2Table.digits(uri.dropFirst(V2Table.systemPrefix.count)),
            let number = Int(table)
        {
            return Self.v2TableOIDPrefix + String(number)
        }
        if Self.hasOIDPrefix(uri) {
            let oid = String(uri.dropFirst(8))
            return Self.isOID(oid) ? oid : nil
        }
        return nil
    }

    /// A URI's canonical spelling: aliases and legacy FHIR DSTU2 v2/v3 URIs are rewritten, others pass through.
    func canonicalURI(_ uri: String) -> String {
        if let canonical = canonicalByAlias[uri] { return canonical }
        if uri.hasPrefix("http://hl7.org/fhir/v2/"), let table = V2Table.normalize(uri) {
            return V2Table.systemPrefix + table
        }
        if uri.hasPrefix("http://hl7.org/fhir/v3/") {
            let name = uri.dropFirst("http://hl7.org/fhir/v3/".count)
            if !name.isEmpty, !name.contains("/") { return Self.thoV3Prefix + name }
        }
        if Self.hasOIDPrefix(uri) {
            let oid = String(uri.dropFirst(8))
            if let mapped = systemURI(forOID: oid) { return mapped }
            return "urn:oid:" + oid
        }
        return uri
    }

    func normalizeSystem(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        if Self.isOID(text) { return systemURI(forOID: text) ?? "urn:oid:" + text }
        if text.utf8.contains(UInt8(ascii: ":")) { return canonicalURI(text) }
        return systemURI(forV2Name: text)
    }

    static func bareOID(_ raw: String) -> String {
        let text = raw.trimmingWhitespace()
        return hasOIDPrefix(text) ? String(text.dropFirst(8)) : text
    }

    /// Whether `text` starts with `urn:oid:` in any letter case (ASCII compare, no lowercased copy).
    static func hasOIDPrefix(_ text: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        for expected in "urn:oid:".utf8 {
            guard let byte = bytes.next() else { return false }
            let folded = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
            guard folded == expected else { return false }
        }
        return true
    }

    /// Dotted decimal arcs, at least two, no empty arc, no leading zero in an arc.
    static func isOID(_ text: String) -> Bool {
        // arcs of ASCII digits separated by dots, at least two, no empty arc, no leading zero
        var arcs = 1
        var arcLength = 0
        var arcStartsWithZero = false
        for byte in text.utf8 {
            if byte == 0x2E {
                guard arcLength > 0 else { return false }
                arcs += 1
                arcLength = 0
            } else if byte >= 0x30 && byte <= 0x39 {
                if arcLength == 0 {
                    arcStartsWithZero = byte == 0x30
                } else if arcStartsWithZero {
                    return false
                }
                arcLength += 1
            } else {
                return false
            }
        }
        return arcs >= 2 && arcLength > 0
    }
}
