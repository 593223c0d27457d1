build-tsan/obj/cli/output.o: cli/output.c audit/i18n.h audit/trail.h \
 audit/rows.h audit/store/store.h audit/util.h audit/store.h \
 audit/sqlfunc.h audit/vocab.h cli/cli.h export/csvout.h audit/exportq.h \
 audit/hitfilter.h export/export.h
audit/i18n.h:
audit/trail.h:
audit/rows.h:
audit/store/store.h:
audit/util.h:
audit/store.h:
audit/sqlfunc.h:
audit/vocab.h:
cli/cli.h:
export/csvout.h:
audit/exportq.h:
audit/hitfilter.h:
export/export.h:
