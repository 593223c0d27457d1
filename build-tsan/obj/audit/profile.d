build-tsan/obj/audit/profile.o: audit/profile.c audit/profile.h \
 audit/dataset.h audit/util.h audit/i18n.h \
 /usr/include/iniparser/iniparser.h /usr/include/iniparser/dictionary.h \
 audit/paths.h
audit/profile.h:
audit/dataset.h:
audit/util.h:
audit/i18n.h:
/usr/include/iniparser/iniparser.h:
/usr/include/iniparser/dictionary.h:
audit/paths.h:
