/* profile.h: the import profile: which file headers mean which canonical column, which program
 * names mean which canonical program, and how each canonical program is tagged (means-tested,
 * fixed amount). The shipped profile is <datadir>/profiles/default.ini; the user's
 * $XDG_CONFIG_HOME/fundwatch/import.ini and a --profile FILE are merged over it, in that order,
 * later files winning where they disagree. File format: docs/import.md. */
#ifndef FW_PROFILE_H
#define FW_PROFILE_H

#include <stdbool.h>

#include "audit/dataset.h"
#include "audit/util.h"

typedef struct fw_profile fw_profile;

/* One canonical program as the profile declares it. */
typedef struct fw_program_info {
    const char *name;  /* canonical name, e.g. 低保 */
    bool means_tested; /* eligibility depends on income/assets (rules about wealth apply) */
    bool fixed_amount; /* paid at a fixed standard (excluded from Benford-type statistics) */
} fw_program_info;

/* Loads the shipped profile, then the user's import.ini when it exists, then extra (may be NULL;
 * when given it must exist). The caller frees *out with fw_profile_free. FW_EDATA with
 * "file:line: ..." on a malformed file; FW_EFAIL when the shipped profile is missing. */
int fw_profile_load(const char *extra, fw_profile **out, fw_err *err);
/* Loads exactly the given files, in order (for tests and tools). */
int fw_profile_load_files(const char *const *paths, int npaths, fw_profile **out, fw_err *err);
void fw_profile_free(fw_profile *p);

/* The canonical column of ds that a file header means, or NULL when the header is unknown. Headers
 * match case-insensitively after trimming; a canonical column name always matches itself; the
 * dataset's own section wins over [aliases]. */
const fw_column *fw_profile_column(const fw_profile *p, const fw_dataset *ds, const char *header);

/* The canonical program a (trimmed) program name means, or NULL when the profile does not know it.
 * A canonical name maps to itself. */
const fw_program_info *fw_profile_program(const fw_profile *p, const char *raw);

/* The canonical programs, in the order first declared (for filling the programs table). */
int fw_profile_nprograms(const fw_profile *p);
const fw_program_info *fw_profile_program_at(const fw_profile *p, int i);

/* A list of programs is a set: the comma list `list` ("医疗救助,低保,医疗救助") with each name
 * once, blanks trimmed, in byte order ("医疗救助,低保" -> "低保,医疗救助"), so the same programs read
 * the same everywhere. NULL when list is NULL or names none. Caller frees. The SQL aggregate
 * program_set(list) (store.h's helpers) merges the lists of many rows the same way. */
char *fw_program_set(const char *list);

/* The files that were merged, for messages ("a;b;c"). */
const char *fw_profile_sources(const fw_profile *p);

#endif
