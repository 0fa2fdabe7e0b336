import ClinicalModel

/// Problems and diagnoses: Problem Concern Act (2.16.840.1.113883.10.20.22.4.3) around Problem
/// Observations (…4.4), the diagnosis acts of hospital and procedure notes (…4.33, 4.34, 4.51,
/// 4.65, 4.80) and Health Concern Acts (…4.132). Each Problem Observation is one Condition.
extension DocumentReader {
    static let problemObservation = "2.16.840.1.113883.10.20.22.4.4"
    static let problemStatus = "2.16.840.1.113883.10.20.22.4.6"
    static let severityObservation = "2.16.840.1.113883.10.20.22.4.8"

    func readProblemConcern(_ act: XMLNode, _ context: SectionContext) {
        let observations = related(act, "SUBJ").filter { $0.isElement("observation") }
        if observations.isEmpty { diagnose(.information, .emptyConcern, at: act) }
        for observation in observations {
            readProblemObservation(observation, context, concern: act, category: nil)
        }
    }

    /// A diagnosis or health concern act: its Problem Observations (and nested concern acts) with
    /// the act's category; diagnoses belong to the enclosing encounter, else the document's.
    func readDiagnosisAct(_ act: XMLNode, _ context: SectionContext, category: EntryKind) {
        var context = context
        if category == .diagnosisAct, context.encounter == nil { context.encounter = documentEncounter }
        var found = false
        for element in related(act) {
            if element.isElement("observation"),
                hasTemplate(element, Self.problemObservation) || element.children("templateId").isEmpty
            {
                readProblemObservation(element, context, concern: act, category: category)
                found = true
            } else if element.isElement("act"), entryKind(element, context) == .problemConcern {
                for observation in related(element, "SUBJ") where observation.isElement("observation") {
                    readProblemObservation(observation, context, concern: element, category: category)
                    found = true
                }
            }
        }
        if !found { diagnose(.information, .emptyConcern, at: act) }
    }

    /// Problem Observation → Condition.
    ///
    /// - `code`: the observation's `value` (the problem; its `code` only says "problem",
    ///   "diagnosis", "condition"…); a `value` with only `originalText` keeps the text.
    /// - `negationInd="true"`: verification status `refuted` ("patient does not have diabetes").
    /// - onset and abatement: `effectiveTime/low` and `high` (biologically relevant times).
    /// - clinical status: the Problem Status observation's value, else `resolved` when abated,
    ///   else the concern act's `statusCode` (`concernClinicalStatus`). An abated condition is
    ///   never left active (R4 invariant con-4).
    /// - `statusCode` `nullified`: verification status `entered-in-error` and no clinical status.
    func readProblemObservation(
        _ observation: XMLNode, _ context: SectionContext, concern: XMLNode?, category origin: EntryKind?
    ) {
        var condition = Condition(ref: EntityRef(.condition, key: ""), source: observation.location)
        condition.patient = patient
        condition.encounter = context.encounter
        condition.identifiers = identifiers(of: observation)
        condition.code = concept(observation, "value") ?? entryText(observation).map { Concept(text: $0) }
        condition.category =
            origin.flatMap { mappings.translate(.conditionCategory, $0.rawValue) }
            ?? context.kind.flatMap { mappings.translate(.conditionCategory, $0.rawValue) } ?? "problem-list-item"
        if let time = observation.child("effectiveTime") {
            condition.onset = dateTime(time) ?? dateTime(time.child("low"))
            condition.abatement = dateTime(time.child("high"))
        }
        condition.recordedDate = authorTime(observation) ?? concern.flatMap(authorTime)
        condition.recorder = authorPractitioner(observation) ?? concern.flatMap(authorPractitioner)
        if observation.isNegated { condition.verificationStatus = "refuted" }

        var clinical: String?
        for status in related(observation, "REFR") where hasTemplate(status, Self.problemStatus) {
            if let value = status.child("value") {
                clinical = translate(
                    .statusObservationValue, value.value("code"), system: codeSystem(value.value("codeSystem")),
                    at: value)
            }
        }
        if clinical == nil, condition.abatement != nil { clinical = "resolved" }
        if clinical == nil, let concern { clinical = status(concern, .concernClinicalStatus) }
        if condition.abatement != nil, let status = clinical, !["inactive", "resolved", "remission"].contains(status) {
            clinical = "resolved"
        }
        condition.clinicalStatus = clinical
        if statusCode(observation)?.code == "nullified" || concern.flatMap(statusCode)?.code == "nullified" {
            condition.verificationStatus = "entered-in-error"
            condition.clinicalStatus = nil
        }
        for severity in related(observation, "SUBJ") where hasTemplate(severity, Self.severityObservation) {
            condition.severity = concept(severity, "value")
        }
        add(condition, to: \.conditions, key: scoped(idKey(observation)), node: observation)
    }
}
