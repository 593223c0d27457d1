build-tsan/obj/audit/freq.o: audit/freq.c audit/freq.h audit/hitfilter.h \
 audit/rows.h audit/store/store.h audit/util.h audit/store.h \
 audit/sqlfunc.h audit/money.h audit/i18n.h
audit/freq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/money.h:
audit/i18n.h:
