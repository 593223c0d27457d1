build-tsan/obj/export/xlsx.o: export/xlsx.c export/xlsx.h audit/util.h \
 audit/i18n.h
export/xlsx.h:
audit/util.h:
audit/i18n.h:
