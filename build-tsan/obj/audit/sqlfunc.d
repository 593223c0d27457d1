build-tsan/obj/audit/sqlfunc.o: audit/sqlfunc.c audit/dataset.h \
 audit/sqlfunc.h audit/util.h
audit/dataset.h:
audit/sqlfunc.h:
audit/util.h:
