import ClinicalModel
import FHIRR4
import Pipeline
import Testing

/// Issue 18, the HL7 v2 half: what the HL7 v2-to-FHIR IG says and fhirbridge did otherwise, each
/// shown on a synthetic message of our own (no corpus needed).
struct IGBreadthTests {
    static func convert(_ segments: [String]) throws -> UnitResult {
        let text = segments.joined(separator: "\r") + "\r"
        let units = Support.engine.convert(Array(text.utf8), inputName: "ig-breadth")
        return try #require(units.first)
    }

    static func record(_ segments: [String]) throws -> ClinicalRecord {
        let unit = try convert(segments)
        #expect(unit.error == nil)
        return try #require(unit.record)
    }

    static func resources(_ record: ClinicalRecord, _ type: String) throws -> [JSON] {
        let bundle = try Support.bundle([record])
        return (bundle["entry"]?.arrayValue ?? []).compactMap { entry in
            entry["resource"]?["resourceType"]?.stringValue == type ? entry["resource"] : nil
        }
    }

    static let msh = "MSH|^~\\&|APP|FAC|RCV|RFAC|20240105103000+0000||"
    static let pid = "PID|1||MRN123^^^HOSP&1.2.3.4&ISO^MR||DOE^JANE||19800101|F"

    // MARK: Encounter.status (IG PV1[Encounter], MSH[Encounter] for A11)

    @Test(arguments: [
        ("ADT^A08^ADT_A01", "P", "", "planned"),
        ("ADT^A08^ADT_A01", "I", "", "in-progress"),
        ("ADT^A08^ADT_A01", "U", "", "unknown"),
        ("ADT^A04^ADT_A01", "O", "", "in-progress"),
        ("ADT^A08^ADT_A01", "I", "20240106090000+0000", "finished"),
        ("ADT^A11^ADT_A09", "I", "", "cancelled"),
        ("ADT^A03^ADT_A03", "I", "", "finished"),
    ])
    func encounterStatusFollowsTheIG(type: String, patientClass: String, discharge: String, status: String) throws {
        var pv1 = Array(repeating: "", count: 46)
        pv1[0] = "PV1"
        pv1[1] = "1"
        pv1[2] = patientClass
        pv1[3] = "W1^R1^B1"
        pv1[19] = "V100^^^HOSP^VN"
        pv1[44] = "20240105100000+0000"
        pv1[45] = discharge
        let record = try Self.record([Self.msh + "\(type)|C1|P|2.5.1", Self.pid, pv1.joined(separator: "|")])
        #expect(record.encounters.map(\.status) == [status])
    }

    // MARK: Pharmacy orders: RXR route, no code-less ServiceRequest

    @Test func pharmacyOrderIsOneMedicationRequestWithItsRoute() throws {
        let record = try Self.record([
            Self.msh + "RDE^O11^RDE_O11|C2|P|2.5.1", Self.pid,
            "ORC|NW|ORD1^PLACER||||||||||1234^SMITH^JOHN",
            "TQ1|1||||||20240105120000+0000|20240110120000+0000|S^Stat^HL70485",
            "RXE|^^^20240105120000+0000|0143963401^NICARDIPINE 40 MG/200 ML^NDC|5||mg",
            "RXR|IV^Intravenous^HL70162",
        ])
        #expect(record.serviceRequests.isEmpty)
        let medication = try #require(record.medications.first)
        #expect(record.medications.count == 1)
        #expect(medication.route?.first?.code == "IV")
        #expect(medication.identifiers.map(\.value) == ["ORD1"])
        #expect(medication.priority == "stat")
        #expect(medication.period?.start != nil)
        let requests = try Self.resources(record, "MedicationRequest")
        #expect(requests.first?["priority"]?.stringValue == "stat")
        let dosage = requests.first?["dosageInstruction"]?.arrayValue?.first
        #expect(dosage?["route"]?["coding"]?.arrayValue?.first?["code"]?.stringValue == "IV")
        #expect(try Self.resources(record, "ServiceRequest").isEmpty)
    }

    @Test func aLabOrderKeepsItsServiceRequest() throws {
        let record = try Self.record([
            Self.msh + "ORM^O01^ORM_O01|C3|P|2.5.1", Self.pid,
            "ORC|NW|ORD2^PLACER", "OBR|1|ORD2^PLACER||2345-7^Glucose^LN",
        ])
        #expect(record.serviceRequests.count == 1)
        #expect(record.medications.isEmpty)
    }

    // MARK: Allergies: a repeated AL1 is one allergy

    @Test func aRepeatedAllergyIsOneRecord() throws {
        let unit = try Self.convert([
            Self.msh + "ADT^A01^ADT_A01|C4|P|2.5.1", Self.pid,
            "AL1|1|DA|70618^Penicillin^RXNORM|MI|Hives|20210824",
            "AL1|2|DA|70618^Penicillin^RXNORM|MI|Hives|20210824",
            "AL1|3|DA|70618^Penicillin^RXNORM|SV|Anaphylaxis|20210824",
        ])
        let record = try #require(unit.record)
        // the identical repeat is dropped as a duplicate; the one that says more is kept
        #expect(record.allergies.count == 2)
        #expect(unit.diagnostics.contains { $0.kind == .duplicateRecord })
    }

    // MARK: Scheduling: patient participant, AIS ServiceRequest, notes on the appointment

    @Test func scheduleHasItsPatientServiceRequestAndComments() throws {
        let record = try Self.record([
            Self.msh + "SIU^S12^SIU_S12|C5|P|2.5.1",
            "SCH|APT1^SCHED|APT1^FILL||||ROUTINE^Routine|||60|min|^^60^20240110090000+0000^20240110100000+0000",
            "NTE|1||Bring the referral letter",
            Self.pid,
            "DG1|1||K51.90^Ulcerative colitis^I10",
            "RGS|1",
            "AIS|1||45378^Colonoscopy^CPT|20240110090000+0000",
            "NTE|1||Bowel preparation the day before",
        ])
        let appointment = try #require(record.appointments.first)
        #expect(appointment.patient == record.patients.first?.ref)
        #expect(appointment.comment == "Bring the referral letter\nBowel preparation the day before")
        #expect(record.conditions.first?.note.isEmpty == true)
        let request = try #require(record.serviceRequests.first)
        #expect(request.code?.first?.code == "45378")
        let json = try #require(try Self.resources(record, "Appointment").first)
        let actors = (json["participant"]?.arrayValue ?? []).compactMap { $0["actor"]?["reference"]?.stringValue }
        #expect(actors.contains { $0.contains("urn:uuid:") || $0.hasPrefix("Patient/") })
        #expect(json["comment"]?.stringValue?.contains("referral letter") == true)
    }

    // MARK: MessageHeader from MSH

    @Test func everyMessageHasAMessageHeader() throws {
        let record = try Self.record([Self.msh + "ADT^A04^ADT_A01|C9|P|2.5.1", Self.pid])
        let header = try #require(try Self.resources(record, "MessageHeader").first)
        #expect(header["eventCoding"]?["code"]?.stringValue == "A04")
        #expect(header["eventCoding"]?["system"]?.stringValue == "http://terminology.hl7.org/CodeSystem/v2-0003")
        #expect(header["source"]?["name"]?.stringValue == "APP")
        #expect(header["source"]?["_endpoint"] != nil)
        let sender = try #require(header["sender"]?["reference"]?.stringValue)
        let organizations = try Self.resources(record, "Organization").compactMap { $0["id"]?.stringValue }
        #expect(organizations.contains { sender.hasSuffix($0) })
        // the header is not a record: reconcile reads the bundle back to the same records
        let report = ReconciliationTests.reconcile([record], bundle: try Support.bundle([record]))
        #expect(report.isClean)
    }

    // MARK: PID-9 alias, PID-19 SSN, PID-20 driver's licence

    @Test func aliasSocialSecurityNumberAndLicenceAreCarried() throws {
        let unit = try Self.convert([
            Self.msh + "ADT^A04^ADT_A01|C10|P|2.5.1",
            "PID|1||MRN123^^^HOSP^MR||DOE^JANE||19800101|F|SMITH^JANIE^^^^^A||||||||||123-45-6789|D1234567^MI^20300101",
        ])
        let patient = try #require(unit.record?.patients.first)
        #expect(patient.names.map(\.family) == ["DOE", "SMITH"])
        let ssn = patient.identifiers.first { $0.system == "http://hl7.org/fhir/sid/us-ssn" }
        #expect(ssn?.value == "123-45-6789")
        #expect(ssn?.type?.first?.code == "SS")
        let licence = patient.identifiers.first { $0.type?.first?.code == "DL" }
        #expect(licence?.value == "D1234567")
        #expect(licence?.assigner == "MI")
        #expect(licence?.period?.end != nil)
        let account = try #require(unit.account)
        #expect(account.unaccounted.isEmpty, "\(account.unaccounted.keys.sorted())")
    }

    // MARK: Types refused before, and a refusal that names the type

    @Test(arguments: [
        ("ADT^A17^ADT_A17", "PV1|1|I|W2^R2^B2"), ("RSP^K22^RSP_K22", "QAK|Q1|OK"),
        ("OMI^O23^OMI_O23", "ORC|NW|IMG1^PLACER\rOBR|1|IMG1^PLACER||71045^Chest X-ray^CPT"),
        ("OMP^O09^OMP_O09", "ORC|NW|RX9^PLACER\rRXO|00047040230^Ampicillin 250 mg^NDC|250||mg\rRXR|PO^Oral^HL70162"),
    ])
    func typesThatCarryClinicalContentAreRouted(type: String, rest: String) throws {
        let record = try Self.record([Self.msh + "\(type)|C6|P|2.5.1", Self.pid, rest])
        #expect(record.patients.count == 1)
        if type.hasPrefix("OMP") {
            #expect(record.medications.first?.route?.first?.code == "PO")
            #expect(record.serviceRequests.isEmpty)
        }
    }

    @Test func aRefusalNamesTheTypeButNoFreeText() throws {
        let refused = try Self.convert([Self.msh + "ZZZ^Z99|C7|P|2.5.1", Self.pid])
        #expect(refused.error?.kind == .unsupportedMessageType)
        #expect(refused.error?.description.contains("type ZZZ^Z99") == true)
        let odd = try Self.convert([Self.msh + "NOT A TYPE^X|C8|P|2.5.1", Self.pid])
        #expect(odd.error?.kind == .unsupportedMessageType)
        #expect(odd.error?.description.contains("NOT A TYPE") == false)
    }
}
