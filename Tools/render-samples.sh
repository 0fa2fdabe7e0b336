#!/usr/bin/env bash
# Renders clinician charts for the samples into a folder (default: .build/charts), with a side-by-side
# source vs. FHIR page per patient, and screenshots them with headless Chromium when it is installed.
# Usage: Tools/render-samples.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.build/charts}"
swift build --product fhirbridge >/dev/null
bin="$(swift build --show-bin-path)/fhirbridge"
fhir="$(mktemp -d)"
trap 'rm -rf "$fhir"' EXIT
samples=(Samples/hl7v2/oru-r01-lab.hl7 Samples/hl7v2/adt-a01-basic.hl7 Samples/hl7v2/vxu-v04-immunization.hl7
    Samples/ccda/ccd-all-sections.xml)
"$bin" convert --quiet --out "$fhir" "${samples[@]}"
"$bin" render "${samples[@]}" --fhir "$fhir" --out "$out"
chromium="${FHIRBRIDGE_CHROMIUM:-$(command -v chromium || true)}"
if [ -n "$chromium" ]; then
    for page in "$out"/*.html; do
        timeout 90 "$chromium" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
            --screenshot="${page%.html}.png" --window-size=1280,2000 "file://$(realpath "$page")" 2>/dev/null || true
    done
fi
echo "charts in $out (open $out/index.html)" >&2
