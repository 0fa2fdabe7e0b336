import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

/// What R4 elements cannot hold as the record has it is kept in fhirbridge extensions, so the
/// reverse mapping gives the record back (FHIRMapping.docc, "Reading FHIR back").
@Suite struct LosslessMappingTests {
    static let base = "http://fhirbridge.dev/fhir/StructureDefinition/"

    static func extensionValue(_ element: JSON?, _ name: String, _ valueKey: String) -> JSON? {
        element?["extension"]?.arrayValue?.first { $0["url"]?.stringValue == base + name }?[valueKey]
    }

    @Test func bundleResourcesCarryTheirRecordKeyLast() throws {
        let (resources, _) = BundleBuilder().resources(Fixtures.fullRecord)
        let patient = try #require(resources.first { $0["resourceType"]?.stringValue == "Patient" })
        let extensions = JSON.object(patient)["extension"]?.arrayValue ?? []
        #expect(extensions.last?["url"]?.stringValue == Self.base + "record-key")
        #expect(extensions.last?["valueString"]?.stringValue == Fixtures.patientRef.key)
        let allergy = try #require(resources.first { $0["resourceType"]?.stringValue == "AllergyIntolerance" })
        #expect(Array(allergy.keys.prefix(3)) == ["resourceType", "id", "extension"])
        let facility = ResourceID.derive(resourceType: "Organization", key: "sending-facility|GOOD HEALTH HOSPITAL")
        for resource in resources
        where !["Provenance", "Device", "MessageHeader"].contains(resource["resourceType"]?.stringValue) {
            guard resource["id"]?.stringValue != facility else { continue }
            #expect(Self.extensionValue(.object(resource), "record-key", "valueString") != nil)
        }
    }

    @Test func referenceToATargetNotEmittedCarriesItsKey() throws {
        let (resources, _) = BundleBuilder().resources(Fixtures.fullRecord)
        let encounter = try #require(resources.first { $0["resourceType"]?.stringValue == "Encounter" })
        let prior = JSON.object(encounter)["location", 1, "location"]
        #expect(Self.extensionValue(prior, "record-key", "valueString")?.stringValue == "LOC|ER|1")
        let current = JSON.object(encounter)["location", 0, "location"]
        #expect(current?["extension"] == nil)
    }

    @Test func provenanceTargetsFollowTheRecordOrder() throws {
        var record = ClinicalRecord(document: Fixtures.document)
        record.observations = [Fixtures.observation("b", nil), Fixtures.observation("a", nil)]
        record.patients = [Fixtures.patient]
        let (resources, _) = BundleBuilder().resources(record)
        let provenance = try #require(resources.first { $0["resourceType"]?.stringValue == "Provenance" })
        let targets = (provenance["target"]?.arrayValue ?? []).compactMap { $0["reference"]?.stringValue }
        #expect(
            targets == [
                "Patient/" + ResourceID.derive(Fixtures.patientRef),
                "Observation/" + ResourceID.derive(record.observations[0].ref),
                "Observation/" + ResourceID.derive(record.observations[1].ref),
            ])
    }

    @Test func provenanceSourceEntityNamesTheDocument() throws {
        var document = Fixtures.document
        document.recorded = Fixtures.dt("2024-03-05T10:30Z")
        let (resources, _) = FHIRMapper().provenance(document, targets: [ResourceKey(Fixtures.patientRef)])
        let entity = JSON.object(try #require(resources.first))["entity", 0]
        let facts = entity?["extension", 0]
        #expect(facts?["url"]?.stringValue == Self.base + "source-document")
        let parts = Dictionary(
            uniqueKeysWithValues: (facts?["extension"]?.arrayValue ?? []).compactMap { part -> (String, String)? in
                guard let url = part["url"]?.stringValue else { return nil }
                let value = part.objectValue?.members.first { $0.key.hasPrefix("value") }?.value
                return (url, value?.stringValue ?? value?.numberLexical ?? "")
            })
        #expect(parts["format"] == "hl7v2")
        #expect(parts["inputName"] == "adt-a01-basic.hl7")
        #expect(parts["index"] == "1")
        #expect(parts["controlID"] == "MSG00001")
        #expect(parts["type"] == "ADT^A01^ADT_A01")
        #expect(parts["version"] == "2.5.1")
        #expect(parts["recorded"] == "2024-03-05T10:30Z")  // minute precision: `recorded` says 10:30:00
    }

    @Test func invalidCodesAndTimesKeepTheirSourceForm() {
        var patient = Patient(ref: EntityRef(.patient, key: "1"))
        patient.gender = Coding(system: "HL70001", code: "F")
        patient.birthDate = Fixtures.dt("1961-13-45")
        patient.identifiers = [Identifier(system: "not a uri", value: "1", use: "bogus")]
        patient.telecom = [ContactPoint(system: "PH", value: "555", rank: 0)]
        let json = JSON.object(FHIRMapper().patient(patient).0)
        #expect(json["gender"] == nil)
        #expect(Self.extensionValue(json["_gender"], "source-coding", "valueCoding")?["code"]?.stringValue == "F")
        #expect(json["birthDate"] == nil)
        #expect(Self.extensionValue(json["_birthDate"], "source-value", "valueString")?.stringValue == "1961-13-45")
        let identifier = json["identifier", 0]
        #expect(Self.extensionValue(identifier?["_system"], "source-value", "valueString")?.stringValue == "not a uri")
        #expect(Self.extensionValue(identifier?["_use"], "source-value", "valueString")?.stringValue == "bogus")
        #expect(AbsentDataTests.absent(json["telecom", 0, "_system"]))
        #expect(Self.extensionValue(json["telecom", 0, "_system"], "source-value", "valueString")?.stringValue == "PH")
        #expect(Self.extensionValue(json["telecom", 0, "_rank"], "source-value", "valueString")?.stringValue == "0")
    }

    @Test func fallbackStatusIsMarkedAbsentInSource() {
        let json = JSON.object(FHIRMapper().encounter(Encounter(ref: EntityRef(.encounter, key: "1"))).0)
        #expect(json["status"]?.stringValue == "unknown")
        #expect(Self.extensionValue(json["_status"], "absent-in-source", "valueBoolean") == .bool(true))
        var explicit = Encounter(ref: EntityRef(.encounter, key: "1"))
        explicit.status = "unknown"
        #expect(JSON.object(FHIRMapper().encounter(explicit).0)["_status"] == nil)
    }

    @Test func patientFlagsBesideChoiceValuesAreKept() {
        var patient = Fixtures.patient
        patient.deceased = true
        patient.deceasedAt = Fixtures.dt("2024-03-07T01:02:03Z")
        let json = JSON.object(FHIRMapper().patient(patient).0)
        #expect(Self.extensionValue(json, "patient-deceased", "valueBoolean") == .bool(true))
        #expect(Self.extensionValue(json, "patient-multiple-birth", "valueBoolean") == .bool(true))
        #expect(
            Self.extensionValue(json, "patient-last-updated", "valueDateTime")?.stringValue == "2024-03-05T10:30:00Z")
        // the US Core race extension cannot give back a concept's own text: the concepts follow
        let races = (json["extension"]?.arrayValue ?? []).filter {
            $0["url"]?.stringValue == Self.base + "patient-race"
        }
        #expect(races.count == 2)
    }

    @Test func noKnownAllergyCodeIsMarkedAsSupplied() {
        var allergy = Allergy(ref: EntityRef(.allergy, key: "NKA"))
        allergy.noKnownAllergy = true
        allergy.clinicalStatus = "active"
        let json = JSON.object(FHIRMapper().allergyIntolerance(allergy).0)
        #expect(Self.extensionValue(json, "no-known-allergy", "valueBoolean") == .bool(true))
        #expect(Self.extensionValue(json["code"], "absent-in-source", "valueBoolean") == .bool(true))
    }

    @Test func invalidAllergyCategoriesStayInPlace() {
        var allergy = Allergy(ref: EntityRef(.allergy, key: "1"))
        allergy.clinicalStatus = "active"
        allergy.categories = ["food", "MA", "medication"]
        let json = JSON.object(FHIRMapper().allergyIntolerance(allergy).0)
        #expect(json["category"] == .array([.string("food"), .null, .string("medication")]))
        #expect(json["_category", 0] == .null)
        #expect(Self.extensionValue(json["_category", 1], "source-value", "valueString")?.stringValue == "MA")
    }

    @Test func performerPeriodAndMergedIdentifiersAreKept() {
        var procedure = Fixtures.procedure
        procedure.performers = [Participant(who: Fixtures.practitionerRef, period: Period(start: Fixtures.dt("2024")))]
        let json = JSON.object(FHIRMapper().procedure(procedure).0)
        #expect(
            Self.extensionValue(json["performer", 0], "participant-period", "valuePeriod")?["start"]?.stringValue
                == "2024")
        let linkage = JSON.object(FHIRMapper().linkage(Fixtures.patientLink).0)
        #expect(Self.extensionValue(linkage, "merged-identifier", "valueIdentifier")?["value"]?.stringValue == "99999")
    }
}
