build-tsan/obj/audit/store/sqlite_funcs.o: audit/store/sqlite_funcs.c \
 audit/store/sqlite_funcs.h audit/profile.h audit/dataset.h audit/util.h
audit/store/sqlite_funcs.h:
audit/profile.h:
audit/dataset.h:
audit/util.h:
