build-tsan/obj/cli/cmd_run.o: cli/cmd_run.c audit/engine.h audit/rules.h \
 audit/rows.h audit/store/store.h audit/util.h audit/store.h \
 audit/sqlfunc.h audit/hitfilter.h audit/i18n.h audit/known.h \
 audit/browse.h audit/freq.h audit/money.h audit/ruledata.h audit/vocab.h \
 cli/cli.h
audit/engine.h:
audit/rules.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/hitfilter.h:
audit/i18n.h:
audit/known.h:
audit/browse.h:
audit/freq.h:
audit/money.h:
audit/ruledata.h:
audit/vocab.h:
cli/cli.h:
