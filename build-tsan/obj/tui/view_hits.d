build-tsan/obj/tui/view_hits.o: tui/view_hits.c audit/i18n.h \
 audit/known.h audit/browse.h audit/freq.h audit/hitfilter.h audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h \
 audit/money.h audit/vocab.h tui/lines.h tui/tui.h
audit/i18n.h:
audit/known.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/money.h:
audit/vocab.h:
tui/lines.h:
tui/tui.h:
