build-tsan/obj/audit/paths.o: audit/paths.c audit/paths.h audit/util.h
audit/paths.h:
audit/util.h:
