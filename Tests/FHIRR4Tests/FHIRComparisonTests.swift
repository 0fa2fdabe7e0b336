import FHIRR4
import Testing

/// `FHIRComparison`: what counts as the same meaning, and which paths it names when it is not.
struct FHIRComparisonTests {
    func json(_ text: String) throws -> JSON { try JSONReader.parse(text) }

    func paths(_ expected: String, _ actual: String, _ comparison: FHIRComparison = FHIRComparison()) throws -> [String]
    {
        comparison.differences(expected: try json(expected), actual: try json(actual)).map(\.description)
    }

    @Test func memberOrderDoesNotMatter() throws {
        #expect(
            try paths(
                #"{"resourceType":"Patient","id":"a","gender":"female"}"#,
                #"{"gender":"female","id":"a","resourceType":"Patient"}"#
            ).isEmpty)
    }

    @Test func arraysWithoutOrderMeaningAreMultisets() throws {
        let expected = #"{"resourceType":"Patient","identifier":[{"value":"1"},{"value":"2"},{"value":"2"}]}"#
        #expect(
            try paths(expected, #"{"resourceType":"Patient","identifier":[{"value":"2"},{"value":"1"},{"value":"2"}]}"#)
                .isEmpty)
        // duplicates count: the second "2" is the item left over, paired with the "1" left over
        #expect(
            try paths(expected, #"{"resourceType":"Patient","identifier":[{"value":"2"},{"value":"1"},{"value":"1"}]}"#)
                == [
                    "changed Patient.identifier[2].value"
                ])
    }

    @Test func namePartsAndAddressLinesKeepTheirOrder() throws {
        let expected =
            #"{"resourceType":"Patient","name":[{"given":["Ann","Marie"]}],"address":[{"line":["1 Road","Flat 2"]}]}"#
        let actual =
            #"{"resourceType":"Patient","name":[{"given":["Marie","Ann"]}],"address":[{"line":["Flat 2","1 Road"]}]}"#
        #expect(
            try paths(expected, actual) == [
                "changed Patient.name[0].given[0]", "changed Patient.name[0].given[1]",
                "changed Patient.address[0].line[0]", "changed Patient.address[0].line[1]",
            ])
    }

    @Test func bundleEntriesAreMatchedByFullUrl() throws {
        let expected = """
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"1","gender":"male"}},
              {"fullUrl":"urn:uuid:2","resource":{"resourceType":"Observation","id":"2","status":"final"}}]}
            """
        let reordered = """
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:2","resource":{"resourceType":"Observation","id":"2","status":"amended"}},
              {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"1","gender":"male"}},
              {"fullUrl":"urn:uuid:3","resource":{"resourceType":"Patient","id":"3"}}]}
            """
        #expect(
            try paths(expected, reordered) == [
                "changed Bundle.entry[1].resource.ofType(Observation).status", "unexpected Bundle.entry[2]",
            ])
    }

    @Test func searchsetEntriesKeepTheirOrder() throws {
        let expected = #"{"resourceType":"Bundle","type":"searchset","entry":[{"fullUrl":"a"},{"fullUrl":"b"}]}"#
        let actual = #"{"resourceType":"Bundle","type":"searchset","entry":[{"fullUrl":"b"},{"fullUrl":"a"}]}"#
        #expect(try paths(expected, actual) == ["changed Bundle.entry[0].fullUrl", "changed Bundle.entry[1].fullUrl"])
    }

    @Test func volatileElementsAreLeftOutOnBothSides() throws {
        let comparison = FHIRComparison(ignoring: [
            try #require(FHIRElementPath("Bundle.timestamp")),
            try #require(FHIRElementPath("Resource.meta.lastUpdated")),
            try #require(FHIRElementPath("Provenance.recorded")),
        ])
        let expected = """
            {"resourceType":"Bundle","type":"collection","timestamp":"2024-01-01T00:00:00Z","entry":[
              {"fullUrl":"p","resource":{"resourceType":"Provenance","id":"p","recorded":"2024-01-01","meta":{"lastUpdated":"x"}}}]}
            """
        let actual = """
            {"resourceType":"Bundle","type":"collection","entry":[
              {"fullUrl":"p","resource":{"resourceType":"Provenance","id":"p","recorded":"2025-05-05","meta":{"lastUpdated":"y"},"_recorded":{"id":"r"}}}]}
            """
        #expect(try paths(expected, actual, comparison).isEmpty)
        #expect(try paths(expected, actual).count == 4)
    }

    @Test func decimalsCompareByLexicalForm() throws {
        #expect(
            try paths(
                #"{"resourceType":"Observation","valueQuantity":{"value":0.010}}"#,
                #"{"resourceType":"Observation","valueQuantity":{"value":0.01}}"#) == [
                    "changed Observation.valueQuantity.value"
                ])
    }

    @Test func aChangedItemInAnUnorderedArrayIsPairedWithItsClosestMatch() throws {
        let expected =
            #"{"resourceType":"Patient","telecom":[{"system":"phone","value":"1","use":"home"},{"system":"email","value":"a@b"}]}"#
        let actual =
            #"{"resourceType":"Patient","telecom":[{"system":"email","value":"a@b"},{"system":"phone","value":"2","use":"home"}]}"#
        #expect(try paths(expected, actual) == ["changed Patient.telecom[0].value"])
    }

    @Test func pathsNeverHoldValues() throws {
        let found = FHIRComparison().differences(
            expected: try json(#"{"resourceType":"Patient","name":[{"family":"ZZSENTINEL"}]}"#),
            actual: try json(#"{"resourceType":"Patient","name":[{"family":"Other"}]}"#))
        #expect(found.count == 1)
        #expect(!found[0].description.contains("ZZSENTINEL"))
        #expect(found[0].expected == JSON.string("ZZSENTINEL"))
    }

    @Test func elementPathsAreParsed() {
        #expect(FHIRElementPath("Bundle.timestamp")?.elements == ["timestamp"])
        #expect(FHIRElementPath("timestamp") == nil)
        #expect(FHIRElementPath("bundle.timestamp") == nil)
        #expect(FHIRElementPath("Bundle..timestamp") == nil)
        #expect(FHIRElementPath("Bundle.entry[0]") == nil)
    }

    @Test func ndjsonLinesAreMatchedByTypeAndId() throws {
        let expected = [
            try json(#"{"resourceType":"Patient","id":"1"}"#),
            try json(#"{"resourceType":"Patient","id":"2","gender":"male"}"#),
        ]
        let actual = [
            try json(#"{"resourceType":"Patient","id":"2","gender":"female"}"#),
            try json(#"{"resourceType":"Patient","id":"1"}"#),
        ]
        let found = FHIRComparison().differences(expectedItems: expected, actualItems: actual, at: "Patient.ndjson")
        #expect(found.map(\.description) == ["changed Patient.ndjson[1].ofType(Patient).gender"])
    }
}
