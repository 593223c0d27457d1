/* cases.c: the case workflow (see cases.h). */
#include "audit/cases.h"

/* New cases get a lead number FW-<year>-<6-digit id>, readable on paper and unique. */
static const char create_cases_sql[] =
    "INSERT INTO cases(case_no, subject_kind, subject, id_number, name, township, village, "
    "                  created_at, updated_at) "
    "SELECT printf('FW-%s-%06d', strftime('%Y', 'now'), "
    "              (SELECT COALESCE(max(id), 0) FROM cases) + row_number() OVER (ORDER BY min(h.id))), "
    "       h.subject_kind, h.subject, max(h.id_number), max(h.name), max(h.township), max(h.village), "
    "       strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
    "FROM hits h "
    "WHERE h.case_id IS NULL AND h.state = 'present' "
    "  AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.subject_kind = h.subject_kind AND c.subject = h.subject) "
    "GROUP BY h.subject_kind, h.subject";

static const char attach_hits_sql[] =
    "UPDATE hits SET case_id = (SELECT c.id FROM cases c "
    "                           WHERE c.subject_kind = hits.subject_kind AND c.subject = hits.subject) "
    "WHERE case_id IS NULL AND state = 'present'";

int fw_cases_sync(fw_ws *ws, long long run_id, fw_err *err)
{
    (void)run_id;
    if (fw_ws_exec(ws, create_cases_sql, err) || fw_ws_exec(ws, attach_hits_sql, err))
        return err->code;
    return FW_OK;
}
