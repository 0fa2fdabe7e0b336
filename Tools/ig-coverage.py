#!/usr/bin/env python3
"""Writes Mappings/hl7v2/ig-coverage.yaml: for every message map and segment map of the HL7 v2-to-FHIR
IG (by the names in the corpus's inventory CSVs), what fhirbridge does with it, and for each segment
map the IG has field rows for, each IG-mapped field with our map or the reason it is not mapped.

    python3 Tools/ig-coverage.py --ig-repo /work/.mirror/HL7+v2-to-fhir/repo [--corpus ../shared/corpus]

The IG snapshot is read (git show), never copied: the output holds field ids, our own targets and our
own reasons. The dispositions that are a decision (out of scope, declared) are kept from the existing
file, so a rerun refreshes the field lists and the `map` entries without losing them.
"""

import argparse
import csv
import io
import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Mappings/hl7v2/ig-coverage.yaml"

# IG target resource (the name in brackets, before any "-") -> our canonical record kind
KINDS = {
    "Patient": "patient", "RelatedPerson": "relatedPerson", "Encounter": "encounter", "Condition": "condition",
    "AllergyIntolerance": "allergy", "Procedure": "procedure", "Immunization": "immunization",
    "MedicationRequest": "medication", "ServiceRequest": "serviceRequest", "Specimen": "specimen",
    "Observation": "observation", "DiagnosticReport": "diagnosticReport", "DocumentReference": "document",
    "Appointment": "appointment", "Coverage": "coverage",
}

# converters and the fields they read (Sources/HL7v2Mapping, `Named(reads:)`)
CONVERTERS = {
    "observationValue": [2, 5, 6, 7, 11], "deathIndicators": [3, 4, 5, 6, 7, 8, 9],
    "accident": [1, 2, 3, 5, 6, 8, 12], "immunizationDose": [6, 7, 9, 20, 21], "documentContentType": [3],
    "appointmentTiming": [9, 10, 11], "survivorPatient": [3], "mergedPatient": [1], "encounterStatus": [2, 45], "nationalIdentifiers": [19, 20],
    "allergyReaction": [4, 5],
}

# MSH fields the mapper carries into the record's source document (the Provenance of the message)
MSH_CARRIED = {3, 4, 7, 9, 10, 12}


def git_show(repo, path):
    return subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"], capture_output=True, check=True).stdout.decode()


def ig_segment_files(repo):
    names = subprocess.run(
        ["git", "-C", repo, "ls-tree", "-r", "--name-only", "HEAD", "mappings/segments/"],
        capture_output=True, check=True).stdout.decode().splitlines()
    files = {}
    for name in names:
        base = name.split("/")[-1]
        if not base.startswith("HL7 Segment - FHIR R4_ ") or not base.endswith(".csv"):
            continue
        title = base[len("HL7 Segment - FHIR R4_ "):].rsplit(" - ", 1)[0]
        files[title] = name
    return files


def ig_fields(text):
    """The IG-mapped fields of a segment map: SEG-N rows with a FHIR attribute or extension."""
    rows = list(csv.reader(io.StringIO(text)))
    fields = {}
    for row in rows[2:]:
        if len(row) < 11:
            continue
        ident = row[1].strip()
        if "-" not in ident or not ident.split("-")[-1].isdigit():
            continue
        target = row[9].strip() or row[10].strip()
        if target:
            fields.setdefault(ident, target)
    return fields


def inventory(corpus, kind):
    with open(corpus / f"v2-to-fhir-maps/v2-to-FHIR Map Inventory - {kind}.csv", newline="") as f:
        rows = list(csv.reader(f))
    prefix = f"HL7 {kind} - FHIR R4: "
    return [(r[0][len(prefix):] if r[0].startswith(prefix) else r[0], r[1]) for r in rows[1:] if r and r[0]]


def our_maps():
    maps = {}
    for path in sorted((ROOT / "Mappings/hl7v2/segments").glob("*.yaml")):
        maps[path.stem] = yaml.safe_load(path.read_text())
    manifests = {}
    for path in sorted((ROOT / "Mappings/hl7v2/messages").glob("*.yaml")):
        manifests[path.stem] = yaml.safe_load(path.read_text())
    return maps, manifests


def rule_targets(seg_map, field):
    """kind -> target for every rule of SEG-N (or SEG-N.M) in our segment map."""
    found = []
    for kind, produce in (seg_map.get("produces") or {}).items():
        produce = produce or {}
        for key, rules in (produce.get("fields") or {}).items():
            if key == field or key.startswith(field + "."):
                for rule in rules if isinstance(rules, list) else [rules]:
                    found.append((kind, rule["to"]))
        number = int(field.split("-")[1])
        for converter in produce.get("converters") or []:
            if number in CONVERTERS.get(converter, []):
                found.append((kind, f"converter {converter}"))
    return found


def field_entry(segment, field, ig_target, resource, seg_map, previous):
    kept = (previous or {}).get(field)
    kind = KINDS.get(resource)
    if segment == "MSH" and int(field.split("-")[1]) in MSH_CARRIED:
        return {"map": "document (the message's Provenance and MessageHeader)"}
    if seg_map is not None:
        targets = rule_targets(seg_map, field)
        targets.sort(key=lambda t: (t[0] != kind,))
        if targets:
            k, target = targets[0]
            return {"map": f"{k} {target}" if target.startswith("converter") else f"{k}.{target}"}
        for declared, reason in (seg_map.get("declared") or {}).items():
            if declared == field or declared.startswith(field + "."):
                return {"declared": reason}
    if segment == "NTE" and field in ("NTE-3", "NTE-5", "NTE-6"):
        return {"map": "note"}
    if isinstance(kept, dict) and ("declared" in kept or "outOfScope" in kept):
        return kept
    return {"notYet": f"the IG maps it to {resource}.{ig_target.split('(')[0]}; fhirbridge does not map it yet"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ig-repo", required=True)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus"))
    args = parser.parse_args()
    corpus = pathlib.Path(args.corpus)
    previous = yaml.safe_load(OUT.read_text()) if OUT.exists() else {}
    prev_segments = (previous or {}).get("segments") or {}
    prev_messages = (previous or {}).get("messages") or {}
    files = ig_segment_files(args.ig_repo)
    maps, manifests = our_maps()
    triggers = {}
    for name, manifest in manifests.items():
        for trigger in (manifest.get("events") or {}):
            triggers[trigger] = name

    messages = {}
    for name, status in inventory(corpus, "Message"):
        prev = prev_messages.get(name) or {}
        if name in manifests:
            messages[name] = {"manifest": name}
        elif "_" in name and name.replace("_", "^", 1).split("[")[0] in triggers:
            messages[name] = {"manifest": triggers[name.replace("_", "^", 1).split("[")[0]]}
        elif "outOfScope" in prev or "notYet" in prev:
            messages[name] = prev
        else:
            messages[name] = {"notYet": f"no manifest routes {name} yet (IG status: {status})"}

    segments = {}
    for title, status in inventory(corpus, "Segment"):
        segment, _, rest = title.partition("[")
        resource = rest.rstrip("]").split("-")[0] if rest else ""
        prev = prev_segments.get(title) or {}
        path = files.get(title)
        kind = KINDS.get(resource)
        seg_map = maps.get(segment)
        produced = seg_map is not None and kind is not None and kind in (seg_map.get("produces") or {})
        if segment == "NTE" and resource in ("Observation", "ServiceRequest", "Appointment"):
            produced = True
        if title in ("MSH[Provenance-Source]", "MSH[MessageHeader]"):
            produced = True
        if status.startswith("Obsolete"):
            segments[title] = {"outOfScope": f"the IG marks this map obsolete ({status})"}
            continue
        if not produced or path is None:
            if "outOfScope" in prev or "declared" in prev:
                segments[title] = {k: v for k, v in prev.items() if k != "fields"}
            else:
                why = "the IG has no field rows for it yet" if path is None else f"fhirbridge produces no {resource} from {segment} yet"
                segments[title] = {"notYet": f"{why} (IG status: {status})"}
            continue
        fields = ig_fields(git_show(args.ig_repo, path))
        segments[title] = {
            "fields": {
                field: field_entry(segment, field, target, resource, seg_map, prev.get("fields"))
                for field, target in sorted(fields.items(), key=lambda kv: int(kv[0].split("-")[1]))
            }
        }

    header = (
        "# What fhirbridge does with each message map and segment map of the HL7 Version 2 to FHIR IG\n"
        "# (HL7 International, CC0; names as in the inventory CSVs of ../shared/corpus/v2-to-fhir-maps),\n"
        "# written by Tools/ig-coverage.py from the IG source (commit 8c9b414) and our own maps:\n"
        "#\n"
        "#   manifest: X      a message map routed by messages/X.yaml\n"
        "#   map: kind.path   an IG-mapped field our segment map carries (kind converter NAME: a converter)\n"
        "#   declared: why    a field or map deliberately not mapped (our segment map's declaration)\n"
        "#   outOfScope: why  a map fhirbridge does not aim to implement\n"
        "#   notYet: why      a gap, stated: not mapped yet\n"
        "#\n"
        "# Tests/EngineTests/IGCoverageTests checks every inventory name has an entry and every `map` and\n"
        "# `manifest` against Mappings/hl7v2; with FHIRBRIDGE_IG_REPO it checks the field lists too.\n"
    )
    body = yaml.safe_dump({"messages": messages, "segments": segments}, sort_keys=False, width=120, allow_unicode=True)
    OUT.write_text(header + body)
    counts = {"map": 0, "declared": 0, "notYet": 0, "outOfScope": 0}
    for entry in segments.values():
        for value in (entry.get("fields") or {}).values():
            for key in counts:
                if key in value:
                    counts[key] += 1
    implemented = sum(1 for e in segments.values() if "fields" in e)
    routed = sum(1 for e in messages.values() if "manifest" in e)
    print(f"segment maps: {implemented} of {len(segments)} implemented; message maps: {routed} of {len(messages)} routed;"
          f" fields: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
