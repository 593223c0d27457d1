build-tsan/obj/export/export.o: export/export.c export/export.h \
 audit/exportq.h audit/hitfilter.h audit/rows.h audit/store/store.h \
 audit/util.h audit/store.h audit/sqlfunc.h audit/i18n.h audit/trail.h \
 audit/xlsxread.h export/csvout.h export/provenance.h audit/anchor.h \
 export/workbook.h
export/export.h:
audit/exportq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
audit/trail.h:
audit/xlsxread.h:
export/csvout.h:
export/provenance.h:
audit/anchor.h:
export/workbook.h:
