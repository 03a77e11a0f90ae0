#!/usr/bin/env bash
# history against separate runs: generates LAs with N monthly snapshots, then times `csc-indicators history` (each
# snapshot computed once, for the month it first reports) against N separate `run --as-of` calls (what a BI team
# would otherwise do), printing wall time and peak memory of each.
# Usage: benches/history.sh [LAS] [SNAPSHOTS]   (default: the 3 sample LAs and 36 snapshots; e.g. `20 12`)
# Uses the release build (`cargo build --release` first).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-$HOME/.cache/csc-indicators-target}/release/csc-indicators"
las="${1:-sample}"; snapshots="${2:-36}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
if [ "$las" = sample ]; then
  "$bin" generate -q --out "$work/data" --la 873 --la 841 --la 332 --from 2020-04 --to 2024-03 --scale 0.5 \
    --monthly-snapshots "$snapshots" >/dev/null
else
  "$bin" generate -q --out "$work/data" --las "$las" --from 2016-04 --to 2026-03 --monthly-snapshots "$snapshots" >/dev/null
fi
echo "data: $(du -sh "$work/data" | cut -f1), $las LAs, $snapshots monthly snapshots and the final one"
/usr/bin/time -f "%e %M" -o "$work/time" "$bin" history -q --data "$work/data" --out "$work/history" > "$work/line"
read -r secs kib < "$work/time"
printf 'history:                         %7.1f s  %6d MiB   %s\n' "$secs" "$((kib / 1024))" "$(cat "$work/line")"
dates=$(find "$work/data/ssd_person" -maxdepth 2 -name 'snapshot_date=*' | sed 's/.*snapshot_date=//' | sort -u)
total=0; peak=0; n=0
for d in $dates; do
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" run -q --data "$work/data" --as-of "$d" --out "$work/runs/$d" >/dev/null
  read -r secs kib < "$work/time"
  total=$(python3 -c "print($total + $secs)"); peak=$((kib > peak ? kib : peak)); n=$((n + 1))
done
printf 'separate run --as-of (%d runs):  %7.1f s  %6d MiB peak\n' "$n" "$total" "$((peak / 1024))"
