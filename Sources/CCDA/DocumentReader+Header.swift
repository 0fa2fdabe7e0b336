import ClinicalModel

/// The CDA header (HL7 CDA R2 §4.2, C-CDA R2.1 US Realm Header 2.16.840.1.113883.10.20.22.1.1):
/// document facts, the patient (`recordTarget`), authors, custodian and the encompassing encounter.
extension DocumentReader {
    static let participationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
    static let v3ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    static let v3ActMood = "http://terminology.hl7.org/CodeSystem/v3-ActMood"
    static let v3ActStatus = "http://terminology.hl7.org/CodeSystem/v3-ActStatus"
    static let v3NullFlavor = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"

    func readHeader(_ root: XMLNode) {
        readDocumentFacts(root)
        let roles = xpath.nodes("cda:recordTarget/cda:patientRole", from: root)
        for (index, role) in roles.enumerated() {
            let ref = readPatient(role)
            if index == 0 { patient = ref }
        }
        if roles.isEmpty { diagnose(.warning, .missingRecordTarget, at: root) }
        if roles.count > 1 { diagnose(.information, .multipleRecordTargets, at: roles[1]) }
        for author in xpath.nodes("cda:author/cda:assignedAuthor", from: root) {
            if let ref = practitioner(author), !documentAuthors.contains(ref) { documentAuthors.append(ref) }
        }
        for custodian in xpath.nodes(
            "cda:custodian/cda:assignedCustodian/cda:representedCustodianOrganization", from: root)
        {
            let ref = organization(custodian)
            if documentCustodian == nil { documentCustodian = ref }
        }
        if let authenticator = root.child("legalAuthenticator") {
            legalAuthenticator = practitioner(authenticator.child("assignedEntity"))
            if legalAuthenticator != nil { legalAuthenticationTime = dateTime(authenticator.child("time")) }
        }
        for entity in xpath.nodes(
            "cda:legalAuthenticator/cda:assignedEntity | cda:authenticator/cda:assignedEntity"
                + " | cda:documentationOf/cda:serviceEvent/cda:performer/cda:assignedEntity",
            from: root)
        {
            practitioner(entity)
        }
        if let encounter = xpath.nodes("cda:componentOf/cda:encompassingEncounter", from: root).first {
            documentEncounter = readEncompassingEncounter(encounter)
        }
    }

    /// `ClinicalDocument/id`, type (templateId, else LOINC code), version, effective time, and the
    /// authoring software and custodian as the sending application and facility.
    private func readDocumentFacts(_ root: XMLNode) {
        var facts = record.document
        facts.controlID = idKey(root)
        var type: String?
        for template in root.children("templateId") {
            guard let templateRoot = template.value("root"), let name = mappings.documentTypes[templateRoot] else {
                continue
            }
            type = name
            facts.version = template.value("extension")
            break
        }
        let code = root.child("code")?.value("code")
        if type == nil, let code, let name = mappings.documentCodes[code] { type = name }
        if type == nil {
            diagnose(
                .information, .unknownDocumentType, at: (root.child("code") ?? root).location,
                system: codeSystem(root.child("code")?.value("codeSystem")), code: code)
        }
        facts.type = type ?? code ?? "ClinicalDocument"
        if facts.version == nil {
            facts.version = root.children("templateId").lazy.compactMap { $0.value("extension") }.first
        }
        facts.recorded = dateTime(root.child("effectiveTime"))
        if let device = xpath.nodes("cda:author/cda:assignedAuthor/cda:assignedAuthoringDevice", from: root).first {
            facts.sendingApplication =
                device.child("softwareName")?.normalizedText ?? device.child("manufacturerModelName")?.normalizedText
        }
        facts.sendingFacility =
            xpath.nodes(
                "cda:custodian/cda:assignedCustodian/cda:representedCustodianOrganization/cda:name", from: root
            ).first?.normalizedText
        record.document = facts
    }

    /// `recordTarget/patientRole` → Patient (C-CDA R2.1 US Realm Header, recordTarget).
    private func readPatient(_ role: XMLNode) -> EntityRef {
        var patient = Patient(ref: EntityRef(.patient, key: ""), source: role.location)
        patient.identifiers = identifiers(of: role)
        patient.addresses = addresses(of: role)
        patient.telecom = telecoms(of: role)
        let person = role.child("patient")
        if let person {
            patient.names = names(of: person)
            if let gender = person.child("administrativeGenderCode") { patient.gender = self.gender(gender) }
            patient.birthDate = dateTime(person.child("birthTime"))
            if let deceased = person.child("deceasedInd", in: XMLNamespace.sdtc)?.value("value")?.lowercased() {
                patient.deceased = deceased == "true" ? true : (deceased == "false" ? false : nil)
            }
            patient.deceasedAt = dateTime(person.child("deceasedTime", in: XMLNamespace.sdtc))
            if patient.deceasedAt != nil, patient.deceased == nil { patient.deceased = true }
            patient.maritalStatus = concept(person, "maritalStatusCode")
            patient.religion = concept(person, "religiousAffiliationCode")
            let races =
                [person.child("raceCode")].compactMap { $0 } + person.children("raceCode", in: XMLNamespace.sdtc)
            patient.races = races.compactMap { concept($0) }
            let groups =
                [person.child("ethnicGroupCode")].compactMap { $0 }
                + person.children("ethnicGroupCode", in: XMLNamespace.sdtc)
            patient.ethnicities = groups.compactMap { concept($0) }
            for communication in person.children("languageCommunication") {
                guard let language = communication.child("languageCode"), let code = language.value("code") else {
                    continue
                }
                patient.languages.append(Concept(Coding(system: "urn:ietf:bcp:47", code: code)))
            }
            if let place = person.path("birthplace", "place") {
                let address = place.children("addr").lazy.compactMap(address).first
                let parts = [address?.city, address?.state, address?.country].compactMap { $0 }
                patient.birthPlace =
                    parts.isEmpty
                    ? (address?.text ?? place.child("name")?.normalizedText) : parts.joined(separator: ", ")
            }
        }
        patient.managingOrganization = organization(role.child("providerOrganization"))
        let key = identifierKey(patient.identifiers)
        let ref = add(patient, to: \.patients, key: key, node: role, firstWins: true)
        if let person {
            for guardian in person.children("guardian") { readGuardian(guardian, patient: ref) }
        }
        return ref
    }

    /// `patient/guardian` → RelatedPerson.
    private func readGuardian(_ guardian: XMLNode, patient: EntityRef) {
        var person = RelatedPerson(ref: EntityRef(.relatedPerson, key: ""), patient: patient, source: guardian.location)
        person.identifiers = identifiers(of: guardian)
        if let relationship = concept(guardian, "code") { person.relationship.append(relationship) }
        if let guardianPerson = guardian.child("guardianPerson") { person.names = names(of: guardianPerson) }
        person.addresses = addresses(of: guardian)
        person.telecom = telecoms(of: guardian)
        guard !person.names.isEmpty || !person.identifiers.isEmpty else { return }
        let key = identifierKey(person.identifiers).map { [patient.key, $0].joined(separator: "|") }
        add(person, to: \.relatedPersons, key: key, node: guardian)
    }

    /// `componentOf/encompassingEncounter` → Encounter (the encounter the document is about).
    private func readEncompassingEncounter(_ node: XMLNode) -> EntityRef {
        var encounter = Encounter(ref: EntityRef(.encounter, key: ""), source: node.location)
        encounter.patient = patient
        encounter.identifiers = identifiers(of: node)
        applyEncounterCode(concept(node, "code"), to: &encounter)
        encounter.period = period(node.child("effectiveTime"))
        encounter.dischargeDisposition = concept(node, "dischargeDispositionCode")
        if let responsible = practitioner(node.path("responsibleParty", "assignedEntity")) {
            encounter.participants.append(
                Participant(role: Concept(Coding(system: Self.participationType, code: "RESP")), who: responsible))
        }
        for participant in node.children("encounterParticipant") {
            guard let who = practitioner(participant.child("assignedEntity")) else { continue }
            let role = participant.value("typeCode").map { Concept(Coding(system: Self.participationType, code: $0)) }
            encounter.participants.append(Participant(role: role, who: who, period: period(participant.child("time"))))
        }
        if let facility = node.path("location", "healthCareFacility") {
            if let place = location(facility) { encounter.locations.append(place) }
            encounter.serviceProvider = organization(facility.child("serviceProviderOrganization"))
        }
        encounter.status =
            encounter.period?.end != nil ? "finished" : (encounter.period?.start != nil ? "in-progress" : "unknown")
        return add(encounter, to: \.encounters, key: scoped(idKey(node)), node: node, firstWins: true)
    }

    /// An encounter code: a v3 ActCode (`AMB`, `IMP`, `EMER`) is the encounter class, anything
    /// else (CPT, SNOMED CT) its type; an ActCode translation also gives the class.
    ///
    /// The class is a bare Coding (FHIR `Encounter.class`), which has no text to keep a label in: its
    /// display is the ActCode code system's (`IMP` → "inpatient encounter"), not the source's
    /// `@displayName` ("Inpatient"), which is reported as `displayMismatch` when it differs. A code
    /// the code system does not know keeps no display rather than the source's label.
    func applyEncounterCode(_ code: Concept?, to encounter: inout Encounter) {
        guard var code else { return }
        if let actCode = code.codings.first(where: { $0.system == Self.v3ActCode }) {
            var patientClass = actCode
            let official = actCode.code.flatMap { terminology.codeSystems.display(system: Self.v3ActCode, code: $0) }
            // reported with its code only when the code system knows it (terminology, not patient data)
            if let official, let display = actCode.display, display != official {
                diagnose(
                    .information, .displayMismatch, at: encounter.source, system: Self.v3ActCode, code: actCode.code)
            }
            patientClass.display = official
            encounter.patientClass = patientClass
            code.codings.removeAll { $0 == actCode }
        }
        if !code.isEmpty { encounter.type.append(code) }
    }

    static let v3AdministrativeGender = "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender"
    static let fhirAdministrativeGender = "http://hl7.org/fhir/administrative-gender"
    /// Code systems whose M, F, UN codes mean what `administrativeGender` maps: HL7 v3
    /// AdministrativeGender, and HL7 v2 table 0001 (which senders put in a translation).
    static let genderSystems: Set<String> = ["2.16.840.1.113883.5.1", "2.16.840.1.113883.12.1"]

    /// `administrativeGenderCode` → FHIR administrative-gender.
    ///
    /// - the code (or, without one, the null flavor) through `administrativeGender`, whatever
    ///   system the code names, as before;
    /// - else the first `translation` from an administrative gender code system whose code maps
    ///   (`<translation code="M" codeSystem="2.16.840.1.113883.5.1"/>` under a local code);
    /// - else the source coding as it is (its own system, or v3 AdministrativeGender when it names
    ///   none), which FHIR writes as a `source-coding` extension on `_gender` and not as `gender`:
    ///   an unknown code leaves a trace and is reported as `unmappedCode`.
    func gender(_ element: XMLNode) -> Coding? {
        let code = element.value("code")
        let nullFlavor = code == nil ? element.nullFlavor : nil
        if let mapped = mappings.translate(.administrativeGender, code ?? nullFlavor) {
            return Coding(system: Self.fhirAdministrativeGender, code: mapped)
        }
        for translation in element.children("translation") {
            guard let translationSystem = translation.value("codeSystem"),
                Self.genderSystems.contains(translationSystem),
                let mapped = mappings.translate(.administrativeGender, translation.value("code"))
            else { continue }
            return Coding(system: Self.fhirAdministrativeGender, code: mapped)
        }
        if let nullFlavor {
            _ = translate(.administrativeGender, nullFlavor, system: Self.v3NullFlavor, at: element)
            return Coding(system: Self.v3NullFlavor, code: nullFlavor)
        }
        guard let code else { return nil }
        _ = translate(.administrativeGender, code, system: Self.v3AdministrativeGender, at: element)
        return Coding(
            system: codeSystem(element.value("codeSystem")) ?? Self.v3AdministrativeGender, code: code,
            display: element.value("displayName"))
    }
}
