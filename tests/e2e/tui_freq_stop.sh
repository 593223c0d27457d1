#!/usr/bin/env bash
# tui_freq_stop: Esc and Ctrl-C stop the frequency view's counting inside a slice, not only between
# two. On 200,000 hits (ids 1..200,000: two slices of 100,000) the list is sorted by ID number (a
# value per hit, the slowest column), then F and the stop key are typed together: the counting
# stops in the first slice, so fewer than 100,000 hits are counted and the status line says
# "stopped at" under 50% (a stop read only between slices counts the whole first slice: 100,000
# hits, 50%). The partial figures stay with the message; the next Esc goes back to a hit list that
# works (a page down, F counting to the end). Ctrl-C does the same as Esc and the program goes on
# (raw mode: no signal kills it), and a second Ctrl-C goes back as a second Esc does.
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_bench_ws 200000)

# stopped_in_first_slice: the status line's hit count and percentage after a stop
stopped_in_first_slice() {
    tui_wait "Counting stopped: the figures are partial"
    tui_keys Down # the message goes: the status line shows the figures
    tui_wait "stopped at"
    local status hits pct
    status=$(tui_screen | grep -E "values · [0-9]+ hits" || true)
    hits=$(sed -E 's/.* ([0-9]+) hits.*/\1/' <<<"$status")
    pct=$(sed -nE 's/.*stopped at ([0-9]+)%.*/\1/p' <<<"$status")
    [ -n "$pct" ] || fail "no 'stopped at N%' in the status line: $status"
    [ "$hits" -lt 100000 ] && [ "$pct" -lt 50 ] ||
        fail "the counting stopped only after its first slice ($hits hits, $pct%): $status"
}

tui_start "$db"
tui_keys 2
tui_wait "of 200000"
tui_keys s s s
tui_wait "Sorted by ID number"
tui_keys F Escape
stopped_in_first_slice
tui_screen | grep -q "Frequency of ID number" || fail "the view went away with the stop"
tui_keys Escape
tui_wait_gone "Frequency of"
tui_wait "of 200000"
tui_keys NPage
tui_wait "sort ID number↑"
tui_keys F
tui_wait "counted in" 60
tui_screen | grep -q "200000 values · 200000 hits" || fail "the counting after a stop is not whole"

# Ctrl-C: the same stop, and the program goes on.
tui_keys Escape
tui_wait_gone "Frequency of"
tui_keys F C-c
stopped_in_first_slice
tui_keys C-c
tui_wait_gone "Frequency of"
tui_wait "of 200000"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
echo ok
