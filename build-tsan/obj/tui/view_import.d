build-tsan/obj/tui/view_import.o: tui/view_import.c audit/i18n.h \
 audit/import.h audit/csv.h audit/util.h audit/dataset.h audit/profile.h \
 audit/rows.h audit/store/store.h audit/store.h audit/sqlfunc.h \
 audit/indexes.h tui/lines.h tui/tui.h audit/browse.h audit/freq.h \
 audit/hitfilter.h audit/money.h
audit/i18n.h:
audit/import.h:
audit/csv.h:
audit/util.h:
audit/dataset.h:
audit/profile.h:
audit/rows.h:
audit/store/store.h:
audit/store.h:
audit/sqlfunc.h:
audit/indexes.h:
tui/lines.h:
tui/tui.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/money.h:
