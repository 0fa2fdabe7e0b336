#!/usr/bin/env bash
# Runs the whole test suite: sets up the validator, checks Package.swift against the imports and the
# mapping data, runs swift test (arguments go to swift test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
export FHIRBRIDGE_PYTHON="$PWD/.venv/bin/python"
bash Tools/check-deps.sh
swift build
swift run fhirbridge validate-mappings
swift test "$@"
