import ClinicalModel

/// The document itself (`ClinicalDocument`) → Composition: its id, type (the document code), title,
/// date, confidentiality, authors, custodian and legal authenticator from the header, the patient
/// and the encompassing encounter, and the sections read from the body.
extension DocumentReader {
    func readComposition(_ root: XMLNode, sections: [DocumentSection]) {
        var composition = Composition(ref: EntityRef(.composition, key: ""), source: root.location)
        composition.identifiers = Array(identifiers(of: root).prefix(1))
        composition.patient = patient
        composition.encounter = documentEncounter
        composition.type = concept(root, "code")
        composition.date = record.document.recorded
        composition.authors = documentAuthors
        composition.title = root.child("title")?.normalizedText
        composition.confidentiality = root.child("confidentialityCode")?.value("code")
        composition.custodian = documentCustodian
        composition.legalAuthenticator = legalAuthenticator
        composition.legalAuthenticationTime = legalAuthenticationTime
        composition.sections = sections
        add(composition, to: \.compositions, key: scoped(idKey(root)), node: root)
    }
}
