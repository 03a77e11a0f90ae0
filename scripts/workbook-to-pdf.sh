#!/usr/bin/env bash
# Turns a scorecard workbook into a PDF (LibreOffice headless, Debian's `libreoffice-calc`) and its first page into
# a PNG (Debian's `poppler-utils`), so that a person can look at the workbook as it prints.
# Usage: scripts/workbook-to-pdf.sh [WORKBOOK] [OUT_DIR]   (default: out/report/873.xlsx, beside the workbook)
# Installs both packages when absent (needs root or sudo, and Debian's package registry).
set -euo pipefail
workbook="${1:-out/report/873.xlsx}"
out_dir="${2:-$(dirname "$workbook")}"
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then as_root=(sudo -n); fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends libreoffice-calc poppler-utils >/dev/null
fi
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
soffice --headless --norestore "-env:UserInstallation=file://$profile" --convert-to pdf --outdir "$out_dir" \
  "$workbook" >/dev/null
pdf="$out_dir/$(basename "${workbook%.xlsx}").pdf"
pdftoppm -png -r 80 -f 1 -l 1 "$pdf" "${pdf%.pdf}-page"
echo "$pdf"
ls "${pdf%.pdf}"-page*.png
