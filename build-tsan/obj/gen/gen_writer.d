build-tsan/obj/gen/gen_writer.o: gen/gen_writer.c audit/dataset.h \
 audit/i18n.h gen/gen_model.h gen/gen.h audit/util.h
audit/dataset.h:
audit/i18n.h:
gen/gen_model.h:
gen/gen.h:
audit/util.h:
