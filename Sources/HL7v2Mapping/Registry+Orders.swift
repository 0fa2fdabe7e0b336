import ClinicalModel
import HL7v2

extension Registry {
    static var serviceRequest: EntityMapping<ServiceRequest> {
        EntityMapping(
            setters: Setters.bound(CanonicalPaths.serviceRequest),
            records: \.serviceRequests, make: { ServiceRequest(ref: $0, source: $1) },
            key: { request, _, context in scoped(context, identifierKey(request.identifiers)) },
            link: { request, context in
                request.patient = context.patient
                request.encounter = context.encounter
            },
            didCreate: { context, ref in
                context.serviceRequest = ref
                context.diagnosticReport = nil
                context.immunization = nil
                context.medication = nil
            },
            current: { $0.serviceRequest })
    }

    static var diagnosticReport: EntityMapping<DiagnosticReport> {
        EntityMapping(
            setters: Setters.bound(CanonicalPaths.diagnosticReport),
            records: \.diagnosticReports, make: { DiagnosticReport(ref: $0, code: Concept(), source: $1) },
            key: { report, _, context in
                scoped(context, identifierKey(report.identifiers)).map {
                    [$0, report.code.first?.code ?? ""].joined(separator: "|")
                }
            },
            link: { report, context in
                report.patient = context.patient
                report.encounter = context.encounter
                if let request = context.serviceRequest { report.basedOn = [request] }
                if report.code.isEmpty,
                    let request = context.serviceRequest,
                    let code = context.record.serviceRequests.first(where: { $0.ref == request })?.code
                {
                    report.code = code
                }
            },
            didCreate: { context, ref in context.diagnosticReport = ref },
            current: { $0.diagnosticReport })
    }

    static var specimen: EntityMapping<Specimen> {
        EntityMapping(
            setters: Setters.bound(CanonicalPaths.specimen),
            records: \.specimens, make: { Specimen(ref: $0, source: $1) },
            key: { specimen, _, context in scoped(context, identifierKey(specimen.identifiers)) },
            link: { specimen, context in specimen.patient = context.patient },
            didCreate: { context, ref in
                context.specimen = ref
                if let request = context.serviceRequest,
                    let index = context.record.serviceRequests.firstIndex(where: { $0.ref == request }),
                    !context.record.serviceRequests[index].specimens.contains(ref)
                {
                    context.record.serviceRequests[index].specimens.append(ref)
                }
                if let report = context.diagnosticReport,
                    let index = context.record.diagnosticReports.firstIndex(where: { $0.ref == report })
                {
                    context.record.diagnosticReports[index].specimens.append(ref)
                }
            },
            current: { $0.specimen })
    }

    static var immunization: EntityMapping<Immunization> {
        var mapping = EntityMapping<Immunization>(
            setters: Setters.bound(CanonicalPaths.immunization),
            records: \.immunizations, make: { Immunization(ref: $0, source: $1) },
            key: { immunization, _, context in
                if let key = identifierKey(immunization.identifiers) { return scoped(context, key) }
                guard let vaccine = immunization.vaccine?.first?.code, let time = immunization.occurrence else {
                    return nil
                }
                return scoped(context, ["immunization", vaccine, time.fhir].joined(separator: "|"))
            },
            link: { immunization, context in
                immunization.patient = context.patient
                immunization.encounter = context.encounter
                if immunization.identifiers.isEmpty, let request = context.serviceRequest,
                    let order = context.record.serviceRequests.first(where: { $0.ref == request })
                {
                    immunization.identifiers = order.identifiers
                }
            },
            didCreate: { context, ref in context.immunization = ref },
            current: { $0.immunization })
        mapping.converters["immunizationDose"] = Named(reads: [6, 7, 9, 20, 21]) {
            immunization, segment, context, converters in
            // RXA-6 administered amount (999 = unknown), RXA-7 units; RXA-9 first repetition "00" = new record (primary source).
            if let amount = segment[6].value, amount != "999", let value = converters.decimal(amount) {
                immunization.dose = converters.quantity(
                    value: value, unitCode: segment[7][1].value, unitText: segment[7][2].value,
                    unitSystem: segment[7][3].value)
                context.carry(segment[6])
                if immunization.dose?.unit != nil { context.carry(segment[7].first, components: 1...3) }
            }
            if let source = segment[9].first[1].value {
                immunization.primarySource = source == "00"
                context.carry(segment[9])
            }
            // RXA-20 completion status (table 0322): CP complete is the status an immunization has
            // by default; NA not administered and RE refused are not-done
            switch segment[20].value?.uppercased() {
            case "NA", "RE":
                immunization.status = "not-done"
                context.carry(segment[20])
            case "CP":
                context.carry(segment[20])
            default: break
            }
            if segment[21].value?.uppercased() == "D" {
                immunization.status = "entered-in-error"
                context.carry(segment[21])
            }
        }
        return mapping
    }

    static var medication: EntityMapping<Medication> {
        EntityMapping(
            setters: Setters.bound(CanonicalPaths.medication),
            records: \.medications, make: { Medication(ref: $0, source: $1) },
            key: { medication, _, context in
                if let key = identifierKey(medication.identifiers) {
                    return scoped(context, [key, medication.code?.first?.code ?? ""].joined(separator: "|"))
                }
                return nil
            },
            link: { medication, context in
                medication.patient = context.patient
                medication.encounter = context.encounter
                guard medication.identifiers.isEmpty else { return }
                // the order's identifiers: the ORC's request, else the order group's earlier RXO (an
                // RXE after an RXO of one ORC)
                if let request = context.serviceRequest,
                    let order = context.record.serviceRequests.first(where: { $0.ref == request })
                {
                    medication.identifiers = order.identifiers
                    if medication.requester == nil { medication.requester = order.requester }
                    if medication.authoredOn == nil { medication.authoredOn = order.authoredOn }
                } else if let previous = context.medication,
                    let order = context.record.medications.first(where: { $0.ref == previous })
                {
                    medication.identifiers = order.identifiers
                    if medication.requester == nil { medication.requester = order.requester }
                    if medication.authoredOn == nil { medication.authoredOn = order.authoredOn }
                }
            },
            didCreate: { context, ref in
                context.medication = ref
                absorbPharmacyOrder(into: ref, context: &context)
            },
            current: { $0.medication })
    }

    /// An ORC followed by RXO or RXE orders a medication, not a service: the request the ORC (and its
    /// TQ1 and NTE) made has no code of its own, and becomes the MedicationRequest (status, priority,
    /// start, reasons and notes move to it) instead of a code-less ServiceRequest beside it. A request
    /// with a code (an OBR's) or a specimen is left alone.
    static func absorbPharmacyOrder(into ref: EntityRef, context: inout MappingContext) {
        guard let request = context.serviceRequest,
            let orderIndex = context.record.serviceRequests.firstIndex(where: { $0.ref == request }),
            context.record.serviceRequests[orderIndex].code == nil,
            context.record.serviceRequests[orderIndex].specimens.isEmpty,
            let index = context.record.medications.firstIndex(where: { $0.ref == ref })
        else { return }
        let order = context.record.serviceRequests.remove(at: orderIndex)
        context.serviceRequest = nil
        var medication = context.record.medications[index]
        for identifier in order.identifiers where !medication.identifiers.contains(identifier) {
            medication.identifiers.append(identifier)
        }
        if medication.requester == nil { medication.requester = order.requester }
        if medication.authoredOn == nil { medication.authoredOn = order.authoredOn }
        // request-status to medicationrequest-status: the same codes, but `revoked` is `cancelled`
        switch order.status {
        case "unknown": break
        case "revoked": medication.status = "cancelled"
        default: medication.status = order.status
        }
        if medication.priority == nil { medication.priority = order.priority }
        if let start = order.occurrence, medication.period?.start == nil {
            medication.period = Period(start: start, end: medication.period?.end)
        }
        for reason in order.reasons where !medication.reasons.contains(reason) { medication.reasons.append(reason) }
        medication.note = order.note + medication.note
        context.record.medications[index] = medication
    }

    static var document: EntityMapping<DocumentNote> {
        var mapping = EntityMapping<DocumentNote>(
            setters: Setters.bound(CanonicalPaths.document),
            records: \.documents, make: { DocumentNote(ref: $0, source: $1) },
            key: { document, _, context in scoped(context, identifierKey(document.identifiers)) },
            link: { document, context in
                document.patient = context.patient
                document.encounter = context.encounter
            },
            didCreate: { context, ref in context.lastCreated = ref },
            current: { context in context.record.documents.last?.ref })
        mapping.converters["documentContentType"] = Named(reads: [3]) { document, segment, context, _ in
            // TXA-3 document content presentation (table 0191): TX/FT -> text/plain, others kept as the code says.
            if ["TX", "FT", "HTML", "RTF", "PDF", "AP"].contains(segment[3].value?.uppercased() ?? "") {
                context.carry(segment[3])
            }
            switch segment[3].value?.uppercased() {
            case "TX", "FT", nil: document.contentType = "text/plain"
            case "HTML": document.contentType = "text/html"
            case "RTF": document.contentType = "application/rtf"
            case "PDF", "AP": document.contentType = "application/pdf"
            default: document.contentType = "text/plain"
            }
        }
        return mapping
    }

    static var appointment: EntityMapping<Appointment> {
        var mapping = EntityMapping<Appointment>(
            setters: Setters.bound(CanonicalPaths.appointment),
            records: \.appointments, make: { Appointment(ref: $0, source: $1) },
            key: { appointment, _, _ in identifierKey(appointment.identifiers) },
            link: { appointment, context in if appointment.patient == nil { appointment.patient = context.patient } },
            didCreate: { _, _ in }, current: { context in context.record.appointments.last?.ref })
        mapping.converters["appointmentTiming"] = Named(reads: [9, 10, 11]) {
            appointment, segment, context, converters in
            // SCH-11 timing quantity (TQ): component 4 start, 5 end; SCH-9/10 duration and units.
            let timing = segment[11].first
            if appointment.start == nil {
                appointment.start = converters.dateTime(
                    timing[4].value, context: &context, location: segment.location(field: 11, component: 4))
                if appointment.start != nil { context.carry(timing, 4) }
            }
            if appointment.end == nil {
                appointment.end = converters.dateTime(
                    timing[5].value, context: &context, location: segment.location(field: 11, component: 5))
                if appointment.end != nil { context.carry(timing, 5) }
            }
            if let duration = segment[9].value.flatMap({ Int($0) }) {
                let unit = segment[10][1].value?.lowercased()
                if unit == nil || unit == "min" || unit == "m" || unit == "minutes" {
                    appointment.minutesDuration = duration
                }
                if unit == "h" || unit == "hr" || unit == "hours" { appointment.minutesDuration = duration * 60 }
                if appointment.minutesDuration != nil {
                    context.carry(segment[9])
                    context.carry(segment[10])
                }
            }
        }
        return mapping
    }

    static var patientLink: EntityMapping<PatientLink> {
        var mapping = EntityMapping<PatientLink>(
            setters: [:], records: \.patientLinks,
            make: {
                PatientLink(
                    ref: $0, survivor: EntityRef(.patient, key: ""), merged: EntityRef(.patient, key: ""), source: $1)
            },
            key: { link, _, _ in [link.survivor.key, link.merged.key].joined(separator: "|") },
            link: { link, context in
                if link.survivor.key.isEmpty, let patient = context.patient { link.survivor = patient }
            },
            didCreate: { _, _ in }, current: { context in context.record.patientLinks.last?.ref })
        mapping.converters["survivorPatient"] = Named(reads: [3]) { link, segment, context, converters in
            // PID-3 of a merge message: the surviving record's business key.
            let identifiers = segment[3].repetitions.compactMap { converters.identifier(cx: $0, context: &context) }
            // the key, not the identifiers, is what the link holds: nothing of PID-3 is carried here
            context.carried.discard()
            link.survivor = EntityRef(.patient, key: identifierKey(identifiers, preferType: "MR") ?? "")
        }
        mapping.converters["mergedPatient"] = Named(reads: [1]) { link, segment, context, converters in
            // MRG-1 prior patient identifier list (CX, repeating): the merged record's business key.
            // The merged record itself lives on the receiving system: no Patient is written for it
            // here, since a PUT of what MRG holds would replace that record's demographics.
            let identifiers = segment[1].repetitions.compactMap { converters.identifier(cx: $0, context: &context) }
            link.mergedIdentifiers = identifiers
            link.merged = EntityRef(.patient, key: identifierKey(identifiers, preferType: "MR") ?? "")
        }
        return mapping
    }
}
