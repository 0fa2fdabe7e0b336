/// The catalogue of issue kinds: every kind a `SourceError` or `Diagnostic` is created with.
/// The raw values are part of the output (summaries, `--report`, ACK ERR-5, OperationOutcome): never
/// rename one. Kinds of typed errors elsewhere (`HL7ParseError.Kind`, `CSVRecordProblem.Kind`) keep
/// their names when they become issues.
extension IssueKind {
    // MARK: Reading input (any format)

    /// The input is none of the formats fhirbridge reads.
    public static let unknownInputFormat = IssueKind(rawValue: "unknownInputFormat")
    /// The input is a format fhirbridge recognises but does not convert on this path.
    public static let unsupportedInputFormat = IssueKind(rawValue: "unsupportedInputFormat")
    /// The input (a file or folder) cannot be read.
    public static let unreadableInput = IssueKind(rawValue: "unreadableInput")
    /// One file of the input cannot be read.
    public static let unreadableFile = IssueKind(rawValue: "unreadableFile")
    /// A file the input needs is absent (a CSV table a profile requires).
    public static let missingFile = IssueKind(rawValue: "missingFile")
    /// A record with the same identity is already in the unit: dropped, not merged.
    public static let duplicateRecord = IssueKind(rawValue: "duplicateRecord")

    // MARK: HL7 v2

    /// No MSH segment where a message should start (`HL7ParseError.Kind` of the same name).
    public static let noMessageHeader = IssueKind(rawValue: "noMessageHeader")
    /// MSH-1/MSH-2 (or FHS/BHS) missing, duplicated, alphanumeric or of the wrong length.
    public static let invalidEncodingCharacters = IssueKind(rawValue: "invalidEncodingCharacters")
    /// A segment ID that is not three uppercase letters or digits.
    public static let invalidSegmentID = IssueKind(rawValue: "invalidSegmentID")
    /// MSH-9 is empty.
    public static let missingMessageType = IssueKind(rawValue: "missingMessageType")
    /// A message larger than the HL7 v2 limits allow.
    public static let messageTooLarge = IssueKind(rawValue: "messageTooLarge")
    /// A field larger than the HL7 v2 limits allow.
    public static let fieldTooLarge = IssueKind(rawValue: "fieldTooLarge")
    /// A message with more segments than the HL7 v2 limits allow.
    public static let tooManySegments = IssueKind(rawValue: "tooManySegments")
    /// MSH-18 names a character set the parser does not decode.
    public static let unsupportedCharset = IssueKind(rawValue: "unsupportedCharset")
    /// An escape sequence with no closing escape character (read as text).
    public static let unterminatedEscape = IssueKind(rawValue: "unterminatedEscape")
    /// An MLLP frame larger than the server accepts.
    public static let frameTooLarge = IssueKind(rawValue: "frameTooLarge")
    /// A BTS/FTS count differs from the messages or batches read.
    public static let batchCountMismatch = IssueKind(rawValue: "batchCountMismatch")
    /// The input ended inside a segment (its last line has no terminator): a file or body cut short.
    /// The message is still converted from what arrived; the position is the segment and field cut.
    public static let truncatedSegment = IssueKind(rawValue: "truncatedSegment")
    /// A field the message structure requires is empty (MSH-10; PID-3 in ADT and ORU messages).
    public static let missingRequiredField = IssueKind(rawValue: "missingRequiredField")
    /// A segment the message structure requires is absent (PID in an ADT message).
    public static let missingRequiredSegment = IssueKind(rawValue: "missingRequiredSegment")
    /// No message manifest maps the message's MSH-9.
    public static let unsupportedMessageType = IssueKind(rawValue: "unsupportedMessageType")
    /// The message's manifest does not map this segment.
    public static let segmentNotMapped = IssueKind(rawValue: "segmentNotMapped")
    /// A Z-segment, which no manifest maps.
    public static let customSegmentNotMapped = IssueKind(rawValue: "customSegmentNotMapped")
    /// A non-empty field that no rule or converter reads (the unused-data trace).
    public static let fieldNotMapped = IssueKind(rawValue: "fieldNotMapped")
    /// A segment that adds to a record when there is none to add to.
    public static let segmentWithoutContext = IssueKind(rawValue: "segmentWithoutContext")
    /// An NTE with no record before it.
    public static let noteWithoutContext = IssueKind(rawValue: "noteWithoutContext")
    /// An NTE after a record that takes no notes.
    public static let noteNotMapped = IssueKind(rawValue: "noteNotMapped")
    /// OBX with encapsulated data (ED/RP), which is not mapped.
    public static let encapsulatedDataNotMapped = IssueKind(rawValue: "encapsulatedDataNotMapped")
    /// An NM value that is not a decimal.
    public static let invalidNumber = IssueKind(rawValue: "invalidNumber")
    /// An SN value that is not a comparator, number, separator and number.
    public static let invalidStructuredNumeric = IssueKind(rawValue: "invalidStructuredNumeric")
    /// A DT/DTM/TS (or HL7 v3 TS) value that is not a valid timestamp.
    public static let invalidTimestamp = IssueKind(rawValue: "invalidTimestamp")
    /// An OBX-2 value type that is not converted (kept as text).
    public static let unsupportedValueType = IssueKind(rawValue: "unsupportedValueType")
    /// A coding system name no registry knows.
    public static let unknownCodeSystem = IssueKind(rawValue: "unknownCodeSystem")

    // MARK: C-CDA

    /// The XML's root is not a ClinicalDocument.
    public static let notAClinicalDocument = IssueKind(rawValue: "notAClinicalDocument")
    /// The document is larger than the C-CDA limits allow.
    public static let documentTooLarge = IssueKind(rawValue: "documentTooLarge")
    /// The document nests deeper than the C-CDA limits allow.
    public static let documentTooDeep = IssueKind(rawValue: "documentTooDeep")
    /// The document is not well-formed XML.
    public static let xmlNotWellFormed = IssueKind(rawValue: "xmlNotWellFormed")
    /// libxml2 could not make a parser.
    public static let xmlParserUnavailable = IssueKind(rawValue: "xmlParserUnavailable")
    /// The document declares an external entity, which is never loaded.
    public static let externalEntityRefused = IssueKind(rawValue: "externalEntityRefused")
    /// The document declares an entity, which is never expanded.
    public static let entityDeclarationRefused = IssueKind(rawValue: "entityDeclarationRefused")
    /// An element outside the namespaces C-CDA uses where one is expected.
    public static let xmlNamespaceError = IssueKind(rawValue: "xmlNamespaceError")
    /// No recordTarget: the document has no patient.
    public static let missingRecordTarget = IssueKind(rawValue: "missingRecordTarget")
    /// More than one recordTarget: only the first is read.
    public static let multipleRecordTargets = IssueKind(rawValue: "multipleRecordTargets")
    /// A document whose templateId and code no mapping lists (read by its sections).
    public static let unknownDocumentType = IssueKind(rawValue: "unknownDocumentType")
    /// A section whose templateId and code no mapping lists.
    public static let sectionNotRecognised = IssueKind(rawValue: "sectionNotRecognised")
    /// A section listed as deliberately not mapped.
    public static let sectionNotMapped = IssueKind(rawValue: "sectionNotMapped")
    /// An entry whose templateId no mapping lists.
    public static let entryNotRecognised = IssueKind(rawValue: "entryNotRecognised")
    /// An entry listed as deliberately not mapped.
    public static let entryNotMapped = IssueKind(rawValue: "entryNotMapped")
    /// A negated entry (negationInd) whose negation the model cannot hold.
    public static let negatedEntryNotMapped = IssueKind(rawValue: "negatedEntryNotMapped")
    /// An observation with more values than the model holds.
    public static let extraValuesNotMapped = IssueKind(rawValue: "extraValuesNotMapped")
    /// A concern act with no observation in it.
    public static let emptyConcern = IssueKind(rawValue: "emptyConcern")
    /// A document with no body.
    public static let emptyDocumentBody = IssueKind(rawValue: "emptyDocumentBody")
    /// A nonXMLBody that is not plain text (described only).
    public static let nonXMLBodyNotMapped = IssueKind(rawValue: "nonXMLBodyNotMapped")
    /// B64 text that is not base64 of UTF-8.
    public static let invalidBase64 = IssueKind(rawValue: "invalidBase64")
    /// A PQ value that is not a number.
    public static let invalidQuantity = IssueKind(rawValue: "invalidQuantity")
    /// A reference to narrative text that is not in the section.
    public static let unresolvedNarrativeReference = IssueKind(rawValue: "unresolvedNarrativeReference")

    // MARK: CSV

    /// A file no table of the profile matches.
    public static let fileNotMapped = IssueKind(rawValue: "fileNotMapped")
    /// A file with no header.
    public static let emptyFile = IssueKind(rawValue: "emptyFile")
    /// A header names a column twice.
    public static let duplicateColumn = IssueKind(rawValue: "duplicateColumn")
    /// A column the profile requires is not in the header.
    public static let missingColumn = IssueKind(rawValue: "missingColumn")
    /// A column the profile does not read.
    public static let columnNotMapped = IssueKind(rawValue: "columnNotMapped")
    /// Two rows give the same patient key.
    public static let duplicatePatient = IssueKind(rawValue: "duplicatePatient")
    /// Two rows give the same record key.
    public static let duplicateKey = IssueKind(rawValue: "duplicateKey")
    /// A row without the patient it belongs to.
    public static let missingPatient = IssueKind(rawValue: "missingPatient")
    /// A row whose patient no patient table lists.
    public static let unknownPatient = IssueKind(rawValue: "unknownPatient")
    /// A row whose patient no patient row lists, kept against a stub patient (`unknownPatient: stub`).
    public static let patientStub = IssueKind(rawValue: "patientStub")
    /// Two rules without a priority gave one single-valued path a value in the same row.
    public static let conflictingValues = IssueKind(rawValue: "conflictingValues")
    /// A field longer than the CSV limits allow.
    public static let fieldTooLong = IssueKind(rawValue: "fieldTooLong")
    /// A row with more or fewer fields than the header.
    public static let fieldCountMismatch = IssueKind(rawValue: "fieldCountMismatch")
    /// A required value is empty.
    public static let missingValue = IssueKind(rawValue: "missingValue")
    /// A value that does not read as its declared type.
    public static let invalidValue = IssueKind(rawValue: "invalidValue")
    /// A reference to a row no table has.
    public static let unresolvedForeignKey = IssueKind(rawValue: "unresolvedForeignKey")
    /// A profile names a concept map that is not loaded.
    public static let unknownConceptMap = IssueKind(rawValue: "unknownConceptMap")
    /// A quoted field runs to the end of the input (`CSVRecordProblem.Kind` of the same name).
    public static let unterminatedQuote = IssueKind(rawValue: "unterminatedQuote")
    /// A `"` inside an unquoted field; kept as text.
    public static let quoteInUnquotedField = IssueKind(rawValue: "quoteInUnquotedField")
    /// Text between a closing quote and the next delimiter; kept as text.
    public static let textAfterClosingQuote = IssueKind(rawValue: "textAfterClosingQuote")
    /// A record longer than the CSV limits allow.
    public static let recordTooLong = IssueKind(rawValue: "recordTooLong")
    /// A field that is not valid UTF-8 (read with U+FFFD).
    public static let invalidUTF8 = IssueKind(rawValue: "invalidUTF8")

    // MARK: Terminology

    /// A code with no translation in the map that applies.
    public static let unmappedCode = IssueKind(rawValue: "unmappedCode")
    /// A well-formed code that is not in its code system (or the loaded subset).
    public static let unknownCode = IssueKind(rawValue: "unknownCode")
    /// A code that breaks its system's syntax (check digit, pattern).
    public static let malformedCode = IssueKind(rawValue: "malformedCode")
    /// A code of a local system, passed through.
    public static let localCode = IssueKind(rawValue: "localCode")
    /// A code of a standard system whose table is not loaded.
    public static let codeSystemNotLoaded = IssueKind(rawValue: "codeSystemNotLoaded")
    /// A source display that differs from the code system's (kept as the concept's text).
    public static let displayMismatch = IssueKind(rawValue: "displayMismatch")
    /// A unit that is not UCUM and has no UCUM alias.
    public static let unitNotUCUM = IssueKind(rawValue: "unitNotUCUM")

    // MARK: FHIR mapping and reading FHIR back

    /// A FHIR element the resource requires has no source value (data-absent-reason).
    public static let missingRequiredElement = IssueKind(rawValue: "missingRequiredElement")
    /// A value that is not a valid FHIR code for its element.
    public static let invalidCode = IssueKind(rawValue: "invalidCode")
    /// A system that is not a valid URI.
    public static let invalidURI = IssueKind(rawValue: "invalidURI")
    /// A value that is not a valid FHIR dateTime.
    public static let invalidDateTime = IssueKind(rawValue: "invalidDateTime")
    /// A value that is not a valid FHIR decimal.
    public static let invalidDecimal = IssueKind(rawValue: "invalidDecimal")
    /// An instant element given a value less precise than an instant (kept in an extension).
    public static let impreciseInstant = IssueKind(rawValue: "impreciseInstant")
    /// Two source facts that one FHIR element cannot both hold.
    public static let conflictingElements = IssueKind(rawValue: "conflictingElements")
    /// A quantity comparator where FHIR allows none.
    public static let comparatorNotAllowed = IssueKind(rawValue: "comparatorNotAllowed")
    /// A unit code without a unit system.
    public static let unitCodeWithoutSystem = IssueKind(rawValue: "unitCodeWithoutSystem")
    /// A quantity without a unit.
    public static let noUnits = IssueKind(rawValue: "noUnits")
    /// A patient class with no v3 ActCode.
    public static let unmappedEncounterClass = IssueKind(rawValue: "unmappedEncounterClass")
    /// A `document` bundle asked for a unit that has not exactly one Composition (an HL7 v2 message,
    /// a CSV patient): the unit is written as a `collection` bundle instead.
    public static let notADocument = IssueKind(rawValue: "notADocument")
    /// A reference to a resource the bundle does not hold.
    public static let unresolvedReference = IssueKind(rawValue: "unresolvedReference")
    /// A FHIR element the reverse mapping does not read.
    public static let unsupportedElement = IssueKind(rawValue: "unsupportedElement")
    /// A resource type the reverse mapping does not read.
    public static let unsupportedResourceType = IssueKind(rawValue: "unsupportedResourceType")
    /// A resource without the record-key extension: its key is derived from its id.
    public static let missingRecordKey = IssueKind(rawValue: "missingRecordKey")
    /// A JSON object without resourceType.
    public static let missingResourceType = IssueKind(rawValue: "missingResourceType")
}
