/* testutil.h: what the cmocka unit tests share: includes in the order cmocka needs, and a scratch
 * workspace in a private temporary directory that is removed afterwards. */
#ifndef FW_TESTUTIL_H
#define FW_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/store.h"
#include "audit/store/store.h"
#include "audit/util.h"

/* Points FUNDWATCH_DATADIR at this checkout (three levels above build/tests/test_x), so the shipped
 * import profile and rules are found without installing. */
static inline void test_use_checkout_datadir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(n > 0);
    exe[n] = '\0';
    for (int up = 0; up < 3; up++)
        *strrchr(exe, '/') = '\0';
    setenv("FUNDWATCH_DATADIR", exe, 1);
}

/* A scratch directory under $TMPDIR; the test owns the returned string. */
static inline char *test_tmpdir(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *dir = fw_printf("%s/fwtest.XXXXXX", base);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
    return dir;
}

/* Removes a scratch directory and everything in it. */
static inline void test_rmdir(const char *dir)
{
    char *cmd = fw_printf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
    free(cmd);
}

/* Writes bytes to dir/name and returns the path (caller frees). */
static inline char *test_write_file(const char *dir, const char *name, const char *bytes, size_t n)
{
    char *path = fw_printf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return path;
}

/* Opens a fresh workspace in a new scratch dir. *dir is owned by the caller (test_rmdir + free). */
static inline fw_ws *test_open_ws(char **dir)
{
    *dir = test_tmpdir();
    char *path = fw_printf("%s/ws.db", *dir);
    fw_ws *ws = NULL;
    fw_err err = {0};
    int rc = fw_ws_open(path, &ws, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, FW_OK);
    free(path);
    return ws;
}

/* Prepares sql on the workspace's connection (through the store, whatever the engine), failing
 * the test with the engine's words when it does not compile. The caller finalizes. */
static inline fw_stmt *test_prepare(fw_ws *ws, const char *sql)
{
    fw_stmt *st = NULL;
    fw_err err = {0};
    int rc = fw_db_prepare(ws->store, sql, &st, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", sql, err.msg);
    assert_int_equal(rc, FW_OK);
    return st;
}

/* Steps st to its next row, failing the test when the statement fails: 1 = a row, 0 = done. */
static inline int test_step(fw_stmt *st)
{
    fw_err err = {0};
    int rc = fw_stmt_step(st, &err);
    if (rc < 0)
        fprintf(stderr, "step: %s\n", err.msg);
    assert_true(rc >= 0);
    return rc;
}

#endif
