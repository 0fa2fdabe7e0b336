import ClinicalModel
import Foundation

/// Where an entry is read: its section's kind (nil for a section no mapping recognises), the
/// section element, the section's number, and the encounter the entry belongs to, if any.
struct SectionContext {
    var kind: SectionKind?
    var node: XMLNode
    var serial: Int
    var encounter: EntityRef?
}

/// The document body: `structuredBody` sections (recursively through subsections) dispatched
/// to entry readers by templateId, or a `nonXMLBody`.
extension DocumentReader {
    func readBody(_ root: XMLNode) {
        var sections: [DocumentSection] = []
        if let body = xpath.nodes("cda:component/cda:structuredBody", from: root).first {
            for section in xpath.nodes("cda:component/cda:section", from: body) {
                sections.append(readSection(section))
            }
        } else if let body = xpath.nodes("cda:component/cda:nonXMLBody", from: root).first {
            sectionEntries.append([])
            readNonXMLBody(body, root: root)
            var section = DocumentSection()
            section.entries = sectionEntries.removeLast()
            if !section.entries.isEmpty { sections.append(section) }
        } else {
            diagnose(.information, .emptyDocumentBody, at: root)
        }
        readComposition(root, sections: sections)
    }

    /// The section's kind: its first templateId root that `templates.yaml` lists, else its code.
    func sectionKind(_ section: XMLNode) -> SectionKind? {
        for template in section.children("templateId") {
            if let root = template.peekValue("root"), let kind = mappings.sections[root] { return kind }
        }
        if let code = section.child("code")?.value("code") { return mappings.sectionCodes[code] }
        return nil
    }

    /// Reads a section's entries (and its subsections) into records, and returns the section as
    /// the Composition holds it: title, code, the records its entries became, and its narrative
    /// when they became none.
    func readSection(_ section: XMLNode) -> DocumentSection {
        let kind = sectionKind(section)
        let context = SectionContext(kind: kind, node: section, serial: beginSection(), encounter: nil)
        // a subsection is accounted for itself, whatever its parent was
        SourceMark.clear(section.pointer)
        if kind != .narrative, let text = section.child("text") {
            declareSubtree(text, reason: Self.sectionNarrativeReason)
        }
        sectionEntries.append([])
        switch kind {
        case nil:
            diagnose(.information, .sectionNotRecognised, at: section)
            readEntries(section, context)
        case .ignored?:
            diagnose(.information, .sectionNotMapped, at: section)
            declareSubtree(section, reason: Self.sectionIgnoredReason)
        case .narrative?:
            readNarrative(section)
            readEntries(section, context)
        case .planOfTreatment?:
            readPlan(section, context)
        default:
            readEntries(section, context)
        }
        var result = DocumentSection(title: section.child("title")?.normalizedText, code: concept(section, "code"))
        result.entries = sectionEntries.removeLast()
        if result.entries.isEmpty, let text = section.child("text") {
            result.text = NarrativeText.render(text)
        }
        for component in section.children("component") {
            if let subsection = component.child("section") { result.sections.append(readSection(subsection)) }
        }
        return result
    }

    func readEntries(_ section: XMLNode, _ context: SectionContext) {
        for entry in section.children("entry") {
            for element in entry.elements where element.isCDA { readEntry(element, context) }
        }
    }

    /// The kind of an entry element: its first templateId root that `templates.yaml` lists, else
    /// the section kind and element name through `untemplatedEntries`.
    func entryKind(_ element: XMLNode, _ context: SectionContext) -> EntryKind? {
        for template in element.children("templateId") {
            if let root = template.peekValue("root"), let kind = mappings.entries[root] { return kind }
        }
        guard let section = context.kind else { return nil }
        return mappings.untemplatedEntries[section.rawValue + "/" + element.name]
    }

    /// Reads one entry element (or one nested in a container) by its kind.
    func readEntry(_ element: XMLNode, _ context: SectionContext) {
        guard let kind = entryKind(element, context) else {
            // left unaccounted: no mapping decided anything about this template
            diagnose(.information, .entryNotRecognised, at: element)
            return
        }
        switch kind {
        case .problemConcern: readProblemConcern(element, context)
        case .problemObservation: readProblemObservation(element, context, concern: nil, category: nil)
        case .diagnosisAct: readDiagnosisAct(element, context, category: .diagnosisAct)
        case .healthConcern: readDiagnosisAct(element, context, category: .healthConcern)
        case .allergyConcern: readAllergyConcern(element, context)
        case .allergyObservation: readAllergyObservation(element, context, concern: nil)
        case .medicationActivity: readMedicationActivity(element, context, planned: false)
        case .plannedMedication: readMedicationActivity(element, context, planned: true)
        case .immunizationActivity: readImmunization(element, context)
        case .plannedImmunization: readMedicationActivity(element, context, planned: true)
        case .resultOrganizer: readResultOrganizer(element, context)
        case .vitalSignsOrganizer: readVitalSignsOrganizer(element, context)
        case .observation: readObservation(element, context, fallbackTime: nil)
        case .procedureActivity: readProcedure(element, context)
        case .plannedActivity: readPlannedActivity(element, context)
        case .encounterActivity: readEncounterActivity(element, context)
        case .noteActivity: readNote(element, context)
        case .instruction:
            diagnose(.information, .entryNotMapped, at: element)
            declareSubtree(element, reason: entryIgnoredReason(element, kind))
        case .imagingStudy: readImagingStudy(element, context)
        case .coverageActivity: readCoverageActivity(element, context)
        case .container:
            for relationship in element.children("entryRelationship") {
                for nested in relationship.elements where nested.isCDA { readEntry(nested, context) }
            }
        case .ignored:
            diagnose(.information, .entryNotMapped, at: element)
            declareSubtree(element, reason: entryIgnoredReason(element, kind))
        }
    }

    static let sectionNarrativeReason =
        "section narrative (text): the human-readable rendering of the section's coded entries, which are accounted for themselves"
    static let sectionIgnoredReason =
        "section kind mapped as ignored in Mappings/ccda/templates.yaml (sectionNotMapped)"
    static let negatedReason =
        "negated statement (negationInd=true) the canonical model cannot state as not done (negatedEntryNotMapped)"

    /// The reason an entry of a kind not converted is declared: its template and the mapping.
    func entryIgnoredReason(_ element: XMLNode, _ kind: EntryKind) -> String {
        let template = element.children("templateId").lazy.compactMap { $0.peekValue("root") }
            .first { self.mappings.entries[$0] != nil }
        return "entry template \(template ?? element.name) mapped as \(kind.rawValue) in Mappings/ccda/templates.yaml "
            + "(entryNotMapped)"
    }

    /// Whether an act's `@moodCode` says it is planned rather than done (anything but `EVN`).
    func isPlanned(_ element: XMLNode) -> Bool {
        guard let mood = element.value("moodCode") else { return false }
        return mood != "EVN"
    }

    /// An act with `negationInd="true"` that the canonical model cannot state as "not done": the
    /// entry is not turned into a record (which would assert the opposite) and is reported.
    func skipNegated(_ element: XMLNode) -> Bool {
        guard element.isNegatedPeek else { return false }
        diagnose(.information, .negatedEntryNotMapped, at: element)
        declareSubtree(element, reason: Self.negatedReason)
        return true
    }

    /// The `entryRelationship` children of an act with a given `@typeCode`, as elements.
    func related(_ element: XMLNode, _ typeCode: String? = nil) -> [XMLNode] {
        var result: [XMLNode] = []
        for relationship in element.children("entryRelationship") {
            if let typeCode, relationship.value("typeCode") != typeCode { continue }
            result.append(contentsOf: relationship.elements.filter(\.isCDA))
        }
        return result
    }

    /// Whether an element carries a templateId with this root.
    func hasTemplate(_ element: XMLNode, _ root: String) -> Bool {
        element.children("templateId").contains { $0.peekValue("root") == root }
    }

    /// The reasons an act gives: values of `RSON` observations (Indication), else their codes.
    func reasons(_ element: XMLNode) -> [Concept] {
        related(element, "RSON").compactMap { reason in
            reason.isNegatedPeek ? nil : (concept(reason, "value") ?? concept(reason, "code"))
        }
    }

    // MARK: Narrative sections and notes

    /// A narrative section's text → DocumentNote (type: the section code; title: its title).
    func readNarrative(_ section: XMLNode) {
        guard section.nullFlavor == nil, let textElement = section.child("text"),
            let text = NarrativeText.render(textElement)
        else { return }
        var note = DocumentNote(ref: EntityRef(.document, key: ""), source: section.location)
        note.patient = patient
        note.encounter = documentEncounter
        note.type = concept(section, "code")
        note.title = section.child("title")?.normalizedText
        note.text = text
        note.date = record.document.recorded
        note.authors = actors(of: section)
        if note.authors.isEmpty { note.authors = documentAuthors }
        note.docStatus = "final"
        let code = section.child("code")?.value("code") ?? section.xpath
        let key = scoped(
            [record.document.controlID ?? record.document.digest ?? inputName, "section", code].joined(separator: "|"))
        add(note, to: \.documents, key: key, node: section)
    }

    /// Note Activity (2.16.840.1.113883.10.20.22.4.202) → DocumentNote.
    func readNote(_ element: XMLNode, _ context: SectionContext) {
        if skipNegated(element) { return }
        var note = DocumentNote(ref: EntityRef(.document, key: ""), source: element.location)
        note.patient = patient
        note.encounter = context.encounter ?? documentEncounter
        note.identifiers = identifiers(of: element)
        note.type = concept(element, "code")
        note.text = entryText(element)
        note.date = authorTime(element) ?? startTime(element)
        note.authors = actors(of: element)
        note.title = context.node.child("title")?.normalizedText
        if let status = statusCode(element)?.code, status == "completed" { note.docStatus = "final" }
        add(note, to: \.documents, key: scoped(idKey(element)), node: element)
    }

    /// A `nonXMLBody` (Unstructured Document): the document itself as a DocumentNote. Plain text
    /// (inline, or base64 that decodes to UTF-8) is kept; other media (PDF, images) and external
    /// references are reported as `nonXMLBodyNotMapped` and only described.
    func readNonXMLBody(_ body: XMLNode, root: XMLNode) {
        var note = DocumentNote(ref: EntityRef(.document, key: ""), source: body.location)
        note.patient = patient
        note.encounter = documentEncounter
        note.identifiers = identifiers(of: root)
        note.type = concept(root, "code")
        note.title = root.child("title")?.normalizedText
        note.date = record.document.recorded
        note.authors = documentAuthors
        note.docStatus = "final"
        if let text = body.child("text") {
            let mediaType = text.value("mediaType") ?? "text/plain"
            note.contentType = mediaType
            if text.child("reference") != nil {
                diagnose(.information, .nonXMLBodyNotMapped, at: text)
            } else if mediaType.hasPrefix("text/") {
                if text.value("representation") == "B64" {
                    // B64 text may be wrapped over lines: white space inside is ignored.
                    let decoded = Data(base64Encoded: text.textContent, options: .ignoreUnknownCharacters)
                        .flatMap { String(validating: $0, as: UTF8.self) }
                    if decoded == nil { diagnose(.warning, .invalidBase64, at: text) }
                    note.text = decoded
                } else {
                    note.text = text.textContent.trimmingXMLSpace()
                }
            } else {
                diagnose(.information, .nonXMLBodyNotMapped, at: text)
            }
        }
        add(note, to: \.documents, key: scoped(idKey(root)), node: body)
    }
}
