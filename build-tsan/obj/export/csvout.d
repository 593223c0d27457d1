build-tsan/obj/export/csvout.o: export/csvout.c export/csvout.h \
 audit/exportq.h audit/hitfilter.h audit/rows.h audit/store/store.h \
 audit/util.h audit/store.h audit/sqlfunc.h export/export.h audit/i18n.h
export/csvout.h:
audit/exportq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
export/export.h:
audit/i18n.h:
