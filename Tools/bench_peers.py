"""Times fhirbridge and its open peers on the same inputs, one process and one core each.

Run through Tools/bench-peers.sh, which installs the pinned peers and writes the synthetic corpus.
For every tool: how many units it handled without an exception, units per second over those, and for
converters the FHIR it wrote (compact JSON bytes and resources per unit), since converters that write
less do less work. Peers are timed in this process on already-loaded inputs; fhirbridge through its
own `bench` command on the same file (its `parse` and `convert (1 core)` stages, wall clock).
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(function, items, budget_seconds=20.0, keep=200):
    """Runs `function` over `items` (stopping after `budget_seconds`); returns (handled, tried, seconds,
    results), with only the first `keep` results: holding every bundle would slow a Python peer down
    (the garbage collector walks all live objects) while fhirbridge's bench keeps none."""
    results = []
    handled = 0
    start = time.perf_counter()
    tried = 0
    for item in items:
        tried += 1
        try:
            result = function(item)
            handled += 1
        except Exception:  # a peer's rejection of a unit: counted, not fatal
            result = None
        if len(results) < keep:
            results.append(result)
        del result
        if time.perf_counter() - start > budget_seconds:
            break
    return handled, tried, time.perf_counter() - start, results


def fhir_size(bundles):
    """Mean compact-JSON bytes and resources per converted unit (over the sample `timed` kept)."""
    sizes = [len(json.dumps(b, separators=(",", ":"))) for b in bundles if b is not None]
    counts = [len(b.get("entry", [])) for b in bundles if b is not None]
    if not sizes:
        return None, None
    return sum(sizes) / len(sizes), sum(counts) / len(counts)


def fhirbridge_bench(binary, home, arguments):
    out = subprocess.run(
        [binary, "bench", "--json", "--home", home] + arguments, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def fhirbridge_resources(binary, home, arguments):
    """Mean resources per unit in fhirbridge's own bundles (one bundle per unit with --out)."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [binary, "convert", "--home", home, "--quiet", "--out", folder] + arguments,
            check=False, capture_output=True,
        )
        bundles = [json.loads(path.read_bytes()) for path in Path(folder).glob("*.json")]
    counts = [len(b.get("entry", [])) for b in bundles]
    return (sum(counts) / len(counts)) if counts else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fhirbridge", required=True)
    parser.add_argument("--home", required=True)
    parser.add_argument("--hl7", required=True, help="one HL7 v2 message per line (bench --save-corpus)")
    parser.add_argument("--ccda", required=True, help="folder of C-CDA documents")
    parser.add_argument("--report", required=True)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # ccda-to-fhir logs every resource it registers, and warnings

    lines = [line for line in Path(args.hl7).read_bytes().split(b"\n") if line]
    texts = [line.decode("utf-8") for line in lines]
    megabytes = sum(len(line) for line in lines) / 1_048_576
    rows = []

    def row(stage, tool, handled, tried, seconds, size=None, resources=None, note=""):
        rate = handled / seconds if seconds > 0 else 0
        rows.append({
            "stage": stage, "tool": tool, "handled": handled, "tried": tried,
            "unitsPerSecond": round(rate),
            "fhirBytesPerUnit": round(size) if size else None,
            "resourcesPerUnit": round(resources, 1) if resources else None,
            # what a converter writes per second: the fair comparison when tools map different amounts
            "resourcesPerSecond": round(rate * resources) if resources else None,
            "fhirMegabytesPerSecond": round(rate * size / 1_048_576, 1) if size else None,
            "note": note,
        })

    # --- HL7 v2 parsing
    import hl7
    import hl7apy.parser
    import hl7kit
    import hl7lw

    lazy = hl7lw.Hl7Parser()
    for name, function, items, note in [
        ("hl7lw 0.1.2", lazy.parse_message, texts, "splits segments; fields on access"),
        ("hl7kit 0.2.0", hl7kit.parse, lines, "Rust core"),
        ("python-hl7 0.4.5", hl7.parse, texts, ""),
        ("hl7apy 1.3.5", lambda text: hl7apy.parser.parse_message(text), texts, "validating parser; 20 s budget"),
    ]:
        handled, tried, seconds, _ = timed(function, items)
        row("HL7 v2 parse", name, handled, tried, seconds, note=note)

    own = fhirbridge_bench(args.fhirbridge, args.home, ["--input", args.hl7, "--messages", str(len(lines))])
    row("HL7 v2 parse", "fhirbridge", own["units"] - own["failures"], own["units"], float(own["parse"]["seconds"]),
        note="every field, component and escape decoded")

    # --- HL7 v2 to FHIR R4
    from v2fhir.config import load_config
    from v2fhir.convert import convert
    from v2fhir.hl7.parser import parse_bytes

    config = load_config()
    handled, tried, seconds, results = timed(lambda raw: convert(parse_bytes(raw), config).bundle, lines)
    size, resources = fhir_size(results)
    row("HL7 v2 -> FHIR R4", "hl7v2-fhir-bridge 0.1.0", handled, tried, seconds, size, resources,
        "radiology feed: numeric OBX and ADT visits without an authority are left out")

    peer_rate = handled / seconds if seconds > 0 else 0

    # as a user runs it: one process, file in, NDJSON out, one job
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run(
            [args.fhirbridge, "convert", "--home", args.home, "--quiet", "--jobs", "1", args.hl7, "--out", folder,
             "--ndjson"], check=False, capture_output=True)
        whole_seconds = time.perf_counter() - start
    row("HL7 v2 -> FHIR R4", "fhirbridge, whole process", len(lines), len(lines), whole_seconds,
        note="convert FILE --out DIR --ndjson: start-up, reading, writing included")
    whole_rate = len(lines) / whole_seconds if whole_seconds > 0 else 0

    own_resources = fhirbridge_resources(args.fhirbridge, args.home, [args.hl7])
    convert_seconds = float(own["convert (1 core)"]["seconds"])
    row("HL7 v2 -> FHIR R4", "fhirbridge", own["units"] - own["failures"], own["units"], convert_seconds,
        float(own["outputMegabytes"]) * 1_048_576 / max(own["units"], 1), own_resources,
        "parse, canonical, terminology, emit")

    # --- C-CDA to FHIR R4
    documents = sorted(p for p in Path(args.ccda).iterdir() if p.suffix.lower() in (".xml", ".ccda"))
    xml = [p.read_text(encoding="utf-8", errors="replace") for p in documents]
    from ccda_to_fhir import convert_document

    def ccda_peer(text):
        result = convert_document(text)
        bundle = result.get("bundle") if isinstance(result, dict) else getattr(result, "bundle", result)
        if hasattr(bundle, "model_dump"):
            bundle = bundle.model_dump(mode="json", exclude_none=True)
        return bundle

    handled, tried, seconds, results = timed(ccda_peer, xml * 3)
    size, resources = fhir_size(results)
    row("C-CDA -> FHIR R4", "ccda-to-fhir 0.3", handled, tried, seconds, size, resources, "R4B output")

    repeats = len(documents) * 20
    own_ccda = fhirbridge_bench(
        args.fhirbridge, args.home, ["--format", "ccda", "--input", args.ccda, "--messages", str(repeats)])
    own_ccda_resources = fhirbridge_resources(args.fhirbridge, args.home, [args.ccda])
    row("C-CDA -> FHIR R4", "fhirbridge", own_ccda["units"] - own_ccda["failures"], own_ccda["units"],
        float(own_ccda["convert (1 core)"]["seconds"]),
        float(own_ccda["outputMegabytes"]) * 1_048_576 / max(own_ccda["units"], 1), own_ccda_resources, "")

    parse_rows = {r["tool"]: r for r in rows if r["stage"] == "HL7 v2 parse"}
    kit = parse_rows.get("hl7kit 0.2.0", {}).get("unitsPerSecond") or 0
    own_parse = parse_rows.get("fhirbridge", {}).get("unitsPerSecond") or 0
    ratios = {
        "wholeProcessVsHl7v2FhirBridge": round(whole_rate / peer_rate, 2) if peer_rate else None,
        "parserVsHl7kit": round(own_parse / kit, 2) if kit else None,
    }
    Path(args.report).write_text(json.dumps({"hl7Messages": len(lines), "hl7Megabytes": round(megabytes, 2),
                                             "ccdaDocuments": len(documents), "rows": rows, "ratios": ratios},
                                            indent=2))
    print(f"{len(lines)} HL7 v2 messages ({megabytes:.2f} MB), {len(documents)} C-CDA documents; one core each")
    print(f"{'stage':<20}{'tool':<26}{'handled':>12}{'units/s':>10}{'KB/unit':>9}{'res./unit':>10}"
          f"{'res./s':>9}{'FHIR MB/s':>10}  note")
    for r in rows:
        kb = f"{r['fhirBytesPerUnit'] / 1024:.1f}" if r["fhirBytesPerUnit"] else ""
        res = f"{r['resourcesPerUnit']}" if r["resourcesPerUnit"] else ""
        per_second = f"{r['resourcesPerSecond']}" if r["resourcesPerSecond"] else ""
        mb = f"{r['fhirMegabytesPerSecond']}" if r["fhirMegabytesPerSecond"] else ""
        print(f"{r['stage']:<20}{r['tool']:<26}{str(r['handled']) + '/' + str(r['tried']):>12}"
              f"{r['unitsPerSecond']:>10}{kb:>9}{res:>10}{per_second:>9}{mb:>10}  {r['note']}")
    print(f"fhirbridge convert --ndjson, whole process: {whole_rate:.0f} msgs/s = "
          f"{ratios['wholeProcessVsHl7v2FhirBridge']}x hl7v2-fhir-bridge ({peer_rate:.0f} msgs/s)")
    print(f"fhirbridge parser: {own_parse} msgs/s = {ratios['parserVsHl7kit']}x hl7kit ({kit} msgs/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
