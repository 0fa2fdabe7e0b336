/// A closed FHIR R4 code system that an element is bound to with `required` strength, or a small
/// HL7 terminology code system we write codings from. Codes outside the set are never emitted into
/// a `code` element: the mapper reports `invalidCode` instead.
///
///     FHIRCodeSet.observationStatus.contains("final")   // true
struct FHIRCodeSet: Sendable {
    /// The code system URI (also used as the `system` of codings and diagnostics).
    let system: String
    /// Code to display, in the code system's order.
    let displays: [(code: String, display: String?)]

    init(_ system: String, _ codes: [String]) {
        self.system = system
        self.displays = codes.map { ($0, nil) }
    }

    init(_ system: String, displays: [(String, String?)]) {
        self.system = system
        self.displays = displays.map { (code: $0.0, display: $0.1) }
    }

    func contains(_ code: String) -> Bool { displays.contains { $0.code == code } }
    func display(_ code: String) -> String? { displays.first { $0.code == code }?.display }
}

extension FHIRCodeSet {
    private static let fhir = "http://hl7.org/fhir/"
    private static let tho = "http://terminology.hl7.org/CodeSystem/"

    // Data types
    static let administrativeGender = FHIRCodeSet(
        fhir + "administrative-gender",
        displays: [("male", "Male"), ("female", "Female"), ("other", "Other"), ("unknown", "Unknown")])
    static let identifierUse = FHIRCodeSet(fhir + "identifier-use", ["usual", "official", "temp", "secondary", "old"])
    static let nameUse = FHIRCodeSet(
        fhir + "name-use", ["usual", "official", "temp", "nickname", "anonymous", "old", "maiden"])
    static let addressUse = FHIRCodeSet(fhir + "address-use", ["home", "work", "temp", "old", "billing"])
    static let addressType = FHIRCodeSet(fhir + "address-type", ["postal", "physical", "both"])
    static let contactPointSystem = FHIRCodeSet(
        fhir + "contact-point-system", ["phone", "fax", "email", "pager", "url", "sms", "other"])
    static let contactPointUse = FHIRCodeSet(fhir + "contact-point-use", ["home", "work", "temp", "old", "mobile"])
    static let quantityComparator = FHIRCodeSet(fhir + "quantity-comparator", ["<", "<=", ">=", ">"])

    // Resource statuses and other required bindings
    static let encounterStatus = FHIRCodeSet(
        fhir + "encounter-status",
        [
            "planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error",
            "unknown",
        ])
    static let conditionClinical = FHIRCodeSet(
        tho + "condition-clinical",
        displays: [
            ("active", "Active"), ("recurrence", "Recurrence"), ("relapse", "Relapse"),
            ("inactive", "Inactive"), ("remission", "Remission"), ("resolved", "Resolved"),
        ])
    static let conditionVerification = FHIRCodeSet(
        tho + "condition-ver-status",
        displays: [
            ("unconfirmed", "Unconfirmed"), ("provisional", "Provisional"), ("differential", "Differential"),
            ("confirmed", "Confirmed"), ("refuted", "Refuted"), ("entered-in-error", "Entered in Error"),
        ])
    static let conditionCategory = FHIRCodeSet(
        tho + "condition-category",
        displays: [("problem-list-item", "Problem List Item"), ("encounter-diagnosis", "Encounter Diagnosis")])
    static let allergyClinical = FHIRCodeSet(
        tho + "allergyintolerance-clinical",
        displays: [("active", "Active"), ("inactive", "Inactive"), ("resolved", "Resolved")])
    static let allergyVerification = FHIRCodeSet(
        tho + "allergyintolerance-verification",
        displays: [
            ("unconfirmed", "Unconfirmed"), ("confirmed", "Confirmed"), ("refuted", "Refuted"),
            ("entered-in-error", "Entered in Error"),
        ])
    static let allergyType = FHIRCodeSet(fhir + "allergy-intolerance-type", ["allergy", "intolerance"])
    static let allergyCategory = FHIRCodeSet(
        fhir + "allergy-intolerance-category", ["food", "medication", "environment", "biologic"])
    static let allergyCriticality = FHIRCodeSet(
        fhir + "allergy-intolerance-criticality", ["low", "high", "unable-to-assess"])
    static let reactionSeverity = FHIRCodeSet(fhir + "reaction-event-severity", ["mild", "moderate", "severe"])
    static let eventStatus = FHIRCodeSet(
        fhir + "event-status",
        ["preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error", "unknown"])
    static let immunizationStatus = FHIRCodeSet(
        fhir + "event-status", ["completed", "entered-in-error", "not-done"])
    static let medicationRequestStatus = FHIRCodeSet(
        "http://hl7.org/fhir/CodeSystem/medicationrequest-status",
        ["active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"])
    static let medicationRequestIntent = FHIRCodeSet(
        "http://hl7.org/fhir/CodeSystem/medicationrequest-intent",
        ["proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"])
    static let requestStatus = FHIRCodeSet(
        fhir + "request-status", ["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"])
    static let requestIntent = FHIRCodeSet(
        fhir + "request-intent",
        [
            "proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order",
            "instance-order",
            "option",
        ])
    static let requestPriority = FHIRCodeSet(fhir + "request-priority", ["routine", "urgent", "asap", "stat"])
    static let observationStatus = FHIRCodeSet(
        fhir + "observation-status",
        ["registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"])
    static let observationCategory = FHIRCodeSet(
        tho + "observation-category",
        displays: [
            ("social-history", "Social History"), ("vital-signs", "Vital Signs"), ("imaging", "Imaging"),
            ("laboratory", "Laboratory"), ("procedure", "Procedure"), ("survey", "Survey"),
            ("exam", "Exam"), ("therapy", "Therapy"), ("activity", "Activity"),
        ])
    static let dataAbsentReason = FHIRCodeSet(
        tho + "data-absent-reason",
        [
            "unknown", "asked-unknown", "temp-unknown", "not-asked", "asked-declined", "masked", "not-applicable",
            "unsupported", "as-text", "error", "not-a-number", "negative-infinity", "positive-infinity",
            "not-performed", "not-permitted",
        ])
    static let diagnosticReportStatus = FHIRCodeSet(
        fhir + "diagnostic-report-status",
        [
            "registered", "partial", "preliminary", "final", "amended", "corrected", "appended", "cancelled",
            "entered-in-error", "unknown",
        ])
    static let documentReferenceStatus = FHIRCodeSet(
        fhir + "document-reference-status", ["current", "superseded", "entered-in-error"])
    static let compositionStatus = FHIRCodeSet(
        fhir + "composition-status", ["preliminary", "final", "amended", "entered-in-error"])
    static let appointmentStatus = FHIRCodeSet(
        fhir + "appointmentstatus",
        [
            "proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow", "entered-in-error",
            "checked-in", "waitlist",
        ])
    static let confidentiality = FHIRCodeSet(
        "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", ["U", "L", "M", "N", "R", "V"])
    static let coverageStatus = FHIRCodeSet(fhir + "fm-status", ["active", "cancelled", "draft", "entered-in-error"])
    static let carePlanIntent = FHIRCodeSet(fhir + "request-intent", ["proposal", "plan", "order", "option"])
    static let imagingStudyStatus = FHIRCodeSet(
        fhir + "imagingstudy-status", ["registered", "available", "cancelled", "entered-in-error", "unknown"])
}

/// URLs of the extensions and code systems the mapper writes.
enum FHIRURL {
    static let dataAbsentReason = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
    static let usCoreRace = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
    static let usCoreEthnicity = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"
    static let cdcRaceAndEthnicity = "urn:oid:2.16.840.1.113883.6.238"
    static let birthPlace = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
    static let birthTime = "http://hl7.org/fhir/StructureDefinition/patient-birthTime"
    static let mothersMaidenName = "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName"
    static let religion = "http://hl7.org/fhir/StructureDefinition/patient-religion"
    static let v3ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    static let v3NullFlavor = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
    static let v3DataOperation = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
    static let provenanceParticipantType = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
    static let coverageClass = "http://terminology.hl7.org/CodeSystem/coverage-class"
    static let snomed = "http://snomed.info/sct"
    static let listEmptyReason = "http://terminology.hl7.org/CodeSystem/list-empty-reason"

    /// Extensions defined by fhirbridge (see FHIRMapping.docc/Documentation.md).
    static let fhirbridge = "http://fhirbridge.dev/fhir/StructureDefinition/"
    static let originalDateTime = fhirbridge + "original-date-time"
    static let recordedPrecision = fhirbridge + "recorded-precision"
    static let sourceClass = fhirbridge + "encounter-source-class"
    static let hospitalService = fhirbridge + "encounter-hospital-service"
    static let diagnosisType = fhirbridge + "condition-diagnosis-type"
    static let diagnosisRank = fhirbridge + "condition-diagnosis-rank"
    static let race = fhirbridge + "patient-race"
    static let ethnicity = fhirbridge + "patient-ethnicity"
    static let sourceDigest = "http://fhirbridge.dev/fhir/source-digest"

    // Lossless round trip (see FHIRMapping.docc/Documentation.md, "Reading FHIR back").
    static let recordKey = fhirbridge + "record-key"
    static let sourceValue = fhirbridge + "source-value"
    static let absentInSource = fhirbridge + "absent-in-source"
    static let sourceCoding = fhirbridge + "source-coding"
    static let sourceClinicalStatus = fhirbridge + "source-clinical-status"
    static let sourceVerificationStatus = fhirbridge + "source-verification-status"
    static let sourceDataAbsentReason = fhirbridge + "source-data-absent-reason"
    static let sourceComparator = fhirbridge + "source-comparator"
    static let sourceUnitCode = fhirbridge + "source-unit-code"
    static let sourceValueType = fhirbridge + "source-value-type"
    static let participantPeriod = fhirbridge + "participant-period"
    static let patientDeceased = fhirbridge + "patient-deceased"
    static let patientMultipleBirth = fhirbridge + "patient-multiple-birth"
    static let patientMothersMaidenName = fhirbridge + "patient-mothers-maiden-name"
    static let patientLastUpdated = fhirbridge + "patient-last-updated"
    static let noKnownAllergy = fhirbridge + "no-known-allergy"
    static let mergedIdentifier = fhirbridge + "merged-identifier"
    static let sourceDocument = fhirbridge + "source-document"
    static let carePlanReason = fhirbridge + "careplan-reason"
    static let imagingBodySite = fhirbridge + "imagingstudy-body-site"
    static let imagingSOPClass = fhirbridge + "imagingstudy-sop-class"
}
