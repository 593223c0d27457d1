/* test_store.c: the workspace file: created 0600, WAL, migrated to the newest schema, reopened
 * without re-migrating, refuses a newer schema, and the audit trail refuses UPDATE/DELETE. */
#include <sys/stat.h>

#include "audit/schema.h"
#include "tests/unit/testutil.h"

static void test_create_private_wal_migrated(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    struct stat st;
    assert_int_equal(stat(ws->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(fw_ws_int(ws, "PRAGMA user_version"), fw_migrations[fw_nmigrations - 1].version);
    fw_stmt *q = test_prepare(ws, "PRAGMA journal_mode");
    assert_int_equal(test_step(q), 1);
    assert_string_equal(fw_stmt_text(q, 0), "wal");
    fw_stmt_finalize(q);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM sqlite_master WHERE name = 'ds_payments'"), 1);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_reopen_keeps_data(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    assert_int_equal(fw_ws_set_setting(ws, "mask_ids", "1", &err), FW_OK);
    char *path = fw_strdup(ws->path);
    fw_ws_close(ws);
    assert_int_equal(fw_ws_open(path, &ws, &err), FW_OK);
    char *v = fw_ws_setting(ws, "mask_ids");
    assert_non_null(v);
    assert_string_equal(v, "1");
    free(v);
    fw_ws_close(ws);
    free(path);
    test_rmdir(dir);
    free(dir);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws, "PRAGMA user_version = 999", &err), FW_OK);
    char *path = fw_strdup(ws->path);
    fw_ws_close(ws);
    assert_int_equal(fw_ws_open(path, &ws, &err), FW_EWORKSPACE);
    assert_null(ws);
    assert_non_null(strstr(err.msg, "newer than this fundwatch"));
    assert_null(strstr(err.msg + strlen(path), path)); /* the path once, the reason kept */
    free(path);
    test_rmdir(dir);
    free(dir);
}

/* Why a file cannot be opened reaches the user whole: the path once, then SQLite's reason. */
static void test_unusable_file_says_why(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *path = test_write_file(dir, "notes.db", "just some text, not a database\n", 31);
    fw_ws *ws = NULL;
    fw_err err = {0};
    assert_int_equal(fw_ws_open_mode(path, FW_WS_READ, &ws, &err), FW_EWORKSPACE);
    assert_non_null(strstr(err.msg, "not a database"));
    assert_ptr_equal(strstr(err.msg, path), err.msg);       /* starts with the path ... */
    assert_null(strstr(err.msg + strlen(path), path));      /* ... and names it once */
    assert_int_equal(fw_ws_open_mode(path, FW_WS_WRITE, &ws, &err), FW_EWORKSPACE);
    assert_non_null(strstr(err.msg, "not a database"));
    assert_null(strstr(err.msg + strlen(path), path));
    free(path);
    test_rmdir(dir);
    free(dir);
}

/* Only FW_WS_CREATE creates: a mistyped path is an error naming it, and no file appears. */
static void test_missing_workspace_not_created(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *path = fw_printf("%s/typo.db", dir);
    fw_ws *ws = NULL;
    fw_err err = {0};
    enum fw_ws_mode modes[] = {FW_WS_READ, FW_WS_WRITE};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fw_ws_open_mode(path, modes[i], &ws, &err), FW_EWORKSPACE);
        assert_null(ws);
        assert_non_null(strstr(err.msg, path));
        assert_non_null(strstr(err.msg, "fundwatch init"));
        assert_int_not_equal(access(path, F_OK), 0);
    }
    assert_int_equal(fw_ws_open_mode(path, FW_WS_CREATE, &ws, &err), FW_OK);
    fw_ws_close(ws);
    assert_int_equal(access(path, F_OK), 0);
    free(path);
    test_rmdir(dir);
    free(dir);
}

/* A read open reads and cannot write. */
static void test_read_open_is_read_only(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    assert_int_equal(fw_ws_set_setting(ws, "probe", "1", &err), FW_OK);
    char *path = fw_strdup(ws->path);
    fw_ws_close(ws);
    assert_int_equal(fw_ws_open_mode(path, FW_WS_READ, &ws, &err), FW_OK);
    char *v = fw_ws_setting(ws, "probe");
    assert_string_equal(v, "1");
    free(v);
    assert_int_not_equal(fw_ws_set_setting(ws, "probe", "2", &err), FW_OK);
    fw_ws_close(ws);
    free(path);
    test_rmdir(dir);
    free(dir);
}

/* A file that is not a database keeps its reason in the message: the message that says the
 * workspace is unusable quotes the error it replaces (fw_fail formats aside). */
static void test_not_a_database_says_why(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    char *path = fw_printf("%s/notes.db", dir);
    fw_ws_close(ws);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 64; i++)
        fputs("this is a text file, not a fundwatch workspace\n", f);
    fclose(f);
    fw_err err = {0};
    assert_int_equal(fw_ws_open(path, &ws, &err), FW_EWORKSPACE);
    assert_null(ws);
    assert_non_null(strstr(err.msg, "not a usable fundwatch workspace: "));
    assert_non_null(strstr(err.msg, "file is not a database"));
    assert_null(strstr(strstr(err.msg, "workspace: ") + 11, "not a usable fundwatch workspace"));
    free(path);
    test_rmdir(dir);
    free(dir);
}

static void test_trail_append_only(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws,
                                "INSERT INTO trail(at, user, action, prev_hash, hash) "
                                "VALUES ('2026-01-01T00:00:00Z', 'u', 'test', '0', '1')",
                                &err),
                     FW_OK);
    assert_int_not_equal(fw_ws_exec(ws, "UPDATE trail SET user = 'x'", &err), FW_OK);
    assert_non_null(strstr(err.msg, "append-only"));
    assert_int_not_equal(fw_ws_exec(ws, "DELETE FROM trail", &err), FW_OK);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE user = 'u'"), 1);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_private_wal_migrated),
        cmocka_unit_test(test_reopen_keeps_data),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_unusable_file_says_why),
        cmocka_unit_test(test_missing_workspace_not_created),
        cmocka_unit_test(test_read_open_is_read_only),
        cmocka_unit_test(test_trail_append_only),
        cmocka_unit_test(test_not_a_database_says_why),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
