#!/usr/bin/env bash
# Checks that two builds write the same outputs from the same data: indicators.parquet, data_quality.parquet, the
# published table, the combined table (row for row, after sorting, with the same schema) and every HTML page
# (byte for byte, once the run's own time and version are blanked out).
# Usage: scripts/same-outputs.sh OLD_BINARY NEW_BINARY DATA_DIR [WORK_DIR]
# For a refactor: build main's binary, copy it aside, build the change, and run this on data/, a generated 20-LA set
# and the England-scale set. It prints one line per output and exits 1 at the first difference.
set -euo pipefail
old="$1"; new="$2"; data="$3"; work="${4:-$(mktemp -d)}"
cd "$(dirname "$0")/.."
for side in old new; do
  bin="${!side}"
  rm -rf "$work/$side"
  "$bin" -q run --data "$data" --out "$work/$side/out" --report > /dev/null
  "$bin" -q publish --out "$work/$side/out" > /dev/null
  "$bin" -q combine "$work/$side/out" --out "$work/$side/combined" > /dev/null
done
python3 - "$work/old" "$work/new" <<'PY'
import pathlib, re, sys
import polars as pl
old, new = map(pathlib.Path, sys.argv[1:])
def frame(p):
    df = pl.read_parquet(p)
    return df.sort(df.columns, nulls_last=True)
bad = 0
tables = sorted(p.relative_to(old) for p in old.rglob("*.parquet"))
if tables != sorted(p.relative_to(new) for p in new.rglob("*.parquet")):
    sys.exit("the two builds wrote different Parquet files")
for rel in tables:
    a, b = frame(old / rel), frame(new / rel)
    same = a.schema == b.schema and a.equals(b, null_equal=True)
    print(f"{'same' if same else 'DIFFERENT':9} {rel} ({a.height} rows)")
    bad += not same
stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^<\"' ]*|csc-indicators \d+\.\d+\.\d+[^<\"' ]*")
pages = sorted(p.relative_to(old) for p in old.rglob("*.html"))
if pages != sorted(p.relative_to(new) for p in new.rglob("*.html")):
    sys.exit("the two builds wrote different HTML pages")
differ = [r for r in pages if stamp.sub("", (old / r).read_text()) != stamp.sub("", (new / r).read_text())]
print(f"{'same' if not differ else 'DIFFERENT':9} {len(pages)} HTML pages" + (f": {differ[:5]}" if differ else ""))
sys.exit(1 if bad or differ else 0)
PY
