build-tsan/obj/audit/ruletest.o: audit/ruletest.c audit/ruletest.h \
 audit/profile.h audit/dataset.h audit/util.h audit/rules.h audit/rows.h \
 audit/store/store.h audit/store.h audit/sqlfunc.h audit/i18n.h \
 audit/engine.h audit/import.h audit/csv.h
audit/ruletest.h:
audit/profile.h:
audit/dataset.h:
audit/util.h:
audit/rules.h:
audit/rows.h:
audit/store/store.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
audit/engine.h:
audit/import.h:
audit/csv.h:
