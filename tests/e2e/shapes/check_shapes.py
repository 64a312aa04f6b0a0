#!/usr/bin/env python3
"""check_shapes.py - the shipped KPIs' figures worked out again from
gen_shapes.py's truth by docs/domain.md's definitions, compared with what
peil eval printed (--format json), figure by figure.

    check_shapes.py TRUTH_JSON PEIL_JSON [--show N]

Also, where the truth sets [privacy] min_count: every hidden and every shown
cell against the small-cell rules of docs/output.md, worked out here (the
primary rule, and the cells of a KPI and period against their total).
Prints a summary line; exits 1 on any difference.  Standard library only.
"""

import datetime as dt
import json
import os
import sys
from collections import defaultdict

sys.dont_write_bytecode = True  # nothing written beside the sources
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "oracle"))
from oracle import easter  # noqa: E402 (the oracle's: Meeus/Jones/Butcher)

D = dt.date


def day(s):
    return D.fromisoformat(s) if s else None


def holidays(t, years):
    """The holidays of docs/domain.md, with the truth's [calendar]."""
    if t["dates"] is not None:
        return {day(s) for s in t["dates"]}
    out = set()
    for y in years:
        e = easter(y)
        out |= {D(y, 1, 1), e + dt.timedelta(days=1), e + dt.timedelta(days=39),
                e + dt.timedelta(days=50), D(y, 12, 25), D(y, 12, 26)}
        if y >= 2014:
            k = D(y, 4, 27)
            out.add(k - dt.timedelta(days=1) if k.weekday() == 6 else k)
        else:
            k = D(y, 4, 30)
            out.add(k - dt.timedelta(days=1) if k.weekday() == 6 else k)
        if t["good_friday"]:
            out.add(e - dt.timedelta(days=2))
        if t["liberation_day"]:
            out.add(D(y, 5, 5))
    return out | {day(s) for s in t["extra"]}


def workdays(a, b, hol):
    """Working days d with a < d <= b, counted day by day."""
    n, d = 0, a
    while d < b:
        d += dt.timedelta(days=1)
        if d.weekday() < 5 and d not in hol:
            n += 1
    return n


def months_between(a, ref):
    m = (ref.year - a.year) * 12 + ref.month - a.month
    return m - 1 if ref.day < a.day else m


def add_months(d, n):
    y, m = divmod(d.month - 1 + n, 12)
    return D(d.year + y, m + 1, 1)


def last_day(d):
    return add_months(d, 1) - dt.timedelta(days=1)


def periods(grain, t):
    """(id, first, last) of the grain's periods inside the truth's range."""
    y0, m0 = map(int, t["range"][0].split("-"))
    y1, m1 = map(int, t["range"][1].split("-"))
    lo, hi = D(y0, m0, 1), last_day(D(y1, m1, 1))
    step = {"month": 1, "quarter": 3, "year": 12, "contract_year": 12}[grain]
    start_month = {"month": 1, "quarter": 1, "year": 1, "contract_year": t["start_month"]}[grain]
    d = D(y0 - 1, start_month, 1)
    out = []
    while d <= hi:
        end = add_months(d, step) - dt.timedelta(days=1)
        if d >= lo and end <= hi:
            if grain == "month":
                pid = "%d-%02d" % (d.year, d.month)
            elif grain == "quarter":
                pid = "%d-Q%d" % (d.year, (d.month - 1) // 3 + 1)
            elif grain == "contract_year" and start_month != 1:
                pid = "%d/%d" % (d.year, d.year + 1)
            else:
                pid = str(d.year)
            out.append((pid, d, end))
        d = add_months(d, step)
    return out


def reference(t, first, last):
    return {"last": last, "first": first, "next": last + dt.timedelta(days=1)}[t["reference"]]


# Each KPI: dataset, the fields its declarative parts read, selection,
# condition (where), rule and its measure, its breakdown and grain.
def kpis(t, hol):
    wd = lambda c: workdays(c["registered"], c["first_meeting"], hol)
    K = {}

    def cases(kid, sel, rule, fields, where=None, measure=None, by=("team",), cond=None):
        K[kid] = dict(ds="cases", sel=sel, rule=rule, where=where, measure=measure, cond=cond,
                      by=list(by), grain="month", fields=set(fields) | set(by))
    cases("casussen_gestart", "started", "count", ["registered"])
    cases("casussen_afgesloten", "closed", "count", ["closed"])
    cases("casussen_lopend", "running", "count", ["registered", "closed"])
    cases("caseload", "ref", "count", ["registered", "closed"])
    for kid, lo, hi in (("duur_onder_1_maand", 0, 1), ("duur_1_2_maanden", 1, 3),
                        ("duur_3_6_maanden", 3, 6), ("duur_6_12_maanden", 6, 12),
                        ("duur_1_2_jaar", 12, 24), ("duur_meer_dan_2_jaar", 24, 100000)):
        cases(kid, "ref", "count", ["registered", "closed"],
              cond=(lambda lo, hi: lambda c, p: lo <= months_between(c["registered"], p["ref"]) < hi)(lo, hi))
    cases("instroom_per_melder", "started", "count", ["registered"], by=["referrer"])
    cases("afsluitredenen", "closed", "count", ["closed"], by=["closure_reason"])
    cases("afgesloten_volgens_plan", "closed", "share", ["closed", "closure_reason"],
          cond=lambda c, p: c["closure_reason"] == "Beëindigd volgens plan")
    cases("zelfredzaam_bij_afsluiting", "closed", "share", ["closed", "self_reliant"],
          where=lambda c, p: c["self_reliant"] in ("ja", "nee"), cond=lambda c, p: c["self_reliant"] == "ja")
    cases("rapportcijfer_aantal", "closed", "count", ["closed", "mark"], cond=lambda c, p: c["mark"] is not None)
    cases("rapportcijfer_gemiddeld", "closed", "mean", ["closed", "mark"],
          where=lambda c, p: c["mark"] is not None, measure=lambda c, p: c["mark"])
    cases("rapportcijfer_voldoende", "closed", "share", ["closed", "mark"],
          where=lambda c, p: c["mark"] is not None, cond=lambda c, p: c["mark"] >= 6)
    cases("wachttijd_gemiddeld", "started", "mean", ["registered", "first_meeting"],
          where=lambda c, p: c["first_meeting"] is not None, measure=lambda c, p: wd(c))
    cases("wachttijd_binnen_norm", "started", "share", ["registered", "first_meeting"],
          where=lambda c, p: c["first_meeting"] is not None, cond=lambda c, p: wd(c) <= 5)
    cases("wachtend_op_peildatum", "ref", "count", ["registered", "closed", "first_meeting"],
          cond=lambda c, p: c["first_meeting"] is None or c["first_meeting"] > p["ref"])
    cases("kwaliteit_laat_ingevoerd", "started", "share", ["registered", "entered"],
          where=lambda c, p: c["entered"] is not None,
          cond=lambda c, p: (c["entered"] - c["registered"]).days > 14)
    for kid, f, sel in (("kwaliteit_zonder_afsluitreden", "closure_reason", "closed"),
                        ("kwaliteit_zonder_buurt", "neighbourhood", "started"),
                        ("kwaliteit_zonder_melder", "referrer", "started"),
                        ("kwaliteit_zonder_persoon", "person", "started"),
                        ("kwaliteit_zonder_zelfredzaamheid", "self_reliant", "closed")):
        cases(kid, sel, "share", [f, "registered" if sel == "started" else "closed"],
              cond=(lambda f: lambda c, p: c[f] is None)(f))
    K["personen_uniek"] = dict(ds="members", sel="running", rule="distinct", by=["case.team"], grain="month",
                               distinct="person", where=None, cond=None, measure=None,
                               fields={"person", "case_id"})
    K["casussen_zonder_persoon"] = dict(ds="members", sel="running", rule="distinct", by=["case.team"],
                                        grain="month", distinct="case_id", cond=None, measure=None,
                                        where=lambda r, p: r["person"] is None, fields={"person", "case_id"})
    K["ladder_in_traject"] = dict(ds="trajectories", sel="running", rule="distinct", by=["programme"],
                                  grain="contract_year", distinct="person", where=None, cond=None,
                                  measure=None, fields={"person", "programme", "start", "end"})
    K["ladder_gestegen"] = dict(ds="trajectories", sel="running", rule="distinct", by=["programme"],
                                grain="contract_year", distinct="person", cond=None, measure=None,
                                where=lambda r, p: r["rise"] is not None and p["first"] <= r["rise"] <= p["last"],
                                fields={"person", "programme", "start", "end"},
                                lookup_fields={"instrument", "date", "score", "person", "measurement_id"})
    K["verwijzingen_maatwerk"] = dict(ds="referrals", sel="started", rule="count", by=["provider"],
                                      grain="quarter", where=None, cond=None, measure=None,
                                      fields={"issued", "provider"})
    K["verwijzingen_zorg_gestart"] = dict(ds="referrals", sel="started", rule="share", by=["provider"],
                                          grain="quarter", where=None, measure=None,
                                          cond=lambda r, p: r["care_started"] is not None,
                                          fields={"issued", "provider", "care_started"})
    for kid, by in t["breakdowns"].items():
        K[kid]["by"] = by
        K[kid]["fields"] |= set(by)
    return K


DATES = {"cases": ("registered", "closed"), "members": ("case.registered", "case.closed"),
         "trajectories": ("start", "end"), "referrals": ("issued", None)}


def selected(k, r, p):
    a, b = DATES[k["ds"]]
    s, e = r[a], (r[b] if b else None)
    if k["sel"] == "started":
        return s is not None and p["first"] <= s <= p["last"]
    if k["sel"] == "closed":
        return r["closed"] is not None and p["first"] <= r["closed"] <= p["last"]
    if k["sel"] == "running":
        return s is not None and s <= p["last"] and (e is None or e >= p["first"])
    return s is not None and s <= p["ref"] and (e is None or e >= p["ref"])


def first_rise(tr, by_person):
    rows = [m for m in by_person.get(tr["person"], [])
            if m["date"] >= tr["start"] and (tr["end"] is None or m["date"] <= tr["end"])]
    rows.sort(key=lambda m: (m["date"], m["measurement_id"]))
    for m in rows[1:]:
        if m["score"] >= rows[0]["score"] + 2:
            return m["date"]
    return None


def load(t):
    conv = lambda rows: [{k: (day(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-"
                              else v) for k, v in r.items()} for r in rows]
    cases = conv(t["cases"])
    byid = {c["case_id"]: c for c in cases}
    members = []
    for m in conv(t["members"]):
        c = byid.get(m["case_id"])
        if c:  # a join: members of an unknown case join nothing
            members.append(dict(m, **{"case.team": c["team"], "case.registered": c["registered"],
                                      "case.closed": c["closed"]}))
    meas = defaultdict(list)
    for m in conv(t["measurements"]):
        if m["instrument"] == "Participatieladder":
            meas[m["person"]].append(m)
    traj = conv(t["trajectories"])
    for tr in traj:
        tr["rise"] = first_rise(tr, meas)
    return {"cases": cases, "members": members, "trajectories": traj,
            "referrals": conv(t["referrals"])}


def unfilled(k, filled):
    """The (dataset, field) pairs that KPI k reads and no source fills:
    filled lists the cases' filled fields (the other datasets' all filled,
    the measurements' but instrument), or, as a dict, each dataset's."""
    if filled is None:
        return []
    if isinstance(filled, list):
        return [("measurements", "instrument")] if k.get("lookup_fields") else \
            sorted(("cases", f) for f in k["fields"] if k["ds"] == "cases" and f not in filled)
    read = {(k["ds"], f) for f in k["fields"] if "." not in f}
    read |= {("cases", f.split(".")[1]) for f in k["fields"] | set(DATES[k["ds"]]) if f and "." in f}
    read |= {("measurements", f) for f in k.get("lookup_fields", ())}
    return sorted(({"members": "case_members"}.get(ds, ds), f) for ds, f in read if f not in filled[ds])


def expected(t):
    years = range(1990, 2100)
    hol = holidays(t, years)
    data = load(t)
    filled = t["filled"]
    K = kpis(t, hol)
    out, nev = {}, {}
    for kid, k in K.items():
        if kid in t.get("left_out", ()) or kid not in t.get("only", [kid]):
            continue
        rows = data[k["ds"]]
        grains = t["grains"].get(kid, [k["grain"]])
        missing = unfilled(k, filled)
        for grain in grains:
            for pid, first, last in periods(grain, t):
                p = {"first": first, "last": last, "ref": reference(t, first, last)}
                a = DATES[k["ds"]][0] if k["sel"] != "closed" else None
                if missing:
                    nev[(kid, pid)] = missing
                    continue
                if not rows or (a and not any(r[a] is not None and r[a] <= last for r in rows)):
                    nev[(kid, pid)] = ["no row"]
                    continue
                cells = defaultdict(list)
                for r in rows:
                    if selected(k, r, p) and (k["where"] is None or k["where"](r, p)):
                        cells[tuple(r[f] for f in k["by"])].append(r)
                        cells[()].append(r)
                if () not in cells:
                    cells[()] = []
                for key, rs in cells.items():
                    out[(kid, pid, key)] = figure(k, rs, p)
    return K, out, nev


def figure(k, rs, p):
    """(value, numerator, denominator, size) of the rows of one cell."""
    if k["rule"] == "count":
        n = sum(1 for r in rs if k["cond"] is None or k["cond"](r, p))
        return (n, n, None, n)
    if k["rule"] == "distinct":
        vals = {r[k["distinct"]] for r in rs if r[k["distinct"]] is not None}
        return (len(vals), None, None, len(vals))
    if k["rule"] == "share":
        hits = sum(1 for r in rs if k["cond"](r, p))
        return (100.0 * hits / len(rs) if rs else None, hits, len(rs), len(rs))
    vals = [k["measure"](r, p) for r in rs]
    return (sum(vals) / len(vals) if vals else None, sum(vals), len(vals), len(vals))


def suppress(K, exp, min_count, min_den):
    """The hidden cells by the rules of docs/output.md, in one grain: the
    primary rule, and the cells of every KPI and period against their
    total (a share's numerators and denominators add up as counts do, a
    mean's sums and counts; the hidden ones are safe together from the
    larger of min_count and min_den then)."""
    hidden = {}
    groups = defaultdict(dict)
    for (kid, pid, key), f in exp.items():
        groups[(kid, pid)][key] = f
        size = f[3]
        if 0 < size < min_count or (K[kid]["rule"] in ("share", "mean") and f[2] is not None
                                     and f[2] < min_den):
            hidden[(kid, pid, key)] = "small"
    for (kid, pid), cells in groups.items():
        enough = max(min_count, min_den) if K[kid]["rule"] in ("share", "mean") else min_count
        while True:
            total_hidden = (kid, pid, ()) in hidden
            parts = [key for key in cells if key != ()]
            hid = [key for key in parts if (kid, pid, key) in hidden]
            shown = sorted(((cells[key][3], [(v is None, v or "") for v in key]), key) for key in parts
                           if (kid, pid, key) not in hidden and cells[key][3] > 0)
            if total_hidden:
                for _, key in shown:
                    hidden[(kid, pid, key)] = "derivable"
                break
            if not hid or (len(hid) >= 2 and sum(cells[key][3] for key in hid) >= enough):
                break
            if not shown:
                hidden[(kid, pid, ())] = "derivable"
                continue
            hidden[(kid, pid, shown[0][1])] = "derivable"
    return hidden


def safe(K, t, exp, hidden, min_count, shown=None):
    """Across grains (docs/output.md, rule 3): of a shown figure of a
    longer period, the hidden figures of the shorter periods of one grain
    that cover it are none, or two or more whose sizes add up to at least
    min_count; else the hidden ones are told from the shown.  shown: the
    periods of the output (default all)."""
    bad = []
    for kid, grains in t["grains"].items():
        if K[kid]["rule"] != "count" or K[kid]["sel"] not in ("started", "closed"):
            continue
        keys = {key for (k, _, key) in exp if k == kid}
        for long_grain in grains:
            for short_grain in grains:
                if ["month", "quarter", "year"].index(short_grain) >= ["month", "quarter", "year"].index(long_grain):
                    continue
                for lid, lf, ll in periods(long_grain, t):
                    parts = [sid for sid, sf, sl in periods(short_grain, t) if lf <= sf and sl <= ll]
                    for key in keys:
                        if (kid, lid, key) in hidden or (shown is not None and lid not in shown):
                            continue
                        size = lambda pid: exp.get((kid, pid, key), (0, 0, None, 0))[3]
                        hid = [pid for pid in parts if (kid, pid, key) in hidden and size(pid) > 0]
                        if hid and (len(hid) < 2 or sum(size(pid) for pid in hid) < min_count):
                            bad.append("%s %s %s shown, its %ss %s hidden (sizes %s): derivable"
                                       % (kid, lid, list(key), short_grain, hid, [size(p) for p in hid]))
    return bad


def compare(t, results, periods=None):
    """Peil's results (of a JSON output) against the truth, of the given
    periods (default all): (figures equal, hidden as the rule says, the
    differences)."""
    K, exp, nev = expected(t)
    min_count = t["min_count"]
    hidden = suppress(K, exp, min_count, t.get("min_denominator", min_count)) if min_count else {}
    if periods is not None:
        exp = {k: f for k, f in exp.items() if k[1] in periods}
        nev = {k: f for k, f in nev.items() if k[1] in periods}
    bad = []
    compared = hidden_ok = 0
    seen, peil_hidden = set(), set()
    for r in results:
        kid = r["kpi"]
        if kid not in K:
            continue
        key = tuple(r["breakdown"].get(f) for f in K[kid]["by"]) if r["breakdown"] else ()
        where = "%s %s %s" % (kid, r["period"], list(key) if key else "Totaal")
        seen.add((kid, r["period"], key))
        if (kid, r["period"]) in nev:
            why = r.get("not_evaluated")
            want = nev[(kid, r["period"])]
            if why is None or (want != ["no row"] and not any(
                    "dataset %s has no source that fills field %s" % p in why for p in want)):
                bad.append("%s: not evaluated expected (%s), peil: value %r, reason %r"
                           % (where, ", ".join(map(str, want)), r["value"], why))
            else:
                compared += 1
            continue
        if r.get("not_evaluated"):
            bad.append("%s: peil says not evaluated (%s)" % (where, r["not_evaluated"]))
            continue
        f = exp.get((kid, r["period"], key))
        if f is None:
            f = (0, 0, None, 0) if K[kid]["rule"] in ("count", "distinct") else (None, None, None, 0)
        h = hidden.get((kid, r["period"], key))
        multi = len(t["grains"].get(kid, [])) > 1
        if r["suppressed"]:
            peil_hidden.add((kid, r["period"], key))
        if multi and r["suppressed"] == "derivable" and h is None:
            h = "derivable"  # across grains: judged by safe() below
        if r["suppressed"] or h:
            if r["suppressed"] != h:
                bad.append("%s: peil suppressed %r, the rule %r (size %d)" % (where, r["suppressed"], h, f[3]))
            elif r["value"] is not None:
                bad.append("%s: hidden but shows %r" % (where, r["value"]))
            else:
                hidden_ok += 1
            continue
        ok = (f[0] is None and r["value"] is None) or (
            f[0] is not None and r["value"] is not None and abs(f[0] - r["value"]) <= 1e-9 * max(1, abs(f[0])))
        if f[2] is not None and r.get("denominator") is not None and r["denominator"] != f[2]:
            ok = False
        if ok:
            compared += 1
        else:
            bad.append("%s: expected %r (num %r, den %r), peil %r (num %r, den %r)"
                       % (where, f[0], f[1], f[2], r["value"], r.get("numerator"), r.get("denominator")))
    for (kid, pid, key), f in exp.items():
        if (kid, pid, key) not in seen and f[0] not in (0, None):
            bad.append("%s %s %s: expected %r, missing from peil's output" % (kid, pid, list(key), f[0]))
    for (kid, pid) in nev:
        if not any(s[0] == kid and s[1] == pid for s in seen):
            bad.append("%s %s: expected not evaluated, missing from peil's output" % (kid, pid))
    if min_count:
        bad += safe(K, t, exp, peil_hidden, min_count, periods)
    return compared, hidden_ok, bad


def main():
    t = json.load(open(sys.argv[1], encoding="utf-8"))
    peil = json.load(open(sys.argv[2], encoding="utf-8"))
    show = int(sys.argv[sys.argv.index("--show") + 1]) if "--show" in sys.argv else 40
    compared, hidden_ok, bad = compare(t, peil["results"])
    print("%s: %d figures equal, %d hidden as the rule says, %d differ" % (t["shape"], compared, hidden_ok, len(bad)))
    for b in bad[:show]:
        print("  " + b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
