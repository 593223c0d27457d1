build-tsan/obj/audit/csv.o: audit/csv.c audit/csv.h audit/util.h \
 audit/i18n.h
audit/csv.h:
audit/util.h:
audit/i18n.h:
