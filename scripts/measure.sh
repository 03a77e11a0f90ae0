#!/usr/bin/env bash
# Prints wall time and peak memory of `csc-indicators run` on the sample data and on a larger generated set, with
# the time of each stage and of the five slowest indicators (from run.json).
# Usage: scripts/measure.sh [LAS] [FROM] [TO]   (default: 20 LAs, 2019-04 to 2024-03)
# Set PROFILE=release to measure an optimised build (a second full build of Polars the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/csc-indicators-target}"
profile="${PROFILE:-dev}"
las="${1:-20}"; from="${2:-2019-04}"; to="${3:-2024-03}"
if [ "$profile" = release ]; then cargo build -q --release; bin="$CARGO_TARGET_DIR/release/csc-indicators"
else cargo build -q; bin="$CARGO_TARGET_DIR/debug/csc-indicators"; fi
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
measure() {  # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" -q > "$work/summary"
  read -r secs kib < "$work/time"
  printf '%-40s %8.1f s %8.0f MiB   %s\n' "$label" "$secs" "$((kib / 1024))" "$(cat "$work/summary")"
}
echo "profile: $profile, $(nproc) cores"
measure "run, sample data (data/)" "$bin" run --data data --out "$work/out-sample"
measure "generate, $las LAs $from..$to" "$bin" generate --out "$work/data" --las "$las" --from "$from" --to "$to"
echo "input: $(du -sh "$work/data" | cut -f1), $(find "$work/data" -name '*.parquet' | wc -l) files"
measure "run, $las LAs $from..$to" "$bin" run --data "$work/data" --out "$work/out"
python3 - "$work/out/run.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
print("stages:", ", ".join(f"{k} {v:.1f} s" for k, v in run["timings_seconds"].items()))
slowest = run["query_seconds"][:5]
print("slowest queries:", "; ".join(
    f"{', '.join(q['indicators'][:3])}{' ...' if len(q['indicators']) > 3 else ''} {q['seconds']:.1f} s" for q in slowest))
PY
