#!/usr/bin/env bash
# Checks that each target in Package.swift lists exactly the modules its Swift files import:
# - a module that is imported must be listed as a dependency of that same target, even when another
#   dependency already brings it in;
# - every listed dependency must be imported by at least one file of the target;
# - every import must be one of this package's targets, a product listed in Package.swift, or a
#   toolchain module (Foundation, Testing, Glibc, ...).
# Product dependencies are matched by product name, which is the module name for every package we use.
# Prints one line per mismatch and exits 1 if there is any. Tools/test.sh runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=$(mktemp)
trap 'rm -f "$manifest"' EXIT
swift package dump-package > "$manifest"
python3 - "$manifest" <<'PYTHON'
import json, os, re, sys

with open(sys.argv[1], encoding="utf-8") as file:
    manifest = json.load(file)
package_dir = "."

# Modules that ship with the Swift toolchain or the platform: imported without a dependency.
TOOLCHAIN = {
    "Swift", "SwiftShims", "_Concurrency", "_StringProcessing", "RegexBuilder", "Observation", "Distributed",
    "Synchronization", "Cxx", "CxxStdlib", "Foundation", "FoundationEssentials", "FoundationInternationalization",
    "FoundationNetworking", "FoundationXML", "CoreFoundation", "Dispatch", "Glibc", "Musl", "Bionic", "Android",
    "WASILibc", "Darwin", "WinSDK", "ucrt", "os", "Testing", "XCTest",
}
# `import X`, `@testable import X`, `public import X`, `import struct X.Y`, `@preconcurrency import X`, ...
IMPORT = re.compile(
    r"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?"
    r"import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?([A-Za-z_][A-Za-z0-9_]*)")

def dependency_name(entry):
    # {"byName": [name, condition]}, {"target": [name, condition]}, {"product": [name, package, aliases, condition]}
    (kind, values), = entry.items()
    return values[0]

def source_folder(target):
    if target.get("path"):
        return target["path"]
    return os.path.join("Tests" if target["type"] == "test" else "Sources", target["name"])

def imports(target):
    folder = os.path.join(package_dir, source_folder(target))
    excluded = [os.path.normpath(os.path.join(folder, path)) for path in target.get("exclude", [])]
    found = {}
    for directory, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(s for s in subfolders if os.path.normpath(os.path.join(directory, s)) not in excluded)
        for name in sorted(files):
            path = os.path.join(directory, name)
            if not name.endswith(".swift") or os.path.normpath(path) in excluded:
                continue
            with open(path, encoding="utf-8") as source:
                for line in source:
                    match = IMPORT.match(line)
                    if match:
                        found.setdefault(match.group(1), os.path.relpath(path, package_dir))
    return found

targets = [t for t in manifest["targets"] if t["type"] in ("regular", "executable", "test")]
target_names = {t["name"] for t in manifest["targets"]}
products = {
    dependency_name(d) for t in manifest["targets"] for d in t.get("dependencies", []) if "product" in d
}
problems = []
for target in sorted(targets, key=lambda t: t["name"]):
    name = target["name"]
    declared = [dependency_name(d) for d in target.get("dependencies", [])]
    used = imports(target)
    for module, file in sorted(used.items()):
        if module in TOOLCHAIN or module == name:
            continue
        if module not in target_names and module not in products:
            problems.append(f"{name}: {file} imports {module}, which is no target of this package, no product in "
                            "Package.swift and no toolchain module")
        elif module not in declared:
            problems.append(f"{name}: {file} imports {module}, which is not in the target's dependencies")
    for module in declared:
        if module not in used:
            problems.append(f"{name}: lists {module} as a dependency, but no file of the target imports it")
    for module in sorted({m for m in declared if declared.count(m) > 1}):
        problems.append(f"{name}: lists {module} more than once")

for problem in problems:
    print(problem)
sys.stdout.flush()
if problems:
    print(f"{len(problems)} mismatch(es) between Package.swift and the imports", file=sys.stderr)
    sys.exit(1)
print(f"ok: the dependencies of {len(targets)} targets match their imports")
PYTHON
