build-tsan/obj/cli/cmd_gen.o: cli/cmd_gen.c audit/i18n.h gen/gen.h \
 audit/util.h cli/cli.h audit/rows.h audit/store/store.h audit/store.h \
 audit/sqlfunc.h
audit/i18n.h:
gen/gen.h:
audit/util.h:
cli/cli.h:
audit/rows.h:
audit/store/store.h:
audit/store.h:
audit/sqlfunc.h:
