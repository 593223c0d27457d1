build-tsan/obj/audit/store/store.o: audit/store/store.c \
 audit/store/store.h audit/util.h audit/store/driver.h
audit/store/store.h:
audit/util.h:
audit/store/driver.h:
