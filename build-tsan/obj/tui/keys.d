build-tsan/obj/tui/keys.o: tui/keys.c /usr/include/iniparser/iniparser.h \
 /usr/include/iniparser/dictionary.h audit/i18n.h tui/tui.h \
 audit/browse.h audit/freq.h audit/hitfilter.h audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h \
 audit/money.h
/usr/include/iniparser/iniparser.h:
/usr/include/iniparser/dictionary.h:
audit/i18n.h:
tui/tui.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/money.h:
