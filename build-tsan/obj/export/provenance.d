build-tsan/obj/export/provenance.o: export/provenance.c \
 export/provenance.h audit/anchor.h audit/store.h audit/sqlfunc.h \
 audit/util.h export/export.h audit/exportq.h audit/hitfilter.h \
 audit/rows.h audit/store/store.h audit/i18n.h audit/trail.h \
 export/xlsxpair.h
export/provenance.h:
audit/anchor.h:
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
export/export.h:
audit/exportq.h:
audit/hitfilter.h:
audit/rows.h:
audit/store/store.h:
audit/i18n.h:
audit/trail.h:
export/xlsxpair.h:
