#!/usr/bin/env bash
# Run kiln and its peers on the same data in one run and append the timings to bench/results/.
#
#   bash bench/run.sh              # every workload
#   bash bench/run.sh csv_read     # one workload (csv_read, profile, prep, gbdt, forest, predict,
#                                  # logistic, svm, knn, kmeans, drift, train, serve)
#
# Environment:
#   BENCH_ROWS     rows of generated data (default per workload: 1000000, forest 200000, svm
#                  20000 training rows, knn 100000 reference rows); a
#                  non-default size is recorded as workload "csv_read@ROWS" so it never mixes
#                  with the standard rows
#   BENCH_QUICK    1 = smoke-test mode: fewer rounds/trees/calls/repeats; rows are recorded as
#                  "<workload>@ROWS/quick" and are never numbers to quote
#   BENCH_THREADS  threads for every library in the model workloads (default 2)
#   BENCH_MACHINE  label for the machine column (default: hostname)
#   PYTHON         interpreter for the data generator and the peers (default: python3)
#   BENCH_REPEAT   timed runs per side, best taken (default 3)
#   BENCH_TRAIN_FOLDS  cross-validation settings the train workload runs, one run per value
#                  (default "0 3": no cross-validation, then 3 folds)
#   KILN           use this kiln binary and skip the release build (for example an installed
#                  kiln, or a binary built with other flags)
#   KILN_EXAMPLES  directory holding the prep_bench and model_bench example binaries; skips
#                  their release build (default: built into ${CARGO_TARGET_DIR:-target}/release/examples)
#   SERVE_BENCH    the load generator binary of the serve workload (bench/loadgen); skips its
#                  release build (default: ${CARGO_TARGET_DIR:-target}/release/serve_bench)
#   BENCH_SERVE_CONCURRENCY  closed-loop worker counts of the serve workload (default "1 16")
#   BENCH_SERVE_RATE         kiln's open-loop rate in requests/s (default 5000)
#   BENCH_SERVE_WORKERS      uvicorn worker processes of the FastAPI peer (default 2)
#
# Python is needed for the data generator and the peers only (pip install -r
# tools/reference/requirements.txt). A missing peer is reported and skipped; the script still
# exits 0 as long as kiln itself ran.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
cd "$REPO" || exit 1

WORKLOADS=(csv_read profile prep gbdt forest predict logistic svm knn kmeans drift train serve)
DEFAULT_ROWS=1000000
ROWS="${BENCH_ROWS:-$DEFAULT_ROWS}"
QUICK="${BENCH_QUICK:-0}"
[[ "$QUICK" == 0 ]] && QUICK=""
THREADS="${BENCH_THREADS:-2}"
MACHINE="${BENCH_MACHINE:-$(hostname 2>/dev/null || echo unknown)}"
CORES="$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo unknown)"
PYTHON="${PYTHON:-python3}"
EVIDENTLY_PYTHON="${EVIDENTLY_PYTHON:-$PYTHON}"
if [[ -n "${KILN:-}" ]]; then
    BUILD=0
else
    BUILD=1
    KILN="${CARGO_TARGET_DIR:-target}/release/kiln"
fi
if [[ -n "${SERVE_BENCH:-}" ]]; then
    BUILD_LOADGEN=0
else
    BUILD_LOADGEN=1
    SERVE_BENCH="${CARGO_TARGET_DIR:-target}/release/serve_bench"
fi
if [[ -n "${KILN_EXAMPLES:-}" ]]; then
    BUILD_EXAMPLES=0
else
    BUILD_EXAMPLES=1
    KILN_EXAMPLES="${CARGO_TARGET_DIR:-target}/release/examples"
fi
# Workloads run the binaries from other directories (e.g. `train` from a fresh project folder),
# so relative paths (taken from the repository root, where the script runs) are made absolute.
[[ "$KILN" = /* ]] || KILN="$PWD/$KILN"
[[ "$KILN_EXAMPLES" = /* ]] || KILN_EXAMPLES="$PWD/$KILN_EXAMPLES"
[[ "$SERVE_BENCH" = /* ]] || SERVE_BENCH="$PWD/$SERVE_BENCH"
DATA_DIR="$REPO/bench/data"
RESULTS_DIR="$REPO/bench/results"
REPEAT="${BENCH_REPEAT:-3}"
[[ -n "$QUICK" ]] && REPEAT=1
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

# Label of a workload in the results: name, "@ROWS" for a non-default size, "/quick" in
# smoke-test mode. args: name [rows default_rows]
workload_label() {
    local name="$1" rows="${2:-$ROWS}" default="${3:-$DEFAULT_ROWS}"
    if [[ -n "$QUICK" ]]; then
        echo "$name@$rows/quick"
    elif [[ "$rows" == "$default" ]]; then
        echo "$name"
    else
        echo "$name@$rows"
    fi
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

# The load generator of the serve workload (bench/loadgen), built with kiln in one cargo call so
# the two share one build of the workspace.
build_loadgen() {
    if ((BUILD_LOADGEN == 0)); then
        say "== using SERVE_BENCH=$SERVE_BENCH (no build)"
        return
    fi
    local packages=(-p kiln-loadgen)
    ((BUILD)) && packages+=(-p kiln)
    say "== cargo build --release ${packages[*]}"
    if ! cargo build --release "${packages[@]}"; then
        say "error: cargo build of the load generator failed"
        exit 1
    fi
}

# The example binaries the prep and model workloads run (built once per run).
build_examples() {
    if ((BUILD_EXAMPLES == 0)); then
        say "== using KILN_EXAMPLES=$KILN_EXAMPLES (no build)"
        return
    fi
    say "== cargo build --release -p kiln-prep -p kiln-models --examples"
    if ! cargo build --release -p kiln-prep -p kiln-models --examples; then
        say "error: cargo build of the bench examples failed"
        exit 1
    fi
}

# Print a top-level string field of a one-object JSON text on stdin (empty if absent).
json_string() {
    have_python || return 0
    "$PYTHON" -c '
import json, sys
v = json.load(sys.stdin).get(sys.argv[1])
print("" if v is None else v)' "$1" 2>/dev/null
}

# Append "date,machine,cores,workload,<fields>" rows to bench/results/<stem>.csv.
# args: stem header workload line... (each line: the comma-separated fields after workload)
record_quality() {
    local stem="$1" header="$2" workload="$3" file
    shift 3
    file="$RESULTS_DIR/$stem.csv"
    mkdir -p "$RESULTS_DIR"
    [[ -s "$file" ]] || echo "date,machine,cores,workload,$header" >"$file"
    printf '\n%s: %s\n' "$workload" "$header"
    for line in "$@"; do
        echo "$RUN_DATE,$MACHINE,$CORES,$workload,$line" >>"$file"
        printf '  %s\n' "$line"
    done
    say "appended to ${file#"$REPO"/}"
}

# Run the kiln side of a workload and check that its JSON has a numeric field; echo the JSON.
# args: field command...
run_kiln() {
    local field="$1" out
    shift
    say "== kiln: ${*#"$REPO"/}"
    if ! out="$("$@")"; then
        say "error: kiln side failed; not measured"
        STATUS=1
        return 1
    fi
    if [[ -z "$(printf '%s' "$out" | json_number "$field")" ]]; then
        say "error: kiln output has no numeric top-level $field; not measured"
        STATUS=1
        return 1
    fi
    printf '%s' "$out"
}

# Run one side (a run_kiln or run_peer call) REPEAT times; echo the output with the smallest
# FIELD, so a slow first run (cold caches, a library's warm-up) does not decide the ratio.
# args: field command args...
best_of() {
    local field="$1" out best="" best_s="" s i
    shift
    for ((i = 0; i < REPEAT; i++)); do
        out="$("$@")" || return 1
        s="$(printf '%s' "$out" | json_number "$field")"
        if [[ -z "$best_s" ]] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
            best="$out"
            best_s="$s"
        fi
    done
    printf '%s' "$best"
}

# Run one peer process (bench/peers/<script>.py ...) with the thread limit; echo its JSON, or
# print why it was skipped and fail. args: peer-name script args...
run_peer() {
    local name="$1" script="$2" out why
    shift 2
    if ! have_python; then
        say "skipped peer $name: $PYTHON not found"
        return 1
    fi
    say "== peer $name: bench/peers/$script.py $*"
    if ! out="$(OMP_NUM_THREADS="$THREADS" "$PYTHON" "bench/peers/$script.py" "$@")"; then
        say "skipped peer $name: bench/peers/$script.py failed"
        return 1
    fi
    why="$(printf '%s' "$out" | json_string skipped)"
    if [[ -n "$why" ]]; then
        say "skipped peer $name: $why"
        return 1
    fi
    printf '%s' "$out"
}

# Generate a file once with a Python generator; echo its path. args: file generator args...
generated() {
    local file="$1" gen="$2"
    shift 2
    if [[ ! -s "$file" ]]; then
        if ! have_python; then
            say "error: $file is missing and $PYTHON is not available to generate it"
            return 1
        fi
        say "== generating $file"
        "$PYTHON" "$gen" "$file.tmp" "$@" && mv "$file.tmp" "$file" || return 1
    fi
    echo "$file"
}

# The Higgs-like binary set of bench/gen_binary.py. args: rows seed
binary_set() {
    generated "$DATA_DIR/higgs_like_${1}x28_seed$2.bin" bench/gen_binary.py --rows "$1" --seed "$2"
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

workload_prep() {
    local rows="${BENCH_ROWS:-$DEFAULT_ROWS}" label file out kiln_s="" peer_s=""
    label="$(workload_label prep "$rows" "$DEFAULT_ROWS")"
    file="$(generated "$DATA_DIR/prep_${rows}x50.parquet" bench/gen_prep_parquet.py --rows "$rows" --seed 42)" ||
        { STATUS=1; return; }

    if out="$(run_kiln fit_transform_seconds "$KILN_EXAMPLES/prep_bench" "$file" --repeat "$REPEAT")"; then
        kiln_s="$(printf '%s' "$out" | json_number fit_transform_seconds)"
        say "   kiln read $(secs "$(printf '%s' "$out" | json_number read_seconds)") s (not compared)"
    fi
    if out="$(run_peer sklearn prep "$file" --repeat "$REPEAT")"; then
        peer_s="$(printf '%s' "$out" | json_number sklearn_s)"
        say "   pandas.read_parquet $(secs "$(printf '%s' "$out" | json_number read_s)") s (not compared)"
    fi
    local args=()
    [[ -n "$peer_s" ]] && args+=(sklearn.ColumnTransformer "$peer_s")
    if ((${#args[@]} == 0)) && [[ -z "$kiln_s" ]]; then
        say "nothing measured for $label"
        return
    fi
    ((${#args[@]} == 0)) && args=(none "")
    record "$label" "$kiln_s" "${args[@]}"
}

# "train_s,auc,max_rss_mb" (or the forest's fields) of a model_bench / models.py JSON.
# args: time-field quality-field
quality_fields() {
    local json
    json="$(cat)"
    printf '%s,%s,%s' "$(secs "$(printf '%s' "$json" | json_number "$1")")" \
        "$(printf '%s' "$json" | json_number "$2" | awk 'NF { printf "%.5f", $1 }')" \
        "$(printf '%s' "$json" | json_number max_rss_mb | awk 'NF { printf "%.0f", $1 }')"
}

workload_gbdt() {
    local rows="${BENCH_ROWS:-$DEFAULT_ROWS}" label train test out
    local rounds=100 leaves=255
    [[ -n "$QUICK" ]] && rounds=10
    label="$(workload_label gbdt "$rows" "$DEFAULT_ROWS")"
    train="$(binary_set "$rows" 42)" && test="$(binary_set $((rows / 5)) 4242)" || { STATUS=1; return; }
    local opts=(--rounds "$rounds" --leaves "$leaves" --threads "$THREADS")

    local kiln_s="" lgb_s="" hgb_s="" quality=()
    if out="$(best_of train_seconds run_kiln train_seconds "$KILN_EXAMPLES/model_bench" gbdt "$train" "$test" "${opts[@]}")"; then
        kiln_s="$(printf '%s' "$out" | json_number train_seconds)"
        quality+=("kiln,$(printf '%s' "$out" | quality_fields train_seconds auc)")
    fi
    if out="$(best_of train_seconds run_peer lightgbm models gbdt lightgbm "$train" "$test" "${opts[@]}")"; then
        lgb_s="$(printf '%s' "$out" | json_number train_seconds)"
        quality+=("lightgbm,$(printf '%s' "$out" | quality_fields train_seconds auc)")
    fi
    if out="$(best_of train_seconds run_peer sklearn models gbdt sklearn "$train" "$test" "${opts[@]}")"; then
        hgb_s="$(printf '%s' "$out" | json_number train_seconds)"
        quality+=("sklearn.HistGradientBoostingClassifier,$(printf '%s' "$out" | quality_fields train_seconds auc)")
    fi
    local args=()
    [[ -n "$lgb_s" ]] && args+=(lightgbm.train "$lgb_s")
    [[ -n "$hgb_s" ]] && args+=(sklearn.HistGradientBoosting "$hgb_s")
    if ((${#args[@]} == 0)) && [[ -z "$kiln_s" ]]; then
        say "nothing measured for $label"
        return
    fi
    ((${#args[@]} == 0)) && args=(none "")
    record "$label" "$kiln_s" "${args[@]}"
    record_quality gbdt_quality "library,train_s,test_auc,max_rss_mb" "$label" "${quality[@]}"
}

workload_forest() {
    local default=200000 rows label train test out
    rows="${BENCH_ROWS:-$default}"
    local trees=100
    [[ -n "$QUICK" ]] && trees=10
    label="$(workload_label forest "$rows" "$default")"
    train="$(binary_set "$rows" 42)" && test="$(binary_set $((rows / 5)) 4242)" || { STATUS=1; return; }
    local opts=(--trees "$trees" --threads "$THREADS")

    # kiln runs twice against the same scikit-learn run: the exact splitter (the spec's default,
    # scikit-learn's thresholds) and the histogram splitter (binned features).
    local kiln_s="" hist_s="" rf_s="" quality=()
    if out="$(best_of fit_seconds run_kiln fit_seconds "$KILN_EXAMPLES/model_bench" forest "$train" "$test" "${opts[@]}" --splitter exact)"; then
        kiln_s="$(printf '%s' "$out" | json_number fit_seconds)"
        quality+=("kiln,$(printf '%s' "$out" | quality_fields fit_seconds accuracy)")
    fi
    if out="$(best_of fit_seconds run_kiln fit_seconds "$KILN_EXAMPLES/model_bench" forest "$train" "$test" "${opts[@]}" --splitter histogram)"; then
        hist_s="$(printf '%s' "$out" | json_number fit_seconds)"
        quality+=("kiln.histogram,$(printf '%s' "$out" | quality_fields fit_seconds accuracy)")
    fi
    if out="$(best_of fit_seconds run_peer sklearn models forest sklearn "$train" "$test" "${opts[@]}")"; then
        rf_s="$(printf '%s' "$out" | json_number fit_seconds)"
        quality+=("sklearn.RandomForestClassifier,$(printf '%s' "$out" | quality_fields fit_seconds accuracy)")
    fi
    if [[ -z "$rf_s$kiln_s$hist_s" ]]; then
        say "nothing measured for $label"
        return
    fi
    # The peer column names what kiln ran against: the plain name is the exact splitter (as in
    # rows from before the histogram splitter), "[histogram]" kiln's histogram splitter.
    if [[ -n "$rf_s" ]]; then
        [[ -n "$kiln_s" ]] && record "$label" "$kiln_s" sklearn.RandomForest "$rf_s"
        [[ -n "$hist_s" ]] && record "$label" "$hist_s" "sklearn.RandomForest[histogram]" "$rf_s"
    else
        [[ -n "$kiln_s" ]] && record "$label" "$kiln_s" none ""
        [[ -n "$hist_s" ]] && record "$label" "$hist_s" "none[histogram]" ""
    fi
    record_quality forest_quality "library,fit_s,test_accuracy,max_rss_mb" "$label" "${quality[@]}"
}

workload_predict() {
    local rows="${BENCH_ROWS:-$DEFAULT_ROWS}" label train test out
    local rounds=100 leaves=31 calls=100000
    [[ -n "$QUICK" ]] && rounds=10 calls=2000
    label="$(workload_label predict "$rows" "$DEFAULT_ROWS")"
    train="$(binary_set "$rows" 42)" && test="$(binary_set $((rows / 5)) 4242)" || { STATUS=1; return; }
    local opts=(--rounds "$rounds" --leaves "$leaves" --threads "$THREADS" --calls "$calls" --fit-rows 200000)

    local kiln_row="" kiln_batch="" lgb_row="" lgb_batch=""
    if out="$(run_kiln single_row_median_seconds "$KILN_EXAMPLES/model_bench" predict "$train" "$test" "${opts[@]}")"; then
        kiln_row="$(printf '%s' "$out" | json_number single_row_median_seconds)"
        kiln_batch="$(printf '%s' "$out" | json_number batch_seconds)"
    fi
    if out="$(run_peer lightgbm models predict lightgbm "$train" "$test" "${opts[@]}")"; then
        lgb_row="$(printf '%s' "$out" | json_number single_row_median_seconds)"
        lgb_batch="$(printf '%s' "$out" | json_number batch_seconds)"
    fi
    if [[ -z "$kiln_row$lgb_row" ]]; then
        say "nothing measured for $label"
        return
    fi
    # Seconds to 4 decimals would round a single-row latency to 0, so that row is in µs.
    local kiln_us="" lgb_us=""
    [[ -n "$kiln_row" ]] && kiln_us="$(awk -v x="$kiln_row" 'BEGIN { printf "%.6f", x * 1e6 }')"
    [[ -n "$lgb_row" ]] && lgb_us="$(awk -v x="$lgb_row" 'BEGIN { printf "%.6f", x * 1e6 }')"
    record "$label" "$kiln_us" "lightgbm.predict[row,us]" "$lgb_us"
    record "$label" "$kiln_batch" "lightgbm.predict[batch]" "$lgb_batch"
}

workload_logistic() {
    local rows="${BENCH_ROWS:-$DEFAULT_ROWS}" label train test out
    label="$(workload_label logistic "$rows" "$DEFAULT_ROWS")"
    train="$(generated "$DATA_DIR/logistic_${rows}x50_seed42.bin" bench/gen_logistic.py --rows "$rows" --seed 42)" &&
        test="$(generated "$DATA_DIR/logistic_$((rows / 5))x50_seed4242.bin" bench/gen_logistic.py --rows $((rows / 5)) --seed 4242)" ||
        { STATUS=1; return; }
    local opts=(--threads "$THREADS" --max-iter 100 --tol 1e-4 --repeat "$REPEAT")
    say "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

    local kiln_s="" sk_s="" kiln_loss="" sk_loss="" quality=()
    # "fit_s,n_iter,train_logloss,test_logloss,max_rss_mb" of a logistic JSON
    logistic_fields() {
        local json
        json="$(cat)"
        printf '%s,%s,%s,%s,%s' "$(secs "$(printf '%s' "$json" | json_number fit_seconds)")" \
            "$(printf '%s' "$json" | json_number n_iter | awk 'NF { printf "%d", $1 }')" \
            "$(printf '%s' "$json" | json_number train_logloss | awk 'NF { printf "%.9f", $1 }')" \
            "$(printf '%s' "$json" | json_number test_logloss | awk 'NF { printf "%.9f", $1 }')" \
            "$(printf '%s' "$json" | json_number max_rss_mb | awk 'NF { printf "%.0f", $1 }')"
    }
    if out="$(run_kiln fit_seconds "$KILN_EXAMPLES/model_bench" logistic "$train" "$test" "${opts[@]}")"; then
        kiln_s="$(printf '%s' "$out" | json_number fit_seconds)"
        kiln_loss="$(printf '%s' "$out" | json_number train_logloss)"
        quality+=("kiln,$(printf '%s' "$out" | logistic_fields)")
    fi
    if out="$(run_peer sklearn models logistic sklearn "$train" "$test" "${opts[@]}")"; then
        sk_s="$(printf '%s' "$out" | json_number fit_seconds)"
        sk_loss="$(printf '%s' "$out" | json_number train_logloss)"
        quality+=("sklearn.LogisticRegression,$(printf '%s' "$out" | logistic_fields)")
    fi
    say "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    if [[ -z "$sk_s" && -z "$kiln_s" ]]; then
        say "nothing measured for $label"
        return
    fi
    if [[ -n "$kiln_loss" && -n "$sk_loss" ]]; then
        say "   train log-loss kiln - sklearn: $(awk -v a="$kiln_loss" -v b="$sk_loss" 'BEGIN { printf "%.3e", a - b }')"
    fi
    if [[ -n "$sk_s" ]]; then
        record "$label" "$kiln_s" sklearn.LogisticRegression "$sk_s"
    else
        record "$label" "$kiln_s" none ""
    fi
    record_quality logistic_quality "library,fit_s,n_iter,train_logloss,test_logloss,max_rss_mb" "$label" "${quality[@]}"
}

# A dense classification set of bench/gen_dense.py. args: rows cols classes seed
dense_set() {
    generated "$DATA_DIR/dense_${1}x${2}_c${3}_seed$4.bin" bench/gen_dense.py \
        --rows "$1" --cols "$2" --classes "$3" --seed "$4"
}

workload_svm() {
    local default=20000 rows label train test out
    rows="${BENCH_ROWS:-$default}"
    label="$(workload_label svm "$rows" "$default")"
    train="$(dense_set "$rows" 20 2 42)" && test="$(dense_set $((rows / 4)) 20 2 4242)" ||
        { STATUS=1; return; }
    say "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

    local kiln_s="" sk_s="" quality=()
    if out="$(run_kiln fit_seconds "$KILN_EXAMPLES/model_bench" svm "$train" "$test" --threads "$THREADS")"; then
        kiln_s="$(printf '%s' "$out" | json_number fit_seconds)"
        quality+=("kiln,$(printf '%s' "$out" | quality_fields fit_seconds accuracy),$(printf '%s' "$out" | json_number n_support | awk 'NF { printf "%d", $1 }')")
    fi
    if out="$(run_peer sklearn models svm sklearn "$train" "$test" --threads "$THREADS")"; then
        sk_s="$(printf '%s' "$out" | json_number fit_seconds)"
        quality+=("sklearn.SVC,$(printf '%s' "$out" | quality_fields fit_seconds accuracy),$(printf '%s' "$out" | json_number n_support | awk 'NF { printf "%d", $1 }')")
    fi
    say "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    if [[ -z "$sk_s" && -z "$kiln_s" ]]; then
        say "nothing measured for $label"
        return
    fi
    if [[ -n "$sk_s" ]]; then
        record "$label" "$kiln_s" sklearn.SVC "$sk_s"
    else
        record "$label" "$kiln_s" none ""
    fi
    record_quality svm_quality "library,fit_s,test_accuracy,max_rss_mb,n_support" "$label" "${quality[@]}"
}

workload_kmeans() {
    local rows="${BENCH_ROWS:-$DEFAULT_ROWS}" label data out k=16
    label="$(workload_label kmeans "$rows" "$DEFAULT_ROWS")"
    data="$(generated "$DATA_DIR/blobs_${rows}x20_k16_seed7.bin" bench/gen_blobs.py --rows "$rows" \
        --features 20 --centres 16 --seed 7)" || { STATUS=1; return; }
    local opts=(--k "$k" --threads "$THREADS" --repeat "$REPEAT")
    say "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

    local kiln_s="" sk_s="" quality=()
    if out="$(run_kiln fit_seconds "$KILN_EXAMPLES/model_bench" kmeans "$data" "${opts[@]}")"; then
        kiln_s="$(printf '%s' "$out" | json_number fit_seconds)"
        quality+=("kiln,$(printf '%s' "$out" | quality_fields fit_seconds inertia),$(printf '%s' "$out" | json_number n_iter | awk 'NF { printf "%d", $1 }')")
    fi
    if out="$(run_peer sklearn models kmeans sklearn "$data" "${opts[@]}")"; then
        sk_s="$(printf '%s' "$out" | json_number fit_seconds)"
        quality+=("sklearn.KMeans,$(printf '%s' "$out" | quality_fields fit_seconds inertia),$(printf '%s' "$out" | json_number n_iter | awk 'NF { printf "%d", $1 }')")
    fi
    say "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    if [[ -z "$sk_s" && -z "$kiln_s" ]]; then
        say "nothing measured for $label"
        return
    fi
    if [[ -n "$sk_s" ]]; then
        record "$label" "$kiln_s" sklearn.KMeans "$sk_s"
    else
        record "$label" "$kiln_s" none ""
    fi
    record_quality kmeans_quality "library,fit_s,inertia,max_rss_mb,n_iter" "$label" "${quality[@]}"
}

workload_knn() {
    local default=100000 rows label train test out
    rows="${BENCH_ROWS:-$default}"
    label="$(workload_label knn "$rows" "$default")"
    train="$(dense_set "$rows" 20 3 42)" && test="$(dense_set $((rows / 10)) 20 3 4242)" ||
        { STATUS=1; return; }
    say "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    local opts=(--neighbors 5 --threads "$THREADS")

    local kiln_s="" sk_s="" quality=() times=() peer_times=()
    for ((i = 0; i < REPEAT; i++)); do
        if out="$(run_kiln seconds "$KILN_EXAMPLES/model_bench" knn "$train" "$test" "${opts[@]}")"; then
            times+=("$(printf '%s' "$out" | json_number seconds)")
            ((i == 0)) && quality+=("kiln,$(printf '%s' "$out" | quality_fields seconds accuracy)")
        fi
        if out="$(run_peer sklearn models knn sklearn "$train" "$test" "${opts[@]}")"; then
            peer_times+=("$(printf '%s' "$out" | json_number seconds)")
            ((i == 0)) && quality+=("sklearn.KNeighborsClassifier,$(printf '%s' "$out" | quality_fields seconds accuracy)")
        fi
    done
    ((${#times[@]})) && kiln_s="$(minimum "${times[@]}")"
    ((${#peer_times[@]})) && sk_s="$(minimum "${peer_times[@]}")"
    say "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    if [[ -z "$sk_s" && -z "$kiln_s" ]]; then
        say "nothing measured for $label"
        return
    fi
    if [[ -n "$sk_s" ]]; then
        record "$label" "$kiln_s" sklearn.KNeighborsClassifier "$sk_s"
    else
        record "$label" "$kiln_s" none ""
    fi
    record_quality knn_quality "library,seconds,test_accuracy,max_rss_mb" "$label" "${quality[@]}"
}

# Reference and current Parquet files of bench/gen_drift_parquet.py (generated once); echoes
# "reference current". args: rows
drift_files() {
    local ref="$DATA_DIR/drift_${1}x100_reference.parquet" cur="$DATA_DIR/drift_${1}x100_current.parquet"
    if [[ ! -s "$ref" || ! -s "$cur" ]]; then
        if ! have_python; then
            say "error: $ref is missing and $PYTHON is not available to generate it"
            return 1
        fi
        say "== generating $ref and $cur"
        "$PYTHON" bench/gen_drift_parquet.py "$ref.tmp" "$cur.tmp" --rows "$1" --seed 42 &&
            mv "$ref.tmp" "$ref" && mv "$cur.tmp" "$cur" || return 1
    fi
    echo "$ref $cur"
}

# kiln monitor drift (reference profile + every column's default test, reads excluded) against
# Evidently's DataDriftPreset and a SciPy loop of the same tests, on 1M x 100 mixed columns.
workload_drift() {
    local rows="${BENCH_ROWS:-$DEFAULT_ROWS}" label files ref cur out t times=() kiln_s="" kiln_drifted=""
    label="$(workload_label drift "$rows" "$DEFAULT_ROWS")"
    files="$(drift_files "$rows")" || { STATUS=1; return; }
    read -r ref cur <<<"$files"
    say "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    say "== kiln: $KILN monitor drift --reference ${ref#"$REPO"/} --current ${cur#"$REPO"/} --json (best of $REPEAT)"
    for ((i = 0; i < REPEAT; i++)); do
        # Exit code 1 means "dataset drift found", which this data may or may not show.
        out="$("$KILN" monitor drift --reference "$ref" --current "$cur" --json)"
        if (($? > 1)); then
            say "error: kiln monitor drift failed; kiln side not measured"
            STATUS=1
            times=()
            break
        fi
        t="$(printf '%s' "$out" | json_number drift_seconds)"
        [[ -n "$t" ]] && times+=("$t")
        say "   drift_seconds $t"
    done
    kiln_s="$(minimum "${times[@]}")"
    if have_python && [[ -n "$out" ]]; then
        kiln_drifted="$(printf '%s' "$out" | "$PYTHON" -c '
import json, sys
print(" ".join(c["column"] for c in json.load(sys.stdin)["columns"] if c["drifted"]))' 2>/dev/null)"
    fi

    local evidently_s="" scipy_s="" peer_out quality=()
    quality+=("kiln,$(secs "$kiln_s"),$(wc -w <<<"$kiln_drifted" | tr -d ' '),$kiln_drifted")
    if peer_out="$(run_peer_with "$EVIDENTLY_PYTHON" evidently drift "$ref" "$cur" --peer evidently --repeat "$REPEAT")"; then
        evidently_s="$(printf '%s' "$peer_out" | json_number seconds)"
        quality+=("evidently.DataDriftPreset,$(secs "$evidently_s"),$(drifted_of "$peer_out")")
    fi
    if peer_out="$(run_peer_with "$PYTHON" scipy drift "$ref" "$cur" --peer scipy --repeat "$REPEAT")"; then
        scipy_s="$(printf '%s' "$peer_out" | json_number seconds)"
        quality+=("scipy.loop,$(secs "$scipy_s"),$(drifted_of "$peer_out")")
    fi
    say "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    local args=()
    [[ -n "$evidently_s" ]] && args+=(evidently.DataDriftPreset "$evidently_s")
    [[ -n "$scipy_s" ]] && args+=(scipy.wasserstein+jensenshannon "$scipy_s")
    if ((${#args[@]} == 0)) && [[ -z "$kiln_s" ]]; then
        say "nothing measured for $label"
        return
    fi
    ((${#args[@]} == 0)) && args=(none "")
    record "$label" "$kiln_s" "${args[@]}"
    record_quality drift_columns "side,seconds,n_drifted,drifted_columns" "$label" "${quality[@]}"
}

# "n,cols" of a drift peer's JSON (the drifted columns, space-separated).
drifted_of() {
    printf '%s' "$1" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)["drifted"]
print(str(len(d)) + "," + " ".join(d))' 2>/dev/null
}

# run_peer with another interpreter. args: python peer-name script args...
run_peer_with() {
    local python="$1"
    shift
    PYTHON="$python" run_peer "$@"
}

# Seconds since the epoch with nanoseconds, for wall-clock timing of whole processes.
now() { date +%s.%N; }

# The 1-minute load average.
load1() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo ""; }

# The gbdt training set as Parquet (bench/bin_to_parquet.py), converted once; echo its path.
binary_parquet() {
    local bin file="$DATA_DIR/higgs_like_${1}x28_seed$2.parquet"
    if [[ ! -s "$file" ]]; then
        bin="$(binary_set "$1" "$2")" || return 1
        say "== converting $bin to Parquet"
        "$PYTHON" bench/bin_to_parquet.py "$bin" "$file.tmp" && mv "$file.tmp" "$file" || return 1
    fi
    echo "$file"
}

# Append one row to bench/results/train.csv and print it.
# args: workload kiln_s peer peer_s kiln_auc peer_auc load_before load_after
record_train() {
    local file="$RESULTS_DIR/train.csv" r kiln_auc peer_auc
    mkdir -p "$RESULTS_DIR"
    [[ -s "$file" ]] ||
        echo "date,machine,cores,workload,kiln_s,peer,peer_s,ratio,kiln_test_auc,peer_test_auc,load1_before,load1_after" >"$file"
    r="$(ratio "$2" "$4")"
    kiln_auc="$(awk -v x="$5" 'BEGIN { if (x != "") printf "%.5f", x }')"
    peer_auc="$(awk -v x="$6" 'BEGIN { if (x != "") printf "%.5f", x }')"
    echo "$RUN_DATE,$MACHINE,$CORES,$1,$(secs "$2"),$3,$(secs "$4"),$r,$kiln_auc,$peer_auc,$7,$8" >>"$file"
    printf '\n%-22s %10s  %-34s %10s %8s %9s %9s %6s %6s\n' workload kiln_s peer peer_s ratio kiln_auc peer_auc load0 load1
    printf '%-22s %10s  %-34s %10s %8s %9s %9s %6s %6s\n' "$1" "$(secs "$2")" "$3" "$(secs "$4")" \
        "${r:--}" "${kiln_auc:--}" "${peer_auc:--}" "$7" "$8"
    say "appended to ${file#"$REPO"/}"
}

# Print "key value" lines of a flat JSON object of numbers found at a path (e.g. timings,
# phases) as one line "k1 1.23 s, k2 4.56 s". args: field
json_phases() {
    "$PYTHON" -c '
import json, sys
v = json.load(sys.stdin).get(sys.argv[1]) or {}
print(", ".join(f"{k} {float(s):.2f} s" for k, s in v.items() if isinstance(s, (int, float))))' "$1" 2>/dev/null
}

# `kiln train` end to end against a scikit-learn Pipeline + LightGBM + MLflow script, each
# timed as a whole process (start to exit) on the same Parquet file, in fresh project folders.
workload_train() {
    local rows="${BENCH_ROWS:-$DEFAULT_ROWS}" data rounds=100 leaves=255 folds
    [[ -n "$QUICK" ]] && rounds=10
    data="$(binary_parquet "$rows" 42)" || { STATUS=1; return; }
    local model="{\"kind\":\"gbdt\",\"n_estimators\":$rounds,\"num_leaves\":$leaves,\"learning_rate\":0.1}"
    for folds in ${BENCH_TRAIN_FOLDS:-0 3}; do
        local peer_name="sklearn.Pipeline+lightgbm+mlflow"
        local name=train label work out t0 t1 kiln_s="" kiln_auc="" peer_s="" peer_auc="" l0 l1
        ((folds >= 2)) && name="train_cv$folds"
        label="$(workload_label "$name" "$rows" "$DEFAULT_ROWS")"
        work="$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-train.XXXXXX")" || { STATUS=1; return; }
        mkdir -p "$work/kiln" "$work/peer"
        l0="$(load1)"
        say "== load average before $label: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

        say "== kiln: kiln train ${data#"$REPO"/} --target y --model '$model' --folds $folds --project $work/kiln --json"
        t0="$(now)"
        # Run from the fresh project folder so that no ./kiln.toml is picked up.
        if out="$(cd "$work/kiln" && RAYON_NUM_THREADS="$THREADS" "$KILN" train "$data" --target y \
            --model "$model" --folds "$folds" --project "$work/kiln" --json)"; then
            t1="$(now)"
            kiln_s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
            kiln_auc="$(printf '%s' "$out" | "$PYTHON" -c '
import json, sys
print(json.load(sys.stdin)["test"].get("roc_auc", ""))' 2>/dev/null)"
            say "   kiln wall $(secs "$kiln_s") s, test roc_auc ${kiln_auc:-?}; timings: $(printf '%s' "$out" | json_phases timings)"
        else
            say "error: kiln train failed; kiln side not measured"
            STATUS=1
        fi

        if have_python; then
            say "== peer $peer_name: bench/peers/train_mlflow.py ${data#"$REPO"/} $work/peer --folds $folds"
            t0="$(now)"
            if out="$(OMP_NUM_THREADS="$THREADS" "$PYTHON" bench/peers/train_mlflow.py "$data" "$work/peer" \
                --rounds "$rounds" --leaves "$leaves" --threads "$THREADS" --folds "$folds")"; then
                t1="$(now)"
                local why
                why="$(printf '%s' "$out" | json_string skipped)"
                if [[ -n "$why" ]]; then
                    say "skipped peer $peer_name: $why"
                else
                    peer_s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
                    peer_auc="$(printf '%s' "$out" | json_number test_auc)"
                    [[ -n "$(printf '%s' "$out" | json_string mlflow_skipped)" ]] && peer_name="sklearn.Pipeline+lightgbm"
                    say "   peer wall $(secs "$peer_s") s, test roc_auc ${peer_auc:-?}, mlflow $(printf '%s' "$out" | json_string mlflow); phases: $(printf '%s' "$out" | json_phases phases)"
                fi
            else
                say "skipped peer $peer_name: bench/peers/train_mlflow.py failed"
            fi
        else
            say "skipped peer $peer_name: $PYTHON not found"
        fi
        l1="$(load1)"
        say "== load average after $label: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
        rm -rf "$work"
        if [[ -z "$kiln_s$peer_s" ]]; then
            say "nothing measured for $label"
            continue
        fi
        [[ -z "$peer_s" ]] && peer_name=none
        record_train "$label" "$kiln_s" "$peer_name" "$peer_s" "$kiln_auc" "$peer_auc" "$l0" "$l1"
    done
}

# ---- serve: kiln serve vs MLflow's scoring server and a FastAPI app, on the quickstart model ----

SERVE_PIDS=()
SERVE_WORK=""

# Stop every server the serve workload started (each runs in its own process group, so an
# MLflow CLI and its uvicorn child, or uvicorn and its workers, stop together) and remove its
# folder. Runs on return and from the exit trap.
serve_cleanup() {
    local pid
    for pid in "${SERVE_PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null
    done
    for pid in "${SERVE_PIDS[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    SERVE_PIDS=()
    [[ -n "$SERVE_WORK" ]] && rm -rf "$SERVE_WORK"
    SERVE_WORK=""
}

# A loopback port nothing listens on (random, checked with a connection attempt).
free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# The HTTP status of GET http://127.0.0.1:PORT/PATH (empty if nothing answers). args: port path
http_status() {
    if command -v curl >/dev/null 2>&1; then
        curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1$2" 2>/dev/null | grep -v '^000$'
    else
        timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" && printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$1" >&3 &&
            head -n1 <&3 | cut -d" " -f2' "$1" "$2" 2>/dev/null
    fi
}

# Start a server in its own process group, logging to FILE; its pid goes to SERVE_PID (not
# echoed: a command substitution would run this in a subshell that forgets the pid).
# args: log command...
start_server() {
    local log="$1"
    shift
    setsid "$@" >"$log" 2>&1 &
    SERVE_PID=$!
    SERVE_PIDS+=("$SERVE_PID")
}

# Wait until GET PATH answers 200 while the server process lives. args: pid port path seconds log
wait_ready() {
    local pid="$1" port="$2" path="$3" limit="$4" log="$5" t0=$SECONDS
    while ((SECONDS - t0 < limit)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            say "   the server exited; last lines of its log:"
            tail -n 5 "$log" >&2
            return 1
        fi
        [[ "$(http_status "$port" "$path")" == 200 ]] && { say "   ready after $((SECONDS - t0)) s"; return 0; }
        sleep 0.5
    done
    say "   not ready within $limit s; last lines of its log:"
    tail -n 5 "$log" >&2
    return 1
}

# Stop one server started by start_server. args: pid
stop_server() {
    kill -TERM -- "-$1" 2>/dev/null
    for _ in $(seq 50); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$1" 2>/dev/null
    wait "$1" 2>/dev/null
    local kept=() p
    for p in "${SERVE_PIDS[@]}"; do [[ "$p" == "$1" ]] || kept+=("$p"); done
    SERVE_PIDS=("${kept[@]}")
}

# One load run; echoes "rps p50_ms p99_ms errors" (empty on failure) and prints a line.
# args: side port path format concurrency requests rate rows_file
load_run() {
    local side="$1" port="$2" path="$3" format="$4" c="$5" n="$6" rate="$7" rows="$8" out rps p50 p99 errors first
    if ! out="$("$SERVE_BENCH" --addr "127.0.0.1:$port" --path "$path" --format "$format" \
        --rows-file "$rows" --concurrency "$c" --requests "$n" --rate "$rate")"; then
        say "   $side: the load generator failed"
        return 1
    fi
    rps="$(printf '%s' "$out" | json_number throughput_rps)"
    p50="$(printf '%s' "$out" | json_number p50_ms)"
    p99="$(printf '%s' "$out" | json_number p99_ms)"
    errors="$(printf '%s' "$out" | json_number errors | awk 'NF { printf "%d", $1 }')"
    say "$(printf '   %-34s c=%-3s rate=%-6s n=%-6s %9.1f req/s  p50 %8.3f ms  p99 %8.3f ms  errors %s  (load %s)' \
        "$side" "$c" "$rate" "$n" "$rps" "$p50" "$p99" "$errors" "$(load1)")"
    if [[ "${errors:-0}" != 0 ]]; then
        first="$(printf '%s' "$out" | json_string first_error)"
        say "   first error: $first"
    fi
    echo "$rps $p50 $p99 $errors"
}

# Append one row to bench/results/serve.csv.
# args: mode concurrency rate kiln(rps p50 p99 errors) peer peer(rps p50 p99 errors) agreement
record_serve() {
    local file="$RESULTS_DIR/serve.csv" mode="$1" c="$2" rate="$3" kiln="$4" peer="$5" peer_m="$6" agree="$7"
    local kr kp50 kp99 ke pr pp50 pp99 pe r
    read -r kr kp50 kp99 ke <<<"$kiln"
    read -r pr pp50 pp99 pe <<<"$peer_m"
    r="$(ratio "$kr" "$pr")"
    mkdir -p "$RESULTS_DIR"
    [[ -s "$file" ]] ||
        echo "date,machine,cores,workload,mode,concurrency,rate,kiln_rps,kiln_p50_ms,kiln_p99_ms,kiln_errors,peer,peer_rps,peer_p50_ms,peer_p99_ms,peer_errors,ratio,agreement,load1_before,load1_after" >"$file"
    local f1='BEGIN { if (x != "") printf "%.1f", x }' f3='BEGIN { if (x != "") printf "%.3f", x }'
    echo "$RUN_DATE,$MACHINE,$CORES,$SERVE_LABEL,$mode,$c,$rate,$(awk -v x="$kr" "$f1"),$(awk -v x="$kp50" "$f3"),$(awk -v x="$kp99" "$f3"),$ke,$peer,$(awk -v x="$pr" "$f1"),$(awk -v x="$pp50" "$f3"),$(awk -v x="$pp99" "$f3"),$pe,$r,$agree,$SERVE_L0,$SERVE_L1" >>"$file"
    SERVE_TABLE+=("$(printf '%-6s %4s %6s %10s %8s %8s  %-34s %10s %9s %9s %8s %6s' "$mode" "$c" "$rate" \
        "$(awk -v x="$kr" "$f1")" "$(awk -v x="$kp50" "$f3")" "$(awk -v x="$kp99" "$f3")" "$peer" \
        "$(awk -v x="$pr" "$f1")" "$(awk -v x="$pp50" "$f3")" "$(awk -v x="$pp99" "$f3")" "${r:--}" "${agree:--}")")
}

# Closed-loop runs at each concurrency level and one open-loop run against one server; fills
# the associative array named by the first argument with "c<N>" and "open" → "rps p50 p99 errors".
# args: array side port path format rows closed_requests open_rate open_requests
load_side() {
    local -n results="$1"
    local side="$2" port="$3" path="$4" format="$5" rows="$6" n="$7" rate="$8" open_n="$9" c m
    # Warm-up, not recorded: first connections, lazy imports and caches on the server.
    load_run "$side (warm-up)" "$port" "$path" "$format" 4 "$SERVE_WARMUP" 0 "$rows" >/dev/null
    for c in $SERVE_CONCURRENCY; do
        m="$(load_run "$side" "$port" "$path" "$format" "$c" "$n" 0 "$rows")" && results["c$c"]="$m"
    done
    if [[ -n "$rate" ]]; then
        m="$(load_run "$side open loop" "$port" "$path" "$format" "$SERVE_OPEN_WORKERS" "$open_n" "$rate" "$rows")" &&
            results[open]="$m"
    fi
}

# The open-loop rate a peer is held to: 80% of its best closed-loop throughput (at least 1).
sustainable_rate() {
    local -n res="$1"
    local best="" c rps
    for c in $SERVE_CONCURRENCY; do
        read -r rps _ <<<"${res[c$c]:-}"
        [[ -n "$rps" ]] && best="$(awk -v a="$best" -v b="$rps" 'BEGIN { print (a == "" || b > a) ? b : a }')"
    done
    [[ -n "$best" ]] && awk -v b="$best" 'BEGIN { r = int(0.8 * b); print (r < 1) ? 1 : r }'
}

# Serve one peer: train once (shared), start it, check its labels against kiln's, load it,
# stop it, record its rows. args: peer-name log port path format ready-path ready-seconds command...
serve_peer() {
    local name="$1" log="$2" port="$3" path="$4" format="$5" ready="$6" limit="$7"
    shift 7
    local pid agreement="" check
    say "== peer $name: ${*#"$REPO"/}"
    say "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    start_server "$log" "$@"
    pid="$SERVE_PID"
    if ! wait_ready "$pid" "$port" "$ready" "$limit" "$log"; then
        say "skipped peer $name: it did not start"
        stop_server "$pid"
        return
    fi
    if [[ -s "$SERVE_WORK/kiln_labels.json" ]] &&
        check="$("$PYTHON" bench/peers/serve_labels.py "$SERVE_WORK/rows.csv" "http://127.0.0.1:$port$path" \
            --format "$format" --compare "$SERVE_WORK/kiln_labels.json")"; then
        agreement="$(printf '%s' "$check" | json_number agreement | awk 'NF { printf "%.4f", $1 }')"
        say "   agreement with kiln's labels: ${agreement:-?} ($(printf '%s' "$check" | json_number differ | awk 'NF { printf "%d", $1 }') of $(printf '%s' "$check" | json_number rows | awk 'NF { printf "%d", $1 }') rows differ; errors $(printf '%s' "$check" | json_number errors | awk 'NF { printf "%d", $1 }'))"
    fi
    local -A peer=()
    load_side peer "$name" "$port" "$path" "$format" "$SERVE_WORK/rows.csv" "$SERVE_PEER_REQUESTS" "" ""
    local rate c
    rate="$(sustainable_rate peer)"
    if [[ -n "$rate" ]]; then
        peer[open]="$(load_run "$name open loop" "$port" "$path" "$format" "$SERVE_OPEN_WORKERS" \
            "$(awk -v r="$rate" -v s="$SERVE_OPEN_SECONDS" 'BEGIN { n = int(r * s); print (n < 10) ? 10 : n }')" \
            "$rate" "$SERVE_WORK/rows.csv")"
    fi
    stop_server "$pid"
    say "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    for c in $SERVE_CONCURRENCY; do
        [[ -n "${peer[c$c]:-}" ]] && SERVE_ROWS+=("closed|$c|0|${KILN_SERVE[c$c]:-}|$name|${peer[c$c]}|$agreement")
    done
    [[ -n "${peer[open]:-}" ]] && SERVE_ROWS+=("open|$SERVE_OPEN_WORKERS|$rate||$name|${peer[open]}|$agreement")
}

# `kiln serve quickstart@production` against MLflow's scoring server and a FastAPI app serving the
# same pipeline refitted in Python, loaded by bench/loadgen over loopback with the penguins rows.
workload_serve() {
    SERVE_LABEL="$(workload_label serve 344 344)"
    SERVE_CONCURRENCY="${BENCH_SERVE_CONCURRENCY:-1 16}"
    local kiln_rate="${BENCH_SERVE_RATE:-5000}" fastapi_workers="${BENCH_SERVE_WORKERS:-2}"
    local kiln_n=20000 open_seconds=10
    SERVE_PEER_REQUESTS=3000 SERVE_WARMUP=500 SERVE_OPEN_WORKERS=32
    if [[ -n "$QUICK" ]]; then
        kiln_n=500 open_seconds=0.4 SERVE_PEER_REQUESTS=100 SERVE_WARMUP=50
    fi
    SERVE_OPEN_SECONDS="$open_seconds"
    SERVE_ROWS=() SERVE_TABLE=()
    local -A KILN_SERVE=()
    SERVE_WORK="$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-serve.XXXXXX")" || { STATUS=1; return; }
    trap 'serve_cleanup' EXIT
    trap 'serve_cleanup; exit 130' INT TERM
    mkdir -p "$SERVE_WORK/kiln" "$SERVE_WORK/peer"
    SERVE_L0="$(load1)"
    say "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

    # The model and the rows: the quickstart in a fresh project; its bundled penguins rows
    # without the target, one request per row.
    say "== kiln quickstart --project ${SERVE_WORK}/kiln"
    if ! (cd "$SERVE_WORK/kiln" && "$KILN" quickstart --project "$SERVE_WORK/kiln" --json >quickstart.json) ||
        ! "$KILN" models show quickstart@production --project "$SERVE_WORK/kiln" --json >"$SERVE_WORK/model.json" ||
        ! "$KILN" datasets export penguins -o "$SERVE_WORK/penguins.csv" >/dev/null; then
        say "error: kiln quickstart failed; nothing measured"
        STATUS=1
        serve_cleanup
        trap - EXIT INT TERM
        return
    fi
    # Drop the target column (by name; the bundled file has no quoted fields).
    awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "species") t = i }
        { out = ""; sep = ""; for (i = 1; i <= NF; i++) if (i != t) { out = out sep $i; sep = OFS }; print out }' \
        "$SERVE_WORK/penguins.csv" >"$SERVE_WORK/rows.csv"
    local winner=""
    have_python && winner="$("$PYTHON" -c 'import json, sys
print(json.load(sys.stdin)["manifest"]["spec"]["model"]["kind"])' <"$SERVE_WORK/model.json" 2>/dev/null)"
    say "   quickstart@production is a ${winner:-?} pipeline; $(($(wc -l <"$SERVE_WORK/rows.csv") - 1)) rows to send"

    # kiln
    local port pid
    port="$(free_port)" || { say "error: no free port"; STATUS=1; serve_cleanup; trap - EXIT INT TERM; return; }
    say "== kiln: kiln serve quickstart@production --addr 127.0.0.1:$port (defaults: prediction log on)"
    say "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    start_server "$SERVE_WORK/kiln.log" "$KILN" serve quickstart@production --project "$SERVE_WORK/kiln" \
        --addr "127.0.0.1:$port"
    pid="$SERVE_PID"
    if wait_ready "$pid" "$port" /readyz 60 "$SERVE_WORK/kiln.log"; then
        if have_python; then
            "$PYTHON" bench/peers/serve_labels.py "$SERVE_WORK/rows.csv" \
                "http://127.0.0.1:$port/v1/models/quickstart/predict" --format native \
                --out "$SERVE_WORK/kiln_labels.json" >/dev/null ||
                say "   could not collect kiln's labels; the peers' agreement is not checked"
        fi
        load_side KILN_SERVE "kiln serve" "$port" /v1/models/quickstart/predict native "$SERVE_WORK/rows.csv" \
            "$kiln_n" "$kiln_rate" "$(awk -v r="$kiln_rate" -v s="$open_seconds" 'BEGIN { printf "%d", r * s }')"
    else
        say "error: kiln serve did not start; kiln side not measured"
        STATUS=1
    fi
    stop_server "$pid"
    say "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    [[ -n "${KILN_SERVE[open]:-}" ]] && SERVE_ROWS+=("open|$SERVE_OPEN_WORKERS|$kiln_rate|${KILN_SERVE[open]}|none||")

    # The peers: the same pipeline refitted in Python from kiln's registered spec.
    local trained="" why
    if ! have_python; then
        say "skipped peers mlflow and fastapi: $PYTHON not found"
    elif ! trained="$(OMP_NUM_THREADS="$THREADS" "$PYTHON" bench/peers/serve_train.py "$SERVE_WORK/penguins.csv" \
        "$SERVE_WORK/model.json" "$SERVE_WORK/peer" --threads "$THREADS")"; then
        say "skipped peers mlflow and fastapi: bench/peers/serve_train.py failed"
        trained=""
    elif why="$(printf '%s' "$trained" | json_string skipped)" && [[ -n "$why" ]]; then
        say "skipped peers mlflow and fastapi: $why"
        trained=""
    fi
    if [[ -n "$trained" ]]; then
        say "   peer pipeline: $(printf '%s' "$trained" | json_string estimator), $(printf '%s' "$trained" | json_number train_rows | awk 'NF { printf "%d", $1 }') training rows, test accuracy $(printf '%s' "$trained" | json_number test_accuracy)"
        # One BLAS thread per server process: a one-row request never gains from more, and
        # several uvicorn workers with a thread pool each would fight over the 2 cores.
        local model_dir
        model_dir="$(printf '%s' "$trained" | json_string mlflow_model)"
        if [[ -z "$model_dir" ]]; then
            say "skipped peer mlflow: $(printf '%s' "$trained" | json_string mlflow_skipped)"
        else
            port="$(free_port)"
            serve_peer "mlflow.models.serve(1-worker)" "$SERVE_WORK/mlflow.log" "$port" /invocations mlflow /ping 300 \
                env OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MLFLOW_ALLOW_FILE_STORE=true \
                "$PYTHON" -m mlflow models serve -m "$model_dir" --env-manager local -h 127.0.0.1 -p "$port"
        fi
        if ! "$PYTHON" -c 'import fastapi, uvicorn' 2>/dev/null; then
            say "skipped peer fastapi: fastapi or uvicorn cannot be imported (pip install -r bench/requirements-bench.txt)"
        else
            port="$(free_port)"
            serve_peer "fastapi+uvicorn(${fastapi_workers}-workers)" "$SERVE_WORK/fastapi.log" "$port" /predict record /ping 300 \
                env OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 SERVE_MODEL_DIR="$SERVE_WORK/peer" \
                "$PYTHON" -m uvicorn --app-dir "$REPO/bench/peers" serve_fastapi:app --host 127.0.0.1 \
                --port "$port" --workers "$fastapi_workers" --no-access-log
        fi
    fi

    SERVE_L1="$(load1)"
    say "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    # Closed-loop rows without any peer still record kiln's numbers.
    local c have_peer=0 row
    for row in "${SERVE_ROWS[@]}"; do [[ "$row" == closed* ]] && have_peer=1; done
    if ((have_peer == 0)); then
        for c in $SERVE_CONCURRENCY; do
            [[ -n "${KILN_SERVE[c$c]:-}" ]] && SERVE_ROWS=("closed|$c|0|${KILN_SERVE[c$c]}|none||" "${SERVE_ROWS[@]}")
        done
    fi
    if ((${#SERVE_ROWS[@]} == 0)); then
        say "nothing measured for $SERVE_LABEL"
    else
        local mode rate kiln peer peer_m agree
        for row in "${SERVE_ROWS[@]}"; do
            IFS='|' read -r mode c rate kiln peer peer_m agree <<<"$row"
            record_serve "$mode" "$c" "$rate" "$kiln" "$peer" "$peer_m" "$agree"
        done
        printf '\n%-6s %4s %6s %10s %8s %8s  %-34s %10s %9s %9s %8s %6s\n' mode c rate kiln_rps p50_ms p99_ms \
            peer peer_rps p50_ms p99_ms ratio agree
        printf '%s\n' "${SERVE_TABLE[@]}"
        say "appended to ${RESULTS_DIR#"$REPO"/}/serve.csv (ratio = kiln_rps / peer_rps; load1 $SERVE_L0 → $SERVE_L1)"
    fi
    serve_cleanup
    trap - EXIT INT TERM
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
    local need_kiln=0 need_examples=0 need_loadgen=0
    for w in "${selected[@]}"; do
        case "$w" in
        csv_read | profile | drift | train) need_kiln=1 ;;
        serve) need_kiln=1 need_loadgen=1 ;;
        *) need_examples=1 ;;
        esac
    done
    ((need_loadgen)) && build_loadgen
    # build_loadgen already built kiln in the same cargo call.
    ((need_kiln)) && ! ((need_loadgen && BUILD_LOADGEN && BUILD)) && build_kiln
    ((need_examples)) && build_examples
    mkdir -p "$DATA_DIR"
    for w in "${selected[@]}"; do
        say ""
        say "#### $w (${BENCH_ROWS:-default} rows${QUICK:+, quick}, $CORES cores, machine $MACHINE)"
        "workload_$w"
    done
    exit "$STATUS"
}

main "$@"
