#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's Chromium (driven by
# Playwright in tests/test_browser.py; Playwright's own browser downloads are not used)
# and a CJK font, so Chinese renders in the browser and its screenshots.
#
# Idempotent and fast when everything is there: apt runs only for what is missing.
# Needs root (or sudo) when something must be installed.
set -euo pipefail

PACKAGES=(chromium fonts-noto-cjk)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "system packages present: ${PACKAGES[*]}"
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "error: missing ${missing[*]} and not root (no sudo) to install them" >&2
        exit 1
    fi
fi

echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq "${missing[@]}"
test -x /usr/bin/chromium || { echo "error: /usr/bin/chromium missing after install" >&2; exit 1; }
