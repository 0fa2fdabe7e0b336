import ClinicalModel
import Crypto
import FHIRMapping
import Testing

@Suite struct ResourceIDTests {
    /// The documented recipe, computed here independently of `ResourceID`.
    static func byHand(_ resourceType: String, _ key: String) -> String {
        var bytes = Array(SHA256.hash(data: Array("fhirbridge/v1|\(resourceType)|\(key)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }
        let groups = [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]]
        return groups.map { $0.joined() }.joined(separator: "-")
    }

    @Test(arguments: EntityKind.allCases)
    func derivedIDFollowsTheDocumentedRecipe(_ kind: EntityKind) {
        let key = "MR|urn:oid:2.16.840.1.113883.19.5|12345"
        #expect(ResourceID.derive(kind: kind, key: key) == Self.byHand(kind.fhirResourceType, key))
    }

    @Test func derivedIDIsPinned() {
        // Changing this value changes every id fhirbridge has ever written: bump the recipe prefix instead.
        #expect(
            ResourceID.derive(kind: .patient, key: "MR|urn:oid:2.16.840.1.113883.19.5|12345")
                == "b4177481-c06c-55cd-8cf1-cd3b5d214491")
    }

    @Test func derivedIDIsAVersion5VariantUUID() {
        let id = ResourceID.derive(kind: .observation, key: "OBS|1")
        let characters = Array(id)
        #expect(characters.count == 36)
        #expect(characters[14] == "5")
        #expect("89ab".contains(characters[19]))
        #expect(id == id.lowercased())
        #expect([8, 13, 18, 23].allSatisfy { characters[$0] == "-" })
    }

    @Test func sameKeyDifferentTypeGivesDifferentIDs() {
        #expect(ResourceID.derive(kind: .patient, key: "1") != ResourceID.derive(kind: .practitioner, key: "1"))
        #expect(ResourceID.derive(kind: .patient, key: "1") == ResourceID.derive(kind: .patient, key: "1"))
        #expect(ResourceID.derive(kind: .patient, key: "1") != ResourceID.derive(kind: .patient, key: "2"))
    }

    @Test func resourceTypesFollowR4Names() {
        #expect(EntityKind.allergy.fhirResourceType == "AllergyIntolerance")
        #expect(EntityKind.medication.fhirResourceType == "MedicationRequest")
        #expect(EntityKind.document.fhirResourceType == "DocumentReference")
        #expect(EntityKind.patientLink.fhirResourceType == "Linkage")
    }
}
