/* test_orders.c: the pieces of verification orders (audit/orders.h) that must never drift: the row
 * MAC (HMAC-SHA-256 over netstrings, pinned against Python's hmac), its field boundaries, the
 * workspace's MAC key (made once, then the same), and the reproducible sample (same candidates,
 * size and seed give the same cases whatever their order; stratified takes N per stratum). The
 * round trip through a real workbook is tests/e2e/orders_roundtrip.sh. */
#include "audit/orders.h"
#include "tests/unit/testutil.h"

static void test_mac_pinned(void **state)
{
    (void)state;
    unsigned char key[FW_ORDER_KEY_BYTES];
    for (int i = 0; i < FW_ORDER_KEY_BYTES; i++)
        key[i] = (unsigned char)i;
    const char *fields[] = {"ab", "c", NULL};
    char mac[65];
    fw_order_mac(key, "fundwatch-order-row-v1", fields, 3, mac);
    /* python3: hmac.new(bytes(range(32)), b'fundwatch-order-row-v1\n2:ab,1:c,-,', 'sha256').hexdigest() */
    assert_string_equal(mac, "cbf7b3317a1f2d267b15e7d1f33aa35e20a33fa464efdeb1ef46417e79a2bb5d");
}

static void test_mac_field_boundaries(void **state)
{
    (void)state;
    unsigned char key[FW_ORDER_KEY_BYTES] = {1};
    char a[65], b[65], c[65], d[65];
    const char *one[] = {"ab", "c"}, *two[] = {"a", "bc"}, *three[] = {"ab", "d"}, *empty[] = {"ab", ""};
    fw_order_mac(key, "x", one, 2, a);
    fw_order_mac(key, "x", two, 2, b);
    fw_order_mac(key, "x", three, 2, c);
    fw_order_mac(key, "x", empty, 2, d);
    assert_string_not_equal(a, b); /* text moved across a boundary changes the MAC */
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    unsigned char other[FW_ORDER_KEY_BYTES] = {2};
    fw_order_mac(other, "x", one, 2, b);
    assert_string_not_equal(a, b); /* another workspace's key */
}

static void test_key_made_once(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    unsigned char k1[FW_ORDER_KEY_BYTES], k2[FW_ORDER_KEY_BYTES];
    assert_int_equal(fw_order_mac_key(ws, false, k1, &err), FW_ENOTFOUND);
    assert_int_equal(fw_order_mac_key(ws, true, k1, &err), FW_OK);
    assert_int_equal(fw_order_mac_key(ws, true, k2, &err), FW_OK);
    assert_memory_equal(k1, k2, sizeof k1);
    char *hex = fw_ws_setting(ws, "orders.mac_key");
    assert_non_null(hex);
    assert_int_equal(strlen(hex), 64);
    free(hex);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void draw(long long first, long long n, bool reversed, long long size, unsigned long long seed,
                 long long **out, size_t *nout)
{
    fw_order_candidate *c = malloc((size_t)n * sizeof *c);
    for (long long i = 0; i < n; i++)
        c[i] = (fw_order_candidate){reversed ? first + n - 1 - i : first + i, NULL};
    fw_order_sample(c, (size_t)n, size, seed, false, out, nout);
    free(c);
}

static void test_sample_reproducible(void **state)
{
    (void)state;
    long long *a, *b, *c;
    size_t na, nb, nc;
    draw(1, 100, false, 10, 42, &a, &na);
    draw(1, 100, true, 10, 42, &b, &nb);
    draw(1, 100, false, 10, 43, &c, &nc);
    assert_int_equal(na, 10);
    assert_int_equal(nb, 10);
    assert_memory_equal(a, b, na * sizeof *a); /* the order the candidates come in does not matter */
    assert_memory_not_equal(a, c, na * sizeof *a);
    for (size_t i = 1; i < na; i++)
        assert_true(a[i - 1] < a[i]); /* ascending, no repeats */
    /* the method is documented (docs/orders.md); the draw is pinned so it cannot drift */
    /* python3, the method of docs/orders.md: SplitMix64 from 42, rejection sampling, partial
     * Fisher-Yates over the ids 1..100 sorted, 10 taken, sorted */
    const long long pinned[] = {3, 10, 14, 28, 29, 46, 66, 84, 87, 88};
    assert_memory_equal(a, pinned, sizeof pinned);
    free(a);
    free(b);
    free(c);
    draw(1, 5, false, 10, 7, &a, &na); /* more asked than there are: all of them */
    assert_int_equal(na, 5);
    free(a);
}

static void test_sample_stratified(void **state)
{
    (void)state;
    fw_order_candidate c[] = {{1, "DEC-001|城关镇"}, {2, "VEH-001|城关镇"}, {3, "DEC-001|城关镇"}, {4, "DEC-001|城关镇"},
                              {5, "VEH-001|城关镇"}, {6, "DEC-001|城关镇"}, {7, "DEC-001|黔灵镇"}};
    long long *out;
    size_t n;
    fw_order_sample(c, 7, 2, 99, true, &out, &n);
    assert_int_equal(n, 5); /* 2 of DEC-001|城关镇, 2 of VEH-001 (all), 1 of DEC-001|黔灵镇 (all) */
    int dec = 0, veh = 0, qianling = 0;
    for (size_t i = 0; i < n; i++) {
        dec += out[i] == 1 || out[i] == 3 || out[i] == 4 || out[i] == 6;
        veh += out[i] == 2 || out[i] == 5;
        qianling += out[i] == 7;
    }
    assert_int_equal(dec, 2);
    assert_int_equal(veh, 2);
    assert_int_equal(qianling, 1);
    free(out);
}

/* A stored problem (the message id and its formatted arguments after the marks) reads as its
 * message with the arguments in place; lines without the mark (stored before) come back as they
 * are; arguments can be taken by position. Without a catalogue the id is the English text. */
static void test_problems_text(void **state)
{
    (void)state;
    char *t = fw_order_problems_text("C3: \x1e%s was changed (sent '%s', returned '%s')\x1f姓名\x1f李四\x1f李四四\n"
                                     "plain text kept\n"
                                     "Q2: \x1e%2$s before %1$s\x1f" "a\x1f" "b");
    assert_string_equal(t, "C3: 姓名 was changed (sent '李四', returned '李四四')\nplain text kept\nQ2: b before a");
    free(t);
    t = fw_order_problems_text(NULL);
    assert_string_equal(t, "");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mac_pinned),          cmocka_unit_test(test_mac_field_boundaries),
        cmocka_unit_test(test_key_made_once),       cmocka_unit_test(test_sample_reproducible),
        cmocka_unit_test(test_sample_stratified),   cmocka_unit_test(test_problems_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
