# cli_mistakes.sh: mistakes must not look like success. A mistyped workspace is exit 4 naming the
# path, and no file appears (only init and import create one); a mistyped option names itself with
# the closest one before the usage; an unknown filter value is exit 5 listing the known values (hits,
# case list, export), never an empty list; `run` without the data its rules read is refused naming
# the datasets; what the screens show in Chinese is accepted as input (categories, statuses,
# severities, methods, measures with spaces), with the codes still accepted.
# engines: sqlite postgresql (a mistyped workspace is a file path: that part is SQLite's only)
. "$(dirname "$0")/case_seed.inc"

# --- a missing workspace ---------------------------------------------------------------------------
# (A PostgreSQL workspace is a schema the server has or not: the file's mistakes are SQLite's.)
if ws_is sqlite; then
    typo=$dir/typo.db
    for cmd in "hits" "case list" "case show 1" "overview" "export --count" "export $dir/x.xlsx" "run" "log verify" \
               "datasets" "rejects" "programs" "whitelist list" "rules list" "index" "case note 1 x"; do
        # shellcheck disable=SC2086
        expect_exit 4 "$FW" --db "$typo" $cmd
        expect_err "$typo: no such workspace"
        expect_err "fundwatch init"
        [ ! -e "$typo" ] || fail "'$cmd' created $typo"
    done
    [ ! -e "$dir/x.xlsx" ] || fail "export on a missing workspace wrote a file"
    # The TUI too (its key script stands in for a terminal).
    echo Q >"$dir/keys"
    FUNDWATCH_TUI_SCRIPT="$dir/keys" expect_exit 4 "$FW" --db "$typo" tui
    expect_err "no such workspace"
    [ ! -e "$typo" ] || fail "the TUI created $typo"
    # init creates it, says so, and a second init changes nothing.
    expect_exit 0 "$FW" --db "$typo" init
    expect_out "created workspace $typo"
    [ "$(stat -c %a "$typo")" = 600 ] || fail "init did not create the workspace 0600"
    expect_exit 0 "$FW" --db "$typo" init
    expect_out "already a fundwatch workspace"
    expect_exit 0 "$FW" --db "$typo" hits
fi
# import creates one as well.
printf '公民身份号码,姓名,死亡日期\n520102195503120016,张三,2023-03-10\n' >"$dir/deaths.csv"
ws_new "$dir" new
new=$ws
expect_exit 0 "$FW" --db "$new" import deaths "$dir/deaths.csv"
if ws_is sqlite; then [ -e "$new" ] || fail "import did not create its workspace"; fi

# --- a mistyped option or command ----------------------------------------------------------------
expect_exit 2 "$FW" hits --categroy deceased
[ "$(head -1 "$dir/err")" = "fundwatch hits: unknown option --categroy; did you mean --category?" ] ||
    fail "the mistyped option is not named first: $(head -1 "$dir/err")"
sed -n 2p "$dir/err" | grep -q "^usage: fundwatch hits" || fail "no usage after the message"
expect_exit 2 "$FW" export x.xlsx --townshp 城关镇
expect_err "unknown option --townshp; did you mean --township?"
expect_exit 2 "$FW" case list --stauts new
expect_err "unknown option --stauts; did you mean --status?"
expect_exit 2 "$FW" datasets --fromat csv
expect_err "unknown option --fromat; did you mean --format?"
expect_exit 2 "$FW" case lst
expect_err "unknown subcommand 'lst'; did you mean list?"
expect_exit 2 "$FW" hit
expect_err "unknown command 'hit'; did you mean hits?"

# --- unknown filter values -------------------------------------------------------------------------
seed_cases
expect_exit 5 "$FW" hits --category 死亡
expect_err "unknown category '死亡'; did you mean 死亡人员?"
expect_err "deceased 死亡人员, identity 身份异常"
expect_exit 5 "$FW" hits --rule XYZ-9
expect_err "unknown rule 'XYZ-9'"
expect_err "DEC-001"
expect_exit 5 "$FW" hits --status 待核
expect_err "did you mean 待核查"
expect_exit 5 "$FW" hits --state lost
expect_err "present 存在"
expect_exit 5 "$FW" case list --township 不存在镇
expect_err "unknown township '不存在镇'; known: 城关镇"
expect_exit 5 "$FW" case list --status maybe
expect_err "pending_review"
expect_exit 5 "$FW" export --count --township 不存在镇
expect_err "known: 城关镇"
expect_exit 5 "$FW" export --count --severity 很高
expect_exit 5 "$FW" export "$dir/leads.xlsx" --category 死亡
[ ! -e "$dir/leads.xlsx" ] || fail "an export with an unknown category wrote a file"
expect_exit 5 "$FW" run --category 死亡
expect_err "unknown category"

# --- Chinese as typed input, codes still accepted -------------------------------------------------
count_hits() { "$FW" --format csv hits "$@" | tail -n +2 | wc -l; }
[ "$(count_hits --category 死亡人员)" = 1 ] || fail "--category 死亡人员"
[ "$(count_hits --category 死亡人员)" = "$(count_hits --category deceased)" ] || fail "label and code differ"
[ "$(count_hits --status 待核查)" = "$(count_hits --status new)" ] || fail "--status 待核查"
[ "$(count_hits --rule dec-001)" = 1 ] || fail "--rule in lower case"
[ "$("$FW" export --count --category 车辆 --status 待核查 --severity 中)" = 1 ] || fail "export with Chinese labels"
[ "$("$FW" export --count --category vehicle --status new --severity medium)" = 1 ] || fail "export with codes"
[ "$("$FW" --format csv case list --status 待核查 | tail -n +2 | wc -l)" = 2 ] || fail "case list --status 待核查"
expect_exit 0 "$FW" case set 1 核查中 --method 入户核查 --verifier 王五
expect_exit 0 "$FW" case set 1 属实 --note 入户核实
expect_exit 0 "$FW" case set 1 整改中 --measures "停发, 追缴"
[ "$(sql "SELECT status || ' ' || verify_method || ' ' || measures FROM cases WHERE id = 1")" = \
  "rectifying visit stop_payment,recover_funds" ] || fail "Chinese words not stored as codes: $(sql "SELECT status, verify_method, measures FROM cases WHERE id = 1")"
expect_exit 0 "$FW" case set 2 verifying --method online --verifier w
expect_exit 0 "$FW" case set 2 dismissed --reason 数据错误
expect_exit 0 "$FW" case set 2 closed
[ "$(sql "SELECT dismiss_reason FROM cases WHERE id = 2")" = data_error ] || fail "reason 数据错误 not stored as data_error"
expect_exit 3 "$FW" case set 1 已办结 --measures "停发, 罚款"
expect_err "unknown measure '罚款'"

# --- run without the data its rules read ------------------------------------------------------------
ws_new "$dir" empty
expect_exit 0 "$FW" --db "$ws" init
expect_exit 5 "$FW" --db "$ws" run
expect_err "nothing to run on"
expect_err "payments"
expect_err "fundwatch import"
[ "$(ws_sql "$ws" "SELECT count(*) FROM runs")" = 0 ] || fail "a refused run was recorded"
# With some data the run goes ahead and says which rules will find nothing.
printf '公民身份号码,姓名,状态\n520102195503120016,张三,正常\n' >"$dir/persons.csv"
expect_exit 0 "$FW" --db "$new" import persons "$dir/persons.csv"
expect_exit 0 "$FW" --db "$new" run
expect_err "will find nothing because"
echo ok
