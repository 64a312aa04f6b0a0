#!/usr/bin/env python3
"""oracle.py - a second, independent computation of every figure of Peil's
shipped KPIs, from the input CSV files and the definitions of docs/domain.md,
compared with the figures Peil wrote.

    oracle.py --config peil.ini --from P --to P --peil figures.json
              [--today jjjj-mm-dd] [--show N]

The configuration is read for what it says about the data and the contract:
the datasets' fields, the sources (files, encoding, separator, date formats,
column mapping, recodes), [calendar], [contract] start_month and reference,
[run] kpis, and per KPI [kpi ID] param.NAME, grains, decimals and enabled.
The figures are computed here from the exports themselves (Python's csv and
datetime, nothing of Peil's code or store), for every period of each KPI's
grains that lies entirely within --from .. --to, and compared one by one
with Peil's JSON (`peil eval --format json` with the small-cell rules off,
`[privacy] min_count = 0`): every KPI, period and breakdown cell on either
side must be on the other, counts, numerators and denominators equal, shares
and means equal at the decimals Peil prints them with.  A difference is
printed as

    DIFF kpi=caseload period=2018-03 breakdown={"team": "Noord"} peil=597 oracle=598

and the exit status is 1; 0 when every figure agrees.

Standard library only.  A figure of a KPI the oracle does not know fails
the comparison.
"""

import argparse
import bisect
import csv
import datetime
import glob
import json
import os
import re
import sys
import unicodedata
from collections import defaultdict

# ------------------------------------------------------------ configuration


def read_ini(path):
    """Sections of an INI file as [(name, {key: value})], in file order;
    a key repeated in a section keeps its last value.  ';' and '#' start a
    comment line; an indented line continues the previous value."""
    sections = []
    current = None
    last_key = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            stripped = line.strip()
            if not stripped or stripped[0] in ";#":
                continue
            if line[0] in " \t" and last_key is not None and current is not None:
                current[1][last_key] += " " + stripped
                continue
            if stripped.startswith("["):
                current = (stripped[1:stripped.index("]")].strip(), {})
                sections.append(current)
                last_key = None
                continue
            cut = min(i for i in (line.find("="), line.find(":")) if i >= 0) \
                if ("=" in line or ":" in line) else -1
            if cut < 0 or current is None:
                raise SystemExit("oracle: %s: cannot read line %r" % (path, line))
            key, value = line[:cut].strip(), line[cut + 1:].strip()
            current[1][key] = value
            last_key = key
    return sections


def section(sections, name):
    for n, kv in sections:
        if n == name:
            return kv
    return {}


def yes(value, default):
    if value is None:
        return default
    return value.strip().lower() in ("yes", "true", "1", "on", "ja")


def split_list(value):
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


# -------------------------------------------------------------------- dates

ORD = datetime.date.toordinal


def ymd(d):
    return datetime.date.fromordinal(d).isoformat()


DATE_FORMATS = {
    "dd-mm-jjjj": r"(\d{1,2})-(\d{1,2})-(\d{4})",
    "jjjj-mm-dd": r"(\d{4})-(\d{2})-(\d{2})",
    "dd/mm/jjjj": r"(\d{1,2})/(\d{1,2})/(\d{4})",
    "dd.mm.jjjj": r"(\d{1,2})\.(\d{1,2})\.(\d{4})",
    "jjjjmmdd": r"(\d{4})(\d{2})(\d{2})",
}


def date_parser(formats):
    compiled = []
    for fmt in formats:
        fmt = fmt.replace("yyyy", "jjjj")
        if fmt not in DATE_FORMATS:
            raise SystemExit("oracle: unknown date format %r" % fmt)
        day_first = fmt.startswith("d")
        compiled.append((re.compile(DATE_FORMATS[fmt] + r"\Z"), day_first))

    def parse(text, where):
        for rx, day_first in compiled:
            m = rx.match(text)
            if m:
                a, b, c = (int(x) for x in m.groups())
                y, mo, d = (c, b, a) if day_first else (a, b, c)
                return ORD(datetime.date(y, mo, d))
        raise SystemExit("oracle: %s: not a date: %r" % (where, text))
    return parse


# Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
def easter(y):
    a = y % 19
    b, c = divmod(y, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return datetime.date(y, month, day + 1)


def dutch_holidays(year, good_friday, liberation_day):
    """The holidays of the Algemene termijnenwet in a year (docs/domain.md)."""
    e = easter(year)
    td = datetime.timedelta
    # Koningsdag from 2014; Koninginnedag (30 April) before, which
    # docs/domain.md does not name; either a day earlier on a Sunday
    king = datetime.date(year, 4, 27 if year >= 2014 else 30)
    if king.isoweekday() == 7:
        king -= td(days=1)
    days = [datetime.date(year, 1, 1), e + td(days=1), king, e + td(days=39),
            e + td(days=50), datetime.date(year, 12, 25),
            datetime.date(year, 12, 26)]
    if good_friday:
        days.append(e - td(days=2))
    if liberation_day:
        days.append(datetime.date(year, 5, 5))
    return days


class Calendar:
    FIRST, LAST = ORD(datetime.date(1900, 1, 1)), ORD(datetime.date(2100, 12, 31))

    def __init__(self, kv):
        parse = date_parser(["jjjj-mm-dd"])
        holidays = set()
        if kv.get("dates"):
            holidays = {parse(d, "[calendar] dates") for d in split_list(kv["dates"])}
        else:
            gf = yes(kv.get("good_friday"), True)
            lib = yes(kv.get("liberation_day"), True)
            for y in range(1900, 2101):
                holidays.update(ORD(d) for d in dutch_holidays(y, gf, lib))
            holidays.update(parse(d, "[calendar] extra") for d in split_list(kv.get("extra")))
        # count[i]: working days d with FIRST <= d <= FIRST + i
        self.count = []
        n = 0
        for d in range(self.FIRST, self.LAST + 1):
            if datetime.date.fromordinal(d).isoweekday() <= 5 and d not in holidays:
                n += 1
            self.count.append(n)

    def workdays(self, a, b):
        """Working days d with a < d <= b; negative when b < a."""
        return self.count[b - self.FIRST] - self.count[a - self.FIRST]


def add_months(d, months):
    """The same day `months` later, the month's last day where it has none."""
    dt = datetime.date.fromordinal(d)
    m = dt.month - 1 + months
    y, m = dt.year + m // 12, m % 12 + 1
    last = (datetime.date(y + m // 12, m % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return ORD(datetime.date(y, m, min(dt.day, last)))


def whole_months(a, b):
    """Whole months from a to b, a month complete on the same day of the
    month (31 January to 28 February is 0)."""
    ya, ma, da = _ymd(a)
    yb, mb, db = _ymd(b)
    return (yb - ya) * 12 + mb - ma - (1 if db < da else 0)


_YMD = {}


def _ymd(d):
    if d not in _YMD:
        dt = datetime.date.fromordinal(d)
        _YMD[d] = (dt.year, dt.month, dt.day)
    return _YMD[d]


# ------------------------------------------------------------------ periods

class Period:
    def __init__(self, pid, grain, first, last, reference):
        self.id, self.grain = pid, grain
        self.first, self.last = first, last
        self.ref = {"last": last, "first": first, "next": last + 1}[reference]


def month_start(y, m):
    return ORD(datetime.date(y + (m - 1) // 12, (m - 1) % 12 + 1, 1))


def periods_of(grain, lo, hi, start_month, reference):
    """The periods of a grain lying entirely within [lo, hi], in order."""
    out = []
    y0 = datetime.date.fromordinal(lo).year - 1
    y1 = datetime.date.fromordinal(hi).year + 1
    for y in range(y0, y1 + 1):
        if grain == "month":
            spans = [("%04d-%02d" % (y, m), month_start(y, m), month_start(y, m + 1) - 1)
                     for m in range(1, 13)]
            name = "month"
        elif grain == "quarter":
            spans = [("%04d-Q%d" % (y, q), month_start(y, 3 * q - 2), month_start(y, 3 * q + 1) - 1)
                     for q in range(1, 5)]
            name = "quarter"
        elif grain == "year":
            spans = [("%04d" % y, month_start(y, 1), month_start(y + 1, 1) - 1)]
            name = "year"
        elif grain == "contract_year":
            if start_month == 1:
                spans = [("%04d" % y, month_start(y, 1), month_start(y + 1, 1) - 1)]
                name = "year"
            else:
                spans = [("%04d/%04d" % (y, y + 1), month_start(y, start_month),
                          month_start(y + 1, start_month) - 1)]
                name = "contract_year"
        else:
            raise SystemExit("oracle: unknown grain %r" % grain)
        for pid, first, last in spans:
            if first >= lo and last <= hi:
                out.append(Period(pid, name, first, last, reference))
    return out


def period_bounds(text, start_month):
    """First and last day of a period id given to --from / --to."""
    m = re.match(r"(\d{4})-(\d{2})\Z", text)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        return month_start(y, mo), month_start(y, mo + 1) - 1
    m = re.match(r"(\d{4})-Q([1-4])\Z", text)
    if m:
        y, q = int(m.group(1)), int(m.group(2))
        return month_start(y, 3 * q - 2), month_start(y, 3 * q + 1) - 1
    m = re.match(r"(\d{4})/(\d{4})\Z", text)
    if m:
        y = int(m.group(1))
        return month_start(y, start_month), month_start(y + 1, start_month) - 1
    m = re.match(r"(\d{4})\Z", text)
    if m:
        y = int(m.group(1))
        return month_start(y, 1), month_start(y + 1, 1) - 1
    raise SystemExit("oracle: not a period: %r" % text)


# --------------------------------------------------------------------- data

def fold(text, how):
    if not how:
        return text
    if "case" in how or "all" in how:
        text = text.lower()
    if "space" in how or "all" in how:
        text = " ".join(text.split())
    if "accents" in how or "all" in how:
        text = "".join(c for c in unicodedata.normalize("NFD", text)
                       if unicodedata.category(c) != "Mn")
    return text


def read_datasets(sections, config_dir):
    """Each configured dataset as (fields {name: type}, rows [dict]): the
    rows of its sources' files in name order, a later row with the key of
    an earlier one in its place."""
    datasets = {}
    for name, kv in sections:
        if name.startswith("dataset "):
            fields, keys = {}, []
            for k, v in kv.items():
                if k.startswith("field."):
                    words = v.split()
                    fields[k[6:]] = words[0]
                    if "key" in words[1:]:
                        keys.append(k[6:])
            datasets[name[8:]] = {"fields": fields, "keys": keys, "rows": {}}
    for name, kv in sections:
        if not name.startswith("source ") or kv.get("plugin") != "csv":
            continue
        ds = datasets[kv["dataset"]]
        encoding = {"windows-1252": "cp1252", "utf-8": "utf-8-sig"}[kv.get("encoding", "utf-8")]
        sep = kv.get("separator", "auto")
        mapping = {k[7:]: v for k, v in kv.items() if k.startswith("column.")}
        parse_date = date_parser(split_list(kv.get("date_format", "dd-mm-jjjj, jjjj-mm-dd")))
        decimal = kv.get("decimal", "comma")
        folds = {k[5:]: split_list(v) for k, v in kv.items() if k.startswith("fold.")}
        recodes = defaultdict(dict)
        for k, v in kv.items():
            if k.startswith("recode."):
                field, source_value = k[7:].split(".", 1)
                recodes[field][fold(source_value, folds.get(field))] = v
        skip = int(kv.get("skip_lines", "0"))
        files = sorted(glob.glob(os.path.join(config_dir, kv["path"])))
        if not files:
            raise SystemExit("oracle: source %s: no files %s" % (name, kv["path"]))
        for path in files:
            with open(path, encoding=encoding, newline="") as f:
                for _ in range(skip):
                    f.readline()
                text = f.read()
            if sep == "auto":
                head = text.split("\n", 1)[0]
                delim = max(";,\t", key=head.count)
            else:
                delim = {"semicolon": ";", "comma": ",", "tab": "\t"}[sep]
            reader = csv.reader(text.splitlines(True), delimiter=delim)
            header = [h.strip() for h in next(reader)]
            where = {}
            for h, field in mapping.items():
                if h not in header:
                    raise SystemExit("oracle: %s: no column %r" % (path, h))
                where[field] = header.index(h)
            for lineno, cells in enumerate(reader, start=2 + skip):
                if not any(c.strip() for c in cells):
                    continue
                row = {}
                for field, typ in ds["fields"].items():
                    if field not in where:
                        row[field] = None
                        continue
                    value = cells[where[field]].strip() if where[field] < len(cells) else ""
                    if field in recodes:
                        value = recodes[field].get(fold(value, folds.get(field)), value)
                    if value == "":
                        row[field] = None
                    elif typ == "date":
                        row[field] = parse_date(value, "%s:%d" % (path, lineno))
                    elif typ == "integer":
                        row[field] = int(value)
                    elif typ in ("real", "number"):
                        if decimal == "comma":
                            value = value.replace(".", "").replace(",", ".")
                        else:
                            value = value.replace(",", "")
                        row[field] = float(value)
                    else:
                        row[field] = value
                key = tuple(row[k] for k in ds["keys"]) if ds["keys"] else (path, lineno)
                ds["rows"][key] = row
    return {n: {"fields": d["fields"], "rows": list(d["rows"].values())}
            for n, d in datasets.items()}


# -------------------------------------------------------------- the figures
#
# figures[(kpi, period, cell)] = (value, numerator, denominator), where cell
# is a tuple of (field, value) pairs, () for the total; or the string
# "not evaluated" for a period of which Peil must give no figure.

NE = "not evaluated"


class Kpi:
    """One shipped KPI: its dataset, grain, breakdown, tags, the fields it
    needs, its selection date (for 'not evaluated') and a function giving
    its figures."""

    def __init__(self, kid, dataset, grain, breakdown, tags, needs, kind,
                 params=None, select_date=None, uses=(), where=None):
        self.id, self.dataset, self.grain = kid, dataset, grain
        self.where = where        # the rows of the KPI, or None: all
        self.uses = list(uses)    # datasets it joins or looks up
        self.breakdown, self.tags, self.needs = breakdown, tags, needs
        self.kind = kind          # count, distinct, share, mean, sum
        self.params = dict(params or {})
        self.select_date = select_date    # None: any row will do


class Evaluation:
    def __init__(self, config, lo, hi):
        self.sections = read_ini(config)
        self.data = read_datasets(self.sections, os.path.dirname(os.path.abspath(config)))
        contract = section(self.sections, "contract")
        self.start_month = int(contract.get("start_month", "1"))
        self.reference = contract.get("reference", "last")
        self.cal = Calendar(section(self.sections, "calendar"))
        self.lo, self.hi = lo, hi
        self.figures = {}
        self.settings = {n[4:]: kv for n, kv in self.sections if n.startswith("kpi ")}
        self.memo = {}

    def kpi_settings(self, kid):
        return self.settings.get(kid, {})

    def periods(self, kpi):
        grains = split_list(self.kpi_settings(kpi.id).get("grains")) or [kpi.grain]
        alias = {"maand": "month", "kwartaal": "quarter", "jaar": "year",
                 "contractjaar": "contract_year"}
        out = []
        for g in grains:
            out.extend(periods_of(alias.get(g, g), self.lo, self.hi,
                                  self.start_month, self.reference))
        return out

    def param(self, kpi, name):
        """A parameter of the KPI: [kpi ID] param.NAME, else the script's."""
        key = (kpi.id, name)
        if key not in self.memo:
            value = self.kpi_settings(kpi.id).get("param." + name)
            default = kpi.params[name]
            self.memo[key] = default if value is None else type(default)(value)
        return self.memo[key]

    def cells(self, kpi, rows):
        """The breakdown cells: every combination of the breakdown fields'
        values found in the dataset's rows; one with an empty value only
        where a row of the KPI (its where) has it."""
        key = (kpi.dataset, tuple(kpi.breakdown), kpi.where)
        if key not in self.memo:
            every = {tuple((f, r[f]) for f in kpi.breakdown) for r in rows}
            mine = every if kpi.where is None else {
                tuple((f, r[f]) for f in kpi.breakdown) for r in rows if kpi.where(r)}
            self.memo[key] = {c for c in every
                              if c in mine or all(v not in (None, "") for _, v in c)}
        return self.memo[key]

    def evaluate(self, kpi, rows, compute):
        """Figures of `kpi` for each period; compute(periods) gives
        {(period index, cell): (value, num, den)} for cells and totals."""
        KNOWN[kpi.id] = kpi
        periods = self.periods(kpi)
        fields = self.data[kpi.dataset]["fields"] if kpi.dataset in self.data else None
        missing = fields is None or any(d not in self.data for d in kpi.uses) or any(
            (f.split(".", 1)[1] not in self.data["cases"]["fields"]) if f.startswith("case.")
            else f not in fields for f in kpi.needs)
        if missing or not rows:
            earliest = None
        elif kpi.select_date is None:
            earliest = -1
        else:
            dates = [kpi.select_date(r) for r in rows]
            dates = [d for d in dates if d is not None]
            earliest = min(dates) if dates else None
        if missing:
            for p in periods:
                self.figures[(kpi.id, p.id, ())] = NE
            return
        live = [i for i, p in enumerate(periods) if earliest is not None and earliest <= p.last]
        got = compute(periods, set(live))
        cells = self.cells(kpi, rows) if kpi.breakdown else set()
        zero = {"count": (0, 0, None), "distinct": (0, 0, None), "sum": (0, None, None),
                "share": (None, 0, 0), "mean": (None, 0, 0)}[kpi.kind]
        for i, p in enumerate(periods):
            if i not in live:
                self.figures[(kpi.id, p.id, ())] = NE
                continue
            for cell in list(cells) + [()]:
                self.figures[(kpi.id, p.id, cell)] = got.get((i, cell), zero)


# Accumulators of a rule over the rows of each (period, cell).

def acc_count():
    d = defaultdict(int)

    def add(i, cell, hit=True):
        if hit:
            for c in {cell, ()}:
                d[(i, c)] += 1
        else:
            d.setdefault((i, cell), 0)

    def result():
        return {k: (v, v, None) for k, v in d.items()}
    return add, result


def acc_sum():
    add, result = acc_count()

    def add_n(i, cell, n):
        for _ in range(n):
            add(i, cell)

    def res():
        return {k: (v[0], None, None) for k, v in result().items()}
    return add_n, res


def acc_share():
    d = defaultdict(lambda: [0, 0])

    def add(i, cell, hit):
        for c in {cell, ()}:
            d[(i, c)][1] += 1
            if hit:
                d[(i, c)][0] += 1

    def result():
        return {k: (100.0 * h / n, h, n) for k, (h, n) in d.items()}
    return add, result


def acc_mean():
    d = defaultdict(lambda: [0, 0])

    def add(i, cell, x):
        for c in {cell, ()}:
            d[(i, c)][0] += x
            d[(i, c)][1] += 1

    def result():
        return {k: (s / n, s, n) for k, (s, n) in d.items()}
    return add, result


def acc_distinct():
    d = defaultdict(set)

    def add(i, cell, value):
        if value is not None:
            for c in {cell, ()}:
                d[(i, c)].add(value)

    def result():
        return {k: (len(v), len(v), None) for k, v in d.items()}
    return add, result


# Selections: the indices of the periods a row belongs to, found by
# bisection in each grain's periods (sorted, not overlapping).

class Selector:
    def __init__(self, periods):
        self.groups = []
        by_grain = defaultdict(list)
        for i, p in enumerate(periods):
            by_grain[p.grain].append((p.first, i))
        for members in by_grain.values():
            members.sort()
            idx = [i for _, i in members]
            self.groups.append((idx, [periods[i].first for i in idx],
                                [periods[i].last for i in idx],
                                [periods[i].ref for i in idx]))

    def started_in(self, d):
        out = []
        if d is not None:
            for idx, firsts, lasts, _ in self.groups:
                j = bisect.bisect_right(firsts, d) - 1
                if j >= 0 and d <= lasts[j]:
                    out.append(idx[j])
        return out

    def running_in(self, s, e):
        """Start on or before the last day, no end or one on or after the
        first day."""
        return self._span(2, 1, s, e)

    def on_reference_date(self, s, e):
        """Start on or before the reference date, no end or one on or
        after it."""
        return self._span(3, 3, s, e)

    def _span(self, lower, upper, s, e):
        """The periods whose group list `lower` holds a day on or after s
        and `upper` one on or before e (none: no bound)."""
        out = []
        if s is not None:
            for group in self.groups:
                j1 = len(group[0]) if e is None else bisect.bisect_right(group[upper], e)
                out.extend(group[0][bisect.bisect_left(group[lower], s):j1])
        return out


def cell_of(kpi, row):
    return tuple((f, row[f]) for f in kpi.breakdown)


# ---------------------------------------------------------- the shipped KPIs

CASE_NEEDS = ["team", "registered", "closed"]


def case_kpis():
    """The KPIs over the cases: (kpi, selection, rule kind, row function).
    The row function gives, for a selected row, its contribution to the
    rule: a hit (count, share), a number (mean) or None to leave it out."""
    out = []

    def k(kid, kind, sel, fields, contrib, breakdown=("team",), params=None, select_date="registered"):
        needs = list(breakdown) + [sel[1]] + ([sel[2]] if len(sel) > 2 else []) + fields
        kp = Kpi(kid, "cases", "month", list(breakdown), [], needs, kind, params,
                 None if sel[0] == "closed" else (lambda r, f=select_date: r[f]))
        out.append((kp, sel, contrib))

    started = ("started", "registered")
    closed = ("closed", "closed")
    running = ("running", "registered", "closed")
    on_ref = ("on_ref", "registered", "closed")
    k("casussen_gestart", "count", started, [], lambda ev, r, p, kp: True)
    k("casussen_lopend", "count", running, [], lambda ev, r, p, kp: True)
    k("casussen_afgesloten", "count", closed, [], lambda ev, r, p, kp: True)
    k("caseload", "count", on_ref, [], lambda ev, r, p, kp: True)
    k("wachttijd_gemiddeld", "mean", started, ["first_meeting"],
      lambda ev, r, p, kp: None if r["first_meeting"] is None
      else ev.cal.workdays(r["registered"], r["first_meeting"]))
    k("wachttijd_binnen_norm", "share", started, ["first_meeting"],
      lambda ev, r, p, kp: None if r["first_meeting"] is None
      else ev.cal.workdays(r["registered"], r["first_meeting"]) <= ev.param(kp, "norm"),
      params={"norm": 5})
    k("wachtend_op_peildatum", "count", on_ref, ["first_meeting"],
      lambda ev, r, p, kp: r["first_meeting"] is None or r["first_meeting"] > p.ref)
    for kid, lo, hi in (("duur_onder_1_maand", 0, 1), ("duur_1_2_maanden", 1, 3),
                        ("duur_3_6_maanden", 3, 6), ("duur_6_12_maanden", 6, 12),
                        ("duur_1_2_jaar", 12, 24), ("duur_meer_dan_2_jaar", 24, 100000)):
        k(kid, "count", on_ref, [],
          lambda ev, r, p, kp: ev.param(kp, "from") <= whole_months(r["registered"], p.ref)
          < ev.param(kp, "to"), params={"from": lo, "to": hi})
    k("instroom_per_melder", "count", started, [], lambda ev, r, p, kp: True,
      breakdown=("referrer",))
    k("afsluitredenen", "count", closed, [], lambda ev, r, p, kp: True,
      breakdown=("closure_reason",))
    k("afgesloten_volgens_plan", "share", closed, ["closure_reason"],
      lambda ev, r, p, kp: r["closure_reason"] == ev.param(kp, "reason"),
      params={"reason": "Beëindigd volgens plan"})
    k("zelfredzaam_bij_afsluiting", "share", closed, ["self_reliant"],
      lambda ev, r, p, kp: None if r["self_reliant"] not in ("ja", "nee")
      else r["self_reliant"] == "ja")
    k("rapportcijfer_gemiddeld", "mean", closed, ["mark"],
      lambda ev, r, p, kp: r["mark"])
    k("rapportcijfer_aantal", "count", closed, ["mark"],
      lambda ev, r, p, kp: r["mark"] is not None)
    k("rapportcijfer_voldoende", "share", closed, ["mark"],
      lambda ev, r, p, kp: None if r["mark"] is None else r["mark"] >= ev.param(kp, "sufficient"),
      params={"sufficient": 6})
    for kid, field, sel in (("kwaliteit_zonder_melder", "referrer", started),
                            ("kwaliteit_zonder_buurt", "neighbourhood", started),
                            ("kwaliteit_zonder_persoon", "person", started),
                            ("kwaliteit_zonder_afsluitreden", "closure_reason", closed),
                            ("kwaliteit_zonder_zelfredzaamheid", "self_reliant", closed)):
        k(kid, "share", sel, [field], lambda ev, r, p, kp, f=field: r[f] is None)
    k("kwaliteit_laat_ingevoerd", "share", started, ["entered"],
      lambda ev, r, p, kp: None if r["entered"] is None
      else r["entered"] - r["registered"] > ev.param(kp, "late_days"),
      params={"late_days": 14})
    return out


def eval_cases(ev, kpi, sel, contrib):
    rows = ev.data["cases"]["rows"] if "cases" in ev.data else []

    def compute(periods, live):
        add, result = {"count": acc_count, "share": acc_share, "mean": acc_mean}[kpi.kind]()
        # the periods of each row and its cell, shared by the KPIs alike
        key = ("periods", sel, tuple(p.id for p in periods))
        if key not in ev.memo:
            S = Selector(periods)
            pick = {"started": lambda r: S.started_in(r[sel[1]]),
                    "closed": lambda r: S.started_in(r[sel[1]]),
                    "running": lambda r: S.running_in(r[sel[1]], r[sel[2]]),
                    "on_ref": lambda r: S.on_reference_date(r[sel[1]], r[sel[2]])}[sel[0]]
            ev.memo[key] = [pick(r) for r in rows]
        cells = ev.memo.setdefault(("cells", tuple(kpi.breakdown)),
                                   [cell_of(kpi, r) for r in rows])
        for r, idx, cell in zip(rows, ev.memo[key], cells):
            for i in idx:
                if i not in live:
                    continue
                x = contrib(ev, r, periods[i], kpi)
                if kpi.kind == "count":
                    add(i, cell, bool(x))
                elif x is not None:
                    add(i, cell, x)
        return result()
    ev.evaluate(kpi, rows, compute)


def joined_members(ev):
    cases = {r["case_id"]: r for r in ev.data.get("cases", {"rows": []})["rows"]}
    out = []
    for m in ev.data.get("case_members", {"rows": []})["rows"]:
        c = cases.get(m["case_id"], {})
        row = dict(m)
        for f in ("team", "registered", "closed"):
            row["case." + f] = c.get(f)
        out.append(row)
    return out


def eval_members(ev, kid, only_anonymous):
    kpi = Kpi(kid, "case_members", "month", ["case.team"], ["leden"],
              ["case_id", "person", "case.team", "case.registered", "case.closed"],
              "distinct", select_date=lambda r: r["case.registered"], uses=["cases"])
    rows = joined_members(ev)

    def compute(periods, live):

        S = Selector(periods)
        add, result = acc_distinct()
        for r in rows:
            if only_anonymous and r["person"] is not None:
                continue
            value = r["case_id"] if only_anonymous else r["person"]
            for i in S.running_in(r["case.registered"], r["case.closed"]):
                if i in live:
                    add(i, cell_of(kpi, r), value)
        return result()
    ev.evaluate(kpi, rows, compute)


def ladder_rows(ev):
    """Participatieladder measurements per person, in date order and on one
    day by measurement id (empty first)."""
    by_person = defaultdict(list)
    for m in ev.data.get("measurements", {"rows": []})["rows"]:
        if m["instrument"] == "Participatieladder":
            by_person[m["person"]].append(m)
    for ms in by_person.values():
        ms.sort(key=lambda m: (m["date"], m["measurement_id"] is not None,
                               m["measurement_id"] or ""))
    return by_person


def first_rise(measurements, start, end, rungs):
    """The date of the first measurement in [start, end] that stands at
    least `rungs` above the first measurement in it, or None."""
    inside = [m for m in measurements
              if m["date"] >= start and (end is None or m["date"] <= end)]
    if not inside:
        return None
    base = inside[0]["score"]
    for m in inside[1:]:
        if m["score"] >= base + rungs:
            return m["date"]
    return None


def eval_trajectories(ev):
    rows = ev.data.get("trajectories", {"rows": []})["rows"]
    needs = ["person", "programme", "start", "end"]
    kpi = Kpi("ladder_in_traject", "trajectories", "contract_year", ["programme"],
              ["trajecten"], needs, "distinct", select_date=lambda r: r["start"])

    def in_traject(periods, live):

        S = Selector(periods)
        add, result = acc_distinct()
        for r in rows:
            for i in S.running_in(r["start"], r["end"]):
                if i in live:
                    add(i, cell_of(kpi, r), r["person"])
        return result()
    ev.evaluate(kpi, rows, in_traject)

    rise = Kpi("ladder_gestegen", "trajectories", "contract_year", ["programme"],
               ["trajecten"], needs, "distinct", params={"rungs": 2},
               select_date=lambda r: r["start"], uses=["measurements"])
    ladder = ladder_rows(ev)

    def risen(periods, live):

        S = Selector(periods)
        add, result = acc_distinct()
        rungs = ev.param(rise, "rungs")
        for r in rows:
            if r["start"] is None:
                continue
            when = first_rise(ladder.get(r["person"], []), r["start"], r["end"], rungs)
            if when is None:
                continue
            for i in S.started_in(when):
                if i in live and i in S.running_in(r["start"], r["end"]):
                    add(i, cell_of(rise, r), r["person"])
        return result()
    ev.evaluate(rise, rows, risen)


def eval_visits(ev):
    rows = ev.data.get("trajectories", {"rows": []})["rows"]
    visits = defaultdict(list)
    for v in ev.data.get("visits", {"rows": []})["rows"]:
        visits[v["trajectory_id"]].append(v)
    schedule = (3, 9, 15, 22)

    def done_on(t, months, ref):
        return any(v["month"] == months and v["date"] <= ref
                   for v in visits.get(t["trajectory_id"], ()))

    def make(kid, count_visit, params):
        kpi = Kpi(kid, "trajectories", "month", [], ["trajecten", "bezoeken"],
                  ["programme", "start", "end"], "sum",
                  params=dict(params, programme="Buurtbaan"),
                  select_date=lambda r: r["start"], uses=["visits"])

        def compute(periods, live):

            S = Selector(periods)
            add, result = acc_sum()
            for t in rows:
                if t["programme"] != ev.param(kpi, "programme"):
                    continue
                for i in S.running_in(t["start"], t["end"]):
                    if i in live:
                        add(i, (), sum(1 for m in schedule
                                       if count_visit(t, m, add_months(t["start"], m),
                                                      periods[i], kpi)))
            return result()
        ev.evaluate(kpi, rows, compute)

    def due_in(t, m, due, p):
        return p.first <= due <= p.last and (t["end"] is None or due <= t["end"])

    make("vervolgbezoeken_gepland", lambda t, m, due, p, k: due_in(t, m, due, p), {})
    make("vervolgbezoeken_gedaan",
         lambda t, m, due, p, k: due_in(t, m, due, p) and done_on(t, m, p.ref), {})
    make("vervolgbezoeken_achterstallig",
         lambda t, m, due, p, k: (t["end"] is None or due <= t["end"])
         and due + ev.param(k, "grace_days") < p.ref and not done_on(t, m, p.ref),
         {"grace_days": 0})


def is_zrm(r):
    return r["instrument"] == "ZRM"


def eval_zrm(ev):
    rows = ev.data.get("measurements", {"rows": []})["rows"]
    zrm = [r for r in rows if r["instrument"] == "ZRM"]
    # The history of each person and domain, by date; rows of one day in
    # the order of the export.
    history = defaultdict(list)
    for r in zrm:
        history[(r["person"], r["domain"])].append(r)
    for h in history.values():
        h.sort(key=lambda r: r["date"])
    dates = {k: [r["date"] for r in h] for k, h in history.items()}

    def change(pairs, p):
        """The sum of latest minus first score over the pairs whose latest
        measurement up to the period's end lies after the first and in or
        after the period; None when none does."""
        total, counted = 0, False
        for pair in pairs:
            h, ds = history[pair], dates[pair]
            n = bisect.bisect_right(ds, p.last)
            if n == 0:
                continue
            first = h[0]
            latest = h[bisect.bisect_left(ds, ds[n - 1])]
            if latest["date"] > first["date"] and latest["date"] >= p.first:
                total += latest["score"] - first["score"]
                counted = True
        return total if counted else None

    kpis = [(Kpi(kid, "measurements", "quarter", ["domain"], ["zrm"],
                 ["person", "date", "instrument", "domain", "score"], "count",
                 select_date=lambda r: r["date"], where=is_zrm), test)
            for kid, test in (("zrm_vooruit", lambda x: x > 0),
                              ("zrm_gelijk", lambda x: x == 0),
                              ("zrm_achteruit", lambda x: x < 0))]
    groups_of = {}

    def groups(periods, live):

        S = Selector(periods)
        key = tuple(p.id for p in periods)
        if key not in groups_of:
            g = defaultdict(set)   # (period, cell, person) -> pairs
            for r in zrm:
                if r["person"] is None:
                    continue
                for i in S.started_in(r["date"]):
                    if i in live:
                        pair = (r["person"], r["domain"])
                        g[(i, (("domain", r["domain"]),), r["person"])].add(pair)
                        g[(i, (), r["person"])].add(pair)
            groups_of[key] = {k: change(v, periods[k[0]]) for k, v in g.items()}
        return groups_of[key]

    for kpi, test in kpis:
        def compute(periods, live, test=test):
            counts = defaultdict(int)
            for (i, cell, _person), x in groups(periods, live).items():
                counts.setdefault((i, cell), 0)
                counts.setdefault((i, ()), 0)
                if x is not None and test(x):
                    counts[(i, cell)] += 1
            return {k: (v, v, None) for k, v in counts.items()}
        ev.evaluate(kpi, rows, compute)


def eval_referrals(ev):
    rows = ev.data.get("referrals", {"rows": []})["rows"]
    for kid, kind in (("verwijzingen_maatwerk", "count"), ("verwijzingen_zorg_gestart", "share")):
        kpi = Kpi(kid, "referrals", "quarter", ["provider"], ["verwijzingen"],
                  ["provider", "issued", "care_started"], kind,
                  select_date=lambda r: r["issued"])

        def compute(periods, live, kpi=kpi):

            S = Selector(periods)
            add, result = (acc_count if kpi.kind == "count" else acc_share)()
            for r in rows:
                for i in S.started_in(r["issued"]):
                    if i in live:
                        add(i, cell_of(kpi, r),
                            True if kpi.kind == "count" else r["care_started"] is not None)
            return result()
        ev.evaluate(kpi, rows, compute)


def eval_maatwerk(ev):
    """The KPIs of scripts/maatwerk.lua over the datasets of the iWmo and
    iJw messages: allocations (301), care starts (305), care ends (307)
    and requests (315)."""
    rows = ev.data.get("allocations", {"rows": []})["rows"]
    starts = defaultdict(list)
    for s in ev.data.get("care_starts", {"rows": []})["rows"]:
        starts[(s["municipality"], s["allocation"])].append(s)
    requests = defaultdict(list)
    for q in ev.data.get("allocation_requests", {"rows": []})["rows"]:
        requests[(q["municipality"], q["provider"], q["provider_ref"])].append(q)

    def standing(a):
        """Not withdrawn: no change reason, or one other than 13."""
        return a["change_reason"] is None or a["change_reason"] != "13"

    def vanaf(a):
        """The allocation date, or the start date when that is later."""
        return max(a["allocated"], a["start"])

    def first_start(a):
        """The earliest start of the allocation (same municipality and
        number) whose message was not deleted (status 3), or None."""
        days = [s["started"] for s in starts.get((a["municipality"], a["allocation"]), ())
                if s["status"] != "3"]
        return min(days) if days else None

    fields = ["provider", "allocated", "start", "change_reason", "municipality", "allocation"]

    def allocation_kpi(kid, breakdown, kind, select, add_row, params=None, extra=(), uses=()):
        kpi = Kpi(kid, "allocations", "month", breakdown, ["maatwerk"],
                  fields + list(breakdown) + list(extra), kind, params,
                  select_date=lambda r: r["start"] if select == "on_ref" else r["allocated"],
                  uses=uses)

        def compute(periods, live):
            S = Selector(periods)
            add, result = {"count": acc_count, "share": acc_share, "mean": acc_mean}[kind]()
            for a in rows:
                if not standing(a):
                    continue
                idx = S.on_reference_date(a["start"], a["end"]) if select == "on_ref" \
                    else S.started_in(a["allocated"])
                for i in idx:
                    if i in live:
                        add_row(add, i, cell_of(kpi, a), a, periods[i], kpi)
            return result()
        ev.evaluate(kpi, rows, compute)

    allocation_kpi("maatwerk_toewijzingen", ["provider", "category"], "count", "started",
                   lambda add, i, c, a, p, k: add(i, c, True), extra=["category"])

    def in_time(add, i, c, a, p, k):
        first = first_start(a)
        add(i, c, first is not None
            and ev.cal.workdays(vanaf(a), first) <= ev.param(k, "termijn"))
    allocation_kpi("maatwerk_start_binnen_termijn", ["provider"], "share", "started",
                   in_time, params={"termijn": 10}, uses=["care_starts"])

    def without_start(add, i, c, a, p, k):
        if p.ref - vanaf(a) < ev.param(k, "dagen"):
            add(i, c, False)
            return
        first = first_start(a)
        add(i, c, first is None or first > p.ref)
    allocation_kpi("maatwerk_zonder_start", ["provider"], "count", "on_ref",
                   without_start, params={"dagen": 30}, extra=["end"], uses=["care_starts"])

    def lead_time(add, i, c, a, p, k):
        if a["provider_ref"] is None:
            return
        asked = [q["message_date"] for q in
                 requests.get((a["municipality"], a["provider"], a["provider_ref"]), ())]
        if asked:
            add(i, c, ev.cal.workdays(min(asked), a["allocated"]))
    allocation_kpi("maatwerk_doorlooptijd_verzoek", ["provider"], "mean", "started",
                   lead_time, extra=["provider_ref"], uses=["allocation_requests"])

    ends = ev.data.get("care_ends", {"rows": []})["rows"]
    kpi = Kpi("maatwerk_beeindigd_per_reden", "care_ends", "month", ["reason"], ["maatwerk"],
              ["reason", "ended", "status"], "count", select_date=lambda r: r["ended"])

    def ended(periods, live):
        S = Selector(periods)
        add, result = acc_count()
        for e in ends:
            if e["status"] is None or e["status"] == "3":
                continue
            for i in S.started_in(e["ended"]):
                if i in live:
                    add(i, cell_of(kpi, e), True)
        return result()
    ev.evaluate(kpi, ends, ended)


# Every KPI the oracle knows, with its tags (for [run] kpis).
KNOWN = {}


def all_kpis(ev):
    """Evaluate every known KPI; return {id: tags}."""
    for kpi, sel, contrib in case_kpis():
        eval_cases(ev, kpi, sel, contrib)
    eval_members(ev, "personen_uniek", False)
    eval_members(ev, "casussen_zonder_persoon", True)
    eval_trajectories(ev)
    eval_visits(ev)
    eval_zrm(ev)
    eval_referrals(ev)
    eval_maatwerk(ev)


def chosen(ev):
    """The KPIs [run] kpis and [kpi ID] enabled choose."""
    every = list(KNOWN)
    tags = {k: KNOWN[k].tags for k in every}
    items = split_list(section(ev.sections, "run").get("kpis"))
    plus = [i for i in items if not i.startswith("-")]

    def match(item, k):
        return k in tags and (item[4:] in tags[k] if item.startswith("tag:") else item == k)
    out = [k for k in every if not plus or any(match(i, k) for i in plus)]
    out = [k for k in out if not any(match(i[1:], k) for i in items if i.startswith("-"))]
    return [k for k in out if yes(ev.kpi_settings(k).get("enabled"), True)]


# --------------------------------------------------------------- comparison

def cell_text(cell):
    return json.dumps(dict(cell), ensure_ascii=False)


def printed(x, decimals):
    return None if x is None else "%.*f" % (decimals, x)


def compare(ev, results, show):
    """Differences between Peil's results and the oracle's figures."""
    keep = set(chosen(ev))
    mine = {(k[0], k[1], tuple(sorted(k[2]))): v
            for k, v in ev.figures.items() if k[0] in keep}
    theirs = {}
    for r in results:
        cell = tuple(sorted(r["breakdown"].items()))
        theirs[(r["kpi"], r["period"], cell)] = NE if "not_evaluated" in r else (
            r["value"], r["numerator"], r["denominator"])
    diffs = []

    def fmt(v):
        return json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
    for key in sorted(set(mine) | set(theirs),
                      key=lambda k: (k[0], k[1], cell_text(k[2]))):
        kid, pid, cell = key
        a = theirs.get(key, "absent")
        b = mine.get(key)
        if b is None:
            b = "absent" if kid in KNOWN else "no oracle for this KPI"
        if isinstance(a, str) or isinstance(b, str):
            same = a == b
        else:
            kind = KNOWN[kid].kind
            dec = int(ev.kpi_settings(kid).get("decimals", 1 if kind in ("share", "mean") else 0))
            if kind in ("share", "mean"):
                same = printed(a[0], dec) == printed(b[0], dec) and a[1:] == b[1:]
            else:
                same = a == b
        if not same:
            diffs.append("DIFF kpi=%s period=%s breakdown=%s peil=%s oracle=%s"
                         % (kid, pid, cell_text(cell), fmt(a), fmt(b)))
    for line in diffs[:show]:
        print(line)
    if len(diffs) > show:
        print("... and %d more differences" % (len(diffs) - show))
    return diffs, len(set(mine) | set(theirs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--from", dest="first", required=True)
    ap.add_argument("--to", dest="last", required=True)
    ap.add_argument("--peil", required=True, help="peil eval --format json output")
    ap.add_argument("--show", type=int, default=40, help="differences printed")
    ap.add_argument("--dump", help="write the oracle's figures as JSON lines here")
    args = ap.parse_args()

    probe = read_ini(args.config)
    start_month = int(section(probe, "contract").get("start_month", "1"))
    lo = period_bounds(args.first, start_month)[0]
    hi = period_bounds(args.last, start_month)[1]
    ev = Evaluation(args.config, lo, hi)
    all_kpis(ev)
    with open(args.peil, encoding="utf-8") as f:
        results = json.load(f)["results"]
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for (kid, pid, cell), v in sorted(ev.figures.items(),
                                             key=lambda kv: (kv[0][0], kv[0][1], cell_text(kv[0][2]))):
                f.write("%s %s %s %s\n" % (kid, pid, cell_text(cell), json.dumps(v)))
    diffs, n = compare(ev, results, args.show)
    kpis = sorted({r["kpi"] for r in results})
    periods = sorted({r["period"] for r in results})
    print("oracle: %d figures of %d KPIs over %d periods compared: %s"
          % (n, len(kpis), len(periods),
             "all equal" if not diffs else "%d differ" % len(diffs)))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
