build-tsan/obj/audit/store/postgres.o: audit/store/postgres.c \
 /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h audit/store/driver.h \
 audit/store/store.h audit/util.h \
 build-tsan/gen/audit/store/pg_compat.inc
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
audit/store/driver.h:
audit/store/store.h:
audit/util.h:
build-tsan/gen/audit/store/pg_compat.inc:
