build-tsan/obj/tui/view_rules.o: tui/view_rules.c audit/engine.h \
 audit/rules.h audit/rows.h audit/store/store.h audit/util.h \
 audit/store.h audit/sqlfunc.h audit/ruledata.h audit/i18n.h \
 audit/vocab.h tui/lines.h tui/tui.h audit/browse.h audit/freq.h \
 audit/hitfilter.h audit/money.h
audit/engine.h:
audit/rules.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/ruledata.h:
audit/i18n.h:
audit/vocab.h:
tui/lines.h:
tui/tui.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/money.h:
