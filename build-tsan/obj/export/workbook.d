build-tsan/obj/export/workbook.o: export/workbook.c export/workbook.h \
 export/export.h audit/exportq.h audit/hitfilter.h audit/rows.h \
 audit/store/store.h audit/util.h audit/store.h audit/sqlfunc.h \
 audit/i18n.h audit/dataset.h audit/money.h export/provenance.h \
 audit/anchor.h export/xlsx.h
export/workbook.h:
export/export.h:
audit/exportq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/i18n.h:
audit/dataset.h:
audit/money.h:
export/provenance.h:
audit/anchor.h:
export/xlsx.h:
