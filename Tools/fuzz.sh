#!/usr/bin/env bash
# Builds the libFuzzer harnesses in Fuzz/ (address sanitizer) and runs one of them, or all of them
# briefly.
#
#   Tools/fuzz.sh TARGET [libFuzzer args]   TARGET: hl7v2, mllp, csv, ccda (or FuzzHL7v2, ...)
#   Tools/fuzz.sh smoke                     every target for FUZZ_SMOKE_RUNS executions (default 5000)
#   Tools/fuzz.sh build                     only the sanitized build
#
# The seed corpus is assembled in a work folder (FUZZ_WORK, default .build/fuzz-work, ignored by git)
# from Samples/ and ../shared/corpus/, which is never copied into the repository. New inputs that
# libFuzzer finds stay in FUZZ_WORK/<target>/corpus; crashes go to FUZZ_WORK/<target>/artifacts.
# Example: the long runs behind the figures in Fuzz/README.md (10 million executions each):
#   FUZZ_HL7_MAP=0 Tools/fuzz.sh hl7v2 -runs=10000000 -print_final_stats=1
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SHARED="${FHIRBRIDGE_CORPUS:-${FHIRBRIDGE_SHARED_CORPUS:-$ROOT/../shared/corpus}}"
WORK="${FUZZ_WORK:-$ROOT/.build/fuzz-work}"
# Release (optimised) code runs ~50 times faster under the sanitizer than debug code; address
# sanitizer and libFuzzer coverage are applied to every Swift module, ours and the dependencies.
BUILD_FLAGS=(-c "${FUZZ_CONFIGURATION:-release}" -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)

build() {
    (cd Fuzz && swift build "${BUILD_FLAGS[@]}" "$@")
}

binary() {
    echo "$ROOT/Fuzz/.build/${FUZZ_CONFIGURATION:-release}/$1"
}

target_name() {
    case "$1" in
        hl7v2 | HL7v2 | FuzzHL7v2) echo FuzzHL7v2 ;;
        mllp | MLLP | FuzzMLLP) echo FuzzMLLP ;;
        csv | CSV | FuzzCSV) echo FuzzCSV ;;
        ccda | CCDA | FuzzCCDA) echo FuzzCCDA ;;
        *) echo "unknown fuzz target: $1 (hl7v2, mllp, csv, ccda)" >&2; return 64 ;;
    esac
}

# Copies files matching the given name patterns under a folder (if it exists) into the seed folder.
collect() {
    local into="$1" from="$2"
    shift 2
    [ -d "$from" ] || return 0
    local args=()
    for pattern in "$@"; do args+=(-o -iname "$pattern"); done
    find "$from" -type f \( "${args[@]:1}" \) -size -256k -print0 |
        while IFS= read -r -d '' file; do
            cp "$file" "$into/$(echo "$file" | cksum | cut -d' ' -f1)-$(basename "$file")"
        done
}

seeds() {
    local target="$1" into="$2"
    rm -rf "$into" && mkdir -p "$into"
    case "$target" in
        FuzzHL7v2)
            collect "$into" Samples/hl7v2 '*.hl7'
            collect "$into" Samples/malformed '*.hl7'
            collect "$into" "$SHARED/hl7v2-public" '*.hl7' '*.txt'
            collect "$into" "$SHARED/fhir-converter" '*.hl7'
            ;;
        FuzzMLLP)
            # two control bytes (chunking, frame limit) then the framed messages
            local i=0
            for file in Samples/hl7v2/*.hl7 Samples/malformed/*.hl7; do
                [ -f "$file" ] || continue
                i=$((i + 1))
                { printf "\\x$(printf %02x $((i * 37 % 256)))\\xff\\x0b"; cat "$file"; printf '\x1c\x0d'; } >"$into/frame-$i"
                { printf "\\x$(printf %02x $((i * 11 % 256)))\\x10junk\\x0b"; head -c 200 "$file"; printf '\x0b'; cat "$file"; printf '\x1c'; } >"$into/broken-$i"
            done
            ;;
        FuzzCSV)
            collect "$into" Samples/csv '*.csv'
            collect "$into" Samples/malformed '*.csv'
            collect "$into" "$SHARED/synthea" '*.csv'
            ;;
        FuzzCCDA)
            collect "$into" Samples/ccda '*.xml'
            collect "$into" Samples/malformed '*.xml'
            collect "$into" "$SHARED/ccda-examples" '*.xml'
            collect "$into" "$SHARED/fhir-converter" '*.ccda'
            ;;
    esac
}

run() {
    local target
    target="$(target_name "$1")"
    shift
    local dir="${RUN_WORK:-$WORK}/$target"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    seeds "$target" "$dir/seeds"
    echo "fuzz: $target with $(ls "$dir/seeds" | wc -l) seeds, corpus in $dir/corpus" >&2
    # Input size cap per target (a later -max_len=N wins): big enough for several segments, rows or
    # sections, small enough that each execution is quick.
    local max_len
    case "$target" in
        FuzzHL7v2 | FuzzMLLP) max_len=4096 ;;
        FuzzCSV) max_len=1024 ;;
        FuzzCCDA) max_len=8192 ;;
    esac
    # SWIFT_BACKTRACE: the Swift runtime's own crash handler would fight the sanitizer's report.
    # malloc_context_size=0: no stack trace recorded per allocation (a quarter of the time went
    # there); a report still shows where the bad access happened. FuzzCSV writes its input to a
    # file in TMPDIR, which is memory-backed where /dev/shm exists.
    local tmp="${TMPDIR:-/tmp}"
    [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
    FHIRBRIDGE_HOME="$ROOT" ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:malloc_context_size=0}" \
        SWIFT_BACKTRACE=enable=no TMPDIR="$tmp" \
        "$(binary "$target")" -artifact_prefix="$dir/artifacts/" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        "$@" "$dir/corpus" "$dir/seeds"
}

case "${1:-}" in
    "" | -h | --help)
        sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
        ;;
    build)
        shift
        build "$@"
        ;;
    smoke)
        runs="${FUZZ_SMOKE_RUNS:-5000}"
        build
        passed=0
        failed=0
        for target in FuzzHL7v2 FuzzMLLP FuzzCSV FuzzCCDA; do
            start=$SECONDS
            # a fresh corpus each time: the smoke run replays the seeds, then mutates them
            rm -rf "$WORK/smoke/$target"
            mkdir -p "$WORK/smoke"
            if RUN_WORK="$WORK/smoke" run "$target" -runs="$runs" -print_final_stats=1 2>"$WORK/smoke/$target.log"; then
                passed=$((passed + 1))
                rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$WORK/smoke/$target.log" | grep -o '[0-9]*$' || true)"
                echo "fuzz smoke: $target $runs runs ok in $((SECONDS - start)) s (${rate:-?} exec/s)"
            else
                failed=$((failed + 1))
                echo "fuzz smoke: $target FAILED (log follows)" >&2
                grep -v '^#' "$WORK/smoke/$target.log" | tail -60 >&2
            fi
        done
        echo "smoke: $passed passed, $failed failed"
        [ "$failed" -eq 0 ]
        ;;
    *)
        target="$1"
        shift
        build >&2
        run "$target" "$@"
        ;;
esac
