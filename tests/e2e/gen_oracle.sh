#!/usr/bin/env bash
# gen_oracle.sh: the planted anomalies are exactly what an independent reading of the rule
# catalogue finds (tests/e2e/gen_oracle.py): every truth.csv row is a hit, every hit outside the
# statistical rules is in truth.csv, and the invalid rows are exactly rejects-expected.csv.
# Two seeds and two sizes, so that chance collisions in the clean population show up.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for run in "1 2000" "9 6000"; do
    set -- $run
    "$FW" gen "$tmp/s$1" --seed "$1" --persons "$2" >/dev/null
    /usr/bin/python3 "$here/tests/e2e/gen_oracle.py" "$tmp/s$1" "$here/docs/catalogue.md"
done
