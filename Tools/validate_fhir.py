#!/usr/bin/env python3
"""Validates FHIR R4 JSON with fhirkit-rs (pip install fhirkit-rs==0.1.0; see shared ORACLES.md).

Usage: validate_fhir.py PATH [PATH ...]

Every *.json file (a Bundle or a single resource) and every non-blank line of every *.ndjson file under
the given files or directories is validated. Each error-severity issue is printed as `location: issue`
(the file, line for NDJSON, the element path and the validator's message: no resource content beyond
it). The last line is `N passed, M failed`, counting resources (files and NDJSON lines). Exit status:
0 when nothing failed, 1 when anything failed, 2 on a usage error or when fhirkit is missing.
"""

import os
import sys

try:
    import fhirkit
except ImportError:
    print("validate_fhir.py: fhirkit is not installed (pip install fhirkit-rs==0.1.0)", file=sys.stderr)
    sys.exit(2)


def candidates(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith(".json") or name.endswith(".ndjson"):
                        yield os.path.join(root, name)
        elif os.path.isfile(path):
            yield path
        else:
            print(f"{path}: no such file or directory", file=sys.stderr)
            sys.exit(2)


def errors_in(text):
    """The error-severity issues of one JSON document, as `path: message` strings."""
    try:
        issues = fhirkit.validate(text)
    except fhirkit.ParseError as error:
        return [f"not JSON: {error}"]
    return [f"{issue.path}: {issue.message}" for issue in issues if issue.severity in ("error", "fatal")]


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    passed = failed = 0
    for path in candidates(argv[1:]):
        with open(path, encoding="utf-8") as handle:
            content = handle.read()
        if path.endswith(".ndjson"):
            units = [(f"{path}:{number}", line) for number, line in enumerate(content.split("\n"), 1) if line.strip()]
        else:
            units = [(path, content)]
        for location, text in units:
            errors = errors_in(text)
            if errors:
                failed += 1
                for error in errors:
                    print(f"{location}: {error}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
