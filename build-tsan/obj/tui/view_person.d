build-tsan/obj/tui/view_person.o: tui/view_person.c audit/i18n.h \
 audit/vocab.h audit/util.h tui/lines.h tui/tui.h audit/browse.h \
 audit/freq.h audit/hitfilter.h audit/rows.h audit/store/store.h \
 audit/store.h audit/sqlfunc.h audit/money.h
audit/i18n.h:
audit/vocab.h:
audit/util.h:
tui/lines.h:
tui/tui.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/store.h:
audit/sqlfunc.h:
audit/money.h:
