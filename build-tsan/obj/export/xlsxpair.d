build-tsan/obj/export/xlsxpair.o: export/xlsxpair.c export/xlsxpair.h \
 audit/util.h audit/i18n.h audit/xlsxread.h
export/xlsxpair.h:
audit/util.h:
audit/i18n.h:
audit/xlsxread.h:
