# An annual report from the shipped scripts plus config only: the month,
# quarter and year tables of started, running and
# closed cases, of the closure reasons and of the referral sources in
# groups (`[kpi instroom_per_melder] group.referrer` with a `[group]`
# file), as `[kpi ID] grains = month, quarter, year` gives them, checked against figures worked out
# independently from the same demo exports (annual_truth below reads the
# CSV files itself: dates dd-mm-jjjj, a later export's row of a case
# replacing an earlier one, as mode = increment stores them).
#
# Running cases are counted in each period, not summed from its months:
# the quarter's figure is below the sum of its months (a case that runs
# in all three counts once), the year's below the sum of its quarters.

# The figures of the demo exports in DIR for 2017, as JSON lines of
# {"kpi", "period", "breakdown", "value"} for every team and the total
# (breakdown {} ), and the closure reasons by reason ("" for none).
annual_truth() {
	python3 - "$1" <<'PY'
import csv, datetime, glob, json, sys
def day(s):
    if not s:
        return None
    d, m, y = s.split("-")
    return datetime.date(int(y), int(m), int(d))
cases = {}
for path in sorted(glob.glob(sys.argv[1] + "/export_casussen_*.csv")):
    with open(path, encoding="windows-1252", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            cases[r["Dossiernummer"]] = r
periods = []
for m in range(1, 13):
    last = datetime.date(2017 + m // 12, m % 12 + 1, 1) - datetime.timedelta(days=1)
    periods.append(("2017-%02d" % m, datetime.date(2017, m, 1), last))
for q in range(4):
    periods.append(("2017-Q%d" % (q + 1), periods[3 * q][1], periods[3 * q + 2][2]))
periods.append(("2017", datetime.date(2017, 1, 1), datetime.date(2017, 12, 31)))
teams = sorted({r["Team"] for r in cases.values()})
reasons = sorted({r["Reden beëindiging"] for r in cases.values()})
def emit(kpi, period, field, value, n):
    print(json.dumps({"kpi": kpi, "period": period,
                      "breakdown": {field: value or None} if field else {},
                      "value": n}))
for pid, first, last in periods:
    started = lambda r: first <= day(r["Datum aanmelding"]) <= last
    closed = lambda r: (day(r["Datum afsluiting"]) is not None and
                        first <= day(r["Datum afsluiting"]) <= last)
    running = lambda r: (day(r["Datum aanmelding"]) <= last and
                         (day(r["Datum afsluiting"]) is None or
                          day(r["Datum afsluiting"]) >= first))
    for kpi, sel in (("casussen_gestart", started), ("casussen_lopend", running),
                     ("casussen_afgesloten", closed)):
        rows = [r for r in cases.values() if sel(r)]
        emit(kpi, pid, None, None, len(rows))
        for t in teams:
            emit(kpi, pid, "team", t, sum(r["Team"] == t for r in rows))
    # The referral sources in the groups of the test's melders.csv;
    # the values it lacks in "overige redenen", empty ones apart.
    rows = [r for r in cases.values() if started(r)]
    emit("instroom_per_melder", pid, None, None, len(rows))
    groups = {"Huisarts": "huisarts/POH", "Ander team": "wijkteam",
              "Zelfmelder": "eigen initiatief", "Familie of netwerk": "eigen initiatief"}
    grouped = lambda r: groups.get(r["Melder"], "overige redenen") if r["Melder"] else ""
    for g in sorted(set(groups.values()) | {"overige redenen", ""}):
        emit("instroom_per_melder", pid, "referrer", g,
             sum(grouped(r) == g for r in rows))
    rows = [r for r in cases.values() if closed(r)]
    emit("afsluitredenen", pid, None, None, len(rows))
    for reason in reasons:
        emit("afsluitredenen", pid, "closure_reason", reason,
             sum(r["Reden beëindiging"] == reason for r in rows))
PY
}

test_annual_report() {
	local kpi
	demo_setup 2016 2017 3000
	sed -i "s|^periods = .*|periods = 2017|; s|^min_count = .*|min_count = 0|" "$work/demo.ini"
	# The figures are compared exactly: the small-cell rules are off here
	# (test_small_cells_grains checks them on a KPI of several grains).
	for kpi in casussen_gestart casussen_lopend casussen_afgesloten afsluitredenen instroom_per_melder; do
		printf '[kpi %s]\ngrains = month, quarter, year\n' "$kpi" >>"$work/demo.ini"
	done
	# The referral sources in groups, by config alone: Politie, Onderwijs,
	# Veilig Thuis and Woningcorporatie are not in the file.
	printf 'value;group\nHuisarts;huisarts/POH\nAnder team;wijkteam\nZelfmelder;eigen initiatief\nFamilie of netwerk;eigen initiatief\n' >"$work/melders.csv"
	printf 'group.referrer = melders\n[group melders]\nfile = %s\nother = overige redenen\n' "$work/melders.csv" >>"$work/demo.ini"
	"$peil" run --config "$work/demo.ini" >"$work/out" 2>"$work/err"
	expect_rc "peil run of 2017 with months, quarters and the year" 0 $?
	"$peil" show --config "$work/demo.ini" --format json >"$work/show.json" 2>"$work/err"
	expect_rc "show --format json" 0 $?
	"$peil" show --config "$work/demo.ini" --format csv >"$work/show.csv" 2>"$work/err"
	expect_rc "show --format csv" 0 $?
	annual_truth "$work/demo" >"$work/truth.jsonl"
	if out=$(python3 - "$work/show.json" "$work/truth.jsonl" "$work/show.csv" <<'PY' 2>&1
import csv, io, json, sys
doc = json.load(open(sys.argv[1]))
truth = {}
for line in open(sys.argv[2]):
    t = json.loads(line)
    truth[(t["kpi"], t["period"], json.dumps(t["breakdown"], sort_keys=True))] = t["value"]
kpis = {"casussen_gestart", "casussen_lopend", "casussen_afgesloten", "afsluitredenen",
        "instroom_per_melder"}
got = {}
for r in doc["results"]:
    if r["kpi"] in kpis:
        got[(r["kpi"], r["period"], json.dumps(r["breakdown"], sort_keys=True))] = r
assert set(got) == set(truth), ("figures differ in kind",
    sorted(set(got) ^ set(truth))[:5])
wrong = [(k, got[k]["value"], v) for k, v in truth.items() if got[k]["value"] != v]
assert not wrong, ("%d figures differ" % len(wrong), wrong[:5])
grain = {"2017": "year"}
for k, r in got.items():
    want = "year" if r["period"] == "2017" else "quarter" if "-Q" in r["period"] else "month"
    assert r["grain"] == want, r
for k in doc["kpis"]:
    if k["id"] in kpis:
        assert k["grains"] == ["month", "quarter", "year"], k
# Running cases: counted per period, not summed.
run = lambda p: truth[("casussen_lopend", p, "{}")]
assert run("2017-Q1") < run("2017-01") + run("2017-02") + run("2017-03"), "Q1"
assert run("2017") < sum(run("2017-Q%d" % q) for q in range(1, 5)), "year"
# The referral groups: the unmapped values in "overige redenen", the
# empty ones apart (null, "(onbekend)").
mel = lambda g, p="2017": truth[("instroom_per_melder", p, json.dumps({"referrer": g}))]
assert mel("overige redenen") > 0 and mel(None) > 0, (mel("overige redenen"), mel(None))
assert sum(mel(g) for g in ("huisarts/POH", "wijkteam", "eigen initiatief", "overige redenen", None)) \
    == truth[("instroom_per_melder", "2017", "{}")], "groups add up to the total"
# Started cases add up across grains.
st = lambda p: truth[("casussen_gestart", p, "{}")]
assert st("2017") == sum(st("2017-%02d" % m) for m in range(1, 13)), "started"
# The CSV: the grain in its last column, the same figures.
text = open(sys.argv[3], encoding="utf-8-sig").read()
rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
assert list(rows[0].keys())[-1] == "korrel", list(rows[0].keys())
words = {"month": "maand", "quarter": "kwartaal", "year": "jaar"}
n = 0
for r in rows:
    if r["kpi"] == "casussen_lopend" and r["team"] == "Totaal":
        assert int(r["waarde"]) == run(r["periode"]), r
        want = "jaar" if r["periode"] == "2017" else "kwartaal" if "-Q" in r["periode"] else "maand"
        assert r["korrel"] == want, r
        n += 1
assert n == 17, n
print("%d figures of 5 KPIs in 17 periods as worked out; running cases "
      "Q1 %d (months %d, %d, %d), year %d" % (len(truth), run("2017-Q1"),
      run("2017-01"), run("2017-02"), run("2017-03"), run("2017")))
PY
); then ok "$out"; else fail "the annual report's figures" "$out"; fi
	"$peil" report --config "$work/demo.ini" --period 2017 -o "$work/verslag.html" 2>"$work/err"
	expect_rc "report of 2017" 0 $?
	year=$(awk '/"casussen_gestart"/ && /"period": "2017",/ && /"breakdown": \{\}/' "$work/show.json" |
		sed 's/.*"value": \([0-9]*\).*/\1/')
	python3 - "$work/verslag.html" "$year" <<'PY' && ok "the summary gives the year's figure of started cases ($year (2017)), not December's" || fail "the summary of 2017"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
summary = html[html.index('id="samenvatting"'):]
summary = summary[:summary.index("</table>")]
row = re.search(r'href="#kpi-casussen_gestart">.*?</tr>', summary).group(0)
text = re.sub(r"<[^>]+>", "", row)
assert sys.argv[2] and sys.argv[2] in text and "(2017)" in text, text
PY
	python3 - "$work/verslag.html" <<'PY' && ok "the report shows months, quarters and the year side by side" || fail "the grains in the report"
import sys
html = open(sys.argv[1], encoding="utf-8").read()
s = html[html.index('id="kpi-casussen_lopend"'):]
s = s[:s.index("</section>")]
a, b, c = s.index("Per maand"), s.index("Per kwartaal"), s.index("Per jaar")
assert a < b < c, (a, b, c)
assert ">Q1<" in s or "2017-Q1" in s, "no quarter column"
PY
	"$peil" explain --config "$work/demo.ini" casussen_lopend >"$work/explain" 2>"$work/err"
	expect_grep "explain shows the grains" "$work/explain" "grains:      month, quarter, year"
	# An unknown grain names the line.
	printf '[kpi caseload]\ngrains = maand, week\n' >>"$work/demo.ini"
	line=$(wc -l <"$work/demo.ini")
	"$peil" check --config "$work/demo.ini" >"$work/out" 2>"$work/err"
	expect_rc "an unknown grain is refused" 3 $?
	expect_grep "it names the file, line and grain" "$work/err" "demo.ini:$line: [kpi caseload] grains = maand, week: unknown grain 'week'"
}
