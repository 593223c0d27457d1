build-tsan/obj/audit/known.o: audit/known.c audit/known.h audit/browse.h \
 audit/freq.h audit/hitfilter.h audit/rows.h audit/store/store.h \
 audit/util.h audit/store.h audit/sqlfunc.h audit/money.h audit/i18n.h \
 audit/rules.h audit/vocab.h
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
audit/i18n.h:
audit/rules.h:
audit/vocab.h:
