build-tsan/obj/audit/whitelist.o: audit/whitelist.c audit/whitelist.h \
 audit/rows.h audit/store/store.h audit/util.h audit/store.h \
 audit/sqlfunc.h audit/i18n.h audit/cases.h audit/money.h audit/vocab.h \
 audit/normalize.h audit/trail.h
audit/whitelist.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
audit/cases.h:
audit/money.h:
audit/vocab.h:
audit/normalize.h:
audit/trail.h:
