build-tsan/obj/cli/main.o: cli/main.c audit/i18n.h cli/cli.h audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h
audit/i18n.h:
cli/cli.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
