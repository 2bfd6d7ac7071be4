#!/usr/bin/env bash
# Build one chapter (or any page) as a small book of its own, strictly (-W), in a
# temporary folder: quick feedback while writing, without touching _build/.
#   scripts/build_chapter.sh chapters/03_losses.md [more pages…]
# Prints the folder holding the HTML.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 PAGE.md [PAGE.md …]" >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/dlcourse-chapter.XXXXXX")"
cp "$root/_config.yml" "$root/intro.md" "$work/"
cp -r "$root/_ext" "$root/appendix" "$work/"
{
  echo "format: jb-book"
  echo "root: intro"
  echo "chapters:"
  for page in "$@"; do
    mkdir -p "$work/$(dirname "$page")"
    cp "$root/$page" "$work/$page"
    echo "  - file: ${page%.md}"
  done
  echo "  - file: appendix/bibliography"
} > "$work/_toc.yml"
DLCOURSE_STATIC=1 "$root/.venv/bin/jupyter-book" build "$work" --warningiserror --keep-going >"$work/build.log" 2>&1 \
  || { grep -E "WARNING|ERROR|Error|Traceback" -A3 "$work/build.log" | head -60; echo "build failed: $work/build.log" >&2; exit 1; }
echo "$work/_build/html"
