/* test_namekey.c: the name keys of audit/namekey.c on real names: traditional and variant forms
 * fold to one simplified key, homophones share the pinyin key, surnames read as surnames, the
 * dialect confusions share the fuzzy key, different people keep different keys, and bad input
 * (rare characters, Latin letters, a middle dot, empty, broken UTF-8) never crashes. */
#include "tests/unit/testutil.h"

#include "audit/namekey.h"

static fw_namekeyer *keyer;

static int setup(void **state)
{
    (void)state;
    fw_err err = {0};
    return fw_namekeyer_open(&keyer, &err);
}

static int teardown(void **state)
{
    (void)state;
    fw_namekeyer_close(keyer);
    return 0;
}

static fw_namekey key(const char *name)
{
    fw_namekey k;
    fw_namekey_compute(keyer, name, &k);
    return k;
}

static void traditional_folds_to_simplified(void **state)
{
    (void)state;
    assert_string_equal(key("陳建國").simp, "陈建国");
    assert_string_equal(key("劉德華").simp, "刘德华");
    assert_string_equal(key("陈建国").simp, "陈建国");
    assert_string_equal(key("陳建國").pinyin, "chen jian guo");
}

static void unihan_variants_fold(void **state)
{
    (void)state;
    /* 叁/三 and 堃/坤 are kSemanticVariant pairs that t2s leaves apart. */
    assert_string_equal(key("李叁").simp, key("李三").simp);
    assert_string_equal(key("王堃").simp, key("王坤").simp);
    assert_string_equal(key("王堃").simp, "王坤");
}

static void homophones_share_pinyin(void **state)
{
    (void)state;
    fw_namekey a = key("张晓燕"), b = key("张小燕");
    assert_string_not_equal(a.simp, b.simp);
    assert_string_equal(a.pinyin, "zhang xiao yan");
    assert_string_equal(a.pinyin, b.pinyin);
    assert_string_equal(a.fuzzy, b.fuzzy);
}

static void surname_readings(void **state)
{
    (void)state;
    assert_string_equal(key("曾国藩").pinyin, "zeng guo fan");
    assert_string_equal(key("单田芳").pinyin, "shan tian fang");
    assert_string_equal(key("解缙").pinyin, "xie jin");
}

static void fuzzy_folds_dialect_confusions(void **state)
{
    (void)state;
    assert_string_equal(key("张三").fuzzy, key("臧三").fuzzy);         /* zhang / zang */
    assert_string_equal(key("陈林").fuzzy, key("岑林").fuzzy);         /* chen / cen */
    assert_string_equal(key("刘宁").fuzzy, key("刘玲").fuzzy);         /* ning / ling */
    assert_string_equal(key("杭芳").fuzzy, key("方芳").fuzzy);         /* hang / fang */
    assert_string_equal(key("胡明").fuzzy, key("付明").fuzzy);         /* hu / fu */
    assert_string_equal(key("王静").fuzzy, key("王进").fuzzy);         /* jing / jin */
    assert_string_equal(key("孙正").fuzzy, key("孙振").fuzzy);         /* zheng / zhen */
    assert_string_equal(key("张三").fuzzy, "zan san");
    assert_string_not_equal(key("张三").pinyin, key("臧三").pinyin);
    char out[FW_NAMEKEY_SIZE];
    fw_namekey_fuzzy("shi ning", out);
    assert_string_equal(out, "si lin");
}

static void different_people_stay_apart(void **state)
{
    (void)state;
    const char *names[] = {"王芳", "王方明", "张伟", "章卫东", "李明", "黎敏", "陈建国", "陈建华", "曾国藩", "王国藩"};
    int n = (int)(sizeof names / sizeof names[0]);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            fw_namekey a = key(names[i]), b = key(names[j]);
            assert_string_not_equal(a.simp, b.simp);
            assert_string_not_equal(a.pinyin, b.pinyin);
        }
    /* Different given names stay apart in the fuzzy key too. */
    assert_string_not_equal(key("陈建国").fuzzy, key("陈建华").fuzzy);
    assert_string_not_equal(key("王芳").fuzzy, key("王方明").fuzzy);
}

static void bad_input_never_crashes(void **state)
{
    (void)state;
    fw_namekey k = key("");
    assert_string_equal(k.simp, "");
    assert_string_equal(k.pinyin, "");
    assert_string_equal(k.fuzzy, "");
    k = key(NULL);
    assert_string_equal(k.pinyin, "");
    k = key("   \t");
    assert_string_equal(k.simp, "");
    /* A rare character outside every table is kept as it is, as its own syllable. */
    k = key("王𠀾");
    assert_string_equal(k.simp, "王𠀾");
    assert_string_equal(k.pinyin, "wang 𠀾");
    /* Minority names: any middle dot becomes U+00B7; the pinyin separates the parts. */
    assert_string_equal(key("阿依古丽·买买提").simp, "阿依古丽·买买提");
    assert_string_equal(key("阿依古丽•买买提").simp, "阿依古丽·买买提");
    assert_string_equal(key("阿依古丽．买买提").simp, "阿依古丽·买买提");
    assert_string_equal(key("阿依古丽·买买提").pinyin, "a yi gu li mai mai ti");
    /* Latin names: lower-cased, one space between words. */
    k = key("  Li   Ming ");
    assert_string_equal(k.simp, "li ming");
    assert_string_equal(k.pinyin, "li ming");
    /* Spaces inside a Chinese name are a clerk's padding. */
    assert_string_equal(key("王 芳").simp, "王芳");
    /* Broken UTF-8 bytes are dropped, the rest keyed. */
    assert_string_equal(key("王\xff芳").simp, "王芳");
    /* A very long name is keyed on its start and fits. */
    char longname[3 * 300 + 1] = "";
    for (int i = 0; i < 300; i++)
        strcat(longname, "國");
    k = key(longname);
    assert_true(strlen(k.simp) < FW_NAMEKEY_SIZE);
    assert_true(strlen(k.pinyin) > 0 && strlen(k.pinyin) < FW_NAMEKEY_SIZE);
    assert_true(strncmp(k.simp, "国国", 6) == 0);
}

static int count_learned(void *ctx, int cp, const char *latin, fw_err *err)
{
    (void)err;
    if (cp == 0x66FE) /* 曾 */
        assert_string_equal(latin, "zeng");
    (*(int *)ctx)++;
    return 0;
}

/* A reading given by fw_namekeyer_know is used as given (ICU is not asked), is not reported back as
 * learned, and readings the keyer got from ICU are; a name seen before gives the same keys. */
static void known_readings_are_used_and_learned_ones_listed(void **state)
{
    (void)state;
    fw_namekeyer *k;
    fw_err err = {0};
    assert_int_equal(fw_namekeyer_open(&k, &err), FW_OK);
    fw_namekeyer_know(k, 0x5F20, "qqq"); /* 张: a made-up reading, so its use shows */
    fw_namekey a, b;
    fw_namekey_compute(k, "张曾", &a);
    assert_string_equal(a.pinyin, "qqq zeng");
    int learned = 0;
    assert_int_equal(fw_namekeyer_each_learned(k, count_learned, &learned, &err), FW_OK);
    assert_int_equal(learned, 1); /* 曾 from ICU; 张 was known */
    fw_namekey_compute(k, "张曾", &b);
    assert_string_equal(b.simp, a.simp);
    assert_string_equal(b.pinyin, a.pinyin);
    assert_string_equal(b.fuzzy, a.fuzzy);
    assert_null(fw_namekeyer_problem(k));
    fw_namekeyer_close(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traditional_folds_to_simplified),
        cmocka_unit_test(unihan_variants_fold),
        cmocka_unit_test(homophones_share_pinyin),
        cmocka_unit_test(surname_readings),
        cmocka_unit_test(fuzzy_folds_dialect_confusions),
        cmocka_unit_test(different_people_stay_apart),
        cmocka_unit_test(bad_input_never_crashes),
        cmocka_unit_test(known_readings_are_used_and_learned_ones_listed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
