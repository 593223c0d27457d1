build-tsan/obj/audit/import.o: audit/import.c audit/import.h audit/csv.h \
 audit/util.h audit/dataset.h audit/profile.h audit/rows.h \
 audit/store/store.h audit/store.h audit/sqlfunc.h audit/i18n.h \
 audit/indexes.h audit/namekey.h audit/normalize.h audit/trail.h
audit/import.h:
audit/csv.h:
audit/util.h:
audit/dataset.h:
audit/profile.h:
audit/rows.h:
audit/store/store.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
audit/indexes.h:
audit/namekey.h:
audit/normalize.h:
audit/trail.h:
