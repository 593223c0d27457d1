build-tsan/obj/audit/rows.o: audit/rows.c audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
