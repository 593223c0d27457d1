build-tsan/obj/gen/gen_population.o: gen/gen_population.c gen/gen_model.h \
 gen/gen.h audit/util.h audit/normalize.h
gen/gen_model.h:
gen/gen.h:
audit/util.h:
audit/normalize.h:
