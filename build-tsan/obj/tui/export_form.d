build-tsan/obj/tui/export_form.o: tui/export_form.c audit/i18n.h \
 export/export.h audit/exportq.h audit/hitfilter.h audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h tui/tui.h \
 audit/browse.h audit/freq.h audit/money.h
audit/i18n.h:
export/export.h:
audit/exportq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
tui/tui.h:
audit/browse.h:
audit/freq.h:
audit/money.h:
