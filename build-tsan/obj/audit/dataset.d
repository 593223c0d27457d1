build-tsan/obj/audit/dataset.o: audit/dataset.c audit/dataset.h \
 audit/util.h
audit/dataset.h:
audit/util.h:
