import Foundation
import Terminology
import Testing

@Suite("Code system URIs and OIDs")
struct SystemURITests {
    @Test(arguments: [
        ("LN", "http://loinc.org"), ("loinc", "http://loinc.org"), (" SCT ", "http://snomed.info/sct"),
        ("SNM3", "http://snomed.info/sct"), ("I10", "http://hl7.org/fhir/sid/icd-10-cm"),
        ("ICD-10-CM", "http://hl7.org/fhir/sid/icd-10-cm"), ("I9CDX", "http://hl7.org/fhir/sid/icd-9-cm"),
        ("RXNORM", "http://www.nlm.nih.gov/research/umls/rxnorm"), ("CVX", "http://hl7.org/fhir/sid/cvx"),
        ("NDC", "http://hl7.org/fhir/sid/ndc"), ("UCUM", "http://unitsofmeasure.org"),
        ("C4", "http://www.ama-assn.org/go/cpt"), ("ISO3166_1", "urn:iso:std:iso:3166"),
        ("MVX", "http://hl7.org/fhir/sid/mvx"), ("CDCREC", "urn:oid:2.16.840.1.113883.6.238"),
        ("HL70005", "http://terminology.hl7.org/CodeSystem/v2-0005"),
        ("HL7-0203", "http://terminology.hl7.org/CodeSystem/v2-0203"),
        ("hl70078", "http://terminology.hl7.org/CodeSystem/v2-0078"),
        ("HL7078", "http://terminology.hl7.org/CodeSystem/v2-0078"),
    ])
    func v2NamesHaveURIs(_ name: String, _ uri: String) throws {
        #expect(try Fixtures.store().systemURI(forV2Name: name) == uri)
    }

    /// Names come from the registry files: the OID registry first, then the v2 coding systems' titles.
    @Test(arguments: [
        ("http://loinc.org", "LOINC"), ("http://nucc.org/provider-taxonomy", "NUCC Health Care Provider Taxonomy"),
        ("urn:oid:2.16.840.1.113883.6.238", "CDC Race and Ethnicity"),
        ("http://hl7.org/fhir/sid/cvx", "CVX (HL7 v2 table 0292)"),
    ])
    func systemsHaveRegistryNames(_ uri: String, _ name: String) throws {
        #expect(try Fixtures.store().systemName(forURI: uri) == name)
    }

    @Test func shortNamesFallBackToTheName() throws {
        let store = try Fixtures.store()
        #expect(store.systemShortName(forURI: "http://hl7.org/fhir/sid/cvx") == "CVX")
        #expect(store.systemShortName(forURI: "http://loinc.org") == "LOINC")
    }

    @Test func unlistedSystemsHaveNoName() throws {
        #expect(try Fixtures.store().systemName(forURI: "http://example.org/local-codes") == nil)
        #expect(try Fixtures.store().systemShortName(forURI: "http://example.org/local-codes") == nil)
    }

    @Test(arguments: ["L", "99ZZZ", "99Local", "LB", "NOSUCH", "", "HL7", "HL70"])
    func localAndUnknownNamesHaveNoURI(_ name: String) throws {
        #expect(try Fixtures.store().systemURI(forV2Name: name) == nil)
    }

    @Test(arguments: [
        ("2.16.840.1.113883.6.96", "http://snomed.info/sct"), ("2.16.840.1.113883.6.1", "http://loinc.org"),
        ("urn:oid:2.16.840.1.113883.6.90", "http://hl7.org/fhir/sid/icd-10-cm"),
        ("2.16.840.1.113883.6.103", "http://hl7.org/fhir/sid/icd-9-cm"),
        ("2.16.840.1.113883.6.104", "http://hl7.org/fhir/sid/icd-9-cm"),
        ("2.16.840.1.113883.6.88", "http://www.nlm.nih.gov/research/umls/rxnorm"),
        ("2.16.840.1.113883.12.292", "http://hl7.org/fhir/sid/cvx"),
        ("2.16.840.1.113883.12.227", "http://hl7.org/fhir/sid/mvx"),
        ("2.16.840.1.113883.5.1", "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender"),
        ("2.16.840.1.113883.5.83", "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"),
        ("2.16.840.1.113883.12.4", "http://terminology.hl7.org/CodeSystem/v2-0004"),
        ("2.16.840.1.113883.12.203", "http://terminology.hl7.org/CodeSystem/v2-0203"),
        ("2.16.840.1.113883.4.642.4.2", "http://hl7.org/fhir/administrative-gender"),
    ])
    func oidsHaveURIs(_ oid: String, _ uri: String) throws {
        #expect(try Fixtures.store().systemURI(forOID: oid) == uri)
    }

    @Test func unknownOIDsHaveNoURI() throws {
        let store = try Fixtures.store()
        #expect(store.systemURI(forOID: "1.2.3.4.5") == nil)
        #expect(store.systemURI(forOID: "not.an.oid") == nil)
        #expect(store.systemURI(forOID: "2.16.840.1.113883.12.12345") == nil)
    }

    @Test func everyRegistryEntryRoundTrips() throws {
        let store = try Fixtures.store()
        let data = try Data(contentsOf: Fixtures.terminologyDirectory.appendingPathComponent("systems/oid-uri.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(entries.count >= 60)
        for entry in entries {
            let oid = try #require(entry["oid"] as? String)
            let uri = try #require(entry["uri"] as? String)
            #expect(store.systemURI(forOID: oid) == uri)
            let back = try #require(store.oid(forSystemURI: uri), "\(uri) has no OID")
            #expect(store.systemURI(forOID: back) == uri)
            if entry["reverse"] as? Bool != false { #expect(back == oid) }
        }
    }

    @Test func v2TableOIDsRoundTrip() throws {
        let store = try Fixtures.store()
        #expect(store.oid(forSystemURI: "http://terminology.hl7.org/CodeSystem/v2-0001") == "2.16.840.1.113883.12.1")
        #expect(store.systemURI(forOID: "2.16.840.1.113883.12.1") == "http://terminology.hl7.org/CodeSystem/v2-0001")
        #expect(store.oid(forSystemURI: "urn:oid:1.2.3.4") == "1.2.3.4")
        #expect(store.oid(forSystemURI: "http://example.org/unknown") == nil)
    }

    @Test(arguments: [
        ("LN", "http://loinc.org"), ("2.16.840.1.113883.6.96", "http://snomed.info/sct"),
        ("urn:oid:2.16.840.1.113883.6.1", "http://loinc.org"), ("URN:OID:2.16.840.1.113883.6.1", "http://loinc.org"),
        ("urn:oid:1.2.3.4", "urn:oid:1.2.3.4"), ("1.2.3.4", "urn:oid:1.2.3.4"),
        ("http://loinc.org", "http://loinc.org"), ("http://example.org/codes", "http://example.org/codes"),
        ("http://hl7.org/fhir/v2/0203", "http://terminology.hl7.org/CodeSystem/v2-0203"),
        ("http://hl7.org/fhir/v3/MaritalStatus", "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"),
        ("http://terminology.hl7.org/CodeSystem/MVX", "http://hl7.org/fhir/sid/mvx"),
        ("HL70001", "http://terminology.hl7.org/CodeSystem/v2-0001"),
    ])
    func normalizeSystemGivesCanonicalURIs(_ raw: String, _ uri: String) throws {
        #expect(try Fixtures.store().normalizeSystem(raw) == uri)
    }

    @Test func normalizeSystemDropsLocalAndUnknownNames() throws {
        let store = try Fixtures.store()
        for raw: String? in [nil, "", "  ", "L", "99ABC", "NOSUCHSYSTEM"] {
            #expect(store.normalizeSystem(raw) == nil, "\(raw ?? "nil")")
        }
        #expect(store.isLocalV2Name("99zzz"))
        #expect(!store.isLocalV2Name("LN"))
    }
}
