/* dataset.c: the table of datasets and columns declared in dataset.h (the data contract of the
 * foundation issue), and the DDL generated from it. */
#include "audit/dataset.h"

#include <stdio.h>
#include <string.h>

#include "audit/util.h"

#define COLS(x) x, (int)(sizeof x / sizeof x[0])

static const fw_column persons_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, true, false, "姓名"},
    {"household_id", FW_COL_TEXT, false, false, "户编号"},
    {"relation", FW_COL_TEXT, false, false, "与户主关系"},
    {"region_code", FW_COL_REGION, false, false, "行政区划代码"},
    {"township", FW_COL_TEXT, false, false, "乡镇"},
    {"village", FW_COL_TEXT, false, false, "行政村"},
    {"category", FW_COL_TEXT, false, false, "人员类别"},
    {"status", FW_COL_TEXT, false, false, "状态"},
    {"status_date", FW_COL_DATE, false, false, "状态日期"},
};

static const fw_column payments_cols[] = {
    {"payment_id", FW_COL_TEXT, false, false, "发放流水号"},
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, true, false, "姓名"},
    {"program", FW_COL_PROGRAM, true, false, "项目名称"},
    {"amount", FW_COL_MONEY, true, true, "发放金额"},
    {"pay_date", FW_COL_DATE, true, false, "发放日期"},
    {"period", FW_COL_PERIOD, false, false, "所属期"},
    {"bank_account", FW_COL_TEXT, false, false, "银行账号"},
    {"account_name", FW_COL_TEXT, false, false, "账户户名"},
    {"region_code", FW_COL_REGION, false, false, "行政区划代码"},
    {"township", FW_COL_TEXT, false, false, "乡镇"},
    {"village", FW_COL_TEXT, false, false, "行政村"},
    {"approved_by", FW_COL_ID, false, false, "审批人身份证号"},
    {"approval_date", FW_COL_DATE, false, false, "审批日期"},
};

static const fw_column deaths_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, false, false, "姓名"},
    {"death_date", FW_COL_DATE, true, false, "死亡日期"},
    {"source", FW_COL_TEXT, false, false, "来源"},
};

static const fw_column officials_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, true, false, "姓名"},
    {"employer", FW_COL_TEXT, true, false, "工作单位"},
    {"position", FW_COL_TEXT, false, false, "职务"},
    {"kind", FW_COL_TEXT, false, false, "人员类型"},
    {"region_code", FW_COL_REGION, false, false, "行政区划代码"},
    {"start_date", FW_COL_DATE, false, false, "任职日期"},
    {"end_date", FW_COL_DATE, false, false, "离职日期"},
};

static const fw_column relatives_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"relative_id_number", FW_COL_ID, false, false, "亲属身份证号码"}, /* or relative_name */
    {"relation", FW_COL_TEXT, true, false, "与户主关系"},
    /* A register without the relative's ID (issue 16): name, village and birth year or month as
     * written (1975, 1975-03, 1975年3月), linked to persons by the near rules REL-101/REL-105. */
    {"relative_name", FW_COL_TEXT, false, false, "亲属姓名", 11},
    {"relative_village", FW_COL_TEXT, false, false, "亲属所在村", 11},
    {"relative_birth", FW_COL_TEXT, false, false, "亲属出生年月", 11},
};

static const fw_column businesses_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, false, false, "姓名"},
    {"enterprise_name", FW_COL_TEXT, true, false, "企业名称"},
    {"credit_code", FW_COL_CREDIT, false, false, "统一社会信用代码"},
    {"role", FW_COL_TEXT, false, false, "任职类型"},
    {"capital", FW_COL_MONEY, false, false, "注册资本"},
    {"status", FW_COL_TEXT, false, false, "登记状态"},
    {"reg_date", FW_COL_DATE, false, false, "成立日期"},
};

static const fw_column vehicles_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, false, false, "姓名"},
    {"plate", FW_COL_TEXT, true, false, "号牌号码"},
    {"vehicle_type", FW_COL_TEXT, false, false, "车辆类型"},
    {"reg_date", FW_COL_DATE, false, false, "登记日期"},
    {"status", FW_COL_TEXT, false, false, "状态"},
};

static const fw_column properties_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, false, false, "姓名"},
    {"address", FW_COL_TEXT, true, false, "坐落"},
    {"area", FW_COL_NUMBER, false, false, "建筑面积"},
    {"usage", FW_COL_TEXT, false, false, "用途"},
    {"kind", FW_COL_TEXT, false, false, "房屋性质"},
    {"reg_date", FW_COL_DATE, false, false, "登记日期"},
};

static const fw_column prisoners_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, false, false, "姓名"},
    {"start_date", FW_COL_DATE, true, false, "开始日期"},
    {"end_date", FW_COL_DATE, false, false, "结束日期"},
};

static const fw_column students_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, false, false, "姓名"},
    {"school", FW_COL_TEXT, true, false, "学校名称"},
    {"stage", FW_COL_TEXT, false, false, "学段"},
    {"status", FW_COL_TEXT, false, false, "状态"},
    {"start_date", FW_COL_DATE, false, false, "开始日期"},
    {"end_date", FW_COL_DATE, false, false, "结束日期"},
};

static const fw_column disabilities_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, false, false, "姓名"},
    {"grade", FW_COL_TEXT, false, false, "残疾等级"},
    {"kind", FW_COL_TEXT, false, false, "类别"},
    {"issue_date", FW_COL_DATE, false, false, "发证日期"},
    {"status", FW_COL_TEXT, false, false, "状态"},
};

static const fw_column pensions_cols[] = {
    {"id_number", FW_COL_ID, true, false, "公民身份号码"},
    {"name", FW_COL_TEXT, false, false, "姓名"},
    {"kind", FW_COL_TEXT, false, false, "人员类型"},
    {"monthly_amount", FW_COL_MONEY, false, false, "月领取金额"},
    {"start_date", FW_COL_DATE, false, false, "开始日期"},
};

static const fw_column standards_cols[] = {
    {"program", FW_COL_PROGRAM, true, false, "项目名称"},
    {"region_code", FW_COL_REGION, false, false, "行政区划代码"},
    {"max_monthly_amount", FW_COL_MONEY, true, false, "月标准"},
    {"valid_from", FW_COL_DATE, false, false, "起始日期"},
    {"valid_to", FW_COL_DATE, false, false, "截止日期"},
};

const fw_dataset fw_datasets[] = {
    {"persons", "人员信息", "persons registry", COLS(persons_cols)},
    {"payments", "资金发放台账", "payments ledger", COLS(payments_cols)},
    {"deaths", "死亡/注销户籍", "deaths", COLS(deaths_cols)},
    {"officials", "公职人员/财政供养/村干部", "officials", COLS(officials_cols)},
    {"relatives", "亲属关系", "relatives of officials", COLS(relatives_cols)},
    {"businesses", "市场主体登记", "business registry", COLS(businesses_cols)},
    {"vehicles", "机动车登记", "vehicle registry", COLS(vehicles_cols)},
    {"properties", "不动产登记", "property registry", COLS(properties_cols)},
    {"prisoners", "服刑/羁押", "prisoners", COLS(prisoners_cols)},
    {"students", "学籍", "student enrolment", COLS(students_cols)},
    {"disabilities", "残疾人证", "disability certificates", COLS(disabilities_cols)},
    {"pensions", "职工/机关事业养老金领取", "staff pensions", COLS(pensions_cols)},
    {"standards", "补助标准", "benefit standards", COLS(standards_cols)},
};
const int fw_ndatasets = (int)(sizeof fw_datasets / sizeof fw_datasets[0]);

const fw_dataset *fw_dataset_find(const char *name)
{
    for (int i = 0; i < fw_ndatasets; i++)
        if (strcmp(fw_datasets[i].name, name) == 0)
            return &fw_datasets[i];
    return NULL;
}

const fw_column *fw_dataset_column(const fw_dataset *ds, const char *name)
{
    for (int i = 0; i < ds->ncolumns; i++)
        if (strcmp(ds->columns[i].name, name) == 0)
            return &ds->columns[i];
    return NULL;
}

const char *const fw_name_key_columns[3] = {"name_simp", "name_pinyin", "name_fuzzy"};

const char *const fw_relative_name_key_columns[3] = {"relative_name_simp", "relative_name_pinyin",
                                                    "relative_name_fuzzy"};

static bool is_payments(const fw_dataset *ds);

const char *fw_dataset_keyed_name(const fw_dataset *ds, const char *const **keys)
{
    if (fw_dataset_has_name_keys(ds)) {
        *keys = fw_name_key_columns;
        return "name";
    }
    if (fw_dataset_column(ds, "relative_name")) {
        *keys = fw_relative_name_key_columns;
        return "relative_name";
    }
    *keys = NULL;
    return NULL;
}

const char *fw_dataset_alternative(const fw_dataset *ds, const char *column)
{
    if (strcmp(ds->name, "relatives") != 0)
        return NULL;
    if (strcmp(column, "relative_id_number") == 0)
        return "relative_name";
    if (strcmp(column, "relative_name") == 0)
        return "relative_id_number";
    return NULL;
}

bool fw_dataset_has_name_keys(const fw_dataset *ds)
{
    return fw_dataset_column(ds, "name") && !is_payments(ds);
}

bool fw_dataset_keeps_bad_ids(const fw_dataset *ds)
{
    return fw_dataset_column(ds, "id_number") && !is_payments(ds) && strcmp(ds->name, "persons") != 0;
}

static const char *sql_type(enum fw_coltype t)
{
    switch (t) {
    case FW_COL_MONEY:
        return "INTEGER";
    case FW_COL_NUMBER:
        return "REAL";
    default:
        return "TEXT";
    }
}

void fw_dataset_ddl(const fw_dataset *ds, fw_buf *buf)
{
    fw_buf_printf(buf,
                  "CREATE TABLE ds_%s (\n"
                  "  import_id INTEGER NOT NULL REFERENCES imports(id),\n"
                  "  line INTEGER NOT NULL,\n"
                  "  row_key TEXT NOT NULL",
                  ds->name);
    for (int i = 0; i < ds->ncolumns; i++) {
        const fw_column *c = &ds->columns[i];
        fw_buf_printf(buf, ",\n  %s %s%s", c->name, sql_type(c->type), c->required ? " NOT NULL" : "");
        if (c->type == FW_COL_PROGRAM)
            fw_buf_puts(buf, ",\n  program_raw TEXT");
    }
    for (int k = 0; fw_dataset_has_name_keys(ds) && k < 3; k++)
        fw_buf_printf(buf, ",\n  %s TEXT", fw_name_key_columns[k]);
    if (fw_dataset_keeps_bad_ids(ds))
        fw_buf_puts(buf, ",\n  id_number_raw TEXT");
    const char *const *keys;
    for (int k = 0; !fw_dataset_has_name_keys(ds) && fw_dataset_keyed_name(ds, &keys) && k < 3; k++)
        fw_buf_printf(buf, ",\n  %s TEXT", keys[k]);
    fw_buf_puts(buf, "\n);\n");
}

static int add_index(fw_dataset_index *out, int n, const fw_dataset *ds, const char *what, const char *columns)
{
    snprintf(out[n].name, sizeof out[n].name, "ds_%s_%s", ds->name, what);
    snprintf(out[n].columns, sizeof out[n].columns, "%s", columns);
    return n + 1;
}

/* The payments index by person also holds every column that the ledger-wide GROUP BYs of DUP-001,
 * DUP-004, STD-002, TIM-004, IDN-002 and ACC-001 read, in the order they group by (person, program,
 * pay date), so SQLite streams it in order with no sort and no table read: sorting the 5 million
 * payments of a county took 5-9 s per rule. It serves every lookup by id_number (and by id_number
 * and program) as the plain id_number index did, so it replaces that index. */
static const char payments_person_columns[] =
    "id_number, program, pay_date, period, amount, name, region_code, bank_account";

static bool is_payments(const fw_dataset *ds)
{
    return strcmp(ds->name, "payments") == 0;
}

int fw_dataset_indexes(const fw_dataset *ds, fw_dataset_index out[FW_DATASET_MAX_INDEXES])
{
    int n = 0;
    for (int i = 0; i < ds->ncolumns && n < FW_DATASET_MAX_INDEXES - 4; i++) {
        const fw_column *c = &ds->columns[i];
        /* No rule looks payments up by approver (OFF-005 compares approved_by with the same row's
         * id_number; REL-002 reaches payments through the relative's id_number), so
         * payments.approved_by gets no index: building it cost time and 130 MB at county scale. */
        if (c->type == FW_COL_ID && is_payments(ds) && strcmp(c->name, "id_number") == 0)
            n = add_index(out, n, ds, "person", payments_person_columns);
        else if (c->type == FW_COL_ID && !is_payments(ds))
            n = add_index(out, n, ds, c->name, c->name);
        /* Most rules look at one or two programs: let them read those rows, not every payment. */
        if (c->type == FW_COL_PROGRAM) {
            char cols[128];
            snprintf(cols, sizeof cols, "%s%s", c->name, fw_dataset_column(ds, "id_number") ? ", id_number" : "");
            n = add_index(out, n, ds, c->name, cols);
        }
    }
    /* Near-match rules look a person up by the folded name and by the fuzzy pinyin (the plain
     * pinyin is read from the rows those find). */
    if (fw_dataset_has_name_keys(ds)) {
        n = add_index(out, n, ds, "name_simp", "name_simp");
        n = add_index(out, n, ds, "name_fuzzy", "name_fuzzy");
    }
    n = add_index(out, n, ds, "import", "import_id");
    /* Evidence keys (dataset:row_key) are looked up row by row when hits are recorded. */
    return add_index(out, n, ds, "row_key", "row_key");
}

void fw_dataset_index_sql(const fw_dataset *ds, const fw_dataset_index *ix, fw_buf *buf)
{
    fw_buf_printf(buf, "CREATE INDEX IF NOT EXISTS %s ON ds_%s(%s);\n", ix->name, ds->name, ix->columns);
}
