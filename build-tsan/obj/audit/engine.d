build-tsan/obj/audit/engine.o: audit/engine.c audit/engine.h \
 audit/rules.h audit/rows.h audit/store/store.h audit/util.h \
 audit/store.h audit/sqlfunc.h audit/i18n.h audit/cases.h audit/money.h \
 audit/vocab.h audit/dataset.h audit/indexes.h audit/profile.h \
 audit/runlock.h audit/trail.h
audit/engine.h:
audit/rules.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
audit/cases.h:
audit/money.h:
audit/vocab.h:
audit/dataset.h:
audit/indexes.h:
audit/profile.h:
audit/runlock.h:
audit/trail.h:
