#!/usr/bin/env bash
# Side-by-side throughput of fhirbridge and the open HL7 v2 and C-CDA converters on PyPI, on the same
# inputs and one core each: the realistic HL7 v2 corpus that `fhirbridge bench` measures (written with
# --save-corpus; PROFILE=short for the 1.7 KB messages) and Microsoft FHIR-Converter's C-CDA documents
# from ../shared/corpus. Besides the stage rates it times fhirbridge as a user runs it, the whole
# process `convert FILE --out DIR --ndjson`, and prints its ratio to hl7v2-fhir-bridge and the
# parser's ratio to hl7kit. Prints a table (and writes .build/peers/report.json). Takes a few
# minutes; not part of CI.
#
#   bash Tools/bench-peers.sh                 # 2,000 realistic messages
#   MESSAGES=10000 bash Tools/bench-peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${MESSAGES:-2000}
profile=${PROFILE:-realistic}
venv=${PEERS_VENV:-.build/peers-venv}
ccda=${CCDA_CORPUS:-../shared/corpus/fhir-converter/ccda}

# the peers, pinned (their own venv: they pull in pydantic and fhir.resources versions of their own)
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    hl7==0.4.5 hl7apy==1.3.5 hl7kit==0.2.0 hl7lw==0.1.2 hl7v2-fhir-bridge==0.1.0 ccda-to-fhir==0.3

swift build -c release --product fhirbridge >&2
binary=.build/release/fhirbridge
mkdir -p .build/peers
"$binary" bench --profile "$profile" --messages "$messages" --save-corpus ".build/peers/$profile.hl7"
"$venv/bin/python" Tools/bench_peers.py --fhirbridge "$binary" --home . --hl7 ".build/peers/$profile.hl7" \
    --ccda "$ccda" --report .build/peers/report.json
