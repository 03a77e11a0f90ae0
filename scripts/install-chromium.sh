#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test of the HTML scorecard (tests/it/browser.rs). Does nothing when a
# Chromium is already on the PATH. Needs root (or sudo) and Debian's package registry.
set -euo pipefail
for name in chromium chromium-browser; do
  if command -v "$name" >/dev/null 2>&1; then
    echo "chromium already installed: $(command -v "$name")"
    exit 0
  fi
done
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo -n)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
chromium --version
