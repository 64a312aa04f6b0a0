# Tables a policy officer can read (sourced by cli.sh): one number format
# per KPI, legends in words, columns aligned in characters, periods that
# do not wrap.  The figures are those of cli.sh's fixture (its comments
# work them out by hand).

# The cells of one KPI's text table in file $1, KPI id $2: a line per row,
# "label|cell|cell|...", split where two or more spaces stand; then
# "width N" when every line of the table (header and rows) is N
# characters wide, else "widths differ".
text_table() {
	python3 - "$1" "$2" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = next(i for i, l in enumerate(lines) if l.endswith("[%s]" % sys.argv[2]))
table = []
for l in lines[start + 1:]:
    if not l or l.startswith(("Doel:", "* =", "~ =")):
        break
    table.append(l)
for l in table[1:]:
    print("|".join(re.split(r" {2,}", l.strip())))
widths = {len(l) for l in table}
print("width %d" % widths.pop() if len(widths) == 1 else "widths differ")
PY
}

# Every value of a KPI with the same decimals: the mean waiting time has
# one (Zuid's 0 in January is 0,0, Noord's 4 in March 4,0), and two with
# [kpi wachttijd_gemiddeld] decimals = 2.  A target of at most 3 working
# days is missed by Noord's 4,5 (January) and 4,0 (March): 2 of the 8
# figures with a status (Noord has none in February), which the legend
# says in words.
test_tables_text() {
	write_config "$src/tests/data/e2e/cases.csv"
	cat >>"$work/peil.ini" <<'INI'
[kpi wachttijd_gemiddeld]
target.max = 3
INI
	peil_expect "run over the fixture" 0 "$work/run.txt" run
	text_table "$work/run.txt" wachttijd_gemiddeld >"$work/got"
	cat >"$work/expected" <<'EOF'
Buurtteam Noord|4,5!|-|4,0!
Buurtteam Zuid|0,0|3,0|1,0
Totaal|3,0|3,0|2,5
EOF
	if diff -u "$work/expected" <(grep -v '^width' "$work/got") >"$work/d"; then
		ok "a mean: one decimal in every cell, 0,0 and 4,0 too"
	else fail "the mean's cells" "$(cat "$work/d")"; fi
	expect_grep "its lines are equally wide" "$work/got" "width "
	expect_grep "the legend says what its count is" "$work/run.txt" \
		"Doel: maximaal 3 werkdagen; ! = niet gehaald, ? = in gevaar; 2 van de 8 cijfers niet gehaald of in gevaar"
	text_table "$work/run.txt" wachttijd_binnen_norm >"$work/got"
	expect_grep "a share: 50,0 and 100,0, not 50 and 100" "$work/got" \
		"Buurtteam Noord|50,0|-|100,0"
	expect_grep "66.6667 rounds to 66,7" "$work/got" "Totaal|66,7|100,0|100,0"
	text_table "$work/run.txt" caseload >"$work/got"
	expect_grep "a count: no decimals" "$work/got" "Totaal|4|5|5"
	"$peil" show --config "$work/peil.ini" --lang en --kpi wachttijd_gemiddeld \
		>"$work/en.txt" 2>"$work/err"
	expect_grep "the legend in English" "$work/en.txt" \
		"! = not met, ? = at risk; 2 of 8 figures not met or at risk"

	printf 'decimals = 2\n' >>"$work/peil.ini"
	peil_expect "show with [kpi] decimals = 2" 0 "$work/show.txt" show --kpi wachttijd_gemiddeld
	text_table "$work/show.txt" wachttijd_gemiddeld >"$work/got"
	expect_grep "decimals = 2: every cell with two" "$work/got" "Totaal|3,00|3,00|2,50"
	"$peil" show --config "$work/peil.ini" --kpi wachttijd_gemiddeld --format csv \
		>"$work/show.csv" 2>"$work/err"
	expect_grep "CSV keeps the full value" "$work/show.csv" ";2018-03;Totaal;2,5;"

	sed -i 's/^decimals = 2$/decimals = 1.5/' "$work/peil.ini"
	line=$(grep -n '^decimals = 1.5' "$work/peil.ini" | cut -d: -f1)
	peil_expect "decimals = 1.5 is refused" 3 /dev/null show
	expect_grep "naming file, line and value" "$work/err" \
		"peil.ini:$line: [kpi wachttijd_gemiddeld] decimals = 1.5: expected a whole number from 0 to 6"

	mkdir -p "$work/scripts"
	cat >"$work/scripts/tellen.lua" <<'LUA'
kpi {
  id = "tellen",
  title = "Tellen",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  rule = count(),
  decimals = 7,
}
LUA
	write_config "$src/tests/data/e2e/cases.csv" "$src/scripts, $work/scripts"
	"$peil" list --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_grep "decimals = 7 in kpi{} is refused with file and line" "$work/err" \
		"tellen.lua:1: kpi 'tellen': decimals: expected a whole number from 0 to 6"
}

# peil list: the KPIs' columns line up in characters with a long id and
# the grain contract_year (13 characters); list --fields too with a long
# field name.  Parsed: the title of every KPI line starts at the same
# character.
test_tables_list() {
	mkdir -p "$work/scripts"
	cat >"$work/scripts/lang.lua" <<'LUA'
kpi {
  id = "casussen_gestart_in_het_contractjaar_per_team",
  title = "Gestarte casussen in het contractjaar",
  unit = "casussen",
  dataset = "cases",
  grain = "contract_year",
  rule = count(),
}
LUA
	write_config "$src/tests/data/e2e/cases.csv" "$src/scripts, $work/scripts"
	printf '[contract]\nstart_month = 7\n' >>"$work/peil.ini"
	peil_expect "peil list" 0 "$work/list" list
	expect_grep "the long KPI is listed" "$work/list" "casussen_gestart_in_het_contractjaar_per_team contract_year"
	if python3 - "$work/list" >"$work/why" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
kpis = lines[lines.index("KPIs:") + 1:]
kpis = [l for l in kpis if l.startswith("  ")]
starts = set()
for l in kpis:
    parts = l.split()
    # id, grain, then the title
    starts.add((l.index(" " + parts[1] + " ", len(parts[0]) + 2) + 1,
                l.index(parts[2], l.index(" " + parts[1] + " ") + len(parts[1]) + 1)))
if len(kpis) < 10 or len(starts) != 1:
    print(len(kpis), "KPI lines; grain and title start at", sorted(starts))
    sys.exit(1)
PY
	then ok "grain and title start at the same character on every KPI line"
	else fail "peil list's columns do not line up" "$(cat "$work/why")"; fi
}

# The HTML report: a period in the summary and in the provisional figures
# sits in a span that does not wrap ("2018-Q1" never breaks after its
# hyphen), parsed from what was written.
test_tables_html() {
	write_config "$src/tests/data/e2e/cases.csv"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 -o "$work/r.html" 2>"$work/err"
	expect_rc "report (html)" 0 $?
	if python3 - "$work/r.html" >"$work/why" <<'PY'
import html.parser, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
css = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
assert ".period{white-space:nowrap}" in css, "no nowrap rule for .period"
class Summary(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.periods = []; self.loose = []
    def handle_starttag(self, tag, a):
        self.stack.append((tag, dict(a).get("class", "")))
    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass
    def handle_data(self, d):
        in_summary = any(t == "table" and c == "summary" for t, c in self.stack)
        if not in_summary:
            return
        for m in re.findall(r"\d{4}-(?:Q\d|\d{2})", d):
            if self.stack and self.stack[-1] == ("span", "period") and d == m:
                self.periods.append(m)
            else:
                self.loose.append(d)
p = Summary(); p.feed(text)
if not p.periods or p.loose:
    print("periods in a nowrap span:", len(p.periods), "outside one:", p.loose[:3])
    sys.exit(1)
PY
	then ok "every period in the summary is in a span.period that does not wrap"
	else fail "a period in the summary can wrap" "$(cat "$work/why")"; fi
}

# The bars' value labels in each KPI's decimals: the demo's share of
# cases closed as planned has 1 (60,0 beside 61,3, not 60).
test_tables_bars() {
	demo_setup 2018 2018 6000
	demo_run_periods 2018
	"$peil" report --config "$work/demo.ini" --period 2018 -o "$work/d.html" 2>"$work/err"
	expect_rc "report of the demo (html)" 0 $?
	if python3 - "$work/d.html" >"$work/why" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
seen = {}
for s in re.split(r'<section class="kpi"', text)[1:]:
    kpi = re.match(r' id="kpi-([^"]+)"', s).group(1)
    labels = re.findall(r'<rect [^>]*/><text [^>]*fill="#222">([^<]*)</text>', s)
    seen[kpi] = {len(v.split(",")[1]) if "," in v else 0 for v in labels}
bad = {k: v for k, v in seen.items() if len(v) > 1}
assert not bad, bad
assert seen["afgesloten_volgens_plan"] == {1}, seen["afgesloten_volgens_plan"]
assert seen["casussen_gestart"] == {0}, seen["casussen_gestart"]
PY
	then ok "bar labels carry each KPI's decimals"
	else fail "bar labels mix decimals" "$(cat "$work/why")"; fi
}

# "ID HEAD" per KPI table in text file $1: the header of its first column.
table_heads() {
	python3 - "$1" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
for i, l in enumerate(lines):
    if l.endswith("]") and "[" in l and i + 1 < len(lines):
        print(l[l.rindex("[") + 1:-1], lines[i + 1].split("  ")[0])
PY
}

# Field labels.  Without a label the text table's first column is headed
# by the export header of the fixture's source (column.Team = team,
# column.Reden beëindiging = closure_reason); [dataset cases]
# label.closure_reason = Afsluitreden replaces it in the text table and
# in the HTML report ("Per afsluitreden" in the caption, "Afsluitreden"
# over the figures), while CSV keeps the field id closure_reason, its
# machine interface.
test_tables_labels() {
	write_config "$src/tests/data/e2e/cases.csv"
	peil_expect "run over the fixture" 0 "$work/run.txt" run
	table_heads "$work/run.txt" >"$work/heads"
	expect_grep "caseload: Team" "$work/heads" "caseload Team"
	expect_grep "closure reasons: the export header" "$work/heads" "afsluitredenen Reden beëindiging"
	sed -i 's/^\[dataset cases\]$/[dataset cases]\nlabel.closure_reason = Afsluitreden/' "$work/peil.ini"
	peil_expect "show with label.closure_reason" 0 "$work/show.txt" show
	table_heads "$work/show.txt" >"$work/heads"
	expect_grep "label.closure_reason heads the table" "$work/heads" "afsluitredenen Afsluitreden"
	"$peil" show --config "$work/peil.ini" --kpi afsluitredenen --format csv >"$work/show.csv" 2>"$work/err"
	expect_grep "CSV keeps the field id" "$work/show.csv" ";periode;closure_reason;waarde;"
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 -o "$work/r.html" 2>"$work/err"
	expect_rc "report (html)" 0 $?
	if python3 - "$work/r.html" >"$work/why" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.tag = None; self.caps = []; self.ths = []
    def handle_starttag(self, tag, a):
        self.tag = tag
    def handle_data(self, d):
        if self.tag == "figcaption": self.caps.append(d)
        if self.tag == "th": self.ths.append(d)
    def handle_endtag(self, tag):
        self.tag = None
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
caps = [c for c in p.caps if c.startswith("Per ")]
bad = [c for c in caps if c.startswith(("Per closure_reason", "Per team", "Per referrer"))
       and not c.startswith("Per team,")]
ok = any(c.startswith("Per afsluitreden, ") for c in caps) and \
     any(c.startswith("Per team, ") for c in caps) and \
     "Afsluitreden" in p.ths and "closure_reason" not in p.ths and not bad
if not ok:
    print("captions:", sorted(set(caps))[:8], "headers:", sorted(set(p.ths))[:12])
    sys.exit(1)
PY
	then ok "html: 'Per afsluitreden' and 'Per team', Afsluitreden over the figures"
	else fail "html captions or headers use field ids" "$(cat "$work/why")"; fi
}
