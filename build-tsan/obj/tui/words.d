build-tsan/obj/tui/words.o: tui/words.c audit/i18n.h
audit/i18n.h:
