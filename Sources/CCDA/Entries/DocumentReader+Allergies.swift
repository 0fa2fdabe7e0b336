import ClinicalModel

/// Allergies: Allergy Concern Act (2.16.840.1.113883.10.20.22.4.30) around Allergy - Intolerance
/// Observations (…4.7) with their Reaction (…4.9), Severity (…4.8), Criticality (…4.145) and
/// Allergy Status (…4.28) observations. Each Allergy - Intolerance Observation is one Allergy.
extension DocumentReader {
    static let reactionObservation = "2.16.840.1.113883.10.20.22.4.9"
    static let criticalityObservation = "2.16.840.1.113883.10.20.22.4.145"
    static let allergyStatus = "2.16.840.1.113883.10.20.22.4.28"
    static let snomed = "http://snomed.info/sct"

    func readAllergyConcern(_ act: XMLNode, _ context: SectionContext) {
        let observations = related(act, "SUBJ").filter { $0.isElement("observation") }
        if observations.isEmpty { diagnose(.information, .emptyConcern, at: act) }
        for observation in observations { readAllergyObservation(observation, context, concern: act) }
    }

    /// Allergy - Intolerance Observation → Allergy.
    ///
    /// - `code`: the substance (`participant[@typeCode='CSM']/participantRole/playingEntity/code`);
    ///   without one, a `value` naming a specific allergy (not one of the kinds in `allergyType`).
    /// - `type` and `categories`: from the observation's `value` (allergy to substance, drug
    ///   intolerance…) through `allergyType` and `allergyCategory`.
    /// - `negationInd="true"` without a substance is a statement of no known allergy
    ///   (`noKnownAllergy`, coded through `noKnownAllergy`): not an allergy. With a substance it is
    ///   an allergy refuted.
    /// - clinical status: the Allergy Status observation, else `resolved` when `effectiveTime/high`
    ///   is given, else the concern act's `statusCode`; `nullified` is `entered-in-error`.
    func readAllergyObservation(_ observation: XMLNode, _ context: SectionContext, concern: XMLNode?) {
        var allergy = Allergy(ref: EntityRef(.allergy, key: ""), source: observation.location)
        allergy.patient = patient
        allergy.identifiers = identifiers(of: observation)
        let kind = observation.child("value")
        let kindCode = kind?.value("code")
        allergy.type = mappings.translate(.allergyType, kindCode)
        if let category = mappings.translate(.allergyCategory, kindCode) { allergy.categories = [category] }
        let substance = substanceConcept(observation)
        if observation.isNegated, substance == nil {
            allergy.noKnownAllergy = true
            if let statement = mappings.translate(.noKnownAllergy, kindCode) {
                let parts = statement.split(separator: " ", maxSplits: 1).map(String.init)
                allergy.code = Concept(
                    Coding(system: Self.snomed, code: parts[0], display: parts.count > 1 ? parts[1] : nil))
            }
        } else {
            if observation.isNegated { allergy.verificationStatus = "refuted" }
            allergy.code = substance
            if allergy.code == nil, let kind, mappings.translate(.allergyType, kindCode) == nil {
                allergy.code = concept(kind)
            }
        }
        let time = observation.child("effectiveTime")
        allergy.onset = dateTime(time) ?? dateTime(time?.child("low"))
        allergy.recordedDate = authorTime(observation) ?? concern.flatMap(authorTime)

        var clinical: String?
        for status in related(observation, "REFR") + related(observation, "SUBJ")
        where hasTemplate(status, Self.allergyStatus) {
            if let value = status.child("value"),
                let mapped = translate(
                    .statusObservationValue, value.value("code"), system: codeSystem(value.value("codeSystem")),
                    at: value),
                ["active", "inactive", "resolved"].contains(mapped)
            {
                clinical = mapped
            }
        }
        if clinical == nil, dateTime(time?.child("high")) != nil { clinical = "resolved" }
        if clinical == nil, let concern { clinical = status(concern, .allergyConcernClinicalStatus) }
        allergy.clinicalStatus = clinical
        if statusCode(observation)?.code == "nullified" || concern.flatMap(statusCode)?.code == "nullified" {
            allergy.verificationStatus = "entered-in-error"
            allergy.clinicalStatus = nil
        }

        for reaction in related(observation, "MFST") where reaction.isElement("observation") && !reaction.isNegatedPeek
        {
            var item = AllergyReaction()
            if let manifestation = concept(reaction, "value") { item.manifestations.append(manifestation) }
            item.onset = startTime(reaction)
            item.severity = severity(of: reaction)
            if !item.manifestations.isEmpty || item.severity != nil { allergy.reactions.append(item) }
        }
        // An allergy-level Severity Observation (C-CDA R1.1) applies to reactions that give none.
        if let severity = severity(of: observation) {
            if allergy.reactions.isEmpty {
                allergy.reactions.append(AllergyReaction(severity: severity))
            } else {
                for index in allergy.reactions.indices where allergy.reactions[index].severity == nil {
                    allergy.reactions[index].severity = severity
                }
            }
        }
        for criticality in related(observation, "SUBJ") where hasTemplate(criticality, Self.criticalityObservation) {
            if let value = criticality.child("value") {
                allergy.criticality = translate(
                    .criticality, value.value("code"), system: codeSystem(value.value("codeSystem")), at: value)
            }
        }
        add(allergy, to: \.allergies, key: scoped(idKey(observation)), node: observation)
    }

    /// The substance of an allergy: the consumable participant's playing entity code, else its name.
    private func substanceConcept(_ observation: XMLNode) -> Concept? {
        for participant in observation.children("participant") where participant.value("typeCode") ?? "CSM" == "CSM" {
            guard let entity = participant.path("participantRole", "playingEntity") else { continue }
            if let code = concept(entity, "code") {
                if code.text == nil, let name = entity.child("name")?.normalizedText {
                    return Concept(codings: code.codings, text: name)
                }
                return code
            }
            if let name = entity.child("name")?.normalizedText { return Concept(text: name) }
        }
        return nil
    }

    /// The reaction severity of a Severity Observation related to `element` by `SUBJ`.
    private func severity(of element: XMLNode) -> String? {
        for severity in related(element, "SUBJ") where hasTemplate(severity, Self.severityObservation) {
            if let value = severity.child("value") {
                return translate(
                    .reactionSeverity, value.value("code"), system: codeSystem(value.value("codeSystem")), at: value)
            }
        }
        return nil
    }
}
