build-tsan/obj/gen/gen_plant.o: gen/gen_plant.c gen/gen_model.h gen/gen.h \
 audit/util.h
gen/gen_model.h:
gen/gen.h:
audit/util.h:
