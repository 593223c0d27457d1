build-tsan/obj/audit/money.o: audit/money.c audit/money.h audit/store.h \
 audit/sqlfunc.h audit/util.h audit/i18n.h audit/store/store.h
audit/money.h:
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
audit/i18n.h:
audit/store/store.h:
