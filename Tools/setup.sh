#!/usr/bin/env bash
# Sets up what the tests need beyond Swift: a Python virtualenv in .venv with the independent
# FHIR R4 validator (fhirkit-rs, from PyPI). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import fhirkit" 2>/dev/null; then
    .venv/bin/pip install --quiet --disable-pip-version-check fhirkit-rs==0.1.0
fi
