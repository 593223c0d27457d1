build-tsan/obj/cli/cmd_export.o: cli/cmd_export.c cli/cli.h audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h \
 audit/i18n.h audit/known.h audit/browse.h audit/freq.h audit/hitfilter.h \
 audit/money.h audit/normalize.h export/export.h audit/exportq.h
cli/cli.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
audit/known.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/money.h:
audit/normalize.h:
export/export.h:
audit/exportq.h:
