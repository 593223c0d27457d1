#!/usr/bin/env bash
# readme_captures: README's screen captures are the golden screens the TUI is tested against
# (tests/tui/golden/readme_*.case, run by tui_golden): a capture that drifts from the program fails.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 "$here/scripts/readme-captures.py" --check
# The check must see the captures: every marker names an existing case.
n=$(grep -c '^<!-- golden: readme_' "$here/README.md")
[ "$n" -ge 16 ] || { echo "FAIL: README has $n golden captures, expected at least 16"; exit 1; }
for c in $(sed -n 's/^<!-- golden: \([a-z0-9_]*\) -->$/\1/p' "$here/README.md"); do
    [ -f "$here/tests/tui/golden/$c.case" ] || { echo "FAIL: README names $c, no such case"; exit 1; }
done
echo "ok readme_captures"
