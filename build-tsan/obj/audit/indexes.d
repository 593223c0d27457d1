build-tsan/obj/audit/indexes.o: audit/indexes.c audit/indexes.h \
 audit/store.h audit/sqlfunc.h audit/util.h audit/i18n.h \
 audit/store/store.h audit/dataset.h
audit/indexes.h:
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
audit/i18n.h:
audit/store/store.h:
audit/dataset.h:
