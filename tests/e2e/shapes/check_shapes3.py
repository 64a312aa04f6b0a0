#!/usr/bin/env python3
"""check_shapes3.py - gen_shapes3.py's shapes judged from outside: the
figures that peil published, worked out again from the truth by
check_shapes.py's second computation of docs/domain.md, figure by figure,
small cells with them.

    check_shapes3.py TRUTH_JSON PEIL_JSON
        the results of peil eval or peil show (--format json): every KPI
        and period of the truth's range; a KPI that reads a field no
        source fills not evaluated, its reason naming that dataset and
        field, never a figure
    check_shapes3.py --report TRUTH_JSON REPORT_JSON [--public]
        the results of peil report --format json: the figures of the
        report's periods, each against the truth and against the
        small-cell rules of the report's own "disclosure" (which must be
        the truth's [privacy]); with --public, of peil report --public:
        the public KPIs alone, under the truth's [privacy public]

Prints a summary line; exits 1 on any difference.  Standard library only.
"""

import json
import sys

sys.dont_write_bytecode = True  # nothing written beside the sources
from check_shapes import compare  # noqa: E402


def report(t, path, public=False):
    rep = json.load(open(path, encoding="utf-8"))
    bad = []
    if public:
        t = dict(t, **t["public"])
        bad += ["%s %s: not a public KPI" % (r["kpi"], r["period"]) for r in rep["results"]
                if r["kpi"] not in t["only"]]
    want = {"min_count": t["min_count"], "min_denominator": t.get("min_denominator", t["min_count"])}
    if rep.get("disclosure") != want:
        bad.append("the report's disclosure %r, the truth's [privacy] %r" % (rep.get("disclosure"), want))
    periods = {r["period"] for r in rep["results"]}
    if not periods:
        bad.append("the report holds no figures")
    compared, hidden_ok, more = compare(t, rep["results"], periods)
    return "%s%s report of %s: %d figures equal, %d hidden as the rule says" % (
        t["shape"], " public" if public else "", ", ".join(sorted(periods)), compared, hidden_ok), bad + more


def main():
    args = sys.argv[1:]
    if args[0] == "--report":
        line, bad = report(json.load(open(args[1], encoding="utf-8")), args[2], "--public" in args)
    else:
        t = json.load(open(args[0], encoding="utf-8"))
        compared, hidden_ok, bad = compare(t, json.load(open(args[1], encoding="utf-8"))["results"])
        line = "%s: %d figures equal, %d hidden as the rule says" % (t["shape"], compared, hidden_ok)
    print("%s, %d differ" % (line, len(bad)))
    for b in bad[:40]:
        print("  " + b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
