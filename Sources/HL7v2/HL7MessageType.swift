/// The message type from MSH-9: code (MSG-1), trigger event (MSG-2) and message structure (MSG-3).
///
///     // MSH-9 "ADT^A04"           -> code "ADT", event "A04", structure "ADT_A01" (derived, table 0354)
///     // MSH-9 "ORU^R01^ORU_R01"   -> structure as written
///     // MSH-9 "ADT_A01"           -> code "ADT", event nil, structure "ADT_A01"
///     type.description             // "ADT^A04^ADT_A01"
public struct HL7MessageType: Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var event: String?
    /// MSH-9.3 as written, or derived from code and event when MSH-9.3 is empty; `nil` when unknown.
    public var structure: String?

    public init(code: String, event: String? = nil, structure: String? = nil) {
        self.code = code
        self.event = event
        self.structure = structure
    }

    /// Reads MSH-9's three components (already decoded), deriving the structure when absent.
    public init(code: String, event: String?, writtenStructure: String?) {
        if event == nil, writtenStructure == nil, let underscore = code.firstIndex(of: "_") {
            self.init(code: String(code[..<underscore]), event: nil, structure: code)
            return
        }
        self.init(
            code: code, event: event,
            structure: writtenStructure ?? Self.derivedStructure(code: code, event: event))
    }

    /// `code^event^structure`, leaving out trailing missing parts: `ADT^A01^ADT_A01`, `ACK`.
    public var description: String {
        var parts = [code, event ?? "", structure ?? ""]
        while parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
        return parts.joined(separator: "^")
    }

    /// The message structure HL7 table 0354 gives for a code and trigger event, or `nil` when the
    /// pair is not in the table.
    ///
    ///     HL7MessageType.derivedStructure(code: "ADT", event: "A08")   // "ADT_A01"
    ///     HL7MessageType.derivedStructure(code: "ACK", event: "A01")   // "ACK"
    public static func derivedStructure(code: String, event: String?) -> String? {
        let code = code.uppercased()
        if code == "ACK" { return "ACK" }
        guard let event = event?.uppercased(), !event.isEmpty else { return nil }
        return HL7MessageStructures.table["\(code)^\(event)"]
    }
}

/// HL7 table 0354 (message structure), as code^event -> structure. Where versions disagree the
/// v2.5 assignment is used, except that the ADT_A21 family of v2.4+ reads as ADT_A09 (as in v2.3.1).
enum HL7MessageStructures {
    static let table: [String: String] = {
        var table: [String: String] = [:]
        func add(_ code: String, _ events: [String], _ structure: String) {
            for event in events { table["\(code)^\(event)"] = structure }
        }
        func range(_ prefix: String, _ numbers: ClosedRange<Int>) -> [String] {
            numbers.map { prefix + ($0 < 10 ? "0" : "") + String($0) }
        }
        // ADT
        add("ADT", ["A01", "A04", "A08", "A13"], "ADT_A01")
        add("ADT", ["A02"], "ADT_A02")
        add("ADT", ["A03"], "ADT_A03")
        add("ADT", ["A05", "A14", "A28", "A31"], "ADT_A05")
        add("ADT", ["A06", "A07"], "ADT_A06")
        add(
            "ADT", ["A09", "A10", "A11", "A15", "A21", "A22", "A23", "A25", "A26", "A27", "A29", "A32", "A33"],
            "ADT_A09")
        add("ADT", ["A12"], "ADT_A12")
        add("ADT", ["A16"], "ADT_A16")
        add("ADT", ["A17"], "ADT_A17")
        add("ADT", ["A18"], "ADT_A18")
        add("ADT", ["A20"], "ADT_A20")
        add("ADT", ["A24"], "ADT_A24")
        add("ADT", ["A30", "A34", "A35", "A36", "A46", "A47", "A48", "A49"], "ADT_A30")
        add("ADT", ["A37"], "ADT_A37")
        add("ADT", ["A38"], "ADT_A38")
        add("ADT", ["A39", "A40", "A41", "A42"], "ADT_A39")
        add("ADT", ["A43", "A44"], "ADT_A43")
        add("ADT", ["A45"], "ADT_A45")
        add("ADT", ["A50", "A51"], "ADT_A50")
        add("ADT", ["A52", "A53", "A55"], "ADT_A52")
        add("ADT", ["A54"], "ADT_A54")
        add("ADT", ["A60"], "ADT_A60")
        add("ADT", ["A61", "A62"], "ADT_A61")
        add("QRY", ["A19"], "QRY_A19")
        add("ADR", ["A19"], "ADR_A19")
        // Financial
        add("BAR", ["P01"], "BAR_P01")
        add("BAR", ["P02"], "BAR_P02")
        add("BAR", ["P05"], "BAR_P05")
        add("BAR", ["P06"], "BAR_P06")
        add("BAR", ["P10"], "BAR_P10")
        add("BAR", ["P12"], "BAR_P12")
        add("DFT", ["P03"], "DFT_P03")
        add("DFT", ["P11"], "DFT_P11")
        // Documents
        add("MDM", ["T01", "T03", "T05", "T07", "T09", "T11"], "MDM_T01")
        add("MDM", ["T02", "T04", "T06", "T08", "T10"], "MDM_T02")
        // Orders and results
        add("ORM", ["O01"], "ORM_O01")
        add("ORR", ["O02"], "ORR_O02")
        add("OMG", ["O19"], "OMG_O19")
        add("ORG", ["O20"], "ORG_O20")
        add("OML", ["O21"], "OML_O21")
        add("OML", ["O33"], "OML_O33")
        add("OML", ["O35"], "OML_O35")
        add("OML", ["O39"], "OML_O39")
        add("OML", ["O59"], "OML_O59")
        add("ORL", ["O22"], "ORL_O22")
        add("ORL", ["O34"], "ORL_O34")
        add("ORL", ["O36"], "ORL_O36")
        add("ORL", ["O40"], "ORL_O40")
        add("OMI", ["O23"], "OMI_O23")
        add("ORI", ["O24"], "ORI_O24")
        add("OMD", ["O03"], "OMD_O03")
        add("ORD", ["O04"], "ORD_O04")
        add("OMS", ["O05"], "OMS_O05")
        add("ORS", ["O06"], "ORS_O06")
        add("OMN", ["O07"], "OMN_O07")
        add("ORN", ["O08"], "ORN_O08")
        add("OMP", ["O09"], "OMP_O09")
        add("ORP", ["O10"], "ORP_O10")
        add("OMB", ["O27"], "OMB_O27")
        add("ORB", ["O28"], "ORB_O28")
        add("RDE", ["O01"], "RDE_O01")
        add("RDE", ["O11"], "RDE_O11")
        add("RDE", ["O25"], "RDE_O25")
        add("RRE", ["O12"], "RRE_O12")
        add("RRE", ["O26"], "RRE_O26")
        add("RDS", ["O01"], "RDS_O01")
        add("RDS", ["O13"], "RDS_O13")
        add("RRD", ["O14"], "RRD_O14")
        add("RGV", ["O01"], "RGV_O01")
        add("RGV", ["O15"], "RGV_O15")
        add("RRG", ["O16"], "RRG_O16")
        add("RAS", ["O01"], "RAS_O01")
        add("RAS", ["O17"], "RAS_O17")
        add("RRA", ["O18"], "RRA_O18")
        add("BPS", ["O29"], "BPS_O29")
        add("BRP", ["O30"], "BRP_O30")
        add("BTS", ["O31"], "BTS_O31")
        add("BRT", ["O32"], "BRT_O32")
        add("ORU", ["R01"], "ORU_R01")
        add("ORU", ["R30", "R31", "R32"], "ORU_R30")
        add("ORU", ["W01"], "ORU_W01")
        add("OUL", ["R21"], "OUL_R21")
        add("OUL", ["R22"], "OUL_R22")
        add("OUL", ["R23"], "OUL_R23")
        add("OUL", ["R24"], "OUL_R24")
        add("ORF", ["R04"], "ORF_R04")
        add("QRY", ["R02"], "QRY_R02")
        add("OPL", ["O37"], "OPL_O37")
        add("OPR", ["O38"], "OPR_O38")
        // Immunization
        add("VXU", ["V04"], "VXU_V04")
        add("VXQ", ["V01"], "VXQ_V01")
        add("VXX", ["V02"], "VXX_V02")
        add("VXR", ["V03"], "VXR_V03")
        // Scheduling
        add("SIU", range("S", 12...26), "SIU_S12")
        add("SRM", range("S", 1...11), "SRM_S01")
        add("SRR", range("S", 1...11), "SRR_S01")
        add("SQM", ["S25"], "SQM_S25")
        add("SQR", ["S25"], "SQR_S25")
        // Referrals and patient care
        add("REF", ["I12", "I13", "I14", "I15"], "REF_I12")
        add("RRI", ["I12", "I13", "I14", "I15"], "RRI_I12")
        add("RQA", ["I08", "I09", "I10", "I11"], "RQA_I08")
        add("RPA", ["I08", "I09", "I10", "I11"], "RPA_I08")
        add("RQI", ["I01", "I02", "I03", "I07"], "RQI_I01")
        add("RPI", ["I01", "I04"], "RPI_I01")
        add("RPL", ["I02"], "RPL_I02")
        add("RPR", ["I03"], "RPR_I03")
        add("RQC", ["I05", "I06"], "RQC_I05")
        add("RCI", ["I05"], "RCI_I05")
        add("RCL", ["I06"], "RCL_I06")
        add("PPR", ["PC1", "PC2", "PC3"], "PPR_PC1")
        add("PPP", ["PCB", "PCC", "PCD"], "PPP_PCB")
        add("PPG", ["PCG", "PCH", "PCJ"], "PPG_PCG")
        add("PGL", ["PC6", "PC7", "PC8"], "PGL_PC6")
        add("CRM", range("C", 1...8), "CRM_C01")
        add("CSU", range("C", 9...12), "CSU_C09")
        add("PEX", ["P07", "P08"], "PEX_P07")
        // Master files
        add("MFN", ["M01"], "MFN_M01")
        add("MFN", ["M02"], "MFN_M02")
        add("MFN", ["M03"], "MFN_M03")
        add("MFN", ["M04"], "MFN_M04")
        add("MFN", ["M05"], "MFN_M05")
        add("MFN", ["M06"], "MFN_M06")
        add("MFN", ["M07"], "MFN_M07")
        add("MFN", ["M08"], "MFN_M08")
        add("MFN", ["M09"], "MFN_M09")
        add("MFN", ["M10"], "MFN_M10")
        add("MFN", ["M11"], "MFN_M11")
        add("MFN", ["M12"], "MFN_M12")
        add("MFN", ["M13"], "MFN_M13")
        add("MFN", ["M15"], "MFN_M15")
        add("MFN", ["M16"], "MFN_M16")
        add("MFN", ["M17"], "MFN_M17")
        add("MFK", range("M", 1...17), "MFK_M01")
        // Queries and infrastructure
        add("QBP", ["Q11"], "QBP_Q11")
        add("QBP", ["Q13"], "QBP_Q13")
        add("QBP", ["Q15"], "QBP_Q15")
        add("QBP", ["Q21", "Q22", "Q23", "Q24", "Q25"], "QBP_Q21")
        add("RSP", ["K11"], "RSP_K11")
        add("RSP", ["K21"], "RSP_K21")
        add("RSP", ["K22"], "RSP_K22")
        add("RSP", ["K23", "K24"], "RSP_K23")
        add("RSP", ["K25"], "RSP_K25")
        add("RSP", ["K31"], "RSP_K31")
        add("RTB", ["K13"], "RTB_K13")
        add("RDY", ["K15"], "RDY_K15")
        add("QSB", ["Q16"], "QSB_Q16")
        add("QVR", ["Q17"], "QVR_Q17")
        add("QCN", ["J01"], "QCN_J01")
        add("QSX", ["J02"], "QSX_J02")
        add("NMQ", ["N01"], "NMQ_N01")
        add("NMD", ["N02"], "NMD_N02")
        add("NMR", ["N01"], "NMR_N01")
        add("MFQ", range("M", 1...6), "MFQ_M01")
        add("MFR", range("M", 1...6), "MFR_M01")
        add("EAC", ["U07"], "EAC_U07")
        add("EAN", ["U09"], "EAN_U09")
        add("EAR", ["U08"], "EAR_U08")
        add("ESU", ["U01"], "ESU_U01")
        add("ESR", ["U02"], "ESR_U02")
        add("SSU", ["U03"], "SSU_U03")
        add("SSR", ["U04"], "SSR_U04")
        add("INU", ["U05"], "INU_U05")
        add("INR", ["U06"], "INR_U06")
        add("LSU", ["U12", "U13"], "LSU_U12")
        add("TCU", ["U10", "U11"], "TCU_U10")
        add("PMU", ["B01", "B02"], "PMU_B01")
        add("PMU", ["B03"], "PMU_B03")
        add("PMU", ["B04", "B05", "B06"], "PMU_B04")
        add("PMU", ["B07"], "PMU_B07")
        add("PMU", ["B08"], "PMU_B08")
        add("DOC", ["T12"], "DOC_T12")
        add("EHC", ["E01"], "EHC_E01")
        return table
    }()
}
