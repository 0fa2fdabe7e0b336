import ClinicalModel
import HL7v2

extension V2Converters {
    /// XCN: id^family^given^middle^suffix^prefix^degree^source table^assigning authority (HD, 9)^
    /// name type (10)^…^identifier type (13). Creates or merges a `Practitioner` and returns its reference.
    func practitioner(xcn rep: HL7Repetition, context: inout MappingContext, location: SourceLocation) -> EntityRef? {
        let id = rep[1].value
        var name = HumanName()
        name.family = rep[2].value
        if let given = rep[3].value { name.given.append(given) }
        if let middle = rep[4].value { name.given.append(middle) }
        if let suffix = rep[5].value { name.suffix.append(suffix) }
        if let prefix = rep[6].value { name.prefix.append(prefix) }
        if let degree = rep[7].value { name.suffix.append(degree) }
        guard id != nil || !name.isEmpty else { return nil }
        context.carry(rep, components: 1...7)
        var identifiers: [Identifier] = []
        if let id {
            let (system, assigner) = hierarchicDesignator(rep[9], of: rep, context: &context)
            var identifier = Identifier(system: system, value: id, assigner: assigner)
            if let type = rep[13].value {
                identifier.type = Concept(Coding(system: tableSystem("0203"), code: type))
                context.carry(rep, 13)
            }
            identifiers.append(identifier)
        }
        let (system, assigner) = hierarchicDesignator(
            namespace: rep[9][1], universalID: rep[9][2], type: rep[9][3])
        let key: String
        if let id {
            key = [system ?? assigner ?? "", id].joined(separator: "|")
        } else {
            key =
                "name|"
                + [name.family ?? "", name.given.joined(separator: " "), name.prefix.joined(separator: " ")].joined(
                    separator: "|")
        }
        var practitioner = Practitioner(ref: EntityRef(.practitioner, key: key), source: location)
        practitioner.identifiers = identifiers
        if !name.isEmpty { practitioner.names = [name] }
        context.upsertPractitioner(practitioner)
        return practitioner.ref
    }

    /// XON: name^type^id (old)^check digit^scheme^assigning authority (HD, 6)^identifier type (7)^
    /// assigning facility^name representation^organization identifier (10)
    func organization(xon rep: HL7Repetition, context: inout MappingContext, location: SourceLocation) -> EntityRef? {
        let name = rep[1].value
        let id = rep[10].value ?? rep[3].value
        guard name != nil || id != nil else { return nil }
        context.carry(rep, 1)
        context.carry(rep, rep[10].value != nil ? 10 : 3)
        let (system, assigner) =
            id != nil
            ? hierarchicDesignator(rep[6], of: rep, context: &context)
            : hierarchicDesignator(namespace: rep[6][1], universalID: rep[6][2], type: rep[6][3])
        var organization = Organization(
            ref: EntityRef(
                .organization,
                key: id.map { [system ?? assigner ?? "", $0].joined(separator: "|") } ?? "name|\(name ?? "")"),
            source: location)
        organization.name = name
        if let id {
            var identifier = Identifier(system: system, value: id, assigner: assigner)
            if let type = rep[7].value {
                identifier.type = Concept(Coding(system: tableSystem("0203"), code: type))
                context.carry(rep, 7)
            }
            organization.identifiers = [identifier]
        }
        context.upsertOrganization(organization)
        return organization.ref
    }

    /// HD used as an organization (MSH-4 sending facility).
    func organization(hd rep: HL7Repetition, context: inout MappingContext, location: SourceLocation) -> EntityRef? {
        guard let identifier = identifier(hd: rep, context: &context) else { return nil }
        var organization = Organization(
            ref: EntityRef(.organization, parts: [identifier.system, identifier.value]), source: location)
        organization.name = rep[1].value
        if rep[2].value != nil { organization.identifiers = [identifier] }
        context.upsertOrganization(organization)
        return organization.ref
    }

    /// PL: point of care^room^bed^facility (HD)^location status^person location type^building^floor^
    /// description. Creates a location per level present (facility > building > floor > point of
    /// care > room > bed), each `partOf` the one above, and returns the most specific one.
    func location(pl rep: HL7Repetition, context: inout MappingContext, location: SourceLocation) -> EntityRef? {
        let facility = rep[4]
        let facilityName = facility[1] ?? facility[2]
        let levels: [(String?, String)] = [
            (facilityName, "si"), (rep[7].value, "bu"), (rep[8].value, "lvl"), (rep[1].value, "wa"),
            (rep[2].value, "ro"), (rep[3].value, "bd"),
        ]
        var parent: EntityRef?
        var keyParts: [String] = []
        for ((name, physicalType), component) in zip(levels, [4, 7, 8, 1, 2, 3]) {
            guard let name else { continue }
            if component == 4 {
                context.carry(rep, 4, subcomponent: facility[1] != nil ? 1 : 2)
            } else {
                context.carry(rep, component)
            }
            keyParts.append("\(physicalType)=\(name)")
            var place = Location(ref: EntityRef(.location, key: keyParts.joined(separator: "|")), source: location)
            place.name = name
            place.physicalType = Coding(
                system: "http://terminology.hl7.org/CodeSystem/location-physical-type", code: physicalType)
            place.partOf = parent
            if parent == nil, let universal = facility[2] {
                let (system, _) = hierarchicDesignator(namespace: nil, universalID: universal, type: facility[3])
                if let system {
                    place.identifiers = [Identifier(system: "urn:ietf:rfc:3986", value: system)]
                    for subcomponent in 2...3 { context.carry(rep, 4, subcomponent: subcomponent) }
                }
            }
            if physicalType == rep.lastPresentLevelType(levels), let description = rep[9].value {
                place.description = description
                context.carry(rep, 9)
            }
            context.upsertLocation(place)
            parent = place.ref
        }
        if parent == nil, let description = rep[9].value {
            context.carry(rep, 9)
            var place = Location(ref: EntityRef(.location, key: "text|\(description)"), source: location)
            place.name = description
            context.upsertLocation(place)
            parent = place.ref
        }
        return parent
    }
}

extension HL7Repetition {
    fileprivate func lastPresentLevelType(_ levels: [(String?, String)]) -> String? {
        levels.last(where: { $0.0 != nil })?.1
    }
}
