#!/usr/bin/env bash
# The nightly job of one council: extract the SSD tables from the reporting database into a new snapshot, compute
# the indicators with the history of first-reported figures, the scorecards and workbooks, and write the copy to share with the regional hub. Each step's exit code
# decides what happens next (the README's table lists them):
#   extract 0: go on. 4 (server unreachable): retried CSC_RETRIES times, CSC_RETRY_SECONDS apart, then given up.
#   extract 5-10, 1-3: stop; the message says what to fix. No snapshot was written, yesterday's output stays.
#   run 0: go on to publish; run 1-3: stop, the previous output stays whole.
# The script exits with the code of the step that failed, so a scheduler (systemd, cron, Task Scheduler via
# WSL) can alert on it. Settings come from the environment (see systemd/csc-indicators.env):
#   CSC_LA                      the LA's DfE code (required)
#   CSC_INDICATORS_CONNECTION   the ODBC connection string (required; keep it in a file only the job can read)
#   CSC_SCHEMA                  the SSD schema (default ssd_development)
#   CSC_DATA, CSC_OUT, CSC_SHARE  snapshot folder (with reference/), output folder, folder of the published copy
#   CSC_CATALOGUE               the catalogue (default /etc/csc-indicators/indicators.yaml)
#   CSC_KEEP                    snapshots of the LA kept (default 40: a month of nightly snapshots and more)
#   CSC_BIN                     the csc-indicators binary (default: the one on the PATH)
set -uo pipefail

la="${CSC_LA:?set CSC_LA to the LA code}"
: "${CSC_INDICATORS_CONNECTION:?set CSC_INDICATORS_CONNECTION to the ODBC connection string}"
bin="${CSC_BIN:-csc-indicators}"
data="${CSC_DATA:-/var/lib/csc-indicators/data}"
out="${CSC_OUT:-/var/lib/csc-indicators/out}"
share="${CSC_SHARE:-/var/lib/csc-indicators/share}"
catalogue="${CSC_CATALOGUE:-/etc/csc-indicators/indicators.yaml}"
schema="${CSC_SCHEMA:-ssd_development}"
keep="${CSC_KEEP:-40}"
retries="${CSC_RETRIES:-3}"
retry_seconds="${CSC_RETRY_SECONDS:-600}"

step() { echo "nightly: $*" >&2; }

attempt=0
while true; do
  "$bin" extract --la "$la" --schema "$schema" --data "$data" --catalogue "$catalogue" --keep "$keep"
  code=$?
  if [ "$code" -eq 4 ] && [ "$attempt" -lt "$retries" ]; then
    attempt=$((attempt + 1))
    step "database unreachable; retry $attempt of $retries in ${retry_seconds}s"
    sleep "$retry_seconds"
    continue
  fi
  break
done
if [ "$code" -ne 0 ]; then
  step "extract failed (exit $code): nothing was computed; yesterday's output is unchanged"
  exit "$code"
fi

"$bin" run --data "$data" --catalogue "$catalogue" --out "$out" --la "$la" --history --report --xlsx
code=$?
if [ "$code" -ne 0 ]; then
  step "run failed (exit $code): the previous output is unchanged"
  exit "$code"
fi

mkdir -p "$share"
"$bin" publish --out "$out" --catalogue "$catalogue" --to "$share/$la.parquet"
code=$?
if [ "$code" -ne 0 ]; then
  step "publish failed (exit $code): the run's output is written, the shared copy is not"
  exit "$code"
fi
step "done: $out/report/$la.html and $share/$la.parquet"
