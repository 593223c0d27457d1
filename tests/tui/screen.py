#!/usr/bin/python3
# tests/tui/screen.py: turns `tmux capture-pane -p -e` output (text with SGR escapes) into the text
# a golden screen holds: one line per screen row, trailing blanks cut, each row behind a one-column
# gutter that is '>' when any of its cells is drawn in reverse video (the selected row, the current
# tab) and ' ' otherwise. Colours and bold are dropped: they are not what a test compares.
# Usage: screen.py HEIGHT [FROM TO] <capture   (FROM TO: replace that text, e.g. a temp directory
# name, by one of the same length so the columns stay where they were).
import re
import sys

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
DURATION = re.compile(r"(counted in |统计用时 )(\d\.\d\d)( s| 秒)")
OTHER = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[()][0-9A-Za-z]|[=>])")


def apply_sgr(params, reverse):
    codes = [c for c in re.split("[;:]", params)] if params else ["0"]
    i = 0
    while i < len(codes):
        c = codes[i] or "0"
        if c in ("38", "48", "58"):  # extended colour: 5;N or 2;R;G;B follow
            i += 3 if i + 1 < len(codes) and codes[i + 1] == "5" else 5
            continue
        if c == "0":
            reverse = False
        elif c == "7":
            reverse = True
        elif c == "27":
            reverse = False
        i += 1
    return reverse


def main():
    height = int(sys.argv[1])
    subst = sys.argv[2:4] if len(sys.argv) >= 4 else None
    raw = sys.stdin.read()
    if subst:
        raw = raw.replace(subst[0], subst[1])
    # How long the frequency view counted is measured on the real clock (libfaketime fakes the date,
    # not the monotonic clock), so it varies between runs (0.00 s or 0.01 s on a loaded machine):
    # written as 0.00, same width, as the temp directory's name is replaced.
    raw = DURATION.sub(lambda m: m.group(1) + "0.00" + m.group(3), raw)
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    reverse = False
    out = []
    for line in lines[:height]:
        text, marked, pos = [], False, 0
        for m in SGR.finditer(line):
            chunk = OTHER.sub("", line[pos:m.start()])
            if chunk:
                text.append(chunk)
                marked |= reverse
            reverse = apply_sgr(m.group(1), reverse)
            pos = m.end()
        chunk = OTHER.sub("", line[pos:])
        if chunk:
            text.append(chunk)
            marked |= reverse
        out.append((">" if marked else " ") + "".join(text).rstrip())
    while len(out) < height:
        out.append(" ")
    for row in out:
        print(row.rstrip())


main()
