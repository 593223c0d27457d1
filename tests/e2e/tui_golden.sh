#!/usr/bin/env bash
# tui_golden: every golden-screen case of tests/tui/golden/ (key script and expected screens, at
# 80x24 and 120x35, English and Chinese) against the real TUI in tmux; see tests/tui/golden.sh.
exec bash "$(dirname "$0")/../tui/golden.sh"
