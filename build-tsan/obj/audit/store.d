build-tsan/obj/audit/store.o: audit/store.c audit/store.h audit/sqlfunc.h \
 audit/util.h audit/store/store.h audit/i18n.h audit/schema.h
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
audit/store/store.h:
audit/i18n.h:
audit/schema.h:
