build-tsan/obj/audit/cases.o: audit/cases.c audit/cases.h audit/money.h \
 audit/store.h audit/sqlfunc.h audit/util.h audit/rows.h \
 audit/store/store.h audit/vocab.h audit/normalize.h audit/i18n.h \
 audit/trail.h
audit/cases.h:
audit/money.h:
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
audit/rows.h:
audit/store/store.h:
audit/vocab.h:
audit/normalize.h:
audit/i18n.h:
audit/trail.h:
