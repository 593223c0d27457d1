build-tsan/obj/cli/cmd_rules.o: cli/cmd_rules.c audit/engine.h \
 audit/rules.h audit/rows.h audit/store/store.h audit/util.h \
 audit/store.h audit/sqlfunc.h audit/i18n.h audit/profile.h \
 audit/dataset.h audit/ruletest.h cli/cli.h
audit/engine.h:
audit/rules.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
audit/profile.h:
audit/dataset.h:
audit/ruletest.h:
cli/cli.h:
