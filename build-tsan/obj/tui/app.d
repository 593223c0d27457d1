build-tsan/obj/tui/app.o: tui/app.c audit/i18n.h audit/paths.h tui/tui.h \
 audit/browse.h audit/freq.h audit/hitfilter.h audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h \
 audit/money.h
audit/i18n.h:
audit/paths.h:
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
