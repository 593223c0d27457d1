build-tsan/obj/cli/cmd_case.o: cli/cmd_case.c audit/anchor.h \
 audit/store.h audit/sqlfunc.h audit/util.h audit/cases.h audit/money.h \
 audit/rows.h audit/store/store.h audit/vocab.h audit/history.h \
 audit/i18n.h audit/known.h audit/browse.h audit/freq.h audit/hitfilter.h \
 audit/trail.h audit/whitelist.h cli/cli.h export/provenance.h \
 export/export.h audit/exportq.h
audit/anchor.h:
audit/store.h:
audit/sqlfunc.h:
audit/util.h:
audit/cases.h:
audit/money.h:
audit/rows.h:
audit/store/store.h:
audit/vocab.h:
audit/history.h:
audit/i18n.h:
audit/known.h:
audit/browse.h:
audit/freq.h:
audit/hitfilter.h:
audit/trail.h:
audit/whitelist.h:
cli/cli.h:
export/provenance.h:
export/export.h:
audit/exportq.h:
