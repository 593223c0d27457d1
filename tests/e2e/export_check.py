#!/usr/bin/python3
# export_check.py: opens a fundwatch export with openpyxl (or reads a CSV export) and checks it
# against the workspace it came from. Run with /usr/bin/python3 (Debian's, which has openpyxl).
#
#   export_check.py xlsx FILE.xlsx --db WS --count N [--cases NO,NO] [--mask] [--classification T]
#                   [--rows-per-sheet K] [--expect-x]
#   export_check.py csv FILE.csv --db WS --count N [--mask]
#
# Exits 1 with the first failed expectation.
import argparse
import csv
import datetime
import re
import sqlite3
import sys

import openpyxl

STATUS = {'new': '待核查', 'verifying': '核查中', 'confirmed': '属实', 'partly_confirmed': '部分属实',
          'dismissed': '不属实', 'rectifying': '整改中', 'closed': '已办结'}
LEAD_HEADER = ['线索号', '规则编号', '类别', '风险等级', '姓名', '公民身份号码', '户编号', '乡镇', '行政村',
               '项目名称', '涉及金额(元)', '起始日期', '截止日期', '疑点描述', '案件编号', '状态', '承办人']
ID_RE = re.compile(r'^\d{17}[\dX]$')
MASKED_RE = re.compile(r'^\d{6}\*{8}\d{3}[\dX]$')


def fail(msg):
    print('export_check: FAIL: ' + msg)
    sys.exit(1)


def expect(cond, msg):
    if not cond:
        fail(msg)


def db_hits(db):
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    rows = con.execute("SELECT h.id, h.amount, h.id_number, COALESCE(c.status, 'new') FROM hits h "
                       "LEFT JOIN cases c ON c.id = h.case_id").fetchall()
    imports = {r[0] for r in con.execute("SELECT sha256 FROM imports WHERE status = 'loaded'")}
    con.close()
    return {r[0]: r[1:] for r in rows}, imports


def money_of(db, hit_ids):
    """The money at issue of a set of hits, computed here independently of fundwatch: each payment
    once, with the largest share of a hit's figure any hit gives it (a hit's figure spread over the
    payments it cites, by amount); hits about a village or citing no payment apart ('other').
    Returns (paid fen, other fen)."""
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    share, other = {}, 0
    for hid in hit_ids:
        kind, amount = con.execute("SELECT subject_kind, amount FROM hits WHERE id = ?", (hid,)).fetchone()
        pays = con.execute("SELECT p.rowid, p.amount FROM hit_evidence e JOIN ds_payments p ON p.row_key = e.row_key "
                           "WHERE e.hit_id = ? AND e.dataset = 'payments'", (hid,)).fetchall()
        total = sum(a for _, a in pays)
        if kind == 'village' or total == 0:
            other += amount
            continue
        for pid, a in pays:
            share[pid] = max(share.get(pid, float('-inf')), a * amount / total)
    con.close()
    return int(round(sum(share.values()))), other


def check_print(ws, classification, header_repeated):
    ps = ws.page_setup
    expect(ps.orientation == 'landscape', '%s: orientation %r' % (ws.title, ps.orientation))
    expect(str(ps.paperSize) == '9', '%s: paper size %r, want 9 (A4)' % (ws.title, ps.paperSize))
    # Scaled to the page width by an explicit scale: "fit to page" would ignore the page breaks
    # that keep tables and charts on one page.
    fit = ws.sheet_properties.pageSetUpPr
    expect(not (fit and fit.fitToPage), '%s: fit to page overrides the page breaks' % ws.title)
    expect(ps.scale is None or 10 <= int(ps.scale) <= 100, '%s: print scale %r' % (ws.title, ps.scale))
    # In a footer '&' starts a code, so a literal one is written doubled.
    mark = (ws.oddFooter.left.text or '').replace('&&', '&')
    expect(mark == classification, '%s: footer mark %r, want %r' % (ws.title, mark, classification))
    expect('&P' in (ws.oddFooter.center.text or ''), '%s: no page number in footer' % ws.title)
    if header_repeated:
        expect(ws.print_title_rows in ('1:1', '$1:$1'), '%s: print titles %r' % (ws.title, ws.print_title_rows))


def check_leads_sheet(ws, hits, args, seen):
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    expect(header == LEAD_HEADER, '%s: header %r' % (ws.title, header))
    expect(ws.freeze_panes == 'A2', '%s: freeze_panes %r' % (ws.title, ws.freeze_panes))
    want_ref = 'A1:Q%d' % len(rows)
    expect(ws.auto_filter.ref == want_ref, '%s: autofilter %r, want %r' % (ws.title, ws.auto_filter.ref, want_ref))
    expect(ws.column_dimensions['E'].width >= 6, '%s: name column not fitted' % ws.title)
    check_print(ws, args.classification, True)
    for r in rows[1:]:
        hid, money, ident, start, status = r[0].value, r[10], r[5].value, r[11], r[15].value
        expect(hid in hits, '%s: lead %r not in the workspace' % (ws.title, hid))
        amount, id_number, st = hits[hid]
        expect(isinstance(money.value, (int, float)) and abs(money.value - amount / 100.0) < 1e-9,
               'lead %s: money %r, want %r' % (hid, money.value, amount / 100.0))
        expect(money.number_format == '#,##0.00', 'lead %s: money format %r' % (hid, money.number_format))
        expect(isinstance(ident, str), 'lead %s: ID number stored as %s, not text' % (hid, type(ident).__name__))
        if args.mask:
            expect(MASKED_RE.match(ident) and ident[:6] == id_number[:6] and ident[-4:] == id_number[-4:],
                   'lead %s: ID %r not masked as 6+8*+4' % (hid, ident))
        else:
            expect(ident == id_number and ID_RE.match(ident), 'lead %s: ID %r, want %r' % (hid, ident, id_number))
        if start.value is not None:
            expect(isinstance(start.value, datetime.datetime), 'lead %s: date %r not a date' % (hid, start.value))
            expect(start.number_format in ('yyyy-mm-dd', 'yyyy-mm'), 'lead %s: date format %r' % (hid, start.number_format))
        expect(status == STATUS[st], 'lead %s: status %r, want %r' % (hid, status, STATUS[st]))
        seen.append((hid, ident, r[2].value, r[7].value or '(未填)', amount))
    return len(rows) - 1


def summary_table(ws, title):
    """The rows of one 概览 table as {key: (leads, yuan)} (header left out, 合计 under '合计')."""
    rows = [r for r in ws.iter_rows(values_only=True)]
    i = next(k for k, r in enumerate(rows) if r[0] == title) + 2
    out = {}
    while rows[i][0] not in ('(无)', None):
        out[rows[i][0]] = (rows[i][1], rows[i][2])
        if rows[i][0] == '合计':
            break
        i += 1
    return out


def check_workbook(args):
    hits, imports = db_hits(args.db)
    wb = openpyxl.load_workbook(args.file)
    names = wb.sheetnames
    lead_sheets = [n for n in names if n == '线索清单' or n.startswith('线索清单(')]
    case_lists = [n for n in names if n == '案件' or n.startswith('案件(')]
    cases = args.cases.split(',') if args.cases else []
    want = ['概览'] + lead_sheets + case_lists + [n for no in cases for n in (no, no + '证据')] + ['数据来源']
    expect(names == want, 'sheets %r, want %r' % (names, want))
    expect(lead_sheets and lead_sheets[0] == '线索清单', 'no 线索清单 sheet')
    for k, n in enumerate(lead_sheets[1:], start=2):
        expect(n == '线索清单(%d)' % k, 'continuation sheet named %r' % n)
    seen = []
    total = sum(check_leads_sheet(wb[n], hits, args, seen) for n in lead_sheets)
    expect(total == args.count, 'workbook has %d leads, the CLI counts %d' % (total, args.count))
    expect(len({x[0] for x in seen}) == total, 'a lead appears twice')
    if args.rows_per_sheet:
        for n in lead_sheets[:-1]:
            expect(wb[n].max_row - 1 == args.rows_per_sheet, '%s holds %d rows' % (n, wb[n].max_row - 1))
    if args.expect_x:
        expect(any(x[1].endswith('X') for x in seen), 'no ID number ending in X was exported')
    summary = wb['概览']
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    for t in ('按类别', '按规则', '按状态', '按乡镇', '筛选条件'):
        expect(t in texts, '概览 lacks %s' % t)
    # The summary's tables agree with the lead list they summarize; money counts each payment once
    # (the money of the leads of each row), and 合计 is the money of all the leads, not the rows' sum.
    for title, k in (('按类别', 2), ('按乡镇', 3)):
        groups = {}
        for x in seen:
            groups.setdefault(x[k], []).append(x[0])
        groups['合计'] = [x[0] for x in seen]
        want = {key: (len(ids), money_of(args.db, ids)[0] / 100.0) for key, ids in groups.items()}
        got = summary_table(summary, title)
        expect(got == want, '概览 %s is %r, the leads say %r' % (title, got, want))
    expect(len(summary._charts) == 2, '概览 has %d charts, want 2' % len(summary._charts))
    check_print(summary, args.classification, False)
    check_print(wb['案件'], args.classification, True)
    expect(wb['案件'].freeze_panes == 'A2', '案件 not frozen')
    prov = wb['数据来源']
    cells = [c.value for row in prov.iter_rows() for c in row]
    hashes = {v for v in cells if isinstance(v, str) and re.fullmatch(r'[0-9a-f]{64}', v)}
    expect(imports <= hashes, 'provenance lacks import hashes %r' % (imports - hashes))
    expect('fundwatch ' in ' '.join(v for v in cells if isinstance(v, str)), 'provenance lacks the tool version')
    for no in cases:
        sheet = [c.value for row in wb[no].iter_rows() for c in row]
        for t in ('案件信息', '命中规则及依据', '办理过程', '合计', '涉及金额(元)'):
            expect(t in sheet, 'case sheet %s lacks %s' % (no, t))
        evidence = [c.value for row in wb[no + '证据'].iter_rows() for c in row]
        for t in ('人员信息', '家庭成员', '涉及发放记录', '合计'):
            expect(t in evidence, 'evidence sheet %s证据 lacks %s' % (no, t))
        ids = [v for v in sheet + evidence if isinstance(v, str) and (ID_RE.match(v) or MASKED_RE.match(v))]
        expect(ids, 'case sheet %s shows no ID number' % no)
        for name in (no, no + '证据'):
            check_print(wb[name], args.classification, False)
    print('export_check: %s ok (%d leads on %d sheet(s))' % (args.file, total, len(lead_sheets)))


def check_csv(args):
    hits, _ = db_hits(args.db)
    raw = open(args.file, 'rb').read()
    expect(raw.startswith(b'\xef\xbb\xbf'), 'CSV has no UTF-8 byte-order mark')
    expect(b'\r\n' in raw, 'CSV lines do not end in CRLF')
    rows = list(csv.reader(raw[3:].decode('utf-8').splitlines(True)))
    expect(rows[0] == LEAD_HEADER, 'CSV header %r' % rows[0])
    expect(len(rows) - 1 == args.count, 'CSV has %d rows, the CLI counts %d' % (len(rows) - 1, args.count))
    for r in rows[1:]:
        hid = int(r[0])
        amount, id_number, st = hits[hid]
        expect(r[10] == '%d.%02d' % (amount // 100, amount % 100), 'CSV lead %d: money %r' % (hid, r[10]))
        want = id_number[:6] + '*' * 8 + id_number[-4:] if args.mask else id_number
        expect(r[5] == want, 'CSV lead %d: ID %r, want %r' % (hid, r[5], want))
        expect(r[15] == STATUS[st], 'CSV lead %d: status %r' % (hid, r[15]))
    print('export_check: %s ok (%d rows)' % (args.file, len(rows) - 1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('kind', choices=['xlsx', 'csv'])
    p.add_argument('file')
    p.add_argument('--db', required=True)
    p.add_argument('--count', type=int, required=True)
    p.add_argument('--cases', default='')
    p.add_argument('--mask', action='store_true')
    p.add_argument('--classification', default='内部资料 注意保密')
    p.add_argument('--rows-per-sheet', type=int, default=0)
    p.add_argument('--expect-x', action='store_true')
    args = p.parse_args()
    if args.count <= 0:
        fail('the expected count must be positive: a check of an empty export proves nothing')
    (check_workbook if args.kind == 'xlsx' else check_csv)(args)


main()
