build-tsan/obj/audit/store/sqlite.o: audit/store/sqlite.c audit/i18n.h \
 audit/store/driver.h audit/store/store.h audit/util.h \
 audit/store/sqlite_funcs.h
audit/i18n.h:
audit/store/driver.h:
audit/store/store.h:
audit/util.h:
audit/store/sqlite_funcs.h:
