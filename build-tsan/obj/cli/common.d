build-tsan/obj/cli/common.o: cli/common.c audit/i18n.h audit/runlock.h \
 audit/store.h audit/sqlfunc.h audit/util.h cli/cli.h audit/rows.h \
 audit/store/store.h
audit/i18n.h:
audit/runlock.h:
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
cli/cli.h:
audit/rows.h:
audit/store/store.h:
