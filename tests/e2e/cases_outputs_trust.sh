# Sourced by cli.sh: what Peil hands out (runs, show, report, diff), as
# an outside checker reads it.  A published figure is the one its
# definition and data give, or the outputs say loudly why not.

# The gestart_team KPI of a script dir of its own, whose team comes from
# a module (lib/teams.lua) that the script requires: $work/scripts.
module_scripts() { # module_scripts TEAM
	mkdir -p "$work/scripts/lib"
	printf 'local T = {}\nT.team = "%s"\nreturn T\n' "$1" \
		>"$work/scripts/lib/teams.lua"
	cat >"$work/scripts/team.lua" <<'LUA'
local teams = require("lib.teams")
kpi {
  id = "gestart_team",
  title = "Gestarte casussen van een team",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  select = started_in("registered"),
  where = eq("team", teams.team),
  rule = count(),
}
LUA
}

# gestart_fixture: started cases per team and month (KPI gestart) over
# a copy of the fixture, $work/cases.csv, for 2018-Q1.
gestart_fixture() {
	mkdir -p "$work/scripts"
	cat >"$work/scripts/gestart.lua" <<'LUA'
kpi { id = "gestart", title = "Gestarte casussen", unit = "casussen",
  dataset = "cases", grain = "month", breakdown = { "team" },
  select = started_in("registered"), rule = count() }
LUA
	cp "$src/tests/data/e2e/cases.csv" "$work/cases.csv"
	fixture_config "$work/cases.csv" "$work/scripts" 2018-Q1
}

# add_d11: case D11 (Noord, registered 5 March 2018) at the end of
# $work/cases.csv.
add_d11() {
	printf 'D11;Buurtteam Noord;Welzijn Noord;WK999901;BU99990102;05-03-2018;;;Zelfmelder;;;;P000009;05-03-2018;\r\n' \
		>>"$work/cases.csv"
}

# expect_totals NAME CSV "KPI PERIOD VALUE ...": the CSV's figures (of
# the total, cells without ';') are those, in order.
expect_totals() {
	local got
	got=$(csv_columns kpi periode waarde <"$2" | tr ';\n' '  ')
	[ "$got" = "$3 " ] && ok "$1" || fail "$1" "got: $got"
}

# expect_squeezed FILE LINE...: each LINE is a line of FILE, its runs of
# blanks squeezed (peil diff's aligned columns).
expect_squeezed() {
	local file=$1 line
	shift
	for line in "$@"; do
		if tr -s ' ' <"$file" | sed 's/^ //' | grep -qxF -- "$line"
		then ok "$line"
		else fail "$line" "$(cat "$file")"; fi
	done
}

# ------------------------------------------------------ definition module
# A module that a script requires is part of its KPIs' definition.  From
# the fixture (cli.sh, test_figures): started cases of Buurtteam Noord
# Jan 2 (D1 D3), Feb 1 (D4), Mar 1 (D10); of Buurtteam Zuid Jan 1 (D5),
# Feb 2 (D7 D8), Mar 1 (D6).  With the module changed from Noord to Zuid
# the next run must give Zuid's figures, and say the definition changed
# (before: the definition hash held the script file alone; the run found
# nothing changed, confirmed run 1 and published Noord's figures as the
# new definition's, exit 0).
test_definition_module() {
	module_scripts "Buurtteam Noord"
	fixture_config "$src/tests/data/e2e/cases.csv" "$work/scripts" 2018-Q1
	"$peil" run --config "$work/peil.ini" --format csv >"$work/run1.csv" \
		2>"$work/err"
	expect_rc "run with the module of Noord" 0 $?
	expect_totals "Noord's started cases" "$work/run1.csv" \
		"gestart_team 2018-01 2 gestart_team 2018-02 1 gestart_team 2018-03 1"
	module_scripts "Buurtteam Zuid"
	"$peil" run --config "$work/peil.ini" --format csv >"$work/run2.csv" \
		2>"$work/err"
	# The months of 2018 are final today: a changed final figure, exit 5.
	expect_rc "run with the module of Zuid" 5 $?
	expect_grep "the run says the definition changed" "$work/err" \
		"evaluating: the definition of gestart_team changed since run 1"
	expect_totals "the run gives Zuid's started cases" "$work/run2.csv" \
		"gestart_team 2018-01 1 gestart_team 2018-02 2 gestart_team 2018-03 1"
	"$peil" show --config "$work/peil.ini" --format csv >"$work/show.csv" \
		2>"$work/err"
	expect_rc "show" 0 $?
	expect_totals "show publishes Zuid's started cases" "$work/show.csv" \
		"gestart_team 2018-01 1 gestart_team 2018-02 2 gestart_team 2018-03 1"
	peil_expect "diff" 0 "$work/diff" diff
	expect_squeezed "$work/diff" \
		"gestart_team 2018-01 Totaal 2 1 -1 definitief definitie" \
		"gestart_team 2018-02 Totaal 1 2 +1 definitief definitie"
	# Unchanged since: the next run confirms run 2.
	peil_expect "a third run" 0 /dev/null run
	expect_grep "the third run confirms run 2" "$work/err" \
		"run 3: nothing changed since run 2"
}

# ---------------------------------------------------- definition calendar
# [calendar] is part of a working-day KPI's definition.  Case D6 of Zuid
# was registered on Thursday 29 March 2018 and met on Tuesday 3 April:
# with Goede Vrijdag (30 March) and Tweede Paasdag (2 April) off it
# waited 1 working day (3 April), with good_friday = no 2 (30 March, 3
# April).  wachttijd_gemiddeld 2018-03: Zuid 1 -> 2, Totaal (D10's 4 +
# D6's) / 2 = 2.5 -> 3.  The second run also reads an export with one
# more case (D11, Noord, registered 5 March, not met: no waiting time),
# so its inputs changed too; the change of the waiting time is the
# calendar's, and diff and the report must call it a change of the
# definition (before: 'invoer', as if the data had moved it; with the
# inputs unchanged, no cause at all).
test_definition_calendar() {
	cp "$src/tests/data/e2e/cases.csv" "$work/cases.csv"
	fixture_config "$work/cases.csv" "$src/scripts" 2018-Q1 \
		"kpis = wachttijd_gemiddeld, casussen_gestart"
	peil_expect "run with the default calendar" 0 /dev/null run
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 \
		--format json -o "$work/r1.json" 2>"$work/err"
	expect_rc "report of run 1" 0 $?
	add_d11
	printf '[calendar]\ngood_friday = no\n' >>"$work/peil.ini"
	peil_expect "run without Goede Vrijdag and with D11" 5 /dev/null run
	peil_expect "diff" 0 "$work/diff" diff
	expect_squeezed "$work/diff" \
		"wachttijd_gemiddeld 2018-03 Buurtteam Zuid 1,0 2,0 +1,0 definitief definitie" \
		"wachttijd_gemiddeld 2018-03 Totaal 2,5 3,0 +0,5 definitief definitie" \
		"casussen_gestart 2018-03 Buurtteam Noord 1 2 +1 definitief invoer" \
		"casussen_gestart 2018-03 Totaal 2 3 +1 definitief invoer"
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 \
		--format json -o "$work/r2.json" 2>"$work/err"
	expect_rc "report of run 2" 0 $?
	python3 - "$work/r2.json" >"$work/causes" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for r in doc["revised"]:
    b = r["breakdown"]
    print(r["kpi"], r["period"], b.get("team", "Totaal") if b else "Totaal",
          r["previous"], r["value"], r["cause"])
PY
	expect_squeezed "$work/causes" \
		"wachttijd_gemiddeld 2018-03 Buurtteam Zuid 1 2 definition" \
		"wachttijd_gemiddeld 2018-03 Totaal 2.5 3 definition" \
		"casussen_gestart 2018-03 Buurtteam Noord 1 2 input"
}

# ------------------------------------------------------- final change log
# peil run names each final figure that changed on its log (the journal,
# a monitoring mail): a figure that the small-cell rules hide there
# without its values, as every output does.  The change of the waiting
# time of test_definition_calendar, with min_count = 2: in 2018-03 Noord
# (D10) and Zuid (D6) have one case each, below 2, and are hidden; the
# total (2 cases) is shown, and with both parts hidden, together 2 (not
# below the threshold), nothing tells either.  So: 'Buurtteam Zuid: * ->
# *', 'Totaal: 2.5 -> 3' (before: 'Buurtteam Zuid: 1 -> 2', the hidden
# waiting time of one client in the log).
test_final_change_log() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-Q1 \
		"kpis = wachttijd_gemiddeld"
	sed -i 's/^min_count = 0$/min_count = 2/' "$work/peil.ini"
	peil_expect "run with the default calendar" 0 /dev/null run
	printf '[calendar]\ngood_friday = no\n' >>"$work/peil.ini"
	peil_expect "run without Goede Vrijdag" 5 "$work/out" run
	grep '^peil: warning: ' "$work/err" | sed 's/^peil: warning: //' \
		>"$work/warnings"
	expect_squeezed "$work/warnings" \
		"final figure changed: wachttijd_gemiddeld 2018-03 Buurtteam Zuid: * -> * (* = hidden by the small-cell rules)" \
		"final figure changed: wachttijd_gemiddeld 2018-03 Totaal: 2.5 -> 3" \
		"run 2: 2 final figures changed since run 1 (see peil diff 1 2)"
	! grep -q "Buurtteam Noord" "$work/warnings" &&
		ok "Noord's waiting time did not change" ||
		fail "Noord's waiting time did not change" "$(cat "$work/warnings")"
	# The table of the run hides the same cells.
	expect_squeezed "$work/out" "Buurtteam Zuid * 3,0 *"
}

# ---------------------------------------------------- final change published
# A final figure that a run publishes changed is named on its log and
# makes it exit 5, compared with the figures published before it: not
# with a peil eval between them (before: an analyst's eval of the new
# export made the next scheduled run compare with it, find nothing
# changed and exit 0 while it changed published final figures), nor with
# a run in which a KPI failed, which publishes nothing (before: that run
# exited 5 for figures it did not publish, and the run that published
# them compared with it and exited 0).  One KPI, started cases per team
# (the fixture: 2018-03 Noord 1 (D10), Zuid 1 (D6), Totaal 2); D11
# (Noord, registered 5 March) and D12 (Zuid, 6 March) come later.
test_final_change_published() {
	mkdir -p "$work/broken"
	gestart_fixture
	peil_expect "run 1" 0 /dev/null run
	add_d11
	peil_expect "ingest of D11" 0 /dev/null ingest
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 >/dev/null \
		2>"$work/err"
	expect_rc "eval of 2018-Q1 (run 2, not published)" 0 $?
	peil_expect "run 3 publishes D11" 5 /dev/null run
	grep '^peil: warning: ' "$work/err" | sed 's/^peil: warning: //' \
		>"$work/warnings"
	expect_squeezed "$work/warnings" \
		"final figure changed: gestart 2018-03 Buurtteam Noord: 1 -> 2" \
		"final figure changed: gestart 2018-03 Totaal: 2 -> 3" \
		"run 3: 2 final figures changed since run 1 (see peil diff 1 3)"
	# Run 4 reads D12, but a KPI fails: it publishes nothing, and moved
	# no published figure.
	printf 'D12;Buurtteam Zuid;Welzijn Zuid;WK999902;BU99990201;06-03-2018;;;Zelfmelder;;;;P000010;06-03-2018;\r\n' \
		>>"$work/cases.csv"
	printf 'kpi { id = "stuk", title = "Stuk", unit = "x", dataset = "cases",\n  grain = "month", rule = count(function(row) error("kapot") end) }\n' \
		>"$work/broken/stuk.lua"
	sed -i "s|^script_dirs = .*|script_dirs = $work/scripts, $work/broken|" \
		"$work/peil.ini"
	peil_expect "run 4, a KPI failed" 1 /dev/null run
	! grep -q "final figure" "$work/err" &&
		ok "run 4 names no final figure" ||
		fail "run 4 names no final figure" "$(cat "$work/err")"
	"$peil" show --config "$work/peil.ini" --format csv >"$work/show.csv" \
		2>"$work/err"
	expect_rc "show" 0 $?
	expect_grep "show: the figures of run 3, Zuid without D12" \
		"$work/show.csv" "gestart;Gestarte casussen;casussen;2018-03;Buurtteam Zuid;1;"
	# Run 5 publishes D12: compared with run 3, the last published.
	sed -i "s|^script_dirs = .*|script_dirs = $work/scripts|" \
		"$work/peil.ini"
	peil_expect "run 5 publishes D12" 5 /dev/null run
	grep '^peil: warning: ' "$work/err" | sed 's/^peil: warning: //' \
		>"$work/warnings"
	expect_squeezed "$work/warnings" \
		"final figure changed: gestart 2018-03 Buurtteam Zuid: 1 -> 2" \
		"final figure changed: gestart 2018-03 Totaal: 3 -> 4" \
		"run 5: 2 final figures changed since run 3 (see peil diff 3 5)"
}

# ----------------------------------------------------------- diff hidden
# peil diff when every figure that changed is hidden by the small-cell
# rules: it says that figures changed and that they are not shown (before:
# "(none)", as if nothing had changed).  Started cases per team with
# min_count = 5: D11 (Noord, 5 March) moves 2018-03 Noord 1 -> 2 and the
# total 2 -> 3, all below 5: two changes, both hidden.
test_diff_hidden() {
	gestart_fixture
	sed -i 's/^min_count = 0$/min_count = 5/' "$work/peil.ini"
	peil_expect "run 1" 0 /dev/null run
	add_d11
	peil_expect "run 2 with D11" 5 /dev/null run
	peil_expect "diff" 0 "$work/diff" diff
	expect_squeezed "$work/diff" \
		"(2 cijfers veranderden, geen ervan getoond: de regels voor kleine aantallen verbergen ze)"
	! grep -q "(none)" "$work/diff" && ok "diff does not say none" ||
		fail "diff does not say none" "$(cat "$work/diff")"
	"$peil" diff --config "$work/peil.ini" --lang en >"$work/diff_en" \
		2>"$work/err"
	expect_rc "diff --lang en" 0 $?
	expect_squeezed "$work/diff_en" \
		"(2 figures changed, none of them shown: the rules for small numbers hide them)"
	peil_expect "diff --lang fr" 64 /dev/null diff --lang fr
}

# ------------------------------------------------------- evaluate locked
# peil report --evaluate evaluates and records a run, as peil eval does:
# under the lock of run, ingest and eval, so that it never reads a store
# that a run or ingest is writing (a source's new file beside another's
# old one).  Before, it evaluated while another peil held the lock.
# With the lock held here (lock_wait = 1): exit 75 naming the lock, no
# run recorded; a report of published figures still reads; once the
# lock is free, --evaluate evaluates.
test_evaluate_locked() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-Q1 \
		"$cases_only_kpis
lock_wait = 1"
	peil_expect "run of 2018-Q1" 0 /dev/null run
	exec 9>"$work/peil.db.lock"
	flock 9
	"$peil" report --config "$work/peil.ini" --period 2018-Q2 --evaluate \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "report --evaluate while another holds the lock" 75 $?
	expect_grep "the lock is named" "$work/err" \
		"$work/peil.db.lock: another peil"
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "report of the published 2018-Q1 meanwhile" 0 $?
	exec 9>&-
	"$peil" runs --config "$work/peil.ini" >"$work/runs" 2>"$work/err"
	! grep -q "^Run 2" "$work/runs" && ok "no run recorded under the lock" ||
		fail "no run recorded under the lock" "$(cat "$work/runs")"
	"$peil" report --config "$work/peil.ini" --period 2018-Q2 --evaluate \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "report --evaluate with the lock free" 0 $?
	"$peil" runs --config "$work/peil.ini" >"$work/runs" 2>"$work/err"
	expect_grep "it recorded run 2, an eval" "$work/runs" "Run 2  eval"
}
