#!/usr/bin/env bash
# scripts/demo.sh BIN: generates a demo county (synthetic ledgers), imports every dataset into
# demo/fundwatch.db, runs the rule catalogue and opens the workstation (or prints the overview
# when not on a terminal).
set -eu
bin=${1:-build/fundwatch}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
rm -rf demo
mkdir -p demo
export FUNDWATCH_DB="$here/demo/fundwatch.db"
"$bin" gen demo/ledgers --seed 1 --persons 5000
for f in demo/ledgers/*.csv; do
    ds=$(basename "$f" .csv)
    case "$ds" in truth|rejects-expected) continue ;; esac
    "$bin" import "$ds" "$f" || true
done
"$bin" run || true
if [ -t 0 ] && [ -t 1 ]; then
    exec "$bin" tui
fi
"$bin" overview
