build-tsan/obj/audit/schema.o: audit/schema.c audit/schema.h \
 audit/store/store.h audit/util.h audit/dataset.h audit/namekey.h \
 audit/sqlfunc.h
audit/schema.h:
audit/store/store.h:
audit/util.h:
audit/dataset.h:
audit/namekey.h:
audit/sqlfunc.h:
