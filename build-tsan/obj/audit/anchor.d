build-tsan/obj/audit/anchor.o: audit/anchor.c audit/anchor.h \
 audit/store.h audit/sqlfunc.h audit/util.h audit/i18n.h audit/schema.h \
 audit/store/store.h audit/trail.h audit/rows.h
audit/anchor.h:
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
audit/i18n.h:
audit/schema.h:
audit/store/store.h:
audit/trail.h:
audit/rows.h:
