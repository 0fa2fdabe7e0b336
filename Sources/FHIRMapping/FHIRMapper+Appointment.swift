import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Appointment → Appointment (http://hl7.org/fhir/R4/appointment.html).
    ///
    /// `status` and `participant` (1..*) are required. The patient, practitioners and locations are
    /// the participants; their `status` follows from the appointment's: `needs-action` while it is
    /// `proposed`, `pending` or `waitlist` (not all have accepted yet), else `accepted`. Start and end
    /// are instants (minute precision gets `:00` seconds, the canonical form kept in `source-value`;
    /// less precision goes into the `original-date-time` extension).
    public func appointment(_ appointment: Appointment) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(appointment)
        resource.set("identifier", context.identifiers(appointment.identifiers))
        context.setRequiredCode(
            "status", appointment.status, in: .appointmentStatus, fallback: nil, path: "Appointment.status",
            into: &resource)
        resource.set("serviceType", context.concepts(appointment.serviceType))
        resource.set("appointmentType", context.concept(appointment.appointmentType))
        resource.set("reasonCode", context.concepts(appointment.reason))
        resource.set("description", appointment.description)
        context.setInstant("start", appointment.start, into: &resource)
        context.setInstant("end", appointment.end, into: &resource)
        if let minutes = appointment.minutesDuration {
            if minutes >= 1 {
                resource.set("minutesDuration", .int(minutes))
            } else {
                context.report(.invalidValue, code: "Appointment.minutesDuration")
                resource.setPrimitive(
                    "minutesDuration", nil,
                    extensions: [context.sourceValueExtension(String(minutes))].compactMap { $0 })
            }
        }
        let pending: Set<String> = ["proposed", "pending", "waitlist"]
        let status = pending.contains(appointment.status) ? "needs-action" : "accepted"
        let actors = [appointment.patient].compactMap { $0 } + appointment.practitioners + appointment.locations
        var participants: [JSON?] = actors.map { actor in
            context.reference(actor).map { JSON.object(JSONObject(["actor": $0, "status": .string(status)])) }
        }
        if participants.isEmpty {
            context.reportMissing("Appointment.participant")
            participants = [.object(JSONObject(["actor": context.absentElement(), "status": .string(status)]))]
        }
        resource.set("comment", appointment.comment)
        resource.set("participant", participants)
        return (resource.object, context.diagnostics)
    }
}
