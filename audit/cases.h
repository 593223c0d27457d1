/* cases.h: leads (hits) gathered into cases, one per subject (person, household, account), so a
 * person who trips three rules is verified once. */
#ifndef FW_CASES_H
#define FW_CASES_H

#include "audit/store.h"

/* After a rule run: attaches every present hit without a case to its subject's case, creating
 * cases as needed. Call inside the run's transaction. */
int fw_cases_sync(fw_ws *ws, long long run_id, fw_err *err);

#endif
