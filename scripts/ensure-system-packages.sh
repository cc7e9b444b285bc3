#!/usr/bin/env bash
# Install the Debian packages the test suite needs, if any is missing.
# Idempotent and silent-ish: when everything is present it prints one line.
#   scripts/ensure-system-packages.sh          what the tests need
#   scripts/ensure-system-packages.sh --bench  also what `make bench` needs (wrk)
set -euo pipefail

missing=()
# Each check looks for a file the tests actually use, not at dpkg state:
# that also accepts tools installed some other way.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v node >/dev/null || missing+=(nodejs)  # epcis2.js checks the EPCIS exports
command -v npm >/dev/null || missing+=(npm)      # and installs it (make epcis-js)
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null || missing+=(wrk)  # the scan benchmark's load generator
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present" >&2
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "ensure-system-packages: missing ${missing[*]}; run as root (or install sudo):" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "system packages: installing ${missing[*]}" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt/dpkg are chatty even with -qq; keep the output and show it only on failure.
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive sh -c '
      apt-get -qq update &&
      apt-get -qq install -y --no-install-recommends "$@"' sh "${missing[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-system-packages: apt-get failed (output above)" >&2
  exit 1
fi
