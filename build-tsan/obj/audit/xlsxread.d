build-tsan/obj/audit/xlsxread.o: audit/xlsxread.c audit/xlsxread.h \
 audit/util.h audit/i18n.h
audit/xlsxread.h:
audit/util.h:
audit/i18n.h:
