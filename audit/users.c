/* users.c: `fundwatch user add/list/remove` on a PostgreSQL workspace (users.h, docs/users.md).
 * A user is three things kept together in one transaction: the server's LOGIN role, its
 * membership of the workspace's group role for its role (which carries the table grants), and the
 * users row (which carries the regions that row-level security reads by session_user). The grants
 * of a group are given again on every `user add`, so tables added by later migrations reach the
 * groups the next time a user is added. */
#include "audit/users.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/engine.h"
#include "audit/i18n.h"
#include "audit/store/store.h"
#include "audit/schema.h"
#include "audit/trail.h"

int fw_users_supported(fw_ws *ws, fw_err *err)
{
    if (fw_db_engine(ws->store) == FW_DB_POSTGRES)
        return FW_OK;
    return fw_fail(err, FW_EUSAGE,
                   _("users and roles do not apply to a SQLite workspace (%s): it is one workstation's file, "
                     "and whoever may open the file sees all of it. Users, roles and regions are for a "
                     "workspace on a PostgreSQL server (docs/users.md)"),
                   fw_ws_where(ws));
}

bool fw_user_role_has_regions(enum fw_user_role role)
{
    return role == FW_UROLE_INSPECTOR || role == FW_UROLE_SUPERVISOR || role == FW_UROLE_AUDITOR;
}

void fw_user_group_role(fw_ws *ws, enum fw_user_role role, char *buf, size_t n)
{
    fw_ws_role_name(ws, fw_user_role_groups[role], buf, n);
}

/* The first column of the first row as text (caller frees), NULL when no row or on error. */
static char *query_text(fw_ws *ws, const char *sql, const char *param, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(ws->store, sql, &st, err))
        return NULL;
    if (param)
        fw_stmt_bind_text(st, 1, param, -1);
    char *out = NULL;
    if (fw_stmt_step(st, err) == 1 && fw_stmt_text(st, 0))
        out = fw_strdup(fw_stmt_text(st, 0));
    fw_stmt_finalize(st);
    return out;
}

static int query_count(fw_ws *ws, const char *sql, const char *param, long long *n, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(ws->store, sql, &st, err))
        return err->code;
    if (param)
        fw_stmt_bind_text(st, 1, param, -1);
    int step = fw_stmt_step(st, err);
    *n = step == 1 ? fw_stmt_int64(st, 0) : 0;
    fw_stmt_finalize(st);
    return step < 0 ? err->code : FW_OK;
}

/* A role name fundwatch will create: lower-case letters, digits and _, not starting with a digit,
 * and not one of the names PostgreSQL or fundwatch keep for themselves (pg_, fw_). */
static int check_name(const char *name, fw_err *err)
{
    size_t n = strlen(name);
    bool ok = n > 0 && n <= 63 && (islower((unsigned char)name[0]) || name[0] == '_');
    for (size_t i = 0; ok && i < n; i++)
        ok = islower((unsigned char)name[i]) || isdigit((unsigned char)name[i]) || name[i] == '_';
    if (!ok)
        return fw_fail(err, FW_EUSAGE,
                       _("'%s' is not a user name fundwatch makes: use 1 to 63 lower-case letters, digits and _, "
                         "starting with a letter"),
                       name);
    if (strncmp(name, "pg_", 3) == 0 || strncmp(name, "fw_", 3) == 0)
        return fw_fail(err, FW_EUSAGE, _("'%s': names starting with pg_ or fw_ are PostgreSQL's and fundwatch's own"),
                       name);
    return FW_OK;
}

/* The place a region code names, from the rows that carry it: "旧州镇", "旧州镇朱家山村", or NULL
 * (a county's code: the datasets hold no county names). */
static char *place_of(fw_ws *ws, const char *code)
{
    size_t len = strlen(code);
    if (len != 9 && len != 12)
        return NULL;
    char *pattern = fw_printf("%s%%", code);
    const char *what = len == 9 ? "township" : "township || COALESCE(village, '')";
    char *sql = fw_printf("SELECT %s FROM ds_persons WHERE region_code LIKE ? AND township IS NOT NULL "
                          "UNION ALL SELECT %s FROM ds_payments WHERE region_code LIKE ? AND township IS NOT NULL",
                          what, what);
    fw_err err = {0};
    fw_stmt *st;
    char *out = NULL;
    if (!fw_db_prepare(ws->store, sql, &st, &err)) {
        fw_stmt_bind_text(st, 1, pattern, -1);
        fw_stmt_bind_text(st, 2, pattern, -1);
        if (fw_stmt_step(st, &err) == 1 && fw_stmt_text(st, 0))
            out = fw_strdup(fw_stmt_text(st, 0));
        fw_stmt_finalize(st);
    }
    free(sql);
    free(pattern);
    return out;
}

/* "旧州镇 (522622101)" or "522622" for a code. */
static void region_words(fw_ws *ws, const char *code, fw_buf *out)
{
    char *place = place_of(ws, code);
    if (place)
        fw_buf_printf(out, "%s (%s)", place, code);
    else
        fw_buf_printf(out, "%s %s", strlen(code) == 6 ? _("county") : _("region"), code);
    free(place);
}

/* A region code: 6, 9 or 12 digits that some row of persons or payments carries. */
static int check_region(fw_ws *ws, const char *code, fw_err *err)
{
    size_t len = strlen(code);
    bool digits = len == 6 || len == 9 || len == 12;
    for (size_t i = 0; digits && i < len; i++)
        digits = isdigit((unsigned char)code[i]);
    if (!digits)
        return fw_fail(err, FW_EUSAGE,
                       _("region '%s' is not a region code: 6 digits for a county, 9 for a township, 12 for a "
                         "village (行政区划代码)"),
                       code);
    char *pattern = fw_printf("%s%%", code);
    long long n = 0;
    int rc = query_count(ws,
                         "SELECT CASE WHEN EXISTS (SELECT 1 FROM ds_persons WHERE region_code LIKE ?1) "
                         "OR EXISTS (SELECT 1 FROM ds_payments WHERE region_code LIKE ?1) THEN 1 ELSE 0 END",
                         pattern, &n, err);
    free(pattern);
    if (rc || n)
        return rc;
    /* The codes of that length that are known, with their places, for the message. */
    char *sql = fw_printf("SELECT substr(region_code, 1, %zu) AS code FROM ds_persons WHERE length(region_code) >= %zu "
                          "UNION SELECT substr(region_code, 1, %zu) FROM ds_payments WHERE length(region_code) >= %zu "
                          "ORDER BY 1 LIMIT 41",
                          len, len, len, len);
    fw_stmt *st;
    fw_buf known = {0};
    int count = 0;
    if (!fw_db_prepare(ws->store, sql, &st, err)) {
        while (fw_stmt_step(st, err) == 1) {
            if (count++ == 40) {
                fw_buf_puts(&known, ", ...");
                break;
            }
            if (known.len)
                fw_buf_puts(&known, ", ");
            fw_buf_puts(&known, fw_stmt_text(st, 0));
        }
        fw_stmt_finalize(st);
    }
    free(sql);
    /* names after the list is read: place_of needs the connection */
    fw_buf words = {0};
    for (char *p = known.data, *next; p && *p; p = next) {
        next = strstr(p, ", ");
        char one[16];
        snprintf(one, sizeof one, "%.*s", (int)(next ? (size_t)(next - p) : strlen(p)), p);
        if (next)
            next += 2;
        if (words.len)
            fw_buf_puts(&words, ", ");
        if (strcmp(one, "...") == 0)
            fw_buf_puts(&words, one);
        else
            region_words(ws, one, &words);
    }
    rc = fw_fail(err, FW_EDATA,
                 _("region %s: no row of persons or payments carries it, so it names no place of this workspace; "
                   "the known codes of %zu digits: %s"),
                 code, len, words.len ? words.data : _("none (nothing imported yet)"));
    fw_buf_free(&known);
    fw_buf_free(&words);
    return rc;
}

/* The grants of a group, given by the workspace's owner. Readers (inspector, supervisor, auditor)
 * read every table but users, under row-level security; writers (inspector, supervisor) also work
 * cases, run rules (as members of the rule role) and append to the trail, which its triggers keep
 * append-only; a rule author reads the rule settings and runs, no personal data (`rules test` runs
 * on the examples in a scratch workspace of its own); a kiosk only uses the schema, whose fw_kiosk_*
 * functions are granted to it where they are made. */
static int group_grants(fw_ws *ws, enum fw_user_role role, const char *group, const char *rule_role, fw_err *err)
{
    bool reads = role == FW_UROLE_INSPECTOR || role == FW_UROLE_SUPERVISOR || role == FW_UROLE_AUDITOR;
    bool writes = role == FW_UROLE_INSPECTOR || role == FW_UROLE_SUPERVISOR;
    fw_buf sql = {0};
    fw_buf_printf(&sql,
                  "DO $fw$ DECLARE s text := current_schema(); g text := '%s'; t text; BEGIN\n"
                  "PERFORM " FW_ROLES_PG_LOCK ";\n"
                  "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN\n"
                  "  EXECUTE format('CREATE ROLE %%I NOLOGIN', g);\n"
                  "END IF;\n"
                  "EXECUTE format('GRANT USAGE ON SCHEMA %%I TO %%I', s, g);\n",
                  group);
    if (reads)
        /* Not the payments' partitions (docs/scale.md): row-level security is the partitioned
         * table's, so a partition read directly would show every region's rows. Partitions made
         * later get no grants. */
        fw_buf_puts(&sql, "EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', s, g);\n"
                          "EXECUTE format('REVOKE ALL ON users FROM %I', g);\n"
                          "FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                          "WHERE n.nspname = s AND c.relispartition AND c.relkind IN ('r', 'p') LOOP\n"
                          "  EXECUTE format('REVOKE ALL ON %I FROM %I', t, g);\n"
                          "END LOOP;\n");
    if (writes) {
        fw_buf_puts(&sql,
                    "EXECUTE format('GRANT INSERT, UPDATE ON hits, hit_evidence, cases, case_notes, runs, run_rules, "
                    "settings, whitelist, orders, order_rows, order_files, rule_settings TO %I', g);\n"
                    "EXECUTE format('GRANT DELETE ON rule_settings TO %I', g);\n"
                    "EXECUTE format('GRANT INSERT ON trail TO %I', g);\n"
                    /* a run records the counties it could not check, their shard down (docs/scale.md) */
                    "EXECUTE format('GRANT INSERT ON run_unchecked TO %I', g);\n"
                    "EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', s, g);\n");
        if (rule_role && *rule_role)
            fw_buf_printf(&sql, "EXECUTE format('GRANT %%I TO %%I', '%s', g);\n", rule_role);
    }
    if (role == FW_UROLE_AUTHOR)
        fw_buf_puts(&sql, "EXECUTE format('GRANT SELECT ON " FW_DB_VERSION_TABLE
                          ", settings, programs, rule_settings, runs, run_rules TO %I', g);\n");
    if (!reads && role != FW_UROLE_AUTHOR) /* the kiosk: opening the workspace reads its version */
        fw_buf_puts(&sql, "EXECUTE format('GRANT SELECT ON " FW_DB_VERSION_TABLE " TO %I', g);\n");
    fw_buf_puts(&sql, "END $fw$");
    int rc = fw_ws_exec(ws, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

/* May this session add users: CREATEROLE (or superuser), and the workspace's owner. */
static int check_admin(fw_ws *ws, fw_err *err)
{
    long long yes = 0;
    char *me = query_text(ws, "SELECT current_user::text", NULL, err);
    int rc = query_count(ws, "SELECT (rolcreaterole OR rolsuper)::int FROM pg_roles WHERE rolname = current_user",
                         NULL, &yes, err);
    if (!rc && !yes)
        rc = fw_fail(err, FW_EWORKSPACE,
                     _("%s may not create roles: adding a user needs the CREATEROLE attribute (a superuser gives it: "
                       "ALTER ROLE %s CREATEROLE)"),
                     me ? me : "?", me ? me : "?");
    if (!rc && (rc = query_count(ws, "SELECT fw_is_admin()::int", NULL, &yes, err)) == FW_OK && !yes)
        rc = fw_fail(err, FW_EWORKSPACE,
                     _("%s is not the owner of this workspace: only its owner (the role that ran init, or a member "
                       "of it) adds and removes its users"),
                     me ? me : "?");
    free(me);
    return rc;
}

static int trail_user(fw_ws *ws, const char *action, const char *name, const char *role, const char *regions,
                      fw_err *err)
{
    fw_buf after = {0}, object = {0};
    fw_buf_putc(&after, '{');
    fw_json_field_str(&after, "user", name);
    if (role)
        fw_json_field_str(&after, "role", role);
    if (regions)
        fw_json_field_str(&after, "regions", regions);
    fw_buf_putc(&after, '}');
    fw_buf_printf(&object, "user:%s", name);
    int rc = fw_trail_append(ws, action, object.data, NULL, after.data, err);
    fw_buf_free(&after);
    fw_buf_free(&object);
    return rc;
}

int fw_user_add(fw_ws *ws, const char *name, enum fw_user_role role, const char *const *regions, int nregions,
                const char *password, bool *existed, fw_err *err)
{
    *existed = false;
    if (fw_users_supported(ws, err) || check_name(name, err))
        return err->code;
    if (fw_user_role_has_regions(role) && nregions == 0)
        return fw_fail(err, FW_EUSAGE, _("a user of role %s needs at least one --region"), fw_user_roles[role].key);
    if (!fw_user_role_has_regions(role) && nregions > 0)
        return fw_fail(err, FW_EUSAGE,
                       _("a user of role %s sees no region's personal data, so takes no --region"),
                       fw_user_roles[role].key);
    if (check_admin(ws, err))
        return err->code;
    fw_buf joined = {0};
    for (int i = 0; i < nregions; i++) {
        if (check_region(ws, regions[i], err)) {
            fw_buf_free(&joined);
            return err->code;
        }
        if (joined.len)
            fw_buf_putc(&joined, ',');
        fw_buf_puts(&joined, regions[i]);
    }
    char *verifier = NULL;
    if (password && fw_db_password_verifier(ws->store, name, password, &verifier, err)) {
        fw_buf_free(&joined);
        return err->code;
    }
    /* The rule role, so that writers' groups can be made its members (rules run as it). */
    char rule_role[64], note[512];
    if (role == FW_UROLE_INSPECTOR || role == FW_UROLE_SUPERVISOR)
        fw_rule_role_prepare(ws, false, rule_role, sizeof rule_role, note, sizeof note);
    else
        rule_role[0] = '\0';
    char group[64];
    fw_user_group_role(ws, role, group, sizeof group);
    long long n = 0;
    int rc = fw_ws_begin(ws, err);
    if (!rc && !(rc = query_count(ws, "SELECT count(*) FROM users WHERE role_name = ?", name, &n, err)) && n)
        rc = fw_fail(err, FW_ECONFLICT, _("%s is already a user of this workspace (fundwatch user list)"), name);
    if (!rc)
        rc = query_count(ws, "SELECT count(*) FROM pg_roles WHERE rolname = ?", name, &n, err);
    if (!rc) {
        *existed = n > 0;
        char *sql = n ? NULL
                      : fw_printf("CREATE ROLE \"%s\" LOGIN%s%s%s", name, verifier ? " PASSWORD '" : "",
                                  verifier ? verifier : "", verifier ? "'" : "");
        if (sql)
            rc = fw_ws_exec(ws, sql, err);
        free(sql);
    }
    if (!rc)
        rc = group_grants(ws, role, group, rule_role, err);
    if (!rc) {
        char *sql = fw_printf("GRANT \"%s\" TO \"%s\"", group, name);
        rc = fw_ws_exec(ws, sql, err);
        free(sql);
    }
    if (!rc) {
        fw_stmt *st;
        char at[32];
        fw_now_iso(at);
        if (!(rc = fw_db_prepare(ws->store,
                                 "INSERT INTO users(role_name, role, regions, created_at, created_by) "
                                 "VALUES (?, ?, ?, ?, session_user)",
                                 &st, err))) {
            fw_stmt_bind_text(st, 1, name, -1);
            fw_stmt_bind_text(st, 2, fw_user_roles[role].key, -1);
            fw_stmt_bind_text(st, 3, joined.data ? joined.data : "", -1);
            fw_stmt_bind_text(st, 4, at, -1);
            if (fw_stmt_step(st, err) < 0)
                rc = err->code;
            fw_stmt_finalize(st);
        }
    }
    if (!rc)
        rc = trail_user(ws, "user.add", name, fw_user_roles[role].key, joined.data ? joined.data : "", err);
    if (!rc)
        rc = fw_ws_commit(ws, err);
    if (rc)
        fw_ws_rollback(ws);
    free(verifier);
    fw_buf_free(&joined);
    return rc;
}

int fw_user_remove(fw_ws *ws, const char *name, bool *dropped, fw_err *err)
{
    *dropped = false;
    if (fw_users_supported(ws, err) || check_admin(ws, err))
        return err->code;
    if (fw_ws_begin(ws, err))
        return err->code;
    fw_err why = {0};
    char *role = query_text(ws, "SELECT role FROM users WHERE role_name = ?", name, &why);
    int rc = FW_OK;
    const fw_label *l = fw_label_find(fw_user_roles, role);
    if (!role)
        rc = why.code ? fw_fail(err, why.code, "%s", why.msg)
                      : fw_fail(err, FW_ENOTFOUND, _("%s is no user of this workspace"), name);
    if (!rc && l) {
        char group[64], *sql;
        fw_user_group_role(ws, (enum fw_user_role)(l - fw_user_roles), group, sizeof group);
        sql = fw_printf("REVOKE \"%s\" FROM \"%s\"", group, name);
        rc = fw_ws_exec(ws, sql, err);
        free(sql);
    }
    if (!rc) {
        fw_stmt *st;
        if (!(rc = fw_db_prepare(ws->store, "DELETE FROM users WHERE role_name = ?", &st, err))) {
            fw_stmt_bind_text(st, 1, name, -1);
            if (fw_stmt_step(st, err) < 0)
                rc = err->code;
            fw_stmt_finalize(st);
        }
    }
    /* The server's role goes too when nothing else holds it: no other membership, nothing owned. */
    long long others = 1;
    if (!rc)
        rc = query_count(ws,
                         "SELECT (SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                         "WHERE r.rolname = ?1) + (SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                         "WHERE r.rolname = ?1) + (SELECT count(*) FROM pg_namespace s JOIN pg_roles r "
                         "ON r.oid = s.nspowner WHERE r.rolname = ?1)",
                         name, &others, err);
    if (!rc && others == 0) {
        char *sql = fw_printf("DROP ROLE \"%s\"", name);
        if (fw_db_savepoint(ws->store, "drop_role", &why) == FW_OK) {
            if (fw_ws_exec(ws, sql, &why) == FW_OK)
                *dropped = true;
            else
                fw_db_rollback_to(ws->store, "drop_role", &why);
            fw_db_release(ws->store, "drop_role", &why);
        }
        free(sql);
    }
    if (!rc)
        rc = trail_user(ws, "user.remove", name, role, NULL, err);
    if (!rc)
        rc = fw_ws_commit(ws, err);
    if (rc)
        fw_ws_rollback(ws);
    free(role);
    return rc;
}

int fw_user_list(fw_ws *ws, fw_user_entry **out, int *n, fw_err *err)
{
    *out = NULL;
    *n = 0;
    if (fw_users_supported(ws, err))
        return err->code;
    fw_stmt *st;
    if (fw_db_prepare(ws->store, "SELECT role_name, role, regions, created_at, created_by FROM users ORDER BY role_name",
                      &st, err))
        return err->code;
    int step, cap = 0;
    fw_user_entry *list = NULL;
    while ((step = fw_stmt_step(st, err)) == 1) {
        if (*n == cap)
            list = fw_realloc(list, (size_t)(cap = cap ? 2 * cap : 8) * sizeof *list);
        fw_user_entry *u = &list[(*n)++];
        memset(u, 0, sizeof *u);
        u->name = fw_strdup(fw_stmt_text(st, 0));
        u->role = fw_strdup(fw_stmt_text(st, 1));
        u->regions = fw_strdup(fw_stmt_text(st, 2) ? fw_stmt_text(st, 2) : "");
        u->created_at = fw_strdup(fw_stmt_text(st, 3));
        u->created_by = fw_strdup(fw_stmt_text(st, 4));
    }
    fw_stmt_finalize(st);
    if (step < 0) {
        fw_user_list_free(list, *n);
        *n = 0;
        return err->code;
    }
    for (int i = 0; i < *n; i++) { /* the places, once the list is read (one statement at a time) */
        fw_buf words = {0};
        char *codes = fw_strdup(list[i].regions), *save = NULL;
        for (char *c = strtok_r(codes, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
            if (words.len)
                fw_buf_puts(&words, ", ");
            region_words(ws, c, &words);
        }
        free(codes);
        list[i].regions_words = words.data ? words.data : fw_strdup("-");
    }
    *out = list;
    return FW_OK;
}

void fw_user_list_free(fw_user_entry *list, int n)
{
    for (int i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].role);
        free(list[i].regions);
        free(list[i].regions_words);
        free(list[i].created_at);
        free(list[i].created_by);
    }
    free(list);
}
