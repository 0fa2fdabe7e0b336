import ArgumentParser

@main
struct FHIRBridge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fhirbridge",
        abstract: "Convert HL7 v2, C-CDA and CSV exports to FHIR R4, and prove nothing was lost.",
        discussion: """
            Exit codes: 0 success, 64 usage error, 65 bad input data (some units failed; the rest were \
            converted), 74 I/O error. Messages name positions (segment/field, line/column), never patient data.
            """,
        version: "0.1.0",
        subcommands: [
            Convert.self, Reconcile.self, Render.self, Serve.self, TerminologyCommand.self, ValidateMappings.self,
            Bench.self, Audit.self, Decrypt.self, Replay.self, Send.self, Compare.self, LedgerCommand.self,
            ShardKeys.self, Rollup.self,
        ])
}
