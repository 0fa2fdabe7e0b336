import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// ImagingStudy → ImagingStudy (http://hl7.org/fhir/R4/imagingstudy.html).
    ///
    /// `status` (imagingstudy-status, else `unknown`) and `subject` are required. The record knows no
    /// series instance UID, and `series.uid` is required, so no `series` is written: the body site and
    /// the SOP class of the instances go into the fhirbridge `imagingstudy-body-site` and
    /// `imagingstudy-sop-class` extensions (valueCoding). Modalities are `modality` codings.
    public func imagingStudy(_ study: ImagingStudy) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(study)
        resource.set(
            "extension",
            [
                study.bodySite.flatMap {
                    context.extensionElement(FHIRURL.imagingBodySite, "valueCoding", context.coding($0))
                },
                study.sopClass.flatMap {
                    context.extensionElement(FHIRURL.imagingSOPClass, "valueCoding", context.coding($0))
                },
            ])
        resource.set("identifier", context.identifiers(study.identifiers))
        context.setRequiredCode(
            "status", study.status, in: .imagingStudyStatus, fallback: "unknown", path: "ImagingStudy.status",
            into: &resource)
        resource.set("modality", study.modalities.map { context.coding($0) })
        resource.set("subject", context.requiredReference(study.patient, path: "ImagingStudy.subject"))
        resource.set("encounter", context.reference(study.encounter))
        context.setDateTime("started", study.started, into: &resource)
        resource.set("procedureCode", [context.concept(study.procedureCode)])
        resource.set("description", study.description)
        return (resource.object, context.diagnostics)
    }
}
