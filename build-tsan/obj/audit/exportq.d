build-tsan/obj/audit/exportq.o: audit/exportq.c audit/exportq.h \
 audit/hitfilter.h audit/rows.h audit/store/store.h audit/util.h \
 audit/store.h audit/sqlfunc.h audit/i18n.h \
 /usr/include/iniparser/iniparser.h /usr/include/iniparser/dictionary.h \
 audit/cases.h audit/money.h audit/vocab.h audit/dataset.h \
 audit/history.h audit/known.h audit/browse.h audit/freq.h audit/schema.h \
 audit/trail.h
audit/exportq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
/usr/include/iniparser/iniparser.h:
/usr/include/iniparser/dictionary.h:
audit/cases.h:
audit/money.h:
audit/vocab.h:
audit/dataset.h:
audit/history.h:
audit/known.h:
audit/browse.h:
audit/freq.h:
audit/schema.h:
audit/trail.h:
