build-tsan/obj/cli/cmd_tui.o: cli/cmd_tui.c audit/util.h audit/i18n.h \
 cli/cli.h audit/rows.h audit/store/store.h audit/store.h audit/sqlfunc.h \
 tui/tui.h audit/browse.h audit/freq.h audit/hitfilter.h audit/money.h
audit/util.h:
audit/i18n.h:
cli/cli.h:
audit/rows.h:
audit/store/store.h:
audit/store.h:
audit/sqlfunc.h:
tui/tui.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/money.h:
