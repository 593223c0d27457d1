#!/usr/bin/env bash
# tui_kiosk: the citizen kiosk (`fundwatch kiosk`, docs/kiosk.md) in a real tmux: a generated person's
# ID shows their payments with the name masked; a wrong check digit is refused before any lookup;
# a payment reported as not received becomes a CIT-001 hit with that payment as evidence after
# `fundwatch run`, and a case that can be worked; every escape key leaves the kiosk running; the rate
# limit refuses the 4th lookup of a minute with --rate 3; the screen clears after --idle 2; at 120x40
# the number is drawn three rows tall.
. "$(dirname "$0")/../tui/lib.sh"
ws="$TUI_TMP/ws.db"
"$FW" gen "$TUI_TMP/gen" --seed 1 --persons 1000 >/dev/null
for n in persons payments; do "$FW" --db "$ws" import "$n" "$TUI_TMP/gen/$n.csv" >/dev/null; done

# A person paid within the 24 months ending at the latest month, and what the kiosk must show.
read -r id name npay < <(sqlite3 -separator ' ' "$ws" "SELECT id_number, max(name), count(*) FROM ds_payments \
    GROUP BY id_number HAVING count(DISTINCT program) >= 2 ORDER BY id_number LIMIT 1")
masked=$(python3 -c 'import sys; n=sys.argv[1]; print(n[0] + "*" * max(len(n) - 1, 1))' "$name")
bad=${id:0:17}$(( (${id:17:1} + 1) % 10 )) # the same number with another check digit
[ "$bad" != "$id" ] || fail "could not make a wrong check digit"
lookups() { sqlite3 "$ws" "SELECT count(*) FROM trail WHERE action = 'kiosk.lookup'"; }

# kiosk_start NAME ARGS...: `fundwatch kiosk ARGS` in a tmux session NAME at 80x24 (the smallest it
# must be readable at); the exit status goes to $TUI_TMP/NAME.rc.
kiosk_start() {
    local s=$1; shift
    printf '#!/bin/sh\nenv LC_ALL=C.UTF-8 TERM=xterm-256color FUNDWATCH_USER=kiosk-test %q --db %q kiosk %s\necho $? >%q\n' \
        "$FW" "$ws" "$*" "$TUI_TMP/$s.rc" >"$TUI_TMP/$s.sh"
    chmod +x "$TUI_TMP/$s.sh"
    tmux -L "$TUI_SOCK" -f /dev/null new-session -d -s "$s" -x 80 -y 24 "$TUI_TMP/$s.sh; sleep 60"
}
tui_screen() { tmux -L "$TUI_SOCK" capture-pane -p -t "$cur"; }
tui_keys() { tmux -L "$TUI_SOCK" send-keys -t "$cur" "$@"; }
tui_type() { tmux -L "$TUI_SOCK" send-keys -t "$cur" -l "$1"; }
alive() { [ ! -s "$TUI_TMP/$cur.rc" ] && pgrep -f "kiosk --kiosk $1" >/dev/null; }

cur=a
kiosk_start a --kiosk T1-$$
tui_wait "民生监督一体机"
tui_wait "请输入18位身份证号码"

# A wrong check digit: refused on the screen, nothing looked up (no trail record).
before=$(lookups)
tui_type "$bad"; tui_keys Enter
tui_wait "校验位不正确"
[ "$(lookups)" = "$before" ] || fail "a wrong check digit was looked up"
tui_screen | grep -q "姓名" && fail "a result is shown for a wrong ID"

# The card reader types the number and Enter: the person's payments, the name masked.
tui_type "$id"; tui_keys Enter
tui_wait "姓名：$masked"
tui_screen | grep -qF "$name" && [ "${#name}" -gt 1 ] && fail "the full name is shown"
tui_screen | grep -q "共 $npay 笔" || fail "not all $npay payments of the 24 months counted"
tui_screen | grep -qE "^ +20[0-9]{2}-[0-9]{2} +\S+ +[0-9]+\.[0-9]{2} +\S+" || fail "no row month/program/amount/department"
[ "$(lookups)" = $((before + 1)) ] || fail "the lookup is not in the trail"
sqlite3 "$ws" "SELECT after FROM trail WHERE action = 'kiosk.lookup'" | grep -q "$id" && fail "the trail holds the ID in clear"

# Every way out tried: the kiosk stays, and still answers.
for k in C-c C-z 'C-\' F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 : q Q C-d; do tui_keys "$k"; done
sleep 0.5
alive T1-$$ || fail "an escape key ended the kiosk"
tui_wait "民生监督一体机"

# Report the second payment as not received.
tui_keys Escape
tui_wait_gone "姓名："
tui_type "$id"; tui_keys Enter
tui_wait "姓名：$masked"
row=$(tui_screen | grep -E "^ +20[0-9]{2}-[0-9]{2} " | sed -n 2p)
month=$(echo "$row" | awk '{print $1}'); program=$(echo "$row" | awk '{print $2}')
tui_keys Down Enter
tui_wait "您确认“这笔钱我没有收到”吗"
tui_screen | grep -q "$month  $program" || fail "the confirmation does not name the chosen payment"
tui_keys Enter
tui_wait "已记录您的反映（编号 1）"
[ "$(sqlite3 "$ws" "SELECT count(*) FROM citizen_reports WHERE id_number = '$id' AND period = '$month' \
      AND program = '$program' AND kiosk = 'T1-$$'")" = 1 ] || fail "the report row"
key=$(sqlite3 "$ws" "SELECT payment_key FROM citizen_reports")
[ "$(sqlite3 "$ws" "SELECT count(*) FROM trail WHERE action = 'kiosk.report' AND after LIKE '%payments:$key%'")" = 1 ] \
    || fail "the report is not in the trail"

# The inspectors' side: a run makes it a CIT-001 hit with the payment as its evidence, and a case.
"$FW" --db "$ws" run >/dev/null 2>&1 || true
hits=$("$FW" --db "$ws" --format csv hits --rule CIT-001)
echo "$hits" | grep -q "CIT-001,citizen_report,high,present,$id,$name," || fail "no CIT-001 hit: $hits"
echo "$hits" | grep -q "群众在一体机反映未收到 $month $program" || fail "the hit's detail: $hits"
[ "$(sqlite3 "$ws" "SELECT dataset || ':' || row_key FROM hit_evidence JOIN hits ON hits.id = hit_id \
      WHERE rule_id = 'CIT-001'")" = "payments:$key" ] || fail "the hit's evidence is not the payment"
case_no=$(echo "$hits" | tail -1 | awk -F, '{print $(NF-1)}')
FUNDWATCH_USER=inspector "$FW" --db "$ws" case set "$case_no" verifying --method visit --verifier 王五 >/dev/null \
    || fail "the case cannot be worked"
"$FW" --db "$ws" case show "$case_no" | grep -q "CIT-001" || fail "case show"
"$FW" --db "$ws" log verify >/dev/null || fail "log verify"

# A bigger terminal: the number three rows tall in box-drawing characters (0 is ┌─┐ │ │ └─┘, a place
# still to type ╶─╴), a blank line between payment rows.
tmux -L "$TUI_SOCK" resize-window -t a -x 120 -y 40
tui_keys Escape
tui_type 0
tui_wait "┌─┐"
tui_screen | grep -q "│ │" && tui_screen | grep -q "╶─╴" || fail "no large digits at 120x40"

# The rate limit (--rate 3): the 4th lookup of the minute is refused and recorded as refused; and
# the screen clears after --idle 2.
cur=b
kiosk_start b --kiosk T2-$$ --rate 3 --idle 2
tui_wait "民生监督一体机"
for i in 1 2 3; do
    tui_type "$id"; tui_keys Enter
    tui_wait "姓名：$masked"
    tui_keys Escape
    tui_wait_gone "姓名："
done
tui_type "$id"; tui_keys Enter
tui_wait "本机每分钟最多查询 3 次"
tui_screen | grep -q "姓名：" && fail "the 4th lookup was answered"
[ "$(sqlite3 "$ws" "SELECT count(*) FROM trail WHERE action = 'kiosk.refused' AND object = 'kiosk:T2-$$'")" = 1 ] \
    || fail "the refusal is not in the trail"
tui_wait_gone "本机每分钟最多查询" 5
tui_screen | grep -q "_   _   _" || fail "the ID field is not empty after the idle time"
tui_screen | grep -qF "${id:0:1}   ${id:1:1}   ${id:2:1}" && fail "the number is still on the screen after the idle time"
alive T2-$$ || fail "the kiosk ended"
"$FW" --db "$ws" log verify >/dev/null || fail "log verify at the end"
echo ok
