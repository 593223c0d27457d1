build-tsan/obj/cli/cmd_overview.o: cli/cmd_overview.c audit/browse.h \
 audit/freq.h audit/hitfilter.h audit/rows.h audit/store/store.h \
 audit/util.h audit/store.h audit/sqlfunc.h audit/money.h audit/i18n.h \
 cli/cli.h
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/money.h:
audit/i18n.h:
cli/cli.h:
