build-tsan/obj/tui/commands.o: tui/commands.c audit/i18n.h tui/tui.h \
 audit/browse.h audit/freq.h audit/hitfilter.h audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h \
 audit/money.h
audit/i18n.h:
tui/tui.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/money.h:
