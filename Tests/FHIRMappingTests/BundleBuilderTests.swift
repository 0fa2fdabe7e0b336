import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

@Suite struct BundleBuilderTests {
    let builder = BundleBuilder()
    let records = [Fixtures.fullRecord, Fixtures.secondRecord]

    @Test(arguments: BundleType.allCases, [false, true])
    func sameInputGivesSameBytes(_ type: BundleType, _ conditional: Bool) {
        let first = JSONWriter(style: .pretty).bytes(
            .object(builder.bundle(records, type: type, conditional: conditional).0))
        let second = JSONWriter(style: .pretty).bytes(
            .object(BundleBuilder().bundle(records, type: type, conditional: conditional).0))
        #expect(first == second)
        #expect(builder.ndjsonLines(Fixtures.fullRecord) == builder.ndjsonLines(Fixtures.fullRecord))
    }

    /// Every type but `document`, which a record that is no C-CDA document does not make
    /// (`CCDADocumentTests` in EngineTests covers it).
    @Test(arguments: BundleType.allCases.filter { $0 != .document })
    func bundleShape(_ type: BundleType) {
        let (bundle, _) = builder.bundle(records, type: type)
        #expect(bundle.keys == ["resourceType", "id", "type", "entry"])
        #expect(bundle["type"]?.stringValue == type.rawValue)
        for entry in bundle["entry"]?.arrayValue ?? [] {
            let id = entry["resource"]?["id"]?.stringValue ?? "?"
            #expect(entry["fullUrl"]?.stringValue == "urn:uuid:" + id)
            #expect((entry["request"] != nil) == (type != .collection))
        }
        #expect(JSONChecks.emptyElements(.object(bundle)).isEmpty)
    }

    @Test func bundleIDIsDerivedFromTheDocuments() {
        let id = builder.bundle(records, type: .transaction).0["id"]?.stringValue
        #expect(id == builder.bundle(records, type: .transaction).0["id"]?.stringValue)
        #expect(id != builder.bundle(records, type: .batch).0["id"]?.stringValue)
        #expect(id != builder.bundle([Fixtures.fullRecord], type: .transaction).0["id"]?.stringValue)
        #expect(id != builder.bundle(records.reversed(), type: .transaction).0["id"]?.stringValue)
    }

    @Test func entriesAreSortedByTypeThenID() {
        let (bundle, _) = builder.bundle(records, type: .collection)
        let keys = JSONChecks.resources(inBundle: bundle).map {
            ResourceKey(resourceType: $0["resourceType"]?.stringValue ?? "", id: $0["id"]?.stringValue ?? "")
        }
        #expect(keys == keys.sorted())
        #expect(keys.first?.resourceType == "Patient")
        #expect(keys.last?.resourceType == "MessageHeader")
        #expect(Set(keys).count == keys.count)
    }

    @Test(arguments: [BundleType.transaction, .collection])
    func referencesResolveInsideTheBundleByFullUrl(_ type: BundleType) {
        var record = Fixtures.fullRecord
        record.encounters[0].priorLocation = nil  // targets this record does not hold: the prior location,
        record.patients.append(Patient(ref: Fixtures.mergedRef))  // and the merged patient
        let (bundle, diagnostics) = builder.bundle([record], type: type)
        #expect(JSONChecks.unresolvedReferences(inBundle: bundle).isEmpty)
        let references = JSONChecks.resources(inBundle: bundle).flatMap { JSONChecks.references(.object($0)) }
        #expect(!references.isEmpty)
        #expect(references.allSatisfy { $0.hasPrefix("urn:uuid:") })
        #expect(!diagnostics.contains { $0.kind == .unresolvedReference })
    }

    @Test func batchReferencesUseTypeAndID() {
        let (bundle, _) = builder.bundle(records, type: .batch)
        let references = JSONChecks.resources(inBundle: bundle).flatMap { JSONChecks.references(.object($0)) }
        #expect(references.allSatisfy { !$0.hasPrefix("urn:") })
        #expect(
            Set(JSONChecks.unresolvedReferences(inBundle: bundle)) == [
                "Patient/" + ResourceID.derive(Fixtures.mergedRef),
                "Location/" + ResourceID.derive(EntityRef(.location, key: "LOC|ER|1")),
            ])
    }

    @Test func missingTargetIsReferencedByTypeAndIDAndReported() throws {
        let (bundle, diagnostics) = builder.bundle([Fixtures.fullRecord], type: .transaction)
        let prior = ResourceID.derive(EntityRef(.location, key: "LOC|ER|1"))
        let encounter = try #require(JSONChecks.resource(bundle, type: "Encounter"))
        #expect(JSON.object(encounter)["location", 1, "location", "reference"]?.stringValue == "Location/" + prior)
        let unresolved = diagnostics.filter { $0.kind == .unresolvedReference && $0.code == "Location" }
        #expect(unresolved.count == 1)
        #expect(unresolved.first?.code == "Location")
        #expect(unresolved.first?.location == Fixtures.location("PV1"))
        // a diagnostic says where, never what: no key, no id
        #expect(!(unresolved.first?.description.contains("LOC") ?? true))
        #expect(!(unresolved.first?.description.contains(prior) ?? true))
    }

    @Test func transactionRequestsArePUTsAtDerivedIDs() {
        let (bundle, _) = builder.bundle(records, type: .transaction)
        for entry in bundle["entry"]?.arrayValue ?? [] {
            let type = entry["resource"]?["resourceType"]?.stringValue ?? "?"
            let id = entry["resource"]?["id"]?.stringValue ?? "?"
            #expect(entry["request"]?["method"]?.stringValue == "PUT")
            #expect(entry["request"]?["url"]?.stringValue == type + "/" + id)
        }
    }

    @Test func conditionalCreatesUseTheBusinessIdentifier() throws {
        let (bundle, _) = builder.bundle(records, type: .transaction, conditional: true)
        let entries = bundle["entry"]?.arrayValue ?? []
        let patient = try #require(
            entries.first { $0["resource"]?["id"]?.stringValue == ResourceID.derive(Fixtures.patientRef) })
        #expect(patient["request"]?["method"]?.stringValue == "POST")
        #expect(patient["request"]?["url"]?.stringValue == "Patient")
        #expect(
            patient["request"]?["ifNoneExist"]?.stringValue == "identifier=urn:oid:2.16.840.1.113883.19.5|12345")
        #expect(patient["fullUrl"]?.stringValue == "urn:uuid:" + ResourceID.derive(Fixtures.patientRef))
        // No identifier with a system: a PUT at the derived id.
        let linkage = try #require(entries.first { $0["resource"]?["resourceType"]?.stringValue == "Linkage" })
        #expect(linkage["request"]?["method"]?.stringValue == "PUT")
        #expect(JSONChecks.unresolvedReferences(inBundle: bundle).count == 2)  // prior location, merged patient
    }

    @Test func conditionalSearchValuesAreEscapedAndPercentEncoded() throws {
        var record = ClinicalRecord(document: Fixtures.document)
        var patient = Patient(ref: EntityRef(.patient, key: "odd"))
        patient.identifiers = [Identifier(system: "urn:oid:1.2.3", value: "A B|C,D&E")]
        record.patients = [patient]
        let (bundle, _) = builder.bundle([record], type: .batch, conditional: true)
        let entry = try #require(bundle["entry"]?.arrayValue?.first)
        #expect(entry["request"]?["ifNoneExist"]?.stringValue == "identifier=urn:oid:1.2.3|A%20B%5C%7CC%5C%2CD%26E")
    }

    @Test func duplicateEntitiesMergeLastWins() throws {
        let (bundle, _) = builder.bundle(records, type: .collection)
        let patients = JSONChecks.resources(inBundle: bundle).filter {
            $0["id"]?.stringValue == ResourceID.derive(Fixtures.patientRef)
        }
        #expect(patients.count == 1)
        #expect(JSON.object(patients[0])["name", 0, "given"] == .array([.string("Adam")]))  // from the second record
        let provenances = JSONChecks.resources(inBundle: bundle).filter {
            $0["resourceType"]?.stringValue == "Provenance"
        }
        #expect(provenances.count == 2)
        let reversed = builder.bundle(records.reversed(), type: .collection).0
        let first = try #require(
            JSONChecks.resource(reversed, type: "Patient", id: ResourceID.derive(Fixtures.patientRef)))
        #expect(JSON.object(first)["name", 0, "given"] == .array([.string("Adam"), .string("A.")]))
    }

    @Test func mergeMessageInventsNoPatient() {
        var record = ClinicalRecord(document: Fixtures.document)
        record.patientLinks = [Fixtures.patientLink]
        let (bundle, diagnostics) = builder.bundle([record], type: .transaction)
        let types = JSONChecks.resources(inBundle: bundle).compactMap { $0["resourceType"]?.stringValue }
        #expect(
            types
                == ["Linkage", "Device", "Device", "Organization", "Provenance", "MessageHeader"].sorted {
                    ResourceKey(resourceType: $0, id: "") < ResourceKey(resourceType: $1, id: "")
                })
        // Both patients live on the server: referenced by derived id, reported as unresolved.
        #expect(
            Set(JSONChecks.unresolvedReferences(inBundle: bundle)) == [
                "Patient/" + ResourceID.derive(Fixtures.patientRef), "Patient/" + ResourceID.derive(Fixtures.mergedRef),
            ])
        #expect(diagnostics.filter { $0.kind == .unresolvedReference }.count == 1)  // one per entity and kind
    }

    @Test func ndjsonLinesAreCompactSortedResources() throws {
        let lines = builder.ndjsonLines(Fixtures.fullRecord)
        let (resources, _) = builder.resources(Fixtures.fullRecord)
        #expect(lines.count == resources.count)
        for (line, resource) in zip(lines, resources) {
            #expect(!line.contains(0x0A))
            #expect(try JSONReader.parse(line) == .object(resource))
        }
        let references = resources.flatMap { JSONChecks.references(.object($0)) }
        #expect(references.allSatisfy { !$0.hasPrefix("urn:") && $0.contains("/") })
        let types = resources.compactMap { $0["resourceType"]?.stringValue }
        #expect(types.first == "Patient")
        #expect(types.last == "MessageHeader")
    }

    @Test func emptyRecordGivesAnEmptyBundleWithoutEntryArray() {
        let (bundle, diagnostics) = builder.bundle([ClinicalRecord(document: Fixtures.document)], type: .transaction)
        #expect(bundle.keys == ["resourceType", "id", "type"])
        #expect(diagnostics.isEmpty)
    }
}
