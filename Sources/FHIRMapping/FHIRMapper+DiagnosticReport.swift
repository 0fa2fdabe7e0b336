import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// DiagnosticReport → DiagnosticReport (http://hl7.org/fhir/R4/diagnosticreport.html). `status`
    /// (else `unknown`) and `code` are required; an effective period with only a start is
    /// `effectiveDateTime`; `issued` is an instant, as for Observation.
    public func diagnosticReport(_ report: DiagnosticReport) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(report)
        resource.set("identifier", context.identifiers(report.identifiers))
        resource.set("basedOn", context.references(report.basedOn))
        context.setRequiredCode(
            "status", report.status, in: .diagnosticReportStatus, fallback: "unknown",
            path: "DiagnosticReport.status", into: &resource)
        resource.set("category", context.concepts(report.categories))
        resource.set("code", context.requiredConcept(report.code, path: "DiagnosticReport.code"))
        resource.set("subject", context.reference(report.patient))
        resource.set("encounter", context.reference(report.encounter))
        context.setPeriodChoice("effective", report.effective, into: &resource)
        context.setInstant("issued", report.issued, into: &resource)
        resource.set("performer", context.references(report.performers))
        resource.set("specimen", context.references(report.specimens))
        resource.set("result", context.references(report.results))
        resource.set("conclusion", report.conclusion)
        return (resource.object, context.diagnostics)
    }
}
