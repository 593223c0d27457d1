build-tsan/obj/audit/ruledata.o: audit/ruledata.c audit/ruledata.h \
 audit/rules.h audit/rows.h audit/store/store.h audit/util.h \
 audit/store.h audit/sqlfunc.h audit/dataset.h audit/i18n.h
audit/ruledata.h:
audit/rules.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/dataset.h:
audit/i18n.h:
