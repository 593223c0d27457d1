#!/usr/bin/python3
"""scripts/readme-captures.py [--check]: README's screen captures are the golden screens.

Each capture in README.md follows a marker line `<!-- golden: NAME -->` and is the last screen of
tests/tui/golden/NAME.case (which tests/tui/golden.sh proves the real TUI draws), indented four
spaces. Without arguments the captures are rewritten from the cases; with --check nothing is
written and the exit status says whether README still shows what the screens show (the test
tests/e2e/readme_captures.sh runs it), so a capture cannot drift from the program."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
GOLDEN = ROOT / "tests" / "tui" / "golden"
MARKER = re.compile(r"^<!-- golden: ([a-z0-9_]+) -->$")


def last_screen(name):
    text = (GOLDEN / f"{name}.case").read_text(encoding="utf-8")
    if "--- screen\n" not in text:
        sys.exit(f"{GOLDEN / name}.case: no screen")
    block = text.rsplit("--- screen\n", 1)[1].split("\n")
    size = re.search(r"^size (\d+)x(\d+)$", text, re.M)
    height = int(size.group(2)) if size else 24
    lines = [l.rstrip() for l in block[:height]]
    while lines and not lines[-1]:
        lines.pop()
    return ["    " + l if l else "" for l in lines]


def rewrite(lines):
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        m = MARKER.match(line)
        if not m:
            continue
        # The old capture: blank lines and indented lines up to the next text at the margin.
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
            i += 1
        out += [""] + last_screen(m.group(1)) + [""]
    return out


def main():
    old = README.read_text(encoding="utf-8").split("\n")
    new = rewrite(old)
    if "--check" in sys.argv[1:]:
        if new != old:
            print("README.md: the screen captures differ from the golden screens; "
                  "run scripts/readme-captures.py and review the diff", file=sys.stderr)
            return 1
        print(f"README.md: {sum(bool(MARKER.match(l)) for l in old)} captures match the golden screens")
        return 0
    README.write_text("\n".join(new), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
