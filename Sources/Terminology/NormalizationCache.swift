import ClinicalModel
import Foundation

/// Remembers what normalizing a coding and translating a concept's codings gave, so that the same
/// code met again (the same LOINC test in every result, the same v2 table value in every message)
/// costs a dictionary lookup instead of table lookups, display comparison and map searches.
///
/// Both are pure functions of the input, the loaded `TerminologyStore` and the options, which do not
/// change after loading. Diagnostics are kept without their location and stamped with the caller's.
/// Shared by every worker of an engine (a lock guards it) and bounded: when it holds `capacity`
/// entries it starts again, so memory stays flat however many distinct codes go by.
final class NormalizationCache: @unchecked Sendable {
    struct Finding: Hashable, Sendable {
        var kind: String
        var severity: Diagnostic.Severity
        var system: String?
        var code: String?
    }

    struct CodingKey: Hashable {
        var coding: Coding
        var inConcept: Bool
    }

    struct CodingResult {
        var coding: Coding
        var replacedDisplay: String?
        var findings: [Finding]
    }

    struct TranslationKey: Hashable {
        var codings: [SystemCode]
    }

    struct SystemCode: Hashable {
        var system: String?
        var code: String?
    }

    let capacity: Int
    private let lock = NSLock()
    private var codings: [CodingKey: CodingResult] = [:]
    private var translations: [TranslationKey: [Coding]] = [:]

    init(capacity: Int = 32_768) { self.capacity = capacity }

    func coding(_ key: CodingKey) -> CodingResult? {
        lock.lock()
        defer { lock.unlock() }
        return codings[key]
    }

    func store(_ result: CodingResult, for key: CodingKey) {
        lock.lock()
        defer { lock.unlock() }
        if codings.count >= capacity { codings.removeAll(keepingCapacity: true) }
        codings[key] = result
    }

    func translations(_ key: TranslationKey) -> [Coding]? {
        lock.lock()
        defer { lock.unlock() }
        return translations[key]
    }

    func store(_ added: [Coding], for key: TranslationKey) {
        lock.lock()
        defer { lock.unlock() }
        if translations.count >= capacity { translations.removeAll(keepingCapacity: true) }
        translations[key] = added
    }

    /// Entries held now (both tables), for tests.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return codings.count + translations.count
    }
}
