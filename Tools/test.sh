#!/usr/bin/env bash
# Runs the whole test suite: sets up the validator, checks Package.swift against the imports, the
# formatting and the mapping data, runs swift test (arguments go to swift test).
# The corpus suites read the shared test corpus at FHIRBRIDGE_CORPUS, else ../shared/corpus beside the
# checkout; without one they are reported as skipped (with FHIRBRIDGE_CORPUS or CI set they fail).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
export FHIRBRIDGE_PYTHON="$PWD/.venv/bin/python"
bash Tools/check-deps.sh
# The code is formatted by .swift-format (apply with: swift format -i -r Sources Tests Package.swift).
swift format lint --strict -r --parallel Sources Tests Package.swift
# One build of everything with the tests, as `swift test` builds it (a plain `swift build` compiles
# every module a second time, without testing enabled); it includes the fhirbridge binary.
swift build --build-tests
swift run --skip-build fhirbridge validate-mappings
corpus="${FHIRBRIDGE_CORPUS:-../shared/corpus}"
note=""
if [ ! -d "$corpus" ]; then
    note="note: no test corpus at $corpus, so the corpus suites are skipped; set FHIRBRIDGE_CORPUS to run them"
    echo "$note" >&2
fi
swift test "$@"
if [ -n "$note" ]; then echo "$note" >&2; fi
