import ClinicalModel

/// Results, vital signs and social history: Result Organizer (2.16.840.1.113883.10.20.22.4.1) →
/// DiagnosticReport with its Result Observations (…4.2); Vital Signs Organizer (…4.26), whose
/// Vital Sign Observations (…4.27) are read without a record for the organizer; and single
/// observations (smoking status, tobacco use, social history, birth sex, pregnancy).
extension DocumentReader {
    /// Result Organizer → DiagnosticReport: code (the panel), status (`diagnosticReportStatus`),
    /// effective period, performers, and every component observation as a result.
    func readResultOrganizer(_ organizer: XMLNode, _ context: SectionContext) {
        if skipNegated(organizer) { return }
        var report = DiagnosticReport(
            ref: EntityRef(.diagnosticReport, key: ""), code: concept(organizer, "code") ?? Concept(),
            source: organizer.location)
        report.patient = patient
        report.encounter = context.encounter
        report.identifiers = identifiers(of: organizer)
        report.status = status(organizer, .diagnosticReportStatus) ?? "unknown"
        report.effective = period(organizer.child("effectiveTime"))
        report.performers = actors(of: organizer)
        let ref = add(report, to: \.diagnosticReports, key: scoped(idKey(organizer)), node: organizer)
        var results: [EntityRef] = []
        for observation in components(of: organizer) {
            if let result = readObservation(observation, context, fallbackTime: report.effective?.start),
                !results.contains(result)
            {
                results.append(result)
            }
        }
        let firstTime = results.first.flatMap { first in record.observations.first { $0.ref == first }?.effective }
        update(ref, in: \.diagnosticReports) { report in
            for result in results where !report.results.contains(result) { report.results.append(result) }
            if report.effective == nil, let firstTime { report.effective = Period(start: firstTime) }
        }
    }

    /// Vital Signs Organizer: its observations, with the organizer's time when they give none.
    func readVitalSignsOrganizer(_ organizer: XMLNode, _ context: SectionContext) {
        let time = startTime(organizer)
        for observation in components(of: organizer) { readObservation(observation, context, fallbackTime: time) }
    }

    /// The observations of an organizer's components (nested organizers flattened).
    private func components(of organizer: XMLNode) -> [XMLNode] {
        var result: [XMLNode] = []
        for component in organizer.children("component") {
            for element in component.elements where element.isCDA {
                if element.isElement("observation") {
                    result.append(element)
                } else if element.isElement("organizer") {
                    result.append(contentsOf: components(of: element))
                } else {
                    diagnose(.information, .entryNotMapped, at: element)
                }
            }
        }
        return result
    }

    /// An observation entry → Observation.
    ///
    /// - `categories`: `observationCategory` by templateId, else by section kind.
    /// - `status`: `statusCode` through `observationStatus`; `effective`: `effectiveTime` (`@value`,
    ///   `low` or `center`), else `fallbackTime` (the organizer's).
    /// - `value` by `xsi:type` (PQ, IVL_PQ, CD, ST, BL, INT, REAL, TS, RTO); a `nullFlavor` value
    ///   is a data-absent reason (`dataAbsentReason`).
    /// - `interpretation`, `referenceRange` (`observationRange/value` and text), `method`,
    ///   `bodySite`, performers (`author`, `performer`).
    /// - The same observation listed in two sections (code, time and value equal; e.g. Synthea's
    ///   labs in both Results and Vital Signs) is one record: the second is reported as
    ///   `duplicateRecord` and its reference is the first's, which gains its categories.
    /// - `negationInd="true"` is reported and not mapped (FHIR R4 Observation cannot negate).
    /// - Returns: the observation's reference, or `nil` when none was made.
    @discardableResult
    func readObservation(_ element: XMLNode, _ context: SectionContext, fallbackTime: ClinicalDateTime?)
        -> EntityRef?
    {
        if isPlanned(element) {
            readPlannedActivity(element, context)
            return nil
        }
        if skipNegated(element) { return nil }
        var observation = Observation(
            ref: EntityRef(.observation, key: ""), code: concept(element, "code") ?? Concept(), source: element.location
        )
        observation.patient = patient
        observation.encounter = context.encounter
        observation.identifiers = identifiers(of: element)
        observation.categories = observationCategories(element, context)
        observation.status = status(element, .observationStatus) ?? "unknown"
        observation.effective = startTime(element) ?? fallbackTime
        let values = element.children("value")
        if let value = values.first {
            let (read, absent) = observationValue(value)
            observation.value = read
            observation.dataAbsentReason = read == nil ? absent : nil
            if values.count > 1 { diagnose(.information, .extraValuesNotMapped, at: values[1]) }
        }
        observation.interpretation = element.children("interpretationCode").compactMap { concept($0) }
        observation.method = concept(element, "methodCode")
        observation.bodySite = concept(element, "targetSiteCode")
        observation.performers = actors(of: element)
        for range in element.children("referenceRange") {
            guard let observationRange = range.child("observationRange") else { continue }
            var referenceRange = ReferenceRange()
            if let value = observationRange.child("value") {
                if value.xsiType == "IVL_PQ" || value.child("low") != nil || value.child("high") != nil {
                    (referenceRange.low, referenceRange.high) = quantityRange(value)
                } else if let text = value.normalizedText {
                    referenceRange.text = text
                }
            }
            if referenceRange.text == nil { referenceRange.text = entryText(observationRange) }
            if referenceRange.low != nil || referenceRange.high != nil || referenceRange.text != nil {
                observation.referenceRange.append(referenceRange)
            }
        }
        if let repeated = repeatedObservation(observation, section: context.serial) {
            diagnose(.information, .duplicateRecord, at: element)
            update(repeated, in: \.observations) { existing in
                for category in observation.categories where !existing.categories.contains(category) {
                    existing.categories.append(category)
                }
            }
            return repeated
        }
        let ref = add(observation, to: \.observations, key: scoped(idKey(element)), node: element)
        observation.ref = ref
        claim(observation, section: context.serial)
        return ref
    }

    /// `observationCategory` by the observation's templateIds, else by its section's kind.
    private func observationCategories(_ element: XMLNode, _ context: SectionContext) -> [String] {
        for template in element.children("templateId") {
            if let root = template.value("root"), let category = mappings.translate(.observationCategory, root) {
                return [category]
            }
        }
        if let kind = context.kind, let category = mappings.translate(.observationCategory, kind.rawValue) {
            return [category]
        }
        return []
    }
}
