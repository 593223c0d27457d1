"""xlsx_same.py A.xlsx B.xlsx: do two workbooks say the same thing? Used to hold the engines to the
same export (store_postgres.sh): every sheet, every cell, in order. What may differ between two
workspaces that hold the same data is skipped and named: times (when each was imported, run and
exported), the workspace's own name and its trail anchor (each trail has its own records). With
--trail-users the user of each history row of a case dossier (time, what, user) is skipped too: the
trail records fw_user() on SQLite and the role that logged in on PostgreSQL (docs/users.md). Prints
the first differences and exits 1; exits 0 when the workbooks agree and are not empty."""
import datetime
import re
import sys

import openpyxl

TIME = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
OWN = {"工作区", "审计日志锚点", "导出时间"}


def cells(path):
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            if row and row[0] in OWN:
                continue
            vals = ["(time)" if isinstance(v, (datetime.datetime, datetime.date)) or
                    (isinstance(v, str) and TIME.match(v)) else v for v in row]
            while vals and vals[-1] is None:
                vals.pop()
            if TRAIL_USERS and len(vals) == 3 and vals[0] == "(time)":
                vals[2] = "(user)"
            if vals:
                out.append((ws.title, tuple(vals)))
    return out


TRAIL_USERS = "--trail-users" in sys.argv[3:]
a, b = cells(sys.argv[1]), cells(sys.argv[2])
if len(a) < 5:
    sys.exit(f"{sys.argv[1]}: only {len(a)} rows: not a workbook to compare")
diffs = [(x, y) for x, y in zip(a, b) if x != y]
if len(a) != len(b):
    diffs.append((f"{len(a)} rows", f"{len(b)} rows"))
for x, y in diffs[:10]:
    print(f"< {x}\n> {y}")
sys.exit(1 if diffs else 0)
