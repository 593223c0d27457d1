build-tsan/obj/audit/namekey.o: audit/namekey.c audit/namekey.h \
 audit/util.h /usr/include/opencc/opencc.h audit/i18n.h \
 build-tsan/gen/audit/unihan_variants.inc
audit/namekey.h:
audit/util.h:
/usr/include/opencc/opencc.h:
audit/i18n.h:
build-tsan/gen/audit/unihan_variants.inc:
