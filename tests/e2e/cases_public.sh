# Public or internal KPIs.
#
# public_outputs: the fixture of cli.sh (tests/data/e2e/cases.csv) with
# [kpi casussen_gestart] visibility = public (every other KPI is internal,
# the default), [privacy] min_count = 0 (the fixture's) and [privacy
# public] min_count = 2.  Started per month (cli.sh's working): Jan Noord
# 2, Zuid 1, total 3; Feb Noord 1, Zuid 2, total 3; Mar Noord 1, Zuid 1,
# total 2.  Under the public rule (min_count 2):
#   Jan: Zuid 1 is small; it alone is hidden, so the smallest shown part,
#        Noord 2, is hidden as well (derivable): only the total 3.
#   Feb: Noord 1 small, Zuid 2 derivable: only the total 3.
#   Mar: Noord 1 and Zuid 1 small; together 2, not below 2: the total 2
#        is shown.
# The internal outputs hold every KPI under [privacy] (nothing hidden).
# The file holds exactly the lines of stdin: expect_lines NAME FILE.
expect_lines() {
	if diff <(cat) "$2" >"$work/lines.diff"; then ok "$1"
	else fail "$1" "$(cat "$work/lines.diff")"; fi
}
# No line of FILE matches the basic regex: expect_no_grep NAME FILE RE.
expect_no_grep() {
	if grep -q -- "$3" "$2"; then fail "$1" "$(grep -- "$3" "$2" | head -3)"
	else ok "$1"; fi
}
# A line of FILE matches the basic regex: expect_regex NAME FILE RE.
expect_regex() {
	if grep -q -- "$3" "$2"; then ok "$1"
	else fail "$1" "no match of '$3' in:" "$(head -20 "$2")"; fi
}

test_public_outputs() {
	write_config "$src/tests/data/e2e/cases.csv"
	printf '[kpi casussen_gestart]\nvisibility = public\n' >>"$work/peil.ini"
	peil_expect "run of 2018-Q1" 0 /dev/null run
	# Without [privacy public] the export is an internal output.
	peil_expect "export without [privacy public]" 0 "$work/internal.prom" export
	expect_grep "it holds the internal KPIs" "$work/internal.prom" \
		'peil_kpi_value{kpi="caseload",period="2018-01"} 4'
	printf '[privacy public]\nmin_count = 2\n' >>"$work/peil.ini"
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 --public \
		--format csv >"$work/public.csv" 2>"$work/err"
	expect_rc "report --public --format csv" 0 $?
	csv_columns kpi periode team waarde onderdrukt <"$work/public.csv" >"$work/got"
	expect_lines "the public report: casussen_gestart only, under [privacy public]" \
		"$work/got" <<'EXPECTED'
casussen_gestart;2018-01;Buurtteam Noord;;afleidbaar
casussen_gestart;2018-01;Buurtteam Zuid;;klein aantal
casussen_gestart;2018-01;Totaal;3;
casussen_gestart;2018-02;Buurtteam Noord;;klein aantal
casussen_gestart;2018-02;Buurtteam Zuid;;afleidbaar
casussen_gestart;2018-02;Totaal;3;
casussen_gestart;2018-03;Buurtteam Noord;;klein aantal
casussen_gestart;2018-03;Buurtteam Zuid;;klein aantal
casussen_gestart;2018-03;Totaal;2;
EXPECTED
	"$peil" report --config "$work/peil.ini" --period 2018-02 \
		--format csv >"$work/internal.csv" 2>"$work/err"
	expect_rc "report --format csv (internal)" 0 $?
	expect_regex "the internal report holds internal KPIs" "$work/internal.csv" \
		'^afgesloten_volgens_plan;Volgens plan afgesloten casussen;%;2018-02;Totaal;'
	expect_regex "and the cells under [privacy]" "$work/internal.csv" \
		'^casussen_gestart;Gestarte casussen;casussen;2018-02;Buurtteam Noord;.*;1;'
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 --public \
		-o "$work/public.html" 2>"$work/err"
	expect_rc "report --public (html)" 0 $?
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 \
		-o "$work/internal.html" 2>"$work/err"
	expect_rc "report (html)" 0 $?
	expect_grep "the internal html report has registration quality" \
		"$work/internal.html" 'id="kwaliteit"'
	expect_grep "and the internal KPIs" "$work/internal.html" 'caseload'
	expect_no_grep "the public html report has no registration quality" \
		"$work/public.html" 'id="kwaliteit"'
	expect_no_grep "nor an internal KPI, not even in its footer" \
		"$work/public.html" 'caseload\|afgesloten_volgens_plan\|wachttijd'
	expect_grep "it names the public rule" "$work/public.html" 'casussen_gestart'
	# With [privacy public] the export is a public output.
	peil_expect "export with [privacy public]" 0 "$work/public.prom" export
	check "the public export's grammar" prometheus "$work/public.prom"
	grep '^peil_kpi_value' "$work/public.prom" >"$work/got"
	expect_lines "the public export: the totals of casussen_gestart only" \
		"$work/got" <<'EXPECTED'
peil_kpi_value{kpi="casussen_gestart",period="2018-01"} 3
peil_kpi_value{kpi="casussen_gestart",period="2018-02"} 3
peil_kpi_value{kpi="casussen_gestart",period="2018-03"} 2
EXPECTED
	expect_no_grep "no internal KPI's info or target" "$work/public.prom" \
		'kpi="caseload"\|kpi="wachttijd_gemiddeld"'
	"$peil" explain --config "$work/peil.ini" casussen_gestart >"$work/explain" 2>&1
	expect_regex "explain: public" "$work/explain" "^visibility:  public"
	"$peil" explain --config "$work/peil.ini" caseload >"$work/explain" 2>&1
	expect_grep "explain: internal by default" "$work/explain" \
		"visibility:  internal (never in a public output)"
	# Bad settings name file, line and value.
	printf '[kpi caseload]\nvisibility = openbaar\n' >>"$work/peil.ini"
	peil_expect "visibility = openbaar is refused" 3 /dev/null check
	expect_grep "naming the value" "$work/err" \
		"visibility = openbaar: expected public or internal"
	write_config "$src/tests/data/e2e/cases.csv"
	sed -i 's/^min_count = 0$/min_count = 5/' "$work/peil.ini"	# [privacy]
	printf '[privacy public]\nmin_count = 3\n' >>"$work/peil.ini"
	line=$(grep -n '^min_count = 3$' "$work/peil.ini" | cut -d: -f1)
	peil_expect "a looser public rule is refused" 3 /dev/null export
	expect_regex "naming file, line and both values" "$work/err" \
		"peil.ini:$line: .*min_count = 3: the public rule may not be looser than \[privacy\] min_count = 5"
}
