build-tsan/obj/audit/vocab.o: audit/vocab.c audit/vocab.h audit/util.h \
 audit/i18n.h
audit/vocab.h:
audit/util.h:
audit/i18n.h:
