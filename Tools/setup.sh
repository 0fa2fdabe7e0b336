#!/usr/bin/env bash
# Sets up what the build and tests need beyond Swift: libxml2 headers (Debian's libxml2-dev), headless
# Chromium for the chart browser test (Debian's chromium), and a Python virtualenv in .venv with the
# independent FHIR R4 validator (fhirkit-rs, from PyPI), and the independent HL7 v2 MLLP peers and
# JUnit reader the replay/send tests use (hl7apy, python-hl7, junitparser, from PyPI). Safe to run again.
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
