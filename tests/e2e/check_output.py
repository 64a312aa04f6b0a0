#!/usr/bin/env python3
"""Checks of Peil's outputs for the end-to-end tests (cli.sh).

    check_output.py html FILE             well formed: tags balanced
    check_output.py png FILE              a PNG that is not blank
    check_output.py csv FILE SEP DECIMAL  the long CSV parses as documented
    check_output.py privacy FILE MIN      a ';' CSV keeps the small-cell rules
    check_output.py attack SHOWN TRUTH MIN [COARSE:FINE ...]
                                          no hidden figure of SHOWN can be
                                          recovered (see check_attack)
    check_output.py prometheus FILE       the text exposition format
    check_output.py json FILE             the JSON of docs/output.md

Prints one line saying what it found; exits 1 with the reason on failure.
Standard library only: Debian's python3 is all the CI machine has.
"""
import csv
import html.parser
import io
import json
import re
import struct
import sys
import zlib


def fail(msg):
    print("check failed: " + msg)
    sys.exit(1)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


class Balance(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.svg, self.errors = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svg += 1
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        if tag == "svg":
            self.svg += 1

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("</%s> at %s closes %s" % (
                tag, self.getpos(), self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()


def check_html(path):
    text = open(path, encoding="utf-8").read()
    p = Balance()
    p.feed(text)
    p.close()
    if p.errors:
        fail("; ".join(p.errors[:3]))
    if p.stack:
        fail("unclosed: %s" % p.stack[-3:])
    if re.search(r"<script|<link|<img|<iframe|\bsrc=|url\(", text, re.I):
        fail("the report refers to something outside itself")
    if re.findall(r"https?://(?!www\.w3\.org/2000/svg)", text):
        fail("the report names a network address")
    print("well formed, %d svg elements, %d bytes" % (p.svg, len(text.encode())))


def png_pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour not in (2, 6):
                fail("unexpected PNG kind depth %d colour %d" % (depth, colour))
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride, prev, rows = width * bpp, bytearray(width * bpp), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def check_png(path):
    width, height, bpp, rows = png_pixels(path)
    colours, ink = set(), 0
    for row in rows[::4]:
        for x in range(0, width * bpp, bpp * 4):
            px = row[x:x + 3]
            colours.add(px)
            ink += px != b"\xff\xff\xff"
    samples = len(rows[::4]) * len(range(0, width * bpp, bpp * 4))
    if len(colours) < 8 or ink < samples // 100:
        fail("blank screenshot: %d colours, %d of %d samples not white"
             % (len(colours), ink, samples))
    print("screenshot %dx%d, %d colours, %.1f%% ink"
          % (width, height, len(colours), 100.0 * ink / samples))


def read_csv(path, sep):
    raw = open(path, "rb").read()
    if not raw.startswith(b"\xef\xbb\xbf"):
        fail("no UTF-8 BOM")
    text = raw[3:].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=sep))


def check_csv(path, sep, decimal):
    rows = read_csv(path, sep)
    if not rows:
        fail("no rows")
    numbers = 0
    for r in rows:
        if None in r or None in r.values():
            fail("ragged row %r" % r)
        for col in ("waarde", "teller", "noemer", "value", "numerator",
                    "denominator"):
            v = r.get(col)
            if not v:
                continue
            other = "." if decimal == "," else ","
            if other in v:
                fail("%s %r has the wrong decimal mark" % (col, v))
            float(v.replace(decimal, "."))
            numbers += 1
    print("%d rows, %d numbers, columns %s" % (len(rows), numbers,
                                                ",".join(rows[0].keys())))


def check_privacy(path, minimum):
    """Counts (numerator == value, no denominator) shown are 0 or >= MIN;
    denominators shown are 0 or >= MIN; in a KPI and period whose total is shown,
    never exactly one cell is hidden."""
    minimum = float(minimum)
    groups, shown = {}, 0
    for r in read_csv(path, ";"):
        num = lambda s: float(s.replace(",", ".")) if s else None
        v, n, d = num(r["waarde"]), num(r["teller"]), num(r["noemer"])
        if d is not None and 0 < d < minimum:
            fail("denominator %s shown: %r" % (d, r))
        if d is None and n is not None and n == v and 0 < v < minimum:
            fail("count %s shown: %r" % (v, r))
        total = r.get("team") == "Totaal"
        g = groups.setdefault((r["kpi"], r["periode"]), [0, False])
        if total:
            g[1] = r["onderdrukt"] == ""
        elif r["onderdrukt"]:
            g[0] += 1
        shown += v is not None
    single = [k for k, (hidden, total_shown) in groups.items()
              if hidden == 1 and total_shown]
    if single:
        fail("a single hidden cell beside a shown total: %s" % single[:3])
    hidden = sum(h for h, _ in groups.values())
    print("%d figures shown, %d cells hidden, rules hold" % (shown, hidden))


def period_days(text):
    """The first and last day (ordinal) of "2018", "2018-Q4", "2018-03"."""
    import datetime
    m = re.match(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$", text)
    if not m:
        return None
    y = int(m.group(1))
    if m.group(2):
        a, b = 3 * int(m.group(2)) - 2, 3 * int(m.group(2))
    elif m.group(3):
        a = b = int(m.group(3))
    else:
        a, b = 1, 12
    first = datetime.date(y, a, 1).toordinal()
    last = (datetime.date(y + (b == 12), b % 12 + 1, 1).toordinal() - 1)
    return first, last


def check_attack(shown_path, truth_path, minimum, *pairs):
    """The attacker: SHOWN and TRUTH are ';' CSVs of the same figures with
    the small-cell rules on and off.  Relations between sizes (a count's
    count, a share's or mean's denominator) that the attacker knows: the
    cells of a KPI and period add up to its total (where the true figures
    do: not for distinct persons), and for each COARSE:FINE pair of KPIs
    the figure of a coarse period is the sum of those of the fine periods
    in it (checked on the true figures).  Bounds are propagated with every
    size >= 0 until nothing changes; a hidden figure with a positive size
    that is pinned down, or bounded above by less than MIN, is a leak."""
    minimum = float(minimum)
    num = lambda s: float(s.replace(",", ".")) if s else None
    shown_rows, truth_rows = read_csv(shown_path, ";"), read_csv(truth_path, ";")
    if len(shown_rows) != len(truth_rows):
        fail("%d figures shown, %d true" % (len(shown_rows), len(truth_rows)))
    cols = list(truth_rows[0].keys())
    bd = cols[cols.index("periode") + 1:cols.index("waarde")]
    size, hidden, index = [], [], {}
    for i, (s, t) in enumerate(zip(shown_rows, truth_rows)):
        key = (t["kpi"], t["periode"], tuple(t[c] for c in bd))
        if (s["kpi"], s["periode"], tuple(s[c] for c in bd)) != key:
            fail("row %d differs: %r / %r" % (i, s, t))
        v, n, d = num(t["waarde"]), num(t["teller"]), num(t["noemer"])
        size.append(d if d is not None else n if n is not None and n == v
                    else None)
        hidden.append(s["onderdrukt"] != "")
        index[key] = i
    relations = []
    groups = {}
    for (kpi, period, cells), i in index.items():
        g = groups.setdefault((kpi, period), [None, []])
        if all(c in ("Totaal", "") for c in cells):
            g[0] = i
        else:
            g[1].append(i)
    for total, parts in groups.values():
        if (total is not None and parts and size[total] is not None and
                all(size[p] is not None for p in parts) and
                sum(size[p] for p in parts) == size[total]):
            relations.append((total, parts))
    cross = 0
    for pair in pairs:
        coarse, fine = pair.split(":")
        for (kpi, period, cells), c in index.items():
            if kpi != coarse or size[c] is None:
                continue
            pc = period_days(period)
            # each shorter grain of FINE apart (FINE may be COARSE itself,
            # a KPI of several grains)
            by_grain = {}
            for (k, p, b), i in index.items():
                pf = period_days(p)
                if (k == fine and b == cells and pf and pc[0] <= pf[0] and
                        pf[1] <= pc[1] and pf[1] - pf[0] < pc[1] - pc[0]):
                    by_grain.setdefault(grain_of(p), []).append(i)
            for parts in by_grain.values():
                if sum(size[p] or 0 for p in parts) != size[c]:
                    fail("%s %s %s is not the sum of %s" % (coarse, period,
                                                             cells, fine))
                relations.append((c, parts))
                cross += 1
    lo = [0 if h else (x or 0) for h, x in zip(hidden, size)]
    hi = [float("inf") if h else (x or 0) for h, x in zip(hidden, size)]
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            slo, shi = sum(lo[p] for p in parts), sum(hi[p] for p in parts)
            new = [(total, max(lo[total], slo), min(hi[total], shi))]
            for p in parts:
                new.append((p, max(lo[p], lo[total] - (shi - hi[p])),
                            min(hi[p], hi[total] - (slo - lo[p]))))
            for i, a, b in new:
                if (a, b) != (lo[i], hi[i]):
                    lo[i], hi[i], changed = a, b, True
    leaks = ["%s %s %s in [%g, %g], truly %g" % (truth_rows[i]["kpi"],
             truth_rows[i]["periode"], tuple(truth_rows[i][c] for c in bd),
             lo[i], hi[i], size[i])
             for i in range(len(size)) if hidden[i] and size[i] and
             (lo[i] == hi[i] or hi[i] < minimum)]
    if leaks:
        fail("%d hidden figures recovered: %s" % (len(leaks), leaks[:5]))
    print("%d figures, %d hidden, %d relations (%d across grains): "
          "none recovered" % (len(size), sum(hidden), len(relations), cross))


NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s)(?:,%s)*,?\})? (\S+)( -?\d+)?$"
                    % (NAME, LABEL, LABEL))
FLOAT = re.compile(r"^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
                   r"|[+-]?Inf|NaN)$")


def check_prometheus(path):
    text = open(path, encoding="utf-8").read()
    if not text.endswith("\n"):
        fail("the last line has no line feed")
    typed, done, current, seen, samples = {}, set(), None, set(), 0
    for no, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            m = re.match(r"^# (HELP|TYPE) (%s) (.*)$" % NAME, line)
            if not m:
                if line.startswith("# HELP") or line.startswith("# TYPE"):
                    fail("line %d: bad comment %r" % (no, line))
                continue
            if m.group(1) == "TYPE":
                if m.group(3) not in ("counter", "gauge", "histogram",
                                      "summary", "untyped"):
                    fail("line %d: bad type" % no)
                if m.group(2) in typed:
                    fail("line %d: second TYPE for %s" % (no, m.group(2)))
                typed[m.group(2)] = m.group(3)
            continue
        if not line.strip():
            fail("line %d: empty line" % no)
        m = SAMPLE.match(line)
        if not m or not FLOAT.match(m.group(3)):
            fail("line %d: not a sample: %r" % (no, line))
        name = m.group(1)
        if name not in typed:
            fail("line %d: %s has no TYPE before it" % (no, name))
        if name != current:
            if name in done:
                fail("line %d: family %s is split" % (no, name))
            if current:
                done.add(current)
            current = name
        labels = tuple(sorted(re.findall(LABEL, m.group(2) or "")))
        names = [l.split("=", 1)[0] for l in labels]
        if len(set(names)) != len(names) or any(n.startswith("__") for n in names):
            fail("line %d: repeated or reserved label" % no)
        if (name, labels) in seen:
            fail("line %d: duplicate series" % no)
        seen.add((name, labels))
        samples += 1
    if not samples:
        fail("no samples")
    print("%d samples in %d families" % (samples, len(typed)))


def grain_of(period):
    """The grain a period id implies (docs/output.md)."""
    if "/" in period:
        return "contract_year"
    if "-Q" in period:
        return "quarter"
    return "month" if "-" in period else "year"


def check_json(path):
    doc = json.load(open(path, encoding="utf-8"))
    for key in ("run", "disclosure", "kpis", "results"):
        if key not in doc:
            fail("no %r" % key)
    for r in doc["results"]:
        if set(r) - {"not_evaluated"} != {
                "kpi", "period", "breakdown", "value", "numerator",
                "denominator", "status", "suppressed", "final", "grain"}:
            fail("result keys %s" % sorted(r))
        if r["grain"] != grain_of(r["period"]):
            fail("grain %r of period %r" % (r["grain"], r["period"]))
        if r["suppressed"] and r["value"] is not None:
            fail("a suppressed figure with a value: %r" % r)
    ids = {k["id"] for k in doc["kpis"]}
    if not {r["kpi"] for r in doc["results"]} <= ids:
        fail("a result of an undescribed KPI")
    print("%d results of %d KPIs" % (len(doc["results"]), len(ids)))


def main(argv):
    kinds = {"html": check_html, "png": check_png, "csv": check_csv,
             "privacy": check_privacy, "prometheus": check_prometheus,
             "json": check_json, "attack": check_attack}
    if len(argv) < 3 or argv[1] not in kinds:
        fail(__doc__)
    kinds[argv[1]](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
