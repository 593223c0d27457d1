#!/usr/bin/python3
"""rule_catalogue.py: writes docs/rule-catalogue.md, the human table of the shipped rules.

Reads rules/*.ini (the same files the engine loads) so the table never drifts from the rules:

    /usr/bin/python3 scripts/rule_catalogue.py > docs/rule-catalogue.md
"""
import glob
import os
import re
import sys

ORDER = ["deceased", "identity", "official", "relative", "business", "vehicle", "property", "duplicate",
         "standard", "eligibility", "timing", "account", "household", "statistical",
         "cross_county", "citizen_report"]
TITLES = {"deceased": "死亡人员 deceased", "identity": "身份 identity", "official": "公职人员 official",
          "relative": "村干部及亲属 relative", "business": "市场主体 business", "vehicle": "车辆 vehicle",
          "property": "房产 property", "duplicate": "重复发放 duplicate", "standard": "标准 standard",
          "eligibility": "资格条件 eligibility", "timing": "时间 timing", "account": "账户 account",
          "household": "家庭 household", "statistical": "统计异常 statistical",
          "cross_county": "跨县交叉 cross_county", "citizen_report": "群众反映 citizen_report"}


def load(path):
    """Sections of an INI file as {id: {key: value}}, the way iniparser reads them (keys lower case,
    values stripped, an unquoted ; or # ends a value)."""
    rules, cur = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line[0] in ";#":
            continue
        m = re.match(r"\[(.+)\]$", line)
        if m:
            cur = rules.setdefault(m.group(1).upper(), {"_file": os.path.basename(path)})
            continue
        if cur is not None and "=" in line:
            key, value = line.split("=", 1)
            cur[key.strip().lower()] = value.strip()
    return rules


def cell(text):
    return (text or "").replace("|", "/").replace("\n", " ")


def main(root):
    rules = {}
    for path in sorted(glob.glob(os.path.join(root, "rules", "*.ini"))):
        rules.update(load(path))
    out = ["# The shipped rule catalogue",
           "",
           "Generated from `rules/*.ini` by `scripts/rule_catalogue.py`; do not edit by hand. The",
           "semantics each rule implements are agreed in `docs/catalogue.md` (the contract with the data",
           "generator); how to write, check and test rules is in `docs/rules.md`.",
           "",
           "%d rules. Severity: high = money very likely paid to someone not entitled; medium = needs"
           " verification; low = a weak signal for triage. Statistical rules are experimental and"
           " name a village, not a person. Parameters (`param.*`) can be changed per workspace with"
           " `fundwatch rules set ID param.NAME VALUE`, within the type and range shown." % len(rules),
           ""]
    counts = {c: sum(1 for r in rules.values() if r.get("category") == c) for c in ORDER}
    out.append("| category | rules |")
    out.append("|---|---|")
    for c in ORDER:
        out.append("| %s | %d |" % (TITLES[c], counts[c]))
    out.append("")
    for c in ORDER:
        ids = sorted(i for i, r in rules.items() if r.get("category") == c)
        if not ids:
            continue
        out.append("## %s" % TITLES[c])
        out.append("")
        out.append("| id | 名称 / name | severity | datasets | what it catches | basis | parameters | known false positives |")
        out.append("|---|---|---|---|---|---|---|---|")
        for i in ids:
            r = rules[i]
            params = ", ".join("%s=%s (%s)" % (k[6:], v, r.get(k + ".type", "?")) for k, v in r.items()
                               if k.startswith("param.") and not k.endswith(".type"))
            fps = "；".join(x.strip() for x in r.get("false_positives", "").split(" | ") if x.strip())
            status = "" if r.get("status", "stable") == "stable" else " (%s)" % r["status"]
            out.append("| %s | %s<br>%s | %s%s | %s | %s | %s | %s | %s |" % (
                i, cell(r.get("name")), cell(r.get("name_en")), r.get("severity", ""), status,
                cell(r.get("datasets")), cell(r.get("description")), cell(r.get("basis")),
                cell(params) or "—", cell(fps)))
        out.append("")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
