build-tsan/obj/audit/hitfilter.o: audit/hitfilter.c audit/hitfilter.h \
 audit/rows.h audit/store/store.h audit/util.h audit/store.h \
 audit/sqlfunc.h audit/i18n.h audit/schema.h audit/vocab.h
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
audit/schema.h:
audit/vocab.h:
