/* gen.h: the synthetic ledger generator behind `fundwatch gen`. It writes one CSV file per dataset
 * of dataset.c (persons.csv, payments.csv, deaths.csv, ...) for a made-up Guizhou county, or a
 * province of several counties in the same files, with anomalies planted for every
 * non-statistical rule of docs/catalogue.md (and, in a province, the cross_county rules), plus
 * truth.csv (which person was planted for which rule) and rejects-expected.csv (the rows an
 * importer must refuse). The output depends only on the seed and the sizes, byte for byte.
 * docs/gen.md describes it. */
#ifndef FW_GEN_H
#define FW_GEN_H

#include <stdint.h>

#include "audit/util.h"

/* Smallest population that leaves room for every planted case beside a clean majority. */
enum { FW_GEN_MIN_PERSONS = 1000, FW_GEN_DEFAULT_PERSONS = 2000 };
#define FW_GEN_MAX_PERSONS 2000000L

typedef struct fw_gen_opts {
    uint64_t seed;
    long persons; /* registered persons to write (the ghosts of IDN-001 come on top); in a province,
                     of all its counties together */
    int counties; /* 0: the single county 黄平县, as always; N: a province of N counties of 黔东南州
                     (persons / N each) with the cross_county cases planted across them */
} fw_gen_opts;

/* The counties a province may have (FW_GEN_MAX_COUNTIES real county codes are known). */
enum { FW_GEN_MAX_COUNTIES = 13 };

/* What was written, for the command's summary line. */
typedef struct fw_gen_stats {
    long persons, households, payments, planted, truth_rows, rejects;
} fw_gen_stats;

/* Writes every file into outdir (created when missing). Files are written under temporary names
 * and renamed only when all succeeded, so a failure leaves no half-written ledger. Returns FW_OK,
 * FW_EUSAGE for bad options, or FW_EFAIL for an I/O failure, with err set. */
int fw_gen_write(const char *outdir, const fw_gen_opts *opts, fw_gen_stats *stats, fw_err *err);

/* GB 32100-2015 check character of the first 17 characters of a unified social credit code (0 when
 * a character is outside the code alphabet). Exposed for the tests. */
char fw_gen_credit_check(const char *first17);

#endif
