import ClinicalModel
import Crypto

/// The canonical form's identity and version. A digest is only comparable with digests of the
/// same version; a change to the rules in `CanonicalValue` must bump it.
public enum CanonicalForm {
    public static let version = "fhirbridge-canonical/1"
}

/// One record's digest: which record (kind and business key), its SHA-256 over canonical form,
/// and the records it refers to.
public struct RecordDigest: Hashable, Sendable {
    public var ref: EntityRef
    /// Lowercase hex SHA-256 of `CanonicalForm.version`, the kind and the canonical bytes.
    public var digest: String
    /// References to other records (not to itself), for referential-integrity checks.
    public var references: [EntityRef]
}

/// Hashes canonical records.
///
///     let digests = CanonicalHasher.digests(record)            // one per record
///     let root = CanonicalHasher.rollup(digests.map(\.digest))  // one per batch
public enum CanonicalHasher {
    /// The canonical bytes of one record (version line, kind line, canonical text).
    public static func canonicalBytes(_ entity: any ClinicalEntity) -> [UInt8] {
        var output = header(entity)
        _ = try? CanonicalEncoder.writeBytes(entity, into: &output)
        return output
    }

    public static func digest(_ entity: any ClinicalEntity) -> RecordDigest { digest(entity, tree: FlatTree()) }

    /// `digest(_:)` building its tree in `tree`, scratch space reused from record to record.
    ///
    /// A record's site extensions (`SiteExtension`, from a site's Z-segment map) follow its own
    /// canonical text under a `siteExtensions` line, so the digest covers them; a record without
    /// any hashes as it always did.
    static func digest<Entity: ClinicalEntity>(_ entity: Entity, tree: FlatTree, site: [SiteExtension] = [])
        -> RecordDigest
    {
        var output = header(entity)
        let mark = output.count
        var references: [EntityRef] = []
        do {
            references = try CanonicalEncoder.writeBytes(entity, into: &output, tree: tree).filter { $0 != entity.ref }
            if !site.isEmpty {
                output.append(contentsOf: "siteExtensions".utf8)
                output.append(0x0A)
                _ = try CanonicalEncoder.writeBytes(
                    site.map { SiteExtensionForm(url: $0.url, value: $0.value) }, into: &output, tree: tree)
            }
        } catch {
            output.removeSubrange(mark...)
        }
        return RecordDigest(ref: entity.ref, digest: lowercaseHex(SHA256.hash(data: output)), references: references)
    }

    /// The version line and the kind line that start every record's canonical bytes.
    static func header<Entity: ClinicalEntity>(_ entity: Entity) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        output.append(contentsOf: CanonicalForm.version.utf8)
        output.append(0x0A)
        output.append(contentsOf: Entity.kind.rawValue.utf8)
        output.append(0x0A)
        return output
    }

    /// The canonical bytes through the reference form (`CanonicalValue`), for tests that check
    /// `canonicalBytes` against it.
    static func referenceBytes(_ entity: any ClinicalEntity) -> [UInt8] {
        var output = header(entity)
        if let value = (try? CanonicalEncoder.encode(entity))?.0 { value.write(into: &output) }
        return output
    }

    /// A digest for every record in a source unit.
    public static func digests(_ record: ClinicalRecord) -> [RecordDigest] {
        // list by list, so that no record is copied into an `any ClinicalEntity` box
        struct Digester: EntityListVisitor {
            let tree = FlatTree()
            let site: [EntityRef: [SiteExtension]]
            var digests: [RecordDigest] = []
            mutating func visit<Entity: ClinicalEntity>(_ entities: inout [Entity]) {
                for entity in entities {
                    digests.append(CanonicalHasher.digest(entity, tree: tree, site: site[entity.ref] ?? []))
                }
            }
        }
        var digester = Digester(
            site: record.siteExtensions.isEmpty ? [:] : Dictionary(grouping: record.siteExtensions, by: \.target))
        var copy = record
        copy.visitLists(&digester)
        return digester.digests
    }

    /// A roll-up of many digests that does not depend on their order: SHA-256 over the sorted
    /// digests, one per line. Used per entity kind and per batch.
    public static func rollup(_ digests: [String]) -> String {
        var output = Array("\(CanonicalForm.version) rollup\n".utf8)
        for digest in digests.sorted() {
            output += Array(digest.utf8)
            output.append(0x0A)
        }
        return lowercaseHex(SHA256.hash(data: output))
    }
}

/// A site extension in canonical form: its URL and value (the record it is on is the one hashed).
private struct SiteExtensionForm: Encodable {
    var url: String
    var value: SiteExtension.Value
}
