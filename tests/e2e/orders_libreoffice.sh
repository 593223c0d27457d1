# orders_libreoffice.sh: a returned order workbook that went through LibreOffice, as it does when a
# township clerk opens and saves it in LibreOffice Calc (or WPS, which writes the same way): the
# unfilled workbook re-saved comes back with every row intact and open; a workbook filled in with
# openpyxl and then re-saved by LibreOffice comes back with its answers taken and no row reported
# changed (LibreOffice rewrites the strings, styles, relationships and numbers in its own way).
. "$(dirname "$0")/case_seed.inc"
if ! command -v soffice >/dev/null; then
    echo "SKIP orders_libreoffice: soffice (LibreOffice) is not installed"
    exit 0
fi
seed_cases
export FUNDWATCH_USER=tester
due=$(date -d '+20 days' +%F)
expect_exit 0 "$FW" orders dispatch --to 城关镇人民政府 --due "$due" --out "$dir"
order=$(sql "SELECT order_no FROM orders")
resave() { # IN OUTDIR: LibreOffice opens IN and saves it as .xlsx into OUTDIR
    mkdir -p "$2"
    timeout 180 soffice -env:UserInstallation=file://"$dir/profile" --headless \
        --convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$2" "$1" >"$dir/lo.log" 2>&1 ||
        fail "soffice failed: $(cat "$dir/lo.log")"
    [ -f "$2/$(basename "$1")" ] || fail "soffice wrote nothing: $(cat "$dir/lo.log")"
}
resave "$dir/$order.xlsx" "$dir/lo1"
expect_exit 0 "$FW" orders receive "$dir/lo1/$order.xlsx"
expect_out "0 answered (proposed), 2 open, 0 invalid, 0 conflicts, 0 missing, 0 inserted"
/usr/bin/python3 "$(dirname "$0")/orders_fill.py" "$dir/$order.xlsx" "$dir/filled.xlsx" clean
resave "$dir/filled.xlsx" "$dir/lo2"
expect_exit 0 "$FW" orders receive "$dir/lo2/filled.xlsx"
expect_out "2 answered (proposed), 0 open, 0 invalid"
[ "$(sql "SELECT conclusion, verified_at, to_recover, recovered FROM order_rows WHERE row_no = 1")" = \
  "confirmed|$(date +%F)|36000|12000" ] || fail "answers read wrong: $(sql "SELECT * FROM order_rows WHERE row_no = 1")"
echo "orders_libreoffice: OK"
