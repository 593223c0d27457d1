build-tsan/obj/tui/case_form.o: tui/case_form.c audit/cases.h \
 audit/money.h audit/store.h audit/sqlfunc.h audit/util.h audit/rows.h \
 audit/store/store.h audit/vocab.h audit/i18n.h tui/tui.h audit/browse.h \
 audit/freq.h audit/hitfilter.h
audit/cases.h:
audit/money.h:
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
audit/rows.h:
audit/store/store.h:
audit/vocab.h:
audit/i18n.h:
tui/tui.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
