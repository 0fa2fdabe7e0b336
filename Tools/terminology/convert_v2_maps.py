#!/usr/bin/env python3
"""Convert the HL7 v2-to-FHIR IG vocabulary map CSVs into Terminology/v2-to-fhir/*.json.

Usage (from the repository root):

    python3 Tools/terminology/convert_v2_maps.py \
        --corpus ../shared/corpus/v2-to-fhir-maps/codesystems \
        --out Terminology/v2-to-fhir

The input is the `mappings/codesystems/` folder of https://github.com/HL7/v2-to-fhir
(CC0-1.0, HL7 International). Each CSV with at least one v2 code row becomes one JSON
file `v2-<table>--<target>.json`; `index.json` lists them all. Output is deterministic
(same input, same bytes), so regenerating and diffing is a review step.

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import re
import sys

SOURCE = {
    "name": "HL7 Version 2 to FHIR IG vocabulary maps",
    "url": "https://github.com/HL7/v2-to-fhir",
    "version": "1.0.0 (commit 8c9b414)",
    "licence": "CC0-1.0, HL7 International",
}
UPSTREAM_DIR = "mappings/codesystems"
GENERATOR = "Tools/terminology/convert_v2_maps.py"
NO_CODE_REASON = "no FHIR code in IG map"
THO_V2 = "http://terminology.hl7.org/CodeSystem/v2-"
THO_V3 = "http://terminology.hl7.org/CodeSystem/v3-"

# Maps whose primary target system is not the most frequent one among their rows.
# FHIR R4 Encounter.class binds v3 ActEncounterCode; the v2-0004 rows are fallbacks.
TARGET_SYSTEM_OVERRIDES = {
    "PatientClass[EncounterClass]": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
}


class ConversionError(Exception):
    pass


def normalize_table(raw: str) -> str | None:
    """`HL70001`, `HL7-0354`, `HL0207`, `0001` -> `0001`; anything else -> None."""
    match = re.fullmatch(r"(?:HL7?)?[-_ ]?(\d{1,4})", raw.strip(), flags=re.IGNORECASE)
    return match.group(1).zfill(4) if match else None


def kebab(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", text)
    text = re.sub(r"[^A-Za-z0-9]+", "-", text)
    return text.strip("-").lower()


def system_slug(system: str) -> str:
    if system == "http://snomed.info/sct":
        return "snomed-ct"
    if system.startswith("urn:iso:std:iso:"):
        return "iso-" + system[len("urn:iso:std:iso:"):].replace(":", "-")
    if system.startswith(THO_V2):
        return "v2-" + system[len(THO_V2):]
    if system.startswith(THO_V3):
        return kebab(system[len(THO_V3):])
    last = re.split(r"[/:]", system.rstrip("/"))[-1]
    return last.lower()


def bracket_slug(bracket: str | None) -> str | None:
    """A bracket naming a FHIR element (`EncounterClass`, `ServiceRequest.status`) names the map;
    a bare word (`Type`, `Appointment`, `Non-Queries`) does not."""
    if not bracket:
        return None
    humps = len(re.findall(r"[A-Z][a-z]", bracket))
    if "." in bracket or (humps >= 2 and re.fullmatch(r"[A-Za-z]+", bracket)):
        return kebab(bracket)
    return None


class Columns:
    """Column indexes found from the two header rows (layouts with 8, 9, 10 and 12 columns exist)."""

    def __init__(self, banner: list[str], header: list[str], path: str):
        names = [h.strip().lower() for h in header]
        banner = [b.strip().lower() for b in banner]
        fhir_start = next((i for i, b in enumerate(banner) if b == "hl7 fhir"), None)
        if fhir_start is None:
            raise ConversionError(f"{path}:1: no 'HL7 FHIR' banner column")
        self.v2_code, self.v2_text, self.v2_system = 0, 1, 2
        if names[:3] != ["code", "text", "code system"]:
            raise ConversionError(f"{path}:2: expected Code,Text,Code System, got {header[:3]}")
        self.antlr = self.fhirpath = self.narrative = None
        for i in range(3, fhir_start):
            if "antlr" in names[i] or names[i] == "computable":
                self.antlr = i
            elif "fhirpath" in names[i]:
                self.fhirpath = i
            elif names[i] == "narrative":
                self.narrative = i
        self.code = self.display = self.alt_display = self.system = None
        for i in range(fhir_start, len(names)):
            if names[i] == "code" and self.code is None:
                self.code = i
            elif names[i] == "display" and self.display is None:
                self.display = i
            elif names[i] == "code system" and self.system is None:
                self.system = i
            elif names[i] == "" and self.code is not None and self.display is None and self.alt_display is None:
                self.alt_display = i  # unnamed column between Code and Display: some sheets put the display here
        if self.code is None or self.system is None:
            raise ConversionError(f"{path}:2: no FHIR Code / Code System columns")
        self.comments = next((i for i, b in enumerate(banner) if b == "comments"), None)


def cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def read_csv(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def map_name(filename: str) -> str:
    match = re.fullmatch(r"HL7 Concept Map_ (.+) - Sheet1\.csv", filename)
    if not match:
        raise ConversionError(f"{filename}: unexpected file name")
    return match.group(1)


def convert(path: str) -> dict | None:
    filename = os.path.basename(path)
    name = map_name(filename)
    rows = read_csv(path)
    if len(rows) < 2:
        raise ConversionError(f"{filename}: fewer than two header rows")
    cols = Columns(rows[0], rows[1], filename)

    records = []  # (line, row)
    tables = collections.Counter()
    for line, row in enumerate(rows[2:], start=3):
        code = cell(row, cols.v2_code)
        if not code:
            continue
        raw_table = cell(row, cols.v2_system)
        if raw_table:
            table = normalize_table(raw_table)
            if table is None:
                raise ConversionError(f"{filename}:{line}: unrecognised v2 table id {raw_table!r}")
            tables[table] += 1
        records.append((line, row))
    if not records:
        return None  # an empty stub ("Under Construction" upstream)
    if len(tables) != 1:
        raise ConversionError(f"{filename}: expected one v2 table, found {dict(tables)}")
    table = next(iter(tables))

    mapped = collections.OrderedDict()      # code -> entry (with system)
    unmapped = collections.OrderedDict()    # code -> reason
    conditional = []
    conditional_codes = collections.OrderedDict()
    for line, row in records:
        code = cell(row, cols.v2_code)
        raw_table = cell(row, cols.v2_system)
        if raw_table and normalize_table(raw_table) != table:
            raise ConversionError(f"{filename}:{line}: table {raw_table!r} differs from {table}")
        target_code = cell(row, cols.code)
        target_system = cell(row, cols.system)
        display = cell(row, cols.display) or (cell(row, cols.alt_display) if target_code else "")
        comment = cell(row, cols.comments)
        condition = {
            key: value
            for key, value in (
                ("antlr", cell(row, cols.antlr)),
                ("fhirpath", cell(row, cols.fhirpath)),
                ("narrative", cell(row, cols.narrative)),
            )
            if value
        }
        target = None
        if target_code:
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target_system):
                raise ConversionError(f"{filename}:{line}: FHIR code {target_code!r} without a system URI")
            target = {"system": target_system, "code": target_code}
            if display:
                target["display"] = display
        if condition:
            entry = {"code": code, "condition": condition, "target": target}
            if comment:
                entry["comment"] = comment
            entry["line"] = line
            conditional.append(entry)
            conditional_codes.setdefault(code, condition)
            continue
        if target is None:
            if code not in mapped:
                unmapped.setdefault(code, comment or NO_CODE_REASON)
            continue
        if code in mapped:
            if (mapped[code]["system"], mapped[code]["code"]) != (target["system"], target["code"]):
                raise ConversionError(f"{filename}:{line}: {code!r} mapped twice to different targets")
            continue
        mapped[code] = target
        unmapped.pop(code, None)

    for code, condition in conditional_codes.items():
        if code not in mapped and code not in unmapped:
            comments = [c["comment"] for c in conditional if c["code"] == code and "comment" in c]
            what = condition.get("narrative") or condition.get("antlr") or condition.get("fhirpath")
            unmapped[code] = comments[0] if comments else f"depends on a condition: {what}"

    systems = collections.Counter(t["system"] for t in mapped.values())
    target_system = TARGET_SYSTEM_OVERRIDES.get(name)
    if target_system is None and systems:
        # most frequent; ties go to the first seen in the sheet
        order = list(dict.fromkeys(t["system"] for t in mapped.values()))
        target_system = max(order, key=lambda s: (systems[s], -order.index(s)))

    bracket = re.search(r"\[(.+)\]", name)
    bracket = bracket.group(1) if bracket else None
    slug = bracket_slug(bracket) or (system_slug(target_system) if target_system else kebab(name))
    map_id = f"v2-{table}--{slug}"

    out_map = collections.OrderedDict()
    for code, target in mapped.items():
        entry = {"code": target["code"]}
        if "display" in target:
            entry["display"] = target["display"]
        if target["system"] != target_system:
            entry["system"] = target["system"]
        out_map[code] = entry

    target_only = sum(
        1 for row in rows[2:] if not cell(row, cols.v2_code) and cell(row, cols.code)
    )
    source = dict(SOURCE)
    source["file"] = f"{UPSTREAM_DIR}/{filename}"
    source["generatedBy"] = GENERATOR
    document = collections.OrderedDict()
    document["source"] = source
    document["id"] = map_id
    document["name"] = name
    document["targetElement"] = bracket
    document["sourceTable"] = table
    document["sourceSystem"] = THO_V2 + table
    document["targetSystem"] = target_system
    document["map"] = out_map
    document["unmapped"] = unmapped
    document["conditional"] = conditional
    document["targetOnlyRows"] = target_only
    return document


def main(argv: list[str]) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        default=os.path.normpath(os.path.join(root, "..", "shared", "corpus", "v2-to-fhir-maps", "codesystems")),
        help="Folder with the IG's 'HL7 Concept Map_ * - Sheet1.csv' files.",
    )
    parser.add_argument("--out", default=os.path.join(root, "Terminology", "v2-to-fhir"), help="Output folder.")
    parser.add_argument("--check", action="store_true", help="Fail if the output folder is not up to date.")
    args = parser.parse_args(argv)

    if not os.path.isdir(args.corpus):
        print(f"error: corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    files = sorted(f for f in os.listdir(args.corpus) if f.endswith(".csv"))
    documents = []
    try:
        for filename in files:
            document = convert(os.path.join(args.corpus, filename))
            if document is not None:
                documents.append(document)
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    ids = collections.Counter(d["id"] for d in documents)
    clashes = [i for i, n in ids.items() if n > 1]
    if clashes:
        print(f"error: map ids clash: {clashes}", file=sys.stderr)
        return 1

    outputs = {}
    for document in documents:
        outputs[document["id"] + ".json"] = document
    index = collections.OrderedDict()
    index["source"] = dict(SOURCE, generatedBy=GENERATOR)
    index["maps"] = [
        collections.OrderedDict(
            id=d["id"],
            table=d["sourceTable"],
            name=d["name"],
            targetElement=d["targetElement"],
            targetSystem=d["targetSystem"],
            mappedCodes=len(d["map"]),
            unmappedCodes=len(d["unmapped"]),
            conditionalRows=len(d["conditional"]),
        )
        for d in sorted(documents, key=lambda d: d["id"])
    ]
    outputs["index.json"] = index

    rendered = {
        name: json.dumps(doc, indent=2, ensure_ascii=False) + "\n" for name, doc in sorted(outputs.items())
    }
    existing = {f for f in os.listdir(args.out) if f.endswith(".json")} if os.path.isdir(args.out) else set()
    if args.check:
        stale = [n for n, text in rendered.items() if not _same(os.path.join(args.out, n), text)]
        extra = sorted(existing - set(rendered))
        if stale or extra:
            print(f"out of date: {stale + extra}", file=sys.stderr)
            return 1
        print(f"up to date: {len(documents)} maps")
        return 0
    os.makedirs(args.out, exist_ok=True)
    for name in sorted(existing - set(rendered)):
        os.remove(os.path.join(args.out, name))
    for name, text in rendered.items():
        with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    mapped = sum(len(d["map"]) for d in documents)
    unmapped = sum(len(d["unmapped"]) for d in documents)
    conditional = sum(len(d["conditional"]) for d in documents)
    print(f"wrote {len(documents)} maps ({mapped} mapped codes, {unmapped} unmapped, "
          f"{conditional} conditional rows) and index.json to {args.out}")
    return 0


def _same(path: str, text: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read() == text
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
