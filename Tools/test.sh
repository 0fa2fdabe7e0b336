#!/usr/bin/env bash
# Runs the whole test suite: sets up the validator, checks the mapping data, runs swift test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
export FHIRBRIDGE_PYTHON="$PWD/.venv/bin/python"
swift build
swift run fhirbridge validate-mappings
swift test "$@"
