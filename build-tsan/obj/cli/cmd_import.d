build-tsan/obj/cli/cmd_import.o: cli/cmd_import.c audit/i18n.h \
 audit/import.h audit/csv.h audit/util.h audit/dataset.h audit/profile.h \
 audit/rows.h audit/store/store.h audit/store.h audit/sqlfunc.h \
 audit/indexes.h cli/cli.h
audit/i18n.h:
audit/import.h:
audit/csv.h:
audit/util.h:
audit/dataset.h:
audit/profile.h:
audit/rows.h:
audit/store/store.h:
audit/store.h:
audit/sqlfunc.h:
audit/indexes.h:
cli/cli.h:
