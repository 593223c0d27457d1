build-tsan/obj/gen/gen_payments.o: gen/gen_payments.c audit/dataset.h \
 gen/gen_model.h gen/gen.h audit/util.h
audit/dataset.h:
gen/gen_model.h:
gen/gen.h:
audit/util.h:
