build-tsan/obj/audit/util.o: audit/util.c audit/util.h audit/i18n.h
audit/util.h:
audit/i18n.h:
