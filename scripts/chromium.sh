#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives the system executable; its own
# browser download is not used). Installs the `chromium` package only when it is missing;
# needs root (or sudo) the first time. Prints the executable's path on stdout, messages on
# stderr, so `CCTVSCOPE_CHROMIUM="$(bash scripts/chromium.sh)"` works.
set -euo pipefail

say() { echo "chromium.sh: $*" >&2; }

find_chromium() {
    local exe
    for exe in chromium chromium-browser; do
        if command -v "$exe" >/dev/null 2>&1; then
            command -v "$exe"
            return 0
        fi
    done
    return 1
}

if ! path=$(find_chromium); then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        else
            say "chromium missing; as root: apt-get install chromium"
            exit 1
        fi
    fi
    say "installing chromium (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >&2
    $SUDO apt-get install -y -qq --no-install-recommends chromium </dev/null >/dev/null
    path=$(find_chromium) || { say "chromium still missing after apt-get install"; exit 1; }
    say "installed $("$path" --version 2>/dev/null || echo chromium)"
else
    say "present: $path"
fi
echo "$path"
