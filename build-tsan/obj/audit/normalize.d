build-tsan/obj/audit/normalize.o: audit/normalize.c audit/normalize.h
audit/normalize.h:
