#!/usr/bin/env bash
# bubblewrap (bwrap) for the grader's sandbox (Debian's package). Installs it when missing and
# we are root (as in CI); otherwise says how. Without it `dlcourse grade --sandbox auto`
# grades unisolated (and says so), and the sandbox tests skip with that reason.
set -euo pipefail
if command -v bwrap >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq bubblewrap >/dev/null
else
    echo "bwrap is not installed: the grader's sandbox needs it (Debian: apt-get install bubblewrap)" >&2
fi
