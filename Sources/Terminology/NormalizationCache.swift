import ClinicalModel

/// Remembers what normalizing a coding and translating a concept's codings gave, so that the same
/// code met again (the same LOINC test in every result, the same v2 table value in every message)
/// costs a dictionary lookup instead of table lookups, display comparison and map searches.
///
/// Both are pure functions of the input, the loaded `TerminologyStore` and the options, which do not
/// change after loading. Diagnostics are kept without their location and stamped with the caller's.
/// Shared by every worker of an engine and bounded (two `BoundedMemo`s of `capacity` entries each).
final class NormalizationCache: Sendable {
    struct Finding: Hashable, Sendable {
        var kind: IssueKind
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

    let codings: BoundedMemo<CodingKey, CodingResult>
    let translations: BoundedMemo<TranslationKey, [Coding]>

    init(capacity: Int = 32_768) {
        codings = BoundedMemo(capacity: capacity)
        translations = BoundedMemo(capacity: capacity)
    }

    /// Entries held now (both tables), for tests.
    var count: Int { codings.count + translations.count }
}
