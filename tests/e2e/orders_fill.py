#!/usr/bin/python3
"""orders_fill.py: fills in a verification order's workbook the way a township clerk would, with
openpyxl (a program fundwatch did not write), keeping the workbook's data validation and sheet
protection, so that tests/e2e/orders_roundtrip.sh can receive what a unit sends back.

usage: orders_fill.py IN.xlsx OUT.xlsx SCENARIO

Scenarios: clean (every row answered), partial (row 1 answered, the rest left empty),
changed_fact (row 2's name edited), changed_rowno (row 2's 序号 edited), copied_row (row 1 pasted
again below the last), deleted_row (row 2 deleted), inserted_row (a made-up row
added), bad_conclusion, date_outside, date_text, amount_yuan, amount_formula, recovered_over,
renamed_sheet, manifest_changed (the hidden manifest's unit edited), dismissed_no_note."""
import datetime
import sys

import openpyxl

ROWS = "核查清单"
COLS = {}  # header -> column letter


def answer(ws, row, conclusion="属实", method="入户核查", verifier="王五", day=None, to_recover=None,
           recovered=None, measures=None, note=None):
    day = day or datetime.date.today()
    values = {"核查结论": conclusion, "核查方式": method, "核查人": verifier, "核查日期": day,
              "应追缴金额(元)": to_recover, "已追缴金额(元)": recovered, "整改措施": measures, "说明": note}
    for header, value in values.items():
        if value is not None:
            ws[f"{COLS[header]}{row}"] = value


def main():
    src, dst, scenario = sys.argv[1:4]
    wb = openpyxl.load_workbook(src)
    ws = wb[ROWS]
    for cell in ws[1]:
        COLS[cell.value] = cell.column_letter
    assert ws.protection.sheet, "the rows sheet should be protected"
    assert len(ws.data_validations.dataValidation) >= 7, "the answer cells should be validated"
    last = ws.max_row
    today = datetime.date.today()
    if scenario in ("clean", "changed_fact", "deleted_row", "inserted_row"):
        answer(ws, 2, "属实", to_recover=360, recovered=120, measures="追缴", note="死亡后仍领取，已追回部分")
        for r in range(3, last + 1):
            answer(ws, r, "不属实", method="线上核查", note="车辆为残疾人代步车，政策允许")
    if scenario == "partial":
        answer(ws, 2, "部分属实", note="部分月份已停发")
    if scenario == "changed_fact":
        ws[f"{COLS['姓名']}3"] = "李四四"
    if scenario == "deleted_row":
        ws.delete_rows(3)
    if scenario == "inserted_row":
        row = last + 1
        ws[f"{COLS['序号']}{row}"] = 99
        ws[f"{COLS['线索编号']}{row}"] = "FW-2026-999999"
        ws[f"{COLS['姓名']}{row}"] = "王麻子"
        answer(ws, row, "属实")
    if scenario == "changed_rowno":
        ws[f"{COLS['序号']}3"] = 7
    if scenario == "copied_row":
        for cell in ws[2]:
            ws.cell(row=last + 1, column=cell.column, value=cell.value)
    if scenario == "bad_conclusion":
        answer(ws, 2, "差不多属实")
    if scenario == "date_outside":
        answer(ws, 2, "属实", day=today - datetime.timedelta(days=30))
    if scenario == "date_text":
        answer(ws, 2, "属实", day=today.isoformat())
    if scenario == "amount_yuan":
        answer(ws, 2, "属实", to_recover="3240元")
    if scenario == "amount_formula":
        answer(ws, 2, "属实", to_recover="=100*2")
    if scenario == "recovered_over":
        answer(ws, 2, "属实", to_recover=100, recovered=200, measures="追缴")
    if scenario == "dismissed_no_note":
        answer(ws, 2, "不属实")
    if scenario == "manifest_changed":
        answer(ws, 2, "属实")
        manifest = wb["工单信息"]
        for row in manifest.iter_rows():
            if row[0].value == "unit":
                row[1].value = "另一单位"
    if scenario == "renamed_sheet":
        answer(ws, 2, "属实")
        ws.title = "Sheet1"
    wb.save(dst)


if __name__ == "__main__":
    main()
