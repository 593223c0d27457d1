#!/usr/bin/python3
"""statistical_examples.py: writes the example rows of rules/statistical.ini.

The statistical rules only fire above realistic minimum counts (20 payments per village and
program, 500 amounts for Benford, ...), so their examples are hundreds of rows: too many to type.
This script generates them and replaces every example.* and expect.hit line of each [STA-*]
section in place. Run it after changing a statistical rule's defaults:

    /usr/bin/python3 scripts/statistical_examples.py rules/statistical.ini
"""
import re
import sys

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def id_number(n):
    """A valid 18-character ID number, distinct for each n (born 1950-1999, Guiyang Nanming)."""
    birth = "%04d%02d%02d" % (1950 + n % 50, 1 + n % 12, 1 + n % 28)
    first17 = "520102" + birth + "%03d" % (100 + n % 900)
    return first17 + CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def yuan(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def pay(key, n, program, fen, period, village, township="龙场镇", region="520102100200"):
    return ("payments: payment_id=%s, id_number=%s, name=村民%d, program=%s, amount=%s, "
            "pay_date=%s-10, period=%s, region_code=%s, township=%s, village=%s"
            % (key, id_number(n), n, program, yuan(fen), period, period, region, township, village))


def month(i):
    """The i-th month from 2021-01."""
    return "%04d-%02d" % (2021 + i // 12, 1 + i % 12)


def sta001():
    # 20 低保 payments of one village between ¥300 and ¥395; the hit adds ¥3,000, the clean ¥400.
    base = [pay("A%d" % i, 1, "低保", 30000 + 500 * i, month(i), "新寨村") for i in range(19)]
    hit = base + [pay("A19", 1, "低保", 300000, month(19), "新寨村")]
    clean = base + [pay("A19", 1, "低保", 40000, month(19), "新寨村")]
    return hit, ["龙场镇/新寨村"], clean


def sta002():
    # Village 新寨村 30 payments, village 大坪村 60 payments with no whole hundreds. Hit: 20 of
    # 新寨村's are whole hundreds (67% against 22% county). Clean: only 5 are (17% < 20% minimum).
    def village_rows(n_round):
        rows = []
        for i in range(30):
            fen = 30000 if i < n_round else 31050 + 100 * i
            rows.append(pay("B%d" % i, 2 + i, "低保", fen, "2023-05", "新寨村"))
        for i in range(60):
            rows.append(pay("C%d" % i, 40 + i, "低保", 28550 + 100 * i, "2023-05", "大坪村"))
        return rows
    return village_rows(20), ["龙场镇/新寨村"], village_rows(5)


def sta003():
    # 500 医疗救助 amounts in one village. Hit: all start with 3. Clean: first digits in Benford
    # proportions (151, 88, 62, 48, 40, 33, 29, 26, 23).
    hit = [pay("D%d" % i, 1 + i % 40, "医疗救助", 30000 + 7 * i, month(i % 36), "新寨村") for i in range(500)]
    counts = [151, 88, 62, 48, 40, 33, 29, 26, 23]
    clean, i = [], 0
    for digit, c in enumerate(counts, start=1):
        for j in range(c):
            clean.append(pay("D%d" % i, 1 + i % 40, "医疗救助", digit * 10000 + 13 * j, month(i % 36), "新寨村"))
            i += 1
    return hit, ["龙场镇/新寨村"], clean


def sta004():
    # The ledger starts 2023-01 (everyone present then looks new, and is ignored). One new
    # recipient a month from 2023-02 to 2023-07; the hit has 6 new in 2023-08, the clean 1.
    def rows(spike):
        out = [pay("E%d" % i, 200 + i, "低保", 36000, "2023-01", "新寨村") for i in range(8)]
        for m in range(2, 8):
            out.append(pay("F%d" % m, 220 + m, "低保", 36000, "2023-%02d" % m, "新寨村"))
        for i in range(spike):
            out.append(pay("G%d" % i, 240 + i, "低保", 36000, "2023-08", "新寨村"))
        return out
    return rows(6), ["龙场镇/新寨村"], rows(1)


def sta005():
    # Three villages of 20 registered persons. Hit: 新寨村 has 10 on 低保, the others 2 each
    # (median 10% against 50%). Clean: 新寨村 has 3 (15% < 2 x 10%).
    def rows(k_first):
        out, n = [], 300
        for village, k in (("新寨村", k_first), ("大坪村", 2), ("石头寨村", 2)):
            for i in range(20):
                out.append("persons: id_number=%s, name=村民%d, household_id=HH%d, relation=户主, "
                           "township=龙场镇, village=%s" % (id_number(n), n, n, village))
                if i < k:
                    out.append(pay("P%d" % n, n, "低保", 36000, "2023-05", village))
                n += 1
        return out
    return rows(10), ["龙场镇/新寨村"], rows(3)


EXAMPLES = {"STA-001": sta001, "STA-002": sta002, "STA-003": sta003, "STA-004": sta004, "STA-005": sta005}


def example_lines(rule):
    hit, expect, clean = EXAMPLES[rule]()
    out = ["example.hit.%d = %s" % (i + 1, r) for i, r in enumerate(hit)]
    out.append("expect.hit = " + ", ".join(expect))
    out += ["example.clean.%d = %s" % (i + 1, r) for i, r in enumerate(clean)]
    return out


def rewrite(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    out, section = [], None

    def flush():
        if section in EXAMPLES:
            while out and out[-1] == "":
                out.pop()
            out.extend(example_lines(section))
            out.append("")

    for line in lines:
        m = re.match(r"\[(.+)\]\s*$", line)
        if m:
            flush()
            section = m.group(1).upper()
        elif re.match(r"(example\.|expect\.hit)", line):
            continue
        out.append(line)
    flush()
    while out and out[-1] == "":
        out.pop()
    open(path, "w", encoding="utf-8").write("\n".join(out) + "\n")


if __name__ == "__main__":
    rewrite(sys.argv[1] if len(sys.argv) > 1 else "rules/statistical.ini")
