#!/usr/bin/python3
# print_check.py: checks a fundwatch workbook as printed: the PDF LibreOffice made of it, read page by
# page with pdftotext (poppler-utils). Run with /usr/bin/python3.
#
#   print_check.py PDF --kind leads|case|cases --xlsx FILE.xlsx [--max-pages N] [--tz-offset +08:00]
#
# Checks, per the supervisor's reading: no English code or JSON anywhere (every code in Chinese
# words); the list sheets' header row, complete, on every one of their pages (so also no column
# pushed onto a page of its own); charts and the tables they draw never cut by a page break; long
# text (疑点描述) wrapped in its cell, whole; the case dossier printed at a readable size with its
# history one line per change in words; the page count bounded; local times, the provenance's with
# their offset. Exits 1 with the first failed expectation.
import argparse
import html
import re
import statistics
import subprocess
import sys

import openpyxl

# Stored codes that must never reach paper: statuses, measures, methods, reasons, categories,
# severities, run results, dataset names.
CODES = ('new verifying confirmed partly_confirmed dismissed rectifying closed stop_payment remove_from_roll '
         'recover_funds talk warning sanction transfer online visit data_error allowed_by_policy already_handled '
         'other deceased identity official relative vehicle property business household duplicate standard '
         'statistical eligibility account timing high medium low complete interrupted failed skipped running '
         'persons payments deaths officials relatives businesses vehicles properties prisoners students '
         'disabilities pensions standards all').split()
CODE_RE = re.compile(r'(?<![\w/.-])(%s)(?![\w/.-])' % '|'.join(CODES))
JSON_RE = re.compile(r'\{"|":|\[\{|\\"')
STORED_TIME_RE = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z')


def fail(msg):
    print('print_check: FAIL: ' + msg)
    sys.exit(1)


def expect(cond, msg):
    if not cond:
        fail(msg)


def pages_text(pdf, layout):
    out = subprocess.run(['pdftotext'] + (['-layout'] if layout else []) + [pdf, '-'], check=True,
                         capture_output=True, text=True).stdout
    return out.split('\f')[:-1] if out.endswith('\f') else out.split('\f')


def pages_words(pdf):
    """Per page: (height, [(xmin, ymin, xmax, ymax, word)])."""
    out = subprocess.run(['pdftotext', '-bbox', pdf, '-'], check=True, capture_output=True, text=True).stdout
    pages = []
    for m in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in
                 re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                            m.group(3))]
        pages.append((float(m.group(2)), words))
    return pages


def visible(page):
    """The words inside the page, footer left out."""
    height, words = page
    return [w for w in words if 0 <= w[1] and w[3] <= height - 40]


def strip_paths(text):
    # File names are evidence (which file was imported, which rule file ran): they stay as written.
    return re.sub(r'\S*[/\\]\S*|\S+\.(csv|ini|db|xlsx)\b', ' ', text)


def check_codes(pages):
    for n, text in enumerate(pages, 1):
        clean = strip_paths(text)
        m = CODE_RE.search(clean)
        expect(not m, 'page %d prints the code %r: ...%s...' % (n, m and m.group(1),
                                                                  m and clean[max(0, m.start() - 40):m.end() + 40]))
        m = JSON_RE.search(clean)
        expect(not m, 'page %d prints JSON: ...%s...' % (n, m and clean[max(0, m.start() - 40):m.end() + 40]))
        m = STORED_TIME_RE.search(clean)
        expect(not m, 'page %d prints a stored UTC time %r' % (n, m and m.group(0)))


def list_pages(pages, first, last):
    """Pages of a list sheet: those whose table has the sheet's first header. Each must show the whole
    header row (first and last column) at its top."""
    found = []
    for n, text in enumerate(pages, 1):
        lines = [l for l in text.splitlines() if l.strip()]
        if any(l.split()[0] == first for l in lines[:2] if l.split()):
            found.append(n)
            head = lines[0] if lines[0].split()[0] == first else lines[1]
            expect(last in ' '.join(lines[:4]), 'page %d: the header row lacks %s (a column cut onto another '
                                                'page?): %r' % (n, last, head))
    return found


def check_list(pages, sheet_rows, first, last, what):
    found = list_pages(pages, first, last)
    expect(found, 'no page of %s' % what)
    # Every page of the list carries the header: the list's pages are consecutive, none without it.
    expect(found == list(range(found[0], found[-1] + 1)), '%s: pages %r, not consecutive' % (what, found))
    following = found[-1] + 1
    if following <= len(pages):
        text = pages[following - 1]
        expect(first not in text.split()[:3], '%s continues on page %d without its header' % (what, following))
    # At least 8 rows a page on all but the last page: the rows are not shrunk onto extra pages.
    expect(len(found) <= max(1, (sheet_rows + 7) // 8), '%s: %d rows on %d pages' % (what, sheet_rows, len(found)))
    return found


def check_charts(words_pages, titles):
    """A chart is whole on a page when its title and the foot of its value axis (0) are both on it.
    (LibreOffice keeps a chart's text in the text layer of the page before a break, clipped: there
    the title is found but the axis foot falls off the page.) Cut by a page break, no page has both."""
    for title in titles:
        whole = []
        for n, (height, words) in enumerate(words_pages):
            top = [w for w in words if w[4] == title]
            if top and any(w[4] == '0' and w[1] > top[0][1] + 100 and w[3] <= height for w in words):
                whole.append(n + 1)
        expect(len(whole) == 1, 'chart %s is whole on pages %r (cut by a page break?)' % (title, whole))


def check_leads_workbook(args, pages, words_pages, wb):
    leads = wb['线索清单'].max_row - 1
    check_list(pages, leads, '线索号', '承办人', '线索清单')
    check_list(pages, wb['案件'].max_row - 1, '案件编号', '最后变更', '案件')
    check_charts(words_pages, ('各类别线索数', '各乡镇线索数'))
    # Each summary table is whole on one page (title, header and 合计).
    for title in ('按类别', '按规则', '按状态', '按乡镇'):
        where = [n for n, t in enumerate(pages) if re.search(r'^\s*%s\s*$' % title, t, re.M)]
        expect(len(where) == 1, 'table %s on pages %r' % (title, where))
        if title != '按规则':  # the rule table is longer than a page in a county
            after = pages[where[0]].split(title, 1)[1]
            expect('合计' in after, 'table %s is cut before its 合计 row' % title)
    # 疑点描述: every finding printed whole, wrapped inside its own column (between its header and the
    # next column's): read the column's words top to bottom, page by page.
    column = ''
    for height, words in words_pages:
        head = [w for w in words if w[4] == '疑点描述']
        nxt = [w for w in words if w[4] == '案件编号']
        if not head or not nxt or abs(head[0][1] - nxt[0][1]) > 2:
            continue
        x0, x1, y0 = head[0][0] - 1, nxt[0][0], head[0][3]
        inside = [w for w in words if w[0] >= x0 and w[2] <= x1 and w[1] > y0 and w[3] <= height]
        column += ''.join(w[4] for w in sorted(inside, key=lambda w: (round(w[1]), w[0])))
    details = [r[13].value for r in wb['线索清单'].iter_rows(min_row=2) if r[13].value]
    cut = [d for d in details if re.sub(r'\s+', '', d) not in column]
    expect(not cut, '%d findings are cut off or run out of their column, e.g. %r' % (len(cut), cut[:1]))
    expect(any(len(d) > 30 for d in details), 'no long finding to test the wrapping with')


def check_case_workbook(args, pages, words_pages, wb):
    case_no = args.case
    dossier = [n for n, t in enumerate(pages) if '%s 核查材料' % case_no in t or
               (n > 0 and '命中规则及依据' in t)]
    expect(dossier, 'no dossier page')
    text = '\n'.join(pages[n] for n in dossier)
    for t in ('案件信息', '命中规则及依据', '办理过程', '合计'):
        expect(t in text, 'the dossier lacks %s' % t)
    # The history, one line per change, in words.
    expect(re.search(r'状态\s*待核查\s*→\s*核查中', text), 'the history is not in words')
    # Readable: the dossier's words at a real print size, not a sheet shrunk to fit wide columns.
    heights = [w[3] - w[1] for n in dossier for w in visible(words_pages[n])]
    expect(statistics.median(heights) >= 9, 'the dossier prints at %.1f pt' % statistics.median(heights))
    evidence = [n for n, t in enumerate(pages) if '%s 比对证据' % case_no in t]
    expect(evidence, 'no evidence page')
    heights = [w[3] - w[1] for w in visible(words_pages[evidence[0]])]
    expect(statistics.median(heights) >= 6, 'the evidence prints at %.1f pt' % statistics.median(heights))


def check_times(args, pages):
    text = '\n'.join(pages)
    if args.tz_offset:
        expect(re.search(r'导出时间\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d %s' % re.escape(args.tz_offset), text),
               'the provenance export time lacks its offset %s' % args.tz_offset)
    if args.local_minute:
        expect(args.local_minute in text, 'no time in local time %s' % args.local_minute)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('pdf')
    p.add_argument('--kind', choices=['leads', 'case', 'cases'], required=True)
    p.add_argument('--xlsx', required=True)
    p.add_argument('--case', default='')
    p.add_argument('--max-pages', type=int, required=True)
    p.add_argument('--tz-offset', default='')
    p.add_argument('--local-minute', default='')
    args = p.parse_args()
    pages = pages_text(args.pdf, True)
    words_pages = pages_words(args.pdf)
    wb = openpyxl.load_workbook(args.xlsx)
    expect(len(pages) <= args.max_pages, '%d pages, want at most %d' % (len(pages), args.max_pages))
    check_codes(pages)
    check_times(args, pages)
    if args.kind in ('leads', 'case'):
        check_leads_workbook(args, pages, words_pages, wb)
    if args.kind == 'case':
        check_case_workbook(args, pages, words_pages, wb)
    else:
        check_list(pages, wb['案件'].max_row - 1, '案件编号', '最后变更', '案件')
    print('print_check: %s ok (%d pages)' % (args.pdf, len(pages)))


main()
