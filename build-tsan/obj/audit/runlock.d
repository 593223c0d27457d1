build-tsan/obj/audit/runlock.o: audit/runlock.c audit/runlock.h \
 audit/store.h audit/sqlfunc.h audit/util.h audit/i18n.h \
 audit/store/store.h audit/trail.h audit/rows.h
audit/runlock.h:
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
audit/i18n.h:
audit/store/store.h:
audit/trail.h:
audit/rows.h:
