build-tsan/obj/gen/gen_registries.o: gen/gen_registries.c gen/gen_model.h \
 gen/gen.h audit/util.h
gen/gen_model.h:
gen/gen.h:
audit/util.h:
