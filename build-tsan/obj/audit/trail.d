build-tsan/obj/audit/trail.o: audit/trail.c audit/trail.h audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h \
 audit/i18n.h audit/schema.h
audit/trail.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
audit/schema.h:
