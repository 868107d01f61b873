#!/usr/bin/env bash
# Debian libraries the package needs at run time (WeasyPrint renders the guide's PDF with
# Pango). Installs only what is missing; needs root (or sudo) the first time.
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "sysdeps: ${PACKAGES[*]} present"
    exit 0
fi
echo "sysdeps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
echo "sysdeps: installed"
