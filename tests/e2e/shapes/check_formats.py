#!/usr/bin/env python3
"""check_formats.py - the same figures in peil's JSON, CSV and HTML read
back with Python's own parsers: every result row of the JSON once in the
CSV with the same value, every breakdown value (names with accents, '&',
quotes and ';') intact, the HTML well-formed with every team named.

    check_formats.py SHOW_JSON SHOW_CSV REPORT_HTML [BREAKDOWN_FIELD]

Exits 1 on any difference.  Standard library only.
"""

import csv
import html.parser
import json
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr", "path", "rect", "circle", "line", "polyline", "text", "g"}


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> at line %d closes <%s>" % (tag, self.getpos()[0],
                                                                  self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def num(cell):
    return None if cell == "" else float(cell.replace(",", "."))


def main():
    js, csv_path, html_path = sys.argv[1:4]
    field = sys.argv[4] if len(sys.argv) > 4 else "team"
    bad = []
    results = json.load(open(js, encoding="utf-8"))["results"]
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter=";") if r and not r[0].startswith("#")]
    head, rows = rows[0], rows[1:]
    if len(rows) != len(results):
        bad.append("CSV has %d rows, JSON %d results" % (len(rows), len(results)))
    col = {h: i for i, h in enumerate(head)}
    by = [h for h in head[head.index("periode") + 1:head.index("waarde")]]
    index = {}
    for r in rows:
        key = (r[col["kpi"]], r[col["periode"]], tuple(r[col[h]] for h in by))
        if key in index:
            bad.append("CSV: row %r twice" % (key,))
        index[key] = r
    names = set()
    for res in results:
        cells = tuple("Totaal" if not res["breakdown"] else
                      ("(onbekend)" if res["breakdown"].get(h, "") is None else res["breakdown"].get(h, ""))
                      for h in by)
        if not res["breakdown"]:
            cells = tuple("Totaal" if h in by[:1] else "" for h in by)
        v = res["breakdown"].get(field) if res["breakdown"] else None
        if v:
            names.add(v)
        r = index.get((res["kpi"], res["period"], cells))
        if r is None:
            # a total row: the first breakdown column of this KPI says Totaal
            r = next((x for k, x in index.items() if k[0] == res["kpi"] and k[1] == res["period"]
                      and "Totaal" in k[2] and not res["breakdown"]), None)
        if r is None:
            bad.append("CSV lacks %s %s %r" % (res["kpi"], res["period"], res["breakdown"]))
            continue
        value = num(r[col["waarde"]])
        if (value is None) != (res["value"] is None) or (
                value is not None and abs(value - res["value"]) > 1e-6 * max(1, abs(value))):
            bad.append("%s %s %r: CSV %r, JSON %r" % (res["kpi"], res["period"], res["breakdown"],
                                                       r[col["waarde"]], res["value"]))
    p = Tags()
    p.feed(open(html_path, encoding="utf-8").read())
    p.close()
    bad += p.errors[:10]
    if p.stack:
        bad.append("HTML: unclosed %r" % p.stack[-5:])
    text = "".join(p.text)
    missing = [n for n in names if n not in text]
    if missing:
        bad.append("HTML: %d of the %d %s names missing, e.g. %r" % (len(missing), len(names), field, missing[:3]))
    print("formats: %d results, %d CSV rows, %d %s names; %d differences"
          % (len(results), len(rows), len(names), field, len(bad)))
    for b in bad[:30]:
        print("  " + b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
