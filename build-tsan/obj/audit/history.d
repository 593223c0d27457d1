build-tsan/obj/audit/history.o: audit/history.c audit/history.h \
 audit/rows.h audit/store/store.h audit/util.h audit/store.h \
 audit/sqlfunc.h audit/browse.h audit/freq.h audit/hitfilter.h \
 audit/money.h audit/cases.h audit/vocab.h audit/dataset.h audit/i18n.h
audit/history.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/money.h:
audit/cases.h:
audit/vocab.h:
audit/dataset.h:
audit/i18n.h:
