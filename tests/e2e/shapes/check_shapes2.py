#!/usr/bin/env python3
"""check_shapes2.py - the figures of the ZRM and follow-up visit KPIs
worked out again from gen_shapes2.py's truth, by the definitions of
docs/domain.md (indicators 12 and 13) and the KPIs' descriptions
(docs/kpis.md), compared with what peil eval printed (--format json),
figure by figure.

    check_shapes2.py TRUTH_JSON PEIL_JSON [--show N]
    check_shapes2.py --same PEIL_JSON PEIL_JSON
    check_shapes2.py --history TRUTH_JSON K SHOW_JSON DIFF_TEXT RUN_LOG MONTHS REPORT_JSON

The second form: the figures of two evaluations of the same facts (the
iWmo messages and their CSV exports) are the same, cell by cell.  The
third, after delivery K of the history shape: the published figures
(peil show) are those of the cases as they stand after it, worked out
again; and the figures that changed since delivery K-1 are exactly those
that peil diff lists (squeezed to single spaces) and that the run's log
names as final figures changed; each figure final when MONTHS ([run]
final_after_months) whole months have passed since its period ended, and
only then marked definitief by peil diff and named by the log; and the
report of 2018-02 (peil report --format json) lists as revised since the
previous delivery's report exactly the figures of 2018-02 that changed,
each with its old value and the cause input.

Nothing of Peil's code is used: each figure is found by walking over the
rows of the truth for each period, the slow and plain way.  Prints a
summary line; exits 1 on any difference.  Standard library only.
"""

import datetime as dt
import json
import os
import sys
from collections import defaultdict

sys.dont_write_bytecode = True  # nothing written beside the sources

D = dt.date


def day(s):
    return D.fromisoformat(s) if s else None


def add_months(d, n):
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    last = (D(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return D(y, m, min(d.day, last))


def periods(grain, rng):
    """(id, first, last) of every period of the grain inside the range."""
    y0, m0 = map(int, rng[0].split("-"))
    y1, m1 = map(int, rng[1].split("-"))
    lo, hi = D(y0, m0, 1), add_months(D(y1, m1, 1), 1) - dt.timedelta(days=1)
    step = {"month": 1, "quarter": 3, "year": 12}[grain]
    d, out = D(y0 - 1, 1, 1), []
    while d <= hi:
        end = add_months(d, step) - dt.timedelta(days=1)
        if d >= lo and end <= hi:
            pid = {"month": "%d-%02d" % (d.year, d.month),
                   "quarter": "%d-Q%d" % (d.year, (d.month - 1) // 3 + 1),
                   "year": str(d.year)}[grain]
            out.append((pid, d, end))
        d = add_months(d, step)
    return out


# ------------------------------------------------------------------ ZRM
# Indicator 12: per domain, the persons whose score went up, stayed or
# went down between their first and latest measurement.  A person counts
# in a period when measured in it (a ZRM row of the domain dated in the
# period) and an earlier measurement of the domain exists; first and
# latest are taken over his measurements of the domain up to the period's
# last day.  Two on one day: docs/kpi-scripts.md (score_change{}) takes
# the one with the lowest measurement number, for the first and for the
# latest alike.  The total: a person measured in the period, his changes
# added up over the domains that count (zrm.lua's comment).
def zrm_expected(t):
    rows = [dict(r, date=day(r["date"])) for r in t["measurements"] if r["instrument"] == "ZRM"]
    hist = defaultdict(list)
    for r in rows:
        hist[(r["person"], r["domain"])].append(r)

    def change(person, domain, first_day, last_day):
        h = [r for r in hist[(person, domain)] if r["date"] <= last_day]
        lo = min(r["date"] for r in h)
        hi = max(r["date"] for r in h)
        if hi <= lo or hi < first_day:
            return None
        pick = lambda d: min((r for r in h if r["date"] == d), key=lambda r: r["measurement_id"])
        return pick(hi)["score"] - pick(lo)["score"]

    out = {}
    for grain in ("quarter", "year"):
        for pid, first, last in periods(grain, t["range"]):
            measured = defaultdict(set)  # person -> domains measured in the period
            for r in rows:
                if first <= r["date"] <= last:
                    measured[r["person"]].add(r["domain"])
            cells = defaultdict(lambda: [0, 0, 0])
            for person, domains in measured.items():
                total = None
                for dom in domains:
                    c = change(person, dom, first, last)
                    if c is None:
                        continue
                    total = (total or 0) + c
                    cells[(dom,)][0 if c > 0 else 1 if c == 0 else 2] += 1
                if total is not None:
                    cells[()][0 if total > 0 else 1 if total == 0 else 2] += 1
            for key, v in cells.items():
                for i, kid in enumerate(("zrm_vooruit", "zrm_gelijk", "zrm_achteruit")):
                    out[(kid, pid, key)] = v[i]
            for kid in ("zrm_vooruit", "zrm_gelijk", "zrm_achteruit"):
                out.setdefault((kid, pid, ()), 0)
    return out, {"zrm_vooruit": ["domain"], "zrm_gelijk": ["domain"], "zrm_achteruit": ["domain"]}, set()


# --------------------------------------------------------------- visits
# Indicator 13: the programme visits the employer 3, 9, 15 and 22 months
# after a neighbourhood job's start (the same day of the month, or the
# month's last day when it has no such day).  Of the trajectories running
# in the period: due = the visits whose due date lies in the period, not
# after the trajectory's end; done = those of them with a visit of that
# month registered on or before the reference date (the period's last
# day), early or late; overdue = every visit due since the start, not
# after the end, before the reference date, without such a visit.
def visits_expected(t):
    traj = [dict(x, start=day(x["start"]), end=day(x["end"])) for x in t["trajectories"]]
    done = defaultdict(list)
    for v in t["visits"]:
        done[(v["trajectory_id"], v["month"])].append(day(v["date"]))
    out = {}
    for grain in ("month", "quarter", "year"):
        for pid, first, last in periods(grain, t["range"]):
            ref = last
            due_n = done_n = overdue_n = 0
            for x in traj:
                if x["programme"] != "Buurtbaan":
                    continue
                if x["start"] > last or (x["end"] is not None and x["end"] < first):
                    continue
                for m in (3, 9, 15, 22):
                    due = add_months(x["start"], m)
                    if x["end"] is not None and due > x["end"]:
                        continue
                    is_done = any(d <= ref for d in done[(x["trajectory_id"], m)])
                    if first <= due <= last:
                        due_n += 1
                        done_n += is_done
                    if due < ref and not is_done:
                        overdue_n += 1
            out[("vervolgbezoeken_gepland", pid, ())] = due_n
            out[("vervolgbezoeken_gedaan", pid, ())] = done_n
            out[("vervolgbezoeken_achterstallig", pid, ())] = overdue_n
    return out, {"vervolgbezoeken_gepland": [], "vervolgbezoeken_gedaan": [],
                 "vervolgbezoeken_achterstallig": []}, set()


# -------------------------------------------------------------- maatwerk
# Indicator 10 as scripts/maatwerk.lua's descriptions (docs/kpis.md) have
# it, over the rows the datasets hold after every message (a later 301 of
# an allocation, a later 305 or 307 of a start, replaces the earlier):
# allocations of the month but the withdrawn ones (RedenWijziging 13);
# the share whose first start (305 of the same municipality and number,
# not deleted) lies within 10 working days of the allocation date, or of
# the Ingangsdatum when later; those running on the reference date,
# 30 days or more since that date, without a start on or before it;
# stops of the month per reason but the deleted ones; the mean working
# days from the earliest request (315) of the same provider,
# municipality and reference to the allocation date.
def maatwerk_expected(t):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from check_shapes import holidays, workdays
    hol = holidays({"dates": None, "good_friday": True, "liberation_day": True, "extra": []}, range(2015, 2030))
    rows = {k: [{f: (day(v) if f in DATES and v else v) for f, v in x.items()} for x in t[k]]
            for k in ("allocations", "care_starts", "care_ends", "allocation_requests")}
    alloc = [a for a in rows["allocations"] if a["change_reason"] != "13"]
    out, nev = {}, set()

    def first_start(a):
        s = [x["started"] for x in rows["care_starts"]
             if x["municipality"] == a["municipality"] and x["allocation"] == a["allocation"] and x["status"] != "3"]
        return min(s) if s else None

    def cells(kid, items, by, value):
        groups = defaultdict(list)
        for x in items:
            groups[(x[by],)].append(x)
            groups[()].append(x)
        groups.setdefault((), [])
        for key, xs in groups.items():
            out[(kid, pid, key)] = value(xs)

    def uncovered(ds, field, first, last):
        ds_dates = [x[field] for x in rows[ds] if x[field]]
        return last < min(ds_dates) or first > max(ds_dates)

    for pid, first, last in periods("month", t["range"]):
        inm = [a for a in alloc if first <= a["allocated"] <= last]
        vanaf = lambda a: max(a["start"], a["allocated"])
        out[("maatwerk_toewijzingen", pid, ())] = len(inm)
        for a in inm:  # per provider and category
            out[("maatwerk_toewijzingen", pid, (a["provider"], a["category"]))] = sum(
                1 for b in inm if (b["provider"], b["category"]) == (a["provider"], a["category"]))
        cells("maatwerk_start_binnen_termijn", inm, "provider", lambda xs: None if not xs else 100.0 * sum(
            1 for a in xs if first_start(a) is not None and workdays(vanaf(a), first_start(a), hol) <= 10) / len(xs))
        ref = last
        on = [a for a in alloc if a["start"] <= ref and (a["end"] is None or a["end"] >= ref)]
        cells("maatwerk_zonder_start", on, "provider", lambda xs: sum(
            1 for a in xs if (ref - vanaf(a)).days >= 30 and (first_start(a) is None or first_start(a) > ref)))
        if uncovered("care_ends", "ended", first, last):
            nev.add(("maatwerk_beeindigd_per_reden", pid))
        cells("maatwerk_beeindigd_per_reden", [e for e in rows["care_ends"]
                                               if first <= e["ended"] <= last and e["status"] != "3"], "reason", len)

        def wait(a):
            asked = [q["message_date"] for q in rows["allocation_requests"]
                     if (q["provider_ref"], q["provider"], q["municipality"])
                     == (a["provider_ref"], a["provider"], a["municipality"])]
            return workdays(min(asked), a["allocated"], hol) if asked else None
        cells("maatwerk_doorlooptijd_verzoek", [a for a in inm if a["provider_ref"] and wait(a) is not None],
              "provider", lambda xs: sum(wait(a) for a in xs) / len(xs) if xs else None)
    by = {"maatwerk_toewijzingen": ["provider", "category"], "maatwerk_start_binnen_termijn": ["provider"],
          "maatwerk_zonder_start": ["provider"], "maatwerk_beeindigd_per_reden": ["reason"],
          "maatwerk_doorlooptijd_verzoek": ["provider"]}
    return out, by, nev


MEANS = {"maatwerk_start_binnen_termijn", "maatwerk_doorlooptijd_verzoek"}
DATES = {"allocated", "start", "end", "message_date", "started", "allocation_start", "ended"}


# ------------------------------------------------------------- history
# Indicators 1 and 2 by team, per month: started (registered in it),
# closed (closed in it), running (registered on or before its last day,
# not closed before its first), caseload (registered on or before the
# reference date, its last day, not closed before it).
def cases_figures(rows, rng):
    rows = [dict(c, registered=day(c["registered"]), closed=day(c["closed"])) for c in rows]
    tests = {"casussen_gestart": lambda c, f, l: f <= c["registered"] <= l,
             "casussen_afgesloten": lambda c, f, l: c["closed"] is not None and f <= c["closed"] <= l,
             "casussen_lopend": lambda c, f, l: c["registered"] <= l and (c["closed"] is None or c["closed"] >= f),
             "caseload": lambda c, f, l: c["registered"] <= l and (c["closed"] is None or c["closed"] >= l)}
    out = {}
    for pid, first, last in periods("month", rng):
        for kid, test in tests.items():
            for cell in sorted({c["team"] for c in rows}) + ["Totaal"]:
                out[(kid, pid, cell)] = sum(1 for c in rows if test(c, first, last) and cell in (c["team"], "Totaal"))
    return out


def history(t, k, show, diff, log, months, report):
    now = cases_figures(t["states"][k - 1], t["range"])
    final = lambda y, m: add_months(D(y, m, 1), 1 + int(months)) <= D.today()
    bad, n = [], 0
    for r in json.load(open(show, encoding="utf-8"))["results"]:
        key = (r["kpi"], r["period"], r["breakdown"].get("team", "Totaal"))
        want = now.pop(key, 0)
        n += 1
        if r["value"] != want or r.get("not_evaluated"):
            bad.append("show %s: expected %r, peil %r %s" % (key, want, r["value"], r.get("not_evaluated") or ""))
        y, m = map(int, r["period"].split("-"))
        if r["final"] != final(y, m):
            bad.append("show %s: final %r on %s" % (key, r["final"], D.today()))
    bad += ["show %s: expected %r, missing" % (key, v) for key, v in now.items() if v]
    changed = set()
    if k > 1:
        old = cases_figures(t["states"][k - 2], t["range"])
        new = cases_figures(t["states"][k - 1], t["range"])
        changed = {(key[0], key[1], key[2], old.get(key, 0), new.get(key, 0)) for key in set(old) | set(new)
                   if old.get(key, 0) != new.get(key, 0)}
    is_final = lambda x: final(*map(int, x[1].split("-")))
    listed = set()
    for line in open(diff, encoding="utf-8"):
        f = line.split()
        if len(f) >= 6 and f[0] in ("casussen_gestart", "casussen_afgesloten", "casussen_lopend", "caseload"):
            listed.add((f[0], f[1], f[2], int(f[3]), int(f[4])))
            if ("definitief" in f[6:]) != is_final(f):
                bad.append("peil diff: %s marked %s" % (line.strip(), "definitief" in f))
    named = set()
    for line in open(log, encoding="utf-8"):
        if "final figure changed: " in line:
            kid, pid, rest = line.split("final figure changed: ")[1].split(" ", 2)
            cell, change = rest.rsplit(": ", 1)
            a, b = change.split(" -> ")
            named.add((kid, pid, cell, int(a), int(b)))
    rep = json.load(open(report, encoding="utf-8"))
    revised = {(x["kpi"], x["period"], x["breakdown"].get("team", "Totaal"), x["previous"], x["value"])
               for x in rep["revised"] if x["was"] == x["now"] == "shown" and x["cause"] == "input"}
    bad += ["the report's revised: %s" % x for x in rep["revised"] if x["cause"] != "input" or x["was"] != "shown"]
    for what, got, want in (("peil diff", listed, changed),
                            ("the run's log", named, {x for x in changed if is_final(x)}),
                            ("the report of 2018-02", revised, {x for x in changed if x[1] == "2018-02"})):
        bad += ["%s lacks %s" % (what, x) for x in sorted(want - got)]
        bad += ["%s lists %s" % (what, x) for x in sorted(got - want)]
    print("delivery %d: %d published figures equal, %d changed as peil diff, the report (and the log, where final) say, %d differ"
          % (k, n - sum(1 for b in bad if b.startswith("show")), len(changed & listed), len(bad)))
    for b in bad[:40]:
        print("  " + b)
    sys.exit(1 if bad else 0)


def same(a, b):
    cell = lambda r: (r["kpi"], r["period"], json.dumps(r["breakdown"], sort_keys=True))
    fig = lambda r: (r["value"], r.get("numerator"), r.get("denominator"), r.get("not_evaluated"))
    x, y = ({cell(r): fig(r) for r in json.load(open(f, encoding="utf-8"))["results"]} for f in (a, b))
    bad = ["%s %s %s: %r against %r" % (k + (x.get(k), y.get(k))) for k in sorted(set(x) | set(y))
           if x.get(k) != y.get(k)]
    print("%d figures the same, %d differ" % (len(set(x) & set(y)) - len(bad), len(bad)))
    for b in bad[:40]:
        print("  " + b)
    sys.exit(1 if bad else 0)


def main():
    if sys.argv[1] == "--same":
        same(sys.argv[2], sys.argv[3])
    if sys.argv[1] == "--history":
        history(json.load(open(sys.argv[2], encoding="utf-8")), int(sys.argv[3]), *sys.argv[4:9])
    t = json.load(open(sys.argv[1], encoding="utf-8"))
    peil = json.load(open(sys.argv[2], encoding="utf-8"))
    show = int(sys.argv[sys.argv.index("--show") + 1]) if "--show" in sys.argv else 40
    exp, by, nev = {"zrm": zrm_expected, "visits": visits_expected, "iwmo": maatwerk_expected}[t["shape"]](t)
    bad, compared, seen = [], 0, set()
    for r in peil["results"]:
        kid = r["kpi"]
        if kid not in by:
            bad.append("%s: a KPI not asked for" % kid)
            continue
        key = tuple(r["breakdown"].get(f) for f in by[kid]) if r["breakdown"] else ()
        where = "%s %s %s" % (kid, r["period"], list(key) if key else "Totaal")
        seen.add((kid, r["period"], key))
        if (kid, r["period"]) in nev or r.get("not_evaluated"):
            if (kid, r["period"]) in nev and r.get("not_evaluated"):
                compared += 1
            else:
                bad.append("%s: not evaluated: expected %s, peil %r" % (where, (kid, r["period"]) in nev,
                                                                      r.get("not_evaluated")))
            continue
        want = exp.get((kid, r["period"], key), None if kid in MEANS else 0)
        if isinstance(want, float) and r["value"] is not None and abs(want - r["value"]) <= 1e-9 * max(1, want):
            compared += 1
        elif r["value"] == want:
            compared += 1
        else:
            bad.append("%s: expected %r, peil %r" % (where, want, r["value"]))
    for (kid, pid, key), v in sorted(exp.items()):
        if (kid, pid, key) not in seen and (kid, pid) not in nev and (v not in (0, None) or key == ()):
            bad.append("%s %s %s: expected %r, missing from peil's output" % (kid, pid, list(key), v))
    print("%s: %d figures equal, %d differ" % (t["shape"], compared, len(bad)))
    for b in bad[:show]:
        print("  " + b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
