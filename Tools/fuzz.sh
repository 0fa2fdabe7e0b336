#!/usr/bin/env bash
# Builds the libFuzzer harnesses in Fuzz/ (address sanitizer) and runs one of them, or all of them
# briefly.
#
#   Tools/fuzz.sh TARGET [libFuzzer args]   TARGET: hl7v2, mllp, csv, ccda, sealed, audit, fhirjson, http
#                                           (or FuzzHL7v2, FuzzSealed, ...)
#   Tools/fuzz.sh smoke                     every target for FUZZ_SMOKE_RUNS executions (default 5000;
#                                           audit and http a fifth of that)
#   Tools/fuzz.sh build                     only the sanitized build
#
# The seed corpus is assembled in a work folder (FUZZ_WORK, default .build/fuzz-work, ignored by git)
# from Samples/ and ../shared/corpus/, which is never copied into the repository, plus seeds made at
# run time (sealed files, audit trails, HTTP requests). New inputs that libFuzzer finds stay in
# FUZZ_WORK/<target>/corpus; crashes go to FUZZ_WORK/<target>/artifacts.
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
        sealed | FuzzSealed) echo FuzzSealed ;;
        audit | FuzzAudit) echo FuzzAudit ;;
        fhirjson | FHIRJSON | FuzzFHIRJSON) echo FuzzFHIRJSON ;;
        http | HTTP | FuzzHTTP) echo FuzzHTTP ;;
        *) echo "unknown fuzz target: $1 (hl7v2, mllp, csv, ccda, sealed, audit, fhirjson, http)" >&2; return 64 ;;
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
        FuzzSealed)
            # plaintexts, and the harness seals each (whole and chunked) under its test key
            collect "$into" Samples/hl7v2 '*.hl7' '*.json'
            collect "$into" Samples/csv '*.csv'
            make_seeds "$target" "$into"
            ;;
        FuzzAudit)
            # valid trails of 1, 2 and 4 entries written by the harness
            make_seeds "$target" "$into"
            ;;
        FuzzFHIRJSON)
            # bundles; the harness adds their resources as NDJSON and one small bundle per Provenance
            collect "$into" Samples/hl7v2 '*.json'
            collect "$into" "$SHARED/fhir-converter/json" '*.json'
            collect "$into" "$SHARED/fhir-converter/fhir" '*.json'
            collect "$into" "$SHARED/fhir-converter/expected/hl7v2/ADT_A01" '*.json'
            make_seeds "$target" "$into"
            ;;
        FuzzHTTP)
            http_seeds "$into"
            ;;
    esac
}

# Seeds a harness writes itself (FUZZ_MAKE_SEEDS, see the harness): sealed files under its test key,
# audit trails, small FHIR inputs.
make_seeds() {
    FUZZ_MAKE_SEEDS="$2" ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$(binary "$1")"
}

# FuzzHTTP inputs: a control byte (bit 0: the server with FuzzHTTP's token; bit 1: add Content-Length;
# bits 2-7: body chunk size), then "METHOD TARGET", header lines, an empty line and the body.
http_seeds() {
    local into="$1" i=0 token="fuzz-token-0123456789abcdef"
    request() {  # control byte, request line, header lines..., then the body on standard input
        local control="$1" line="$2"
        shift 2
        i=$((i + 1))
        { printf "\\x$control"; printf '%s\n' "$line" "$@" ""; cat; } >"$into/request-$i"
    }
    request 00 'GET /health' </dev/null
    request 01 'GET /metrics' "Authorization: Bearer $token" </dev/null
    request 01 'GET /metrics' </dev/null
    request 02 'DELETE /convert' </dev/null
    request 00 'GET /nowhere?format=hl7v2' </dev/null
    for file in Samples/hl7v2/*.hl7 Samples/malformed/hl7-*.hl7; do
        [ -f "$file" ] || continue
        request 06 'POST /convert' 'Content-Type: application/hl7-v2' <"$file"
        request 47 'POST /convert?format=hl7v2' "Authorization: Bearer $token" <"$file"
    done
    for file in Samples/csv/*.csv Samples/malformed/csv-bad-date.csv; do
        request 02 'POST /convert?format=csv' 'Content-Type: text/csv' <"$file"
    done
    request 03 'POST /convert?format=ccda' "Authorization: bearer  $token " 'Content-Type: application/xml' \
        <Samples/ccda/unknown-type-r11-encounter.xml
    request 00 'POST /convert?format=fhir' </dev/null
    # the sentinel in patient fields: it may come back only inside a converted Bundle
    sed 's/PID|\([^|]*\)|\([^|]*\)|\([^|]*\)|[^|^]*/PID|\1|\2|\3|ZZSENTINEL/' Samples/hl7v2/adt-a01-basic.hl7 >"$into/.sentinel"
    request 06 'POST /convert' 'Content-Type: x-application/hl7-v2+er7' <"$into/.sentinel"
    request 02 'POST /convert?format=hl7v2' 'Content-Length: 99999' < <(sed 's/PID|/P@D|/' "$into/.sentinel")
    request 00 'POST /convert?format=hl7v2' < <(sed 's/PID|/P@D|/' "$into/.sentinel")
    request 01 'POST /convert?format=ZZSENTINEL' "Authorization: Bearer ZZSENTINEL" <"$into/.sentinel"
    rm -f "$into/.sentinel"
}

run() {
    local target
    target="$(target_name "$1")"
    shift
    local dir="${RUN_WORK:-$WORK}/$target"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    # Given input files (a replay, or -minimize_crash=1 FILE), libFuzzer runs those alone.
    local inputs=("$dir/corpus" "$dir/seeds") argument
    for argument in "$@"; do
        if [ -f "$argument" ]; then inputs=(); fi
    done
    if [ "${#inputs[@]}" -gt 0 ]; then
        seeds "$target" "$dir/seeds"
        echo "fuzz: $target with $(ls "$dir/seeds" | wc -l) seeds, corpus in $dir/corpus" >&2
    fi
    # Input size cap per target (a later -max_len=N wins): big enough for several segments, rows or
    # sections, small enough that each execution is quick.
    local max_len
    case "$target" in
        FuzzHL7v2 | FuzzMLLP | FuzzSealed | FuzzAudit | FuzzHTTP) max_len=4096 ;;
        FuzzCSV) max_len=1024 ;;
        FuzzCCDA | FuzzFHIRJSON) max_len=8192 ;;
    esac
    # SWIFT_BACKTRACE: the Swift runtime's own crash handler would fight the sanitizer's report.
    # malloc_context_size=0: no stack trace recorded per allocation (a quarter of the time went
    # there); a report still shows where the bad access happened. FuzzCSV and FuzzAudit write their
    # files in TMPDIR, which is memory-backed where /dev/shm exists.
    local tmp="${TMPDIR:-/tmp}"
    [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
    FHIRBRIDGE_HOME="$ROOT" ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:malloc_context_size=0}" \
        SWIFT_BACKTRACE=enable=no TMPDIR="$tmp" \
        "$(binary "$target")" -artifact_prefix="$dir/artifacts/" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
        "$@" ${inputs[@]+"${inputs[@]}"}
}

case "${1:-}" in
    "" | -h | --help)
        sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
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
        for target in FuzzHL7v2 FuzzMLLP FuzzCSV FuzzCCDA FuzzSealed FuzzAudit FuzzFHIRJSON FuzzHTTP; do
            start=$SECONDS
            # the audit trail (files, fsync) and the HTTP path (a whole conversion) run at 100-300
            # executions a second: a fifth of the runs keeps the smoke run short
            target_runs="$runs"
            case "$target" in FuzzAudit | FuzzHTTP) target_runs=$((runs / 5 > 0 ? runs / 5 : 1)) ;; esac
            # a fresh corpus each time: the smoke run replays the seeds, then mutates them
            rm -rf "$WORK/smoke/$target"
            mkdir -p "$WORK/smoke"
            if RUN_WORK="$WORK/smoke" run "$target" -runs="$target_runs" -print_final_stats=1 2>"$WORK/smoke/$target.log"; then
                passed=$((passed + 1))
                rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$WORK/smoke/$target.log" | grep -o '[0-9]*$' || true)"
                echo "fuzz smoke: $target $target_runs runs ok in $((SECONDS - start)) s (${rate:-?} exec/s)"
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
