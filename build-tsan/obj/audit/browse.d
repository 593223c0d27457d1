build-tsan/obj/audit/browse.o: audit/browse.c audit/browse.h audit/freq.h \
 audit/hitfilter.h audit/rows.h audit/store/store.h audit/util.h \
 audit/store.h audit/sqlfunc.h audit/money.h \
 /usr/include/iniparser/iniparser.h /usr/include/iniparser/dictionary.h \
 audit/dataset.h audit/history.h audit/i18n.h audit/vocab.h audit/paths.h \
 audit/schema.h audit/trail.h
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/money.h:
/usr/include/iniparser/iniparser.h:
/usr/include/iniparser/dictionary.h:
audit/dataset.h:
audit/history.h:
audit/i18n.h:
audit/vocab.h:
audit/paths.h:
audit/schema.h:
audit/trail.h:
