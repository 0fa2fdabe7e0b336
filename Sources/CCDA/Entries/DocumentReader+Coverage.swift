import ClinicalModel

/// The payers section: Coverage Activity (2.16.840.1.113883.10.20.22.4.60) and the Policy
/// Activities (…4.61) it holds → Coverage.
extension DocumentReader {
    static let policyActivity = "2.16.840.1.113883.10.20.22.4.61"
    static let payerPerformer = "2.16.840.1.113883.10.20.22.4.87"
    static let coveredParty = "2.16.840.1.113883.10.20.22.4.89"
    static let policyHolder = "2.16.840.1.113883.10.20.22.4.90"

    static let coverageDeclaredReason =
        "coverage activity parts the canonical Coverage has no place for: the wrapping act, the guarantor, the "
        + "payer role's own id, code and contact (its organization is carried), the covered party's and policy "
        + "holder's names, addresses and birth time, and authorization activities"

    /// Coverage Activity: each Policy Activity it holds is one Coverage (its `id` and sequence
    /// number order the policies and carry no data of their own).
    func readCoverageActivity(_ element: XMLNode, _ context: SectionContext) {
        if skipNegated(element) { return }
        // what the reader below consumes is carried; the rest of the entry is declared
        declareSubtree(element, reason: Self.coverageDeclaredReason)
        for policy in related(element, "COMP") where hasTemplate(policy, Self.policyActivity) {
            readPolicyActivity(policy)
        }
    }

    /// Policy Activity → Coverage.
    ///
    /// - `type`: the policy's code (Health Insurance Type, with its Payer translations);
    /// - `status`: `statusCode` through `coverageStatus`;
    /// - `payor`: the Payer Performer's `representedOrganization` (its own id, address and telecom
    ///   when the organization has none of its own);
    /// - `subscriberId`: the Policy Holder's id, else the Covered Party's (the member id);
    ///   `relationship`: the Covered Party's role code (`SELF`, `SPS`, …) as a subscriber-relationship
    ///   code; `period`: its time.
    func readPolicyActivity(_ policy: XMLNode) {
        var coverage = Coverage(ref: EntityRef(.coverage, key: ""), source: policy.location)
        coverage.patient = patient
        coverage.identifiers = identifiers(of: policy)
        coverage.type = concept(policy, "code")
        coverage.status = status(policy, .coverageStatus) ?? "active"
        for performer in policy.children("performer") where hasTemplate(performer, Self.payerPerformer) {
            guard let entity = performer.child("assignedEntity") else { continue }
            coverage.payor = organization(entity.child("representedOrganization")) ?? organization(entity)
            if coverage.payor != nil { break }
        }
        for participant in policy.children("participant") {
            guard let role = participant.child("participantRole") else { continue }
            if hasTemplate(participant, Self.coveredParty) {
                coverage.relationship = relationship(role)
                coverage.period = period(participant.child("time"))
                if coverage.subscriberId == nil { coverage.subscriberId = memberID(role) }
            } else if hasTemplate(participant, Self.policyHolder), let id = memberID(role) {
                coverage.subscriberId = id
            }
        }
        add(coverage, to: \.coverages, key: scoped(idKey(policy)), node: policy)
    }

    static let subscriberRelationship = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"

    /// The Covered Party's v3 RoleCode (`SELF`, `SPS`, `CHILD`…) as the subscriber-relationship code
    /// `Coverage.relationship` is bound to, through `coverageRelationship`; a code the map does not
    /// know stays the source's concept.
    private func relationship(_ role: XMLNode) -> Concept? {
        guard let source = concept(role, "code") else { return nil }
        guard let code = source.codings.first?.code, let mapped = mappings.translate(.coverageRelationship, code)
        else { return source }
        return Concept(Coding(system: Self.subscriberRelationship, code: mapped))
    }

    /// The `@extension` (else `@root`) of a role's first usable `id`.
    private func memberID(_ role: XMLNode) -> String? {
        for id in role.children("id") where id.nullFlavor == nil {
            if let value = id.value("extension") ?? id.value("root") { return value }
        }
        return nil
    }
}
