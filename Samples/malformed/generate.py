#!/usr/bin/env python3
"""Writes the malformed-input corpus: one bad input per file, each with a sibling `.expected`.

Run from anywhere: `python3 Samples/malformed/generate.py`. Every value in a bad message, row or
document holds the sentinel ZQXSENTINEL, so that a test can check no input text reaches an error.
HL7 v2 files hold a good message, the bad one, and another good message; CSV files hold good rows
around the bad one. The expected positions assume the limits in README.md (RobustnessTests uses them).
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
S = "ZQXSENTINEL"


def good(n):
    return "\r".join([
        f"MSH|^~\\&|{S}APP|{S}FAC|RECV|RECV_FAC|20240301120000||ADT^A01^ADT_A01|GOOD-{n}|P|2.5.1",
        f"EVN|A01|20240301120000",
        f"PID|1||GOOD-{n}^^^SAMPLE^MR||{S}^{S}||19800101|F",
        f"PV1|1|I|WARD^1^1",
    ]) + "\r"


def header(control, extra=""):
    return f"MSH|^~\\&|{S}|{S}|{S}|{S}|20240301120000||ADT^A01^ADT_A01|{control}|P|2.5.1{extra}"


def hl7(name, bad, expected, before=1, after=1):
    """Good messages, the bad one, good messages: `expected` names the bad unit's error."""
    units = [good(i + 1) for i in range(before)]
    units.append(bad)
    units += [good(before + 2 + i) for i in range(after)]
    data = b"".join(u if isinstance(u, bytes) else u.encode("utf-8") for u in units)
    write(name + ".hl7", data, expected, good=before + after)


def write(name, data, expected, good):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    lines = [f"{key}: {value}" for key, value in expected.items()] + [f"good: {good}"]
    with open(os.path.join(HERE, name.rsplit(".", 1)[0] + ".expected"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    # --- HL7 v2 -----------------------------------------------------------------------------------
    hl7("hl7-truncated-header", f"MSH|^~\r",
        {"kind": "invalidEncodingCharacters", "unit": 2, "position": "message 2 MSH[1]-2"})
    hl7("hl7-truncated-before-type", f"MSH|^~\\&|{S}|{S}|{S}\r",
        {"kind": "missingMessageType", "unit": 2, "position": "message 2 MSH[1]-9"})
    hl7("hl7-bad-msh2-short", f"MSH|^~\\|{S}|{S}|||20240301||ADT^A01|{S}|P|2.5.1\rPID|1||{S}\r",
        {"kind": "invalidEncodingCharacters", "unit": 2, "position": "message 2 MSH[1]-2"})
    hl7("hl7-bad-msh2-duplicate", f"MSH|^^\\&|{S}|{S}|||20240301||ADT^A01|{S}|P|2.5.1\rPID|1||{S}\r",
        {"kind": "invalidEncodingCharacters", "unit": 2, "position": "message 2 MSH[1]-2"})
    hl7("hl7-bad-msh1-tab", f"MSH\t^~\\&\t{S}\t{S}\rPID|1||{S}\r",
        {"kind": "invalidEncodingCharacters", "unit": 2, "position": "message 2 MSH[1]-1"})
    hl7("hl7-invalid-segment-id", header("BAD-2") + f"\rPID|1||{S}^^^SAMPLE^MR||{S}\rpv1|1|I|{S}\r",
        {"kind": "invalidSegmentID", "unit": 2, "position": "message 2 [3]"})
    hl7("hl7-junk-before-header", f"{S} {S} {S}\r", {"kind": "noMessageHeader", "unit": 1,
        "position": "message 1 MSH[1]"}, before=0, after=2)
    hl7("hl7-unsupported-charset", header("BAD-2", f"|||AL|NE||{S}") + f"\rPID|1||{S}\r",
        {"kind": "unsupportedCharset", "unit": 2, "position": "message 2 MSH[1]-18"})
    hl7("hl7-missing-type", f"MSH|^~\\&|{S}|{S}|||20240301||^{S}|{S}|P|2.5.1\rPID|1||{S}\r",
        {"kind": "missingMessageType", "unit": 2, "position": "message 2 MSH[1]-9"})
    hl7("hl7-unsupported-type", f"MSH|^~\\&|{S}|{S}|||20240301||ZZZ^Z99|{S}|P|2.5.1\rPID|1||{S}\r",
        {"kind": "unsupportedMessageType", "unit": 2, "position": "message 2 MSH[1]-9"})
    # a field over the 16 KiB field limit
    hl7("hl7-huge-field", header("BAD-2") + f"\rPID|1||{S}||" + (S * 2000) + "\r",
        {"kind": "fieldTooLarge", "unit": 2, "position": "message 2 PID[1]-5"})
    # a message over the 128 KiB message limit (every field under the field limit)
    hl7("hl7-huge-message", header("BAD-2") + "\r" + "".join(f"NTE|{i}||{S * 1200}\r" for i in range(1, 12)),
        {"kind": "messageTooLarge", "unit": 2, "position": "message 2 MSH[1]"})
    # more segments than the 500-segment limit
    hl7("hl7-too-many-segments", header("BAD-2") + "\r" + "".join(f"NTE|{i}||{S}\r" for i in range(1, 601)),
        {"kind": "tooManySegments", "unit": 2, "position": "message 2 [501]"})
    # warnings: the message still converts, the problem is positioned
    hl7("hl7-unterminated-escape",
        header("WARN-2") + f"\rEVN|A01|20240301\rPID|1||W-2^^^SAMPLE^MR||{S}\\H{S}^{S}\rPV1|1|I\r",
        {"warning": "unterminatedEscape", "unit": 2, "position": "message 2 PID[1]-5.1.1"})
    hl7("hl7-invalid-utf8",
        header("WARN-2", "|||AL|NE||UNICODE UTF-8").encode() + b"\rEVN|A01|20240301\rPID|1||W-2^^^SAMPLE^MR||"
        + S.encode() + b"\xc3\x28\xff" + S.encode() + b"^" + S.encode() + b"\rPV1|1|I\r",
        {"warning": "invalidUTF8", "unit": 2, "position": "message 2 PID[1]-5"})
    hl7("hl7-latin1-declared-utf8",
        header("WARN-2", "|||AL|NE||UNICODE UTF-8").encode() + b"\rEVN|A01|20240301\rPID|1||W-2^^^SAMPLE^MR||"
        + S.encode() + "\u00fc".encode("latin-1") + b"^" + S.encode() + b"\rPV1|1|I\r",
        {"warning": "invalidUTF8", "unit": 2, "position": "message 2 PID[1]-5"})

    # --- CSV (Samples/csv/lab-results.profile.yaml) ------------------------------------------------
    head = "MRN,Last Name,First Name,DOB,Sex,Accession,Collected,LOINC,Test,Result,Units,Ref Low,Ref High,Flag,Comment\n"

    def row(n, **over):
        cells = {"MRN": f"9000{n}", "Last": S, "First": S, "DOB": "01/02/1970", "Sex": "F", "Acc": f"ACC-{n}",
                 "Collected": "2024-02-01 08:15", "LOINC": "2345-7", "Test": S, "Result": "105", "Units": "mg/dL",
                 "Low": "70", "High": "99", "Flag": "H", "Comment": S}
        cells.update(over)
        return ",".join(cells.values()) + "\n"

    def csv(name, bad, expected, good_rows=4):
        rows = [row(1), row(2)] + [bad] + [row(3), row(4)][: good_rows - 2]
        write(name + ".csv", (head + "".join(rows)).encode("utf-8"), expected, good=good_rows)

    csv("csv-ragged-short", f"9000{5},{S},{S},01/02/1970\n",
        {"kind": "fieldCountMismatch", "unit": "row", "position": "csv-ragged-short.csv:4 column Sex"})
    csv("csv-ragged-long", row(5).rstrip("\n") + f",{S},{S}\n",
        {"kind": "fieldCountMismatch", "unit": "row", "position": "csv-ragged-long.csv:4"})
    csv("csv-stray-quote", row(5, Test=f'{S} 5" {S}'),
        {"kind": "quoteInUnquotedField", "unit": "row", "position": "csv-stray-quote.csv:4 column Test"})
    csv("csv-text-after-quote", row(5, Test=f'"{S}"{S}'),
        {"kind": "textAfterClosingQuote", "unit": "row", "position": "csv-text-after-quote.csv:4 column Test"})
    csv("csv-huge-field", row(5, Comment=S * 2000),
        {"kind": "fieldTooLong", "unit": "row", "position": "csv-huge-field.csv:4 column Comment"})
    csv("csv-huge-row", row(5, Comment='"' + (S + ",") * 7000 + '"'),
        {"kind": "recordTooLong", "unit": "row", "position": "csv-huge-row.csv:4 column Comment"})
    csv("csv-bad-date", row(5, DOB=f"{S}"),
        {"warning": "invalidValue", "unit": "row", "position": "csv-bad-date.csv:4 column DOB"})
    # an unterminated quote swallows the rest of the file (up to the row limit): the rows before it convert
    csv("csv-unterminated-quote", row(5, Comment=f'"{S}'),
        {"kind": "unterminatedQuote", "unit": "row", "position": "csv-unterminated-quote.csv:4 column Comment"},
        good_rows=2)

    # --- C-CDA ---------------------------------------------------------------------------------------
    def xml(name, data, expected):
        write(name + ".xml", data.encode("utf-8") if isinstance(data, str) else data, expected, good=2)

    doc_open = '<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">\n'
    xml("ccda-truncated", doc_open + f'  <title>{S}</title>\n  <recordTarget><patientRole><id root="{S}"/>\n',
        {"kind": "xmlNotWellFormed", "unit": 1, "position": "/ (line 5)"})
    xml("ccda-deeply-nested", doc_open + "<component>" * 300 + S + "</component>" * 300 + "\n</ClinicalDocument>\n",
        {"kind": "documentTooDeep", "unit": 1, "position": "/ (line 3)"})
    xml("ccda-xxe", '<?xml version="1.0"?>\n<!DOCTYPE ClinicalDocument [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
        f'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&xxe;{S}</title></ClinicalDocument>\n',
        {"kind": "externalEntityRefused", "unit": 1, "position": "/ (line 3)"})
    laughs = "".join(f'  <!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">\n' for i in range(1, 10))
    xml("ccda-billion-laughs", '<?xml version="1.0"?>\n<!DOCTYPE ClinicalDocument [\n  <!ENTITY lol0 "' + S + '">\n'
        + laughs + ']>\n<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&lol9;</title></ClinicalDocument>\n',
        {"kind": "entityDeclarationRefused", "unit": 1, "position": "/ (line 3)"})
    xml("ccda-invalid-utf8", doc_open.encode() + b"  <title>" + S.encode() + b"\xc3\x28\xff</title>\n</ClinicalDocument>\n",
        {"kind": "xmlNotWellFormed", "unit": 1, "position": "/ (line 3)"})
    xml("ccda-wrong-charset", f'<?xml version="1.0" encoding="{S}"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">'
        f"<title>{S}</title></ClinicalDocument>\n",
        {"kind": "xmlNotWellFormed", "unit": 1, "position": "/ (line 1)"})
    xml("ccda-not-clinical-document", f'<?xml version="1.0"?>\n<Patient xmlns="urn:hl7-org:v3"><name>{S}</name></Patient>\n',
        {"kind": "notAClinicalDocument", "unit": 1, "position": "/Patient[1] (line 2)"})
    xml("ccda-huge-document", doc_open + f"  <title>{S}</title>\n" + f"  <!-- {S * 8000} -->\n" + "</ClinicalDocument>\n",
        {"kind": "documentTooLarge", "unit": 1, "position": "/"})


if __name__ == "__main__":
    main()
