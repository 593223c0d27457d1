build-tsan/obj/tui/view_cases.o: tui/view_cases.c audit/cases.h \
 audit/money.h audit/store.h audit/sqlfunc.h audit/util.h audit/rows.h \
 audit/store/store.h audit/vocab.h audit/history.h audit/i18n.h \
 tui/lines.h tui/tui.h audit/browse.h audit/freq.h audit/hitfilter.h
audit/cases.h:
audit/money.h:
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
audit/rows.h:
audit/store/store.h:
audit/vocab.h:
audit/history.h:
audit/i18n.h:
tui/lines.h:
tui/tui.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
