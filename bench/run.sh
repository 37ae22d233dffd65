#!/usr/bin/env bash
# Run kiln and its peers on the same data in one run and append the timings to bench/results/.
#
#   bash bench/run.sh              # every workload
#   bash bench/run.sh csv_read     # one workload
#   bash bench/run.sh profile      # kiln data profile vs pandas describe/skew/kurt/corr/value_counts
#
# Environment:
#   BENCH_ROWS     rows of generated data (default 1000000); a non-default size is recorded as
#                  workload "csv_read@ROWS" so it never mixes with the standard rows
#   BENCH_MACHINE  label for the machine column (default: hostname)
#   PYTHON         interpreter for the data generator and the peers (default: python3)
#   BENCH_REPEAT   timed runs per side, best taken (default 3)
#   KILN           use this kiln binary and skip the release build (for example an installed
#                  kiln, or a binary built with other flags)
#
# Python is needed for the data generator and the peers only (pip install -r
# tools/reference/requirements.txt). A missing peer is reported and skipped; the script still
# exits 0 as long as kiln itself ran.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
cd "$REPO" || exit 1

WORKLOADS=(csv_read profile)
DEFAULT_ROWS=1000000
ROWS="${BENCH_ROWS:-$DEFAULT_ROWS}"
MACHINE="${BENCH_MACHINE:-$(hostname 2>/dev/null || echo unknown)}"
CORES="$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo unknown)"
PYTHON="${PYTHON:-python3}"
if [[ -n "${KILN:-}" ]]; then
    BUILD=0
else
    BUILD=1
    KILN="${CARGO_TARGET_DIR:-target}/release/kiln"
fi
DATA_DIR="$REPO/bench/data"
RESULTS_DIR="$REPO/bench/results"
REPEAT="${BENCH_REPEAT:-3}"
RUN_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
STATUS=0

say() { printf '%s\n' "$*" >&2; }

have_python() { command -v "$PYTHON" >/dev/null 2>&1; }

# Print the value of a top-level numeric field of a one-object JSON text on stdin.
json_number() {
    local field="$1"
    if have_python; then
        "$PYTHON" -c '
import json, sys
v = json.load(sys.stdin).get(sys.argv[1])
print("" if v is None else repr(float(v)))' "$field" 2>/dev/null
    elif command -v jq >/dev/null 2>&1; then
        jq -r --arg f "$field" '.[$f] // empty'
    else
        # Last resort without a JSON parser: the first occurrence of the field anywhere.
        grep -o "\"$field\"[[:space:]]*:[[:space:]]*[-+0-9.eE]*" | head -n1 | sed 's/.*:[[:space:]]*//'
    fi
}

# min of numbers given as arguments (empty if none)
minimum() { printf '%s\n' "$@" | awk 'NF { if (m == "" || $1 < m) m = $1 } END { if (m != "") print m }'; }

# seconds to 4 decimals (empty stays empty)
secs() { [[ -z "$1" ]] || awk -v x="$1" 'BEGIN { printf "%.4f", x }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print ""; else printf "%.3f", a / b }'; }

workload_label() {
    if [[ "$ROWS" == "$DEFAULT_ROWS" ]]; then echo "$1"; else echo "$1@$ROWS"; fi
}

# Append one row per peer to bench/results/<workload>.csv and print a small table.
# args: workload kiln_s peer1 peer1_s [peer2 peer2_s ...]
record() {
    local workload="$1" kiln_raw="$2" kiln_s
    shift 2
    kiln_s="$(secs "$kiln_raw")"
    local file="$RESULTS_DIR/${workload%%@*}.csv"
    mkdir -p "$RESULTS_DIR"
    [[ -s "$file" ]] || echo "date,machine,cores,workload,kiln_s,peer,peer_s,ratio" >"$file"
    printf '\n%-20s %10s  %-22s %10s %8s\n' "workload" "kiln_s" "peer" "peer_s" "ratio"
    while (($# >= 2)); do
        local peer="$1" peer_s="$2" r
        shift 2
        r="$(ratio "$kiln_raw" "$peer_s")"
        peer_s="$(secs "$peer_s")"
        echo "$RUN_DATE,$MACHINE,$CORES,$workload,$kiln_s,$peer,$peer_s,$r" >>"$file"
        printf '%-20s %10s  %-22s %10s %8s\n' "$workload" "${kiln_s:--}" "$peer" "${peer_s:--}" "${r:--}"
    done
    say "appended to ${file#"$REPO"/}"
}

build_kiln() {
    if ((BUILD == 0)); then
        say "== using KILN=$KILN (no build)"
        return
    fi
    say "== cargo build --release -p kiln"
    if ! cargo build --release -p kiln; then
        say "error: cargo build failed"
        exit 1
    fi
}

# Generate bench/data/<name> once with bench/gen_mixed_csv.py; echo its path.
mixed_csv() {
    local file="$DATA_DIR/mixed_${ROWS}x30.csv"
    if [[ ! -s "$file" ]]; then
        if ! have_python; then
            say "error: $file is missing and $PYTHON is not available to generate it"
            return 1
        fi
        say "== generating $file"
        "$PYTHON" bench/gen_mixed_csv.py "$file" --rows "$ROWS" --seed 42 || return 1
    fi
    echo "$file"
}

workload_csv_read() {
    local label file kiln_s="" times=() out t peers
    label="$(workload_label csv_read)"
    file="$(mixed_csv)" || { STATUS=1; return; }

    say "== kiln: $KILN data info $file --json (best of $REPEAT)"
    for ((i = 0; i < REPEAT; i++)); do
        if ! out="$("$KILN" data info "$file" --json)"; then
            say "error: kiln data info failed; kiln side not measured"
            STATUS=1
            times=()
            break
        fi
        t="$(printf '%s' "$out" | json_number read_seconds)"
        if [[ -z "$t" ]]; then
            say "error: kiln output has no numeric top-level read_seconds; kiln side not measured"
            STATUS=1
            times=()
            break
        fi
        times+=("$t")
    done
    kiln_s="$(minimum "${times[@]}")"

    local pyarrow_s="" pandas_s=""
    if have_python; then
        say "== peers: bench/peers/csv_read.py (best of $REPEAT each)"
        if peers="$("$PYTHON" bench/peers/csv_read.py "$file" --repeat "$REPEAT")"; then
            pyarrow_s="$(printf '%s' "$peers" | json_number pyarrow_s)"
            pandas_s="$(printf '%s' "$peers" | json_number pandas_s)"
            printf '%s' "$peers" | "$PYTHON" -c '
import json, sys
for peer, why in json.load(sys.stdin).get("skipped", {}).items():
    print(f"skipped peer {peer}: {why}", file=sys.stderr)'
        else
            say "skipped peers: bench/peers/csv_read.py failed"
        fi
    else
        say "skipped peers pyarrow and pandas: $PYTHON not found"
    fi

    local args=()
    [[ -n "$pyarrow_s" ]] && args+=(pyarrow.csv.read_csv "$pyarrow_s")
    [[ -n "$pandas_s" ]] && args+=(pandas.read_csv "$pandas_s")
    if ((${#args[@]} == 0)) && [[ -z "$kiln_s" ]]; then
        say "nothing measured for $label"
        return
    fi
    ((${#args[@]} == 0)) && args=(none "")
    record "$label" "$kiln_s" "${args[@]}"
}

# Generate bench/data/profile_<rows>x50.csv once with bench/gen_profile_csv.py; echo its path.
profile_csv() {
    local file="$DATA_DIR/profile_${ROWS}x50.csv"
    if [[ ! -s "$file" ]]; then
        if ! have_python; then
            say "error: $file is missing and $PYTHON is not available to generate it"
            return 1
        fi
        say "== generating $file"
        "$PYTHON" bench/gen_profile_csv.py "$file" --rows "$ROWS" --seed 7 || return 1
    fi
    echo "$file"
}

workload_profile() {
    local label file kiln_s="" times=() out t peers
    label="$(workload_label profile)"
    file="$(profile_csv)" || { STATUS=1; return; }
    say "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

    say "== kiln: $KILN data profile $file --target target --json (best of $REPEAT)"
    for ((i = 0; i < REPEAT; i++)); do
        if ! out="$("$KILN" data profile "$file" --target target --json)"; then
            say "error: kiln data profile failed; kiln side not measured"
            STATUS=1
            times=()
            break
        fi
        t="$(printf '%s' "$out" | json_number profile_seconds)"
        if [[ -z "$t" ]]; then
            say "error: kiln output has no numeric top-level profile_seconds; kiln side not measured"
            STATUS=1
            times=()
            break
        fi
        say "   profile_seconds $t (read_seconds $(printf '%s' "$out" | json_number read_seconds))"
        times+=("$t")
    done
    kiln_s="$(minimum "${times[@]}")"

    local pandas_s=""
    if have_python; then
        say "== peer: bench/peers/profile.py (best of $REPEAT)"
        if peers="$("$PYTHON" bench/peers/profile.py "$file" --repeat "$REPEAT")"; then
            pandas_s="$(printf '%s' "$peers" | json_number pandas_s)"
        else
            say "skipped peer: bench/peers/profile.py failed"
        fi
    else
        say "skipped peer pandas: $PYTHON not found"
    fi
    say "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    local args=()
    [[ -n "$pandas_s" ]] && args+=(pandas.describe+skew+kurt+corr+value_counts "$pandas_s")
    if ((${#args[@]} == 0)) && [[ -z "$kiln_s" ]]; then
        say "nothing measured for $label"
        return
    fi
    ((${#args[@]} == 0)) && args=(none "")
    record "$label" "$kiln_s" "${args[@]}"
}

main() {
    local selected=("$@")
    ((${#selected[@]} == 0)) && selected=("${WORKLOADS[@]}")
    for w in "${selected[@]}"; do
        if ! declare -F "workload_$w" >/dev/null; then
            say "unknown workload '$w'; known: ${WORKLOADS[*]}"
            exit 2
        fi
    done
    build_kiln
    mkdir -p "$DATA_DIR"
    for w in "${selected[@]}"; do
        say ""
        say "#### $w ($ROWS rows, $CORES cores, machine $MACHINE)"
        "workload_$w"
    done
    exit "$STATUS"
}

main "$@"
