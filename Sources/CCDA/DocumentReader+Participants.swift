import ClinicalModel

/// People, organizations and places named by the header and by entries (`author`, `performer`,
/// `informant`, `custodian`, service delivery locations). Each is kept once per business key
/// (an NPI, an organization id) however often it is named.
extension DocumentReader {
    /// `system|value` of the first identifier, like the HL7 v2 path's keys.
    func identifierKey(_ identifiers: [Identifier]) -> String? {
        guard let identifier = identifiers.first else { return nil }
        return [identifier.system ?? identifier.assigner ?? "", identifier.value].joined(separator: "|")
    }

    /// `assignedAuthor`, `assignedEntity` or `associatedEntity` with an `assignedPerson` (or an
    /// id) → Practitioner; its `representedOrganization` is read too. `nil` for a device author or
    /// an entity with neither a person nor an id.
    @discardableResult
    func practitioner(_ assigned: XMLNode?) -> EntityRef? {
        guard let assigned, assigned.nullFlavor == nil else { return nil }
        if let organization = assigned.child("representedOrganization") { self.organization(organization) }
        let person = assigned.child("assignedPerson") ?? assigned.child("associatedPerson")
        var practitioner = Practitioner(ref: EntityRef(.practitioner, key: ""), source: assigned.location)
        practitioner.identifiers = identifiers(of: assigned)
        if let person { practitioner.names = names(of: person) }
        guard person != nil || !practitioner.identifiers.isEmpty, assigned.child("assignedAuthoringDevice") == nil
        else { return nil }
        practitioner.telecom = telecoms(of: assigned)
        practitioner.addresses = addresses(of: assigned)
        if let code = concept(assigned, "code") { practitioner.qualifications.append(code) }
        // a person with only null-flavoured parts (`<name nullFlavor="NI"/>`, no id) is nobody: no
        // Practitioner holding nothing but an id
        guard
            !practitioner.identifiers.isEmpty || !practitioner.names.isEmpty || !practitioner.telecom.isEmpty
                || !practitioner.addresses.isEmpty || !practitioner.qualifications.isEmpty
        else { return nil }
        let key =
            identifierKey(practitioner.identifiers)
            ?? practitioner.names.first.map { name in
                (["name", name.family ?? ""] + name.given + [name.text ?? ""]).joined(separator: "|")
            } ?? positionKey(assigned)
        return upsert(practitioner, to: \.practitioners, key: key) { existing, new in
            for identifier in new.identifiers where !existing.identifiers.contains(identifier) {
                existing.identifiers.append(identifier)
            }
            for name in new.names where !existing.names.contains(name) { existing.names.append(name) }
            for point in new.telecom where !existing.telecom.contains(point) { existing.telecom.append(point) }
            for address in new.addresses where !existing.addresses.contains(address) {
                existing.addresses.append(address)
            }
            for qualification in new.qualifications where !existing.qualifications.contains(qualification) {
                existing.qualifications.append(qualification)
            }
        }
    }

    /// The practitioners of an act's `author` and `performer` elements.
    func actors(of node: XMLNode) -> [EntityRef] {
        var refs: [EntityRef] = []
        for author in node.children("author") {
            if let ref = practitioner(author.child("assignedAuthor")), !refs.contains(ref) { refs.append(ref) }
        }
        for performer in node.children("performer") {
            if let ref = practitioner(performer.child("assignedEntity")), !refs.contains(ref) { refs.append(ref) }
        }
        return refs
    }

    /// The practitioner of the first `author`.
    func authorPractitioner(_ node: XMLNode) -> EntityRef? {
        for author in node.children("author") {
            if let ref = practitioner(author.child("assignedAuthor")) { return ref }
        }
        return nil
    }

    /// An organization element (`representedOrganization`, `serviceProviderOrganization`,
    /// `manufacturerOrganization`, …) → Organization, keyed by its id, else by its name.
    @discardableResult
    func organization(_ node: XMLNode?) -> EntityRef? {
        guard let node, node.nullFlavor == nil else { return nil }
        var organization = Organization(ref: EntityRef(.organization, key: ""), source: node.location)
        organization.identifiers = identifiers(of: node)
        organization.name = node.children("name").lazy.compactMap(\.normalizedText).first
        guard !organization.identifiers.isEmpty || organization.name != nil else { return nil }
        // org-3 and org-2: an organization's telecom and address are never of use `home`; a source
        // `HP`/`H` there names the organization's own contact, which FHIR calls `work`
        organization.telecom = telecoms(of: node).map { point in
            var point = point
            if point.use == "home" { point.use = "work" }
            return point
        }
        organization.addresses = addresses(of: node).map { address in
            var address = address
            if address.use == "home" { address.use = "work" }
            return address
        }
        let key = identifierKey(organization.identifiers) ?? organization.name.map { "name|" + $0 } ?? positionKey(node)
        return upsert(organization, to: \.organizations, key: key) { existing, new in
            if existing.name == nil { existing.name = new.name }
            for identifier in new.identifiers where !existing.identifiers.contains(identifier) {
                existing.identifiers.append(identifier)
            }
            for point in new.telecom where !existing.telecom.contains(point) { existing.telecom.append(point) }
            for address in new.addresses where !existing.addresses.contains(address) {
                existing.addresses.append(address)
            }
        }
    }

    /// A `participantRole` or `healthCareFacility` (Service Delivery Location) → Location.
    @discardableResult
    func location(_ node: XMLNode?) -> EntityRef? {
        guard let node, node.nullFlavor == nil else { return nil }
        var location = Location(ref: EntityRef(.location, key: ""), source: node.location)
        location.identifiers = identifiers(of: node)
        let place = node.child("playingEntity") ?? node.child("location")
        location.name = place.flatMap { $0.children("name").lazy.compactMap(\.normalizedText).first }
        location.address =
            node.children("addr").lazy.compactMap(address).first
            ?? place.flatMap { $0.children("addr").lazy.compactMap(address).first }
        if let type = concept(node, "code") { location.description = type.text ?? type.first?.display }
        location.managingOrganization = organization(node.child("serviceProviderOrganization"))
        guard !location.identifiers.isEmpty || location.name != nil || location.address != nil else { return nil }
        let key =
            identifierKey(location.identifiers) ?? location.name.map { "name|" + $0 } ?? positionKey(node)
        return upsert(location, to: \.locations, key: key) { existing, new in
            if existing.name == nil { existing.name = new.name }
            if existing.address == nil { existing.address = new.address }
        }
    }
}
