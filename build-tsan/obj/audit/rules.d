build-tsan/obj/audit/rules.o: audit/rules.c audit/rules.h audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h \
 audit/i18n.h /usr/include/iniparser/iniparser.h \
 /usr/include/iniparser/dictionary.h audit/dataset.h audit/paths.h \
 audit/vocab.h
audit/rules.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
/usr/include/iniparser/iniparser.h:
/usr/include/iniparser/dictionary.h:
audit/dataset.h:
audit/paths.h:
audit/vocab.h:
