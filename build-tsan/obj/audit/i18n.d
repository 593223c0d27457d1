build-tsan/obj/audit/i18n.o: audit/i18n.c audit/i18n.h audit/paths.h
audit/i18n.h:
audit/paths.h:
