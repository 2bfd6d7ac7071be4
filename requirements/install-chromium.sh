#!/usr/bin/env bash
# Headless Chromium for the browser tests (Debian's package). Installs it when missing and
# we are root (as in CI); otherwise says how, and the browser tests skip with that reason
# (outside CI) or fail (in CI).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
else
    echo "chromium is not installed: the browser tests need it (Debian: apt-get install chromium)" >&2
fi
