# End-to-end cases of KPIs over datasets or periods
# without data are "not evaluated" in every output, never 0; a
# municipality chooses its set of KPIs.  Sourced by cli.sh.

# A municipality with a case export only (the fixture's ten cases of
# 2017-10 to 2018-03): the datasets of the demo's other exports are
# declared but hold no rows.  Once, this run exited 0 and gave
# "vervolgbezoeken_achterstallig 2018-01 0 gehaald"; now every output
# says which dataset has no data, and the run is incomplete (exit 6).
test_cases_only() {
	local reason_nl="niet berekend: dataset trajectories heeft geen rij met start tot het einde van de periode"
	local reason_en="dataset trajectories has no row with start up to the period's end"

	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-Q1
	peil_expect "a cases-only run is incomplete" 6 "$work/run.csv" run --format csv
	expect_grep "the log names the KPI and the dataset" "$work/err" \
		"KPI vervolgbezoeken_achterstallig not evaluated: $reason_en"
	csv_columns kpi periode waarde status <"$work/run.csv" >"$work/got"
	expect_grep "CSV: the reason, no value" "$work/got" \
		"vervolgbezoeken_achterstallig;2018-01;;$reason_nl"
	if grep -q '^vervolgbezoeken_achterstallig;.*gehaald' "$work/got"; then
		fail "CSV: a figure not evaluated has a target status"
	else ok "CSV: no target status where nothing was evaluated"; fi
	expect_grep "CSV: the case KPIs still count (Jan: D1 D3 D5)" "$work/got" \
		"casussen_gestart;2018-01;3;"
	"$peil" runs --config "$work/peil.ini" >"$work/runs" 2>"$work/err"
	expect_grep "the run is recorded as incomplete" "$work/runs" "incomplete"
	# An incomplete scheduled run is published: what it could not
	# evaluate says why in every output.  By default and by its id alike.
	run=$(sqlite3 "$work/peil.db" "SELECT max(id) FROM peil_run")
	peil_expect "show: the incomplete scheduled run is the published one" 0 "$work/show-default.txt" show
	expect_grep "show: with its marks" "$work/show-default.txt" "n.b. = $reason_nl"
	"$peil" show --config "$work/peil.ini" --run "$run" >"$work/show.txt" 2>"$work/err"
	expect_grep "text: the mark in the cell" "$work/show.txt" "Totaal     n.b.     n.b.     n.b."
	expect_grep "text: the reason under the table" "$work/show.txt" "n.b. = $reason_nl"
	"$peil" show --config "$work/peil.ini" --run "$run" --format json >"$work/show.json" 2>"$work/err"
	python3 "$src/tests/e2e/check_output.py" json "$work/show.json" >/dev/null &&
		ok "JSON: the grammar holds" || fail "JSON: the grammar check failed"
	python3 - "$work/show.json" "$reason_en" <<'PY' && ok "JSON: status null, the reason, no value" || fail "JSON: a figure not evaluated"
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["results"]
        if r["kpi"] == "vervolgbezoeken_achterstallig"]
sys.exit(not (len(rows) == 3 and all(r["value"] is None and r["status"] is None
              and r["not_evaluated"] == sys.argv[2] for r in rows)))
PY
	"$peil" export --config "$work/peil.ini" --run "$run" -o "$work/peil.prom" 2>"$work/err"
	expect_grep "Prometheus: the reason" "$work/peil.prom" \
		"peil_kpi_not_evaluated{kpi=\"vervolgbezoeken_achterstallig\",period=\"2018-01\",reason=\"$reason_en\"} 1"
	if grep -q '^peil_kpi_\(value\|status\){kpi="vervolgbezoeken_achterstallig"' "$work/peil.prom"; then
		fail "Prometheus: a value or status where nothing was evaluated"
	else ok "Prometheus: no value and no status"; fi
	"$peil" report --config "$work/peil.ini" --run "$run" --period 2018-Q1 -o "$work/verslag.html" 2>"$work/err"
	expect_grep "HTML: the reason" "$work/verslag.html" "$reason_nl"

	# Without the dataset at all: "ontbreekt".  The ladder's contract
	# year 2018 (start month 1) is one whole period of 2018.
	python3 - "$work/peil.ini" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
text = re.sub(r"(?ms)^\[dataset trajectories\]\n.*?(?=^\[)", "", text)
open(sys.argv[1], "w").write(text)
PY
	"$peil" eval --config "$work/peil.ini" --period 2018 --kpi ladder_in_traject \
		>"$work/out.txt" 2>"$work/err"
	expect_rc "a KPI over a dataset not configured" 6 $?
	expect_grep "text: the dataset is missing" "$work/out.txt" \
		"n.b. = niet berekend: dataset trajectories ontbreekt"
	# the first column as wide as its header, programme (9 characters)
	expect_grep "text: the cell" "$work/out.txt" "Totaal     n.b."
	if grep -q "^Totaal .*[!?]" "$work/out.txt"; then fail "a target mark for ladder_in_traject"
	else ok "no target mark (! or ?) for ladder_in_traject"; fi
}

# The set of KPIs a municipality evaluates: [run] kpis by id and tag,
# [kpi ID] enabled = no, and --kpi tag:NAME.
# The cases fixture ingested, [run] kpis leaving out the KPIs of other
# datasets, caseload disabled.
cases_kpis_ingested() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-Q1 \
		"kpis = -tag:trajecten, -tag:leden, -tag:verwijzingen, -tag:zrm, -tag:maatwerk"
	printf '[kpi caseload]\nenabled = no\n' >>"$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" 2>/dev/null
}

test_kpi_choice() {
	cases_kpis_ingested
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --format csv \
		>"$work/out.csv" 2>"$work/err"
	expect_rc "the cases-only set is complete" 0 $?
	if grep -q '^\(vervolgbezoeken\|ladder\|personen_uniek\|zrm\|verwijzingen\)' "$work/out.csv"; then
		fail "a KPI left out by its tag has figures"
	else ok "the KPIs left out by tag have no figures"; fi
	if grep -q '^caseload;' "$work/out.csv"; then fail "a disabled KPI has figures"
	else ok "enabled = no leaves caseload out"; fi
	expect_grep "the others are there" "$work/out.csv" "casussen_lopend;"
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --kpi tag:bezoeken \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "--kpi tag:bezoeken evaluates the visit KPIs (no data)" 6 $?
	kpis=$(tail -n +2 "$work/out.csv" | cut -d';' -f1 | sort -u | tr '\n' ' ')
	[ "$kpis" = "vervolgbezoeken_achterstallig vervolgbezoeken_gedaan vervolgbezoeken_gepland " ] &&
		ok "--kpi tag:bezoeken: the three visit KPIs" || fail "--kpi tag:bezoeken gave: $kpis"
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --kpi tag:bestaat_niet \
		>/dev/null 2>"$work/err"
	expect_rc "--kpi with an unknown tag" 64 $?
	sed -i 's/^kpis = .*/kpis = casussen_gestart, tag:typo/' "$work/peil.ini"
	peil_expect "[run] kpis with an unknown tag" 3 /dev/null eval --period 2018-Q1
	expect_grep "the error names the entry" "$work/err" "'tag:typo' is no KPI id or tag"
	sed -i 's/^kpis = .*/kpis = casussen_gestart/' "$work/peil.ini"
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --format csv \
		>"$work/out.csv" 2>"$work/err"
	expect_rc "[run] kpis = one id" 0 $?
	kpis=$(tail -n +2 "$work/out.csv" | cut -d';' -f1 | sort -u | tr '\n' ' ')
	[ "$kpis" = "casussen_gestart " ] && ok "only casussen_gestart" || fail "kpis = casussen_gestart gave: $kpis"
}

# eval --timings: each KPI evaluated alone, one line per KPI on stderr with
# its wall and CPU seconds; the figures are those of one evaluation of all.
test_eval_timings() {
	cases_kpis_ingested
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --format csv \
		--dry-run >"$work/all.csv" 2>"$work/err"
	expect_rc "eval without --timings" 0 $?
	if grep -q '^timing ' "$work/err"; then fail "timings without --timings"
	else ok "no timings without --timings"; fi
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --format csv \
		--dry-run --timings >"$work/timed.csv" 2>"$work/err"
	expect_rc "eval --timings" 0 $?
	if cmp -s <(sort "$work/all.csv") <(sort "$work/timed.csv"); then
		ok "--timings: the same figures"
	else fail "--timings changed the figures"; fi
	kpis=$(tail -n +2 "$work/all.csv" | cut -d';' -f1 | sort -u | tr '\n' ' ')
	timed=$(sed -n 's/^timing \([a-z0-9_]*\): [0-9]*\.[0-9]\{3\} s wall, [0-9]*\.[0-9]\{3\} s CPU$/\1/p' \
		"$work/err" | sort | tr '\n' ' ')
	[ -n "$kpis" ] && [ "$kpis" = "$timed" ] &&
		ok "--timings: one line per KPI evaluated" ||
		fail "--timings: KPIs [$kpis], timing lines [$timed]"
	if grep -q '^timing caseload:' "$work/err"; then fail "a disabled KPI was timed"
	else ok "--timings leaves a disabled KPI out"; fi
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --kpi tag:bezoeken \
		--timings --dry-run >/dev/null 2>"$work/err"
	timed=$(sed -n 's/^timing \([a-z_]*\):.*/\1/p' "$work/err" | tr '\n' ' ')
	[ "$timed" = "vervolgbezoeken_achterstallig vervolgbezoeken_gedaan vervolgbezoeken_gepland " ] &&
		ok "--timings --kpi tag:bezoeken: the three visit KPIs" ||
		fail "--timings --kpi tag:bezoeken timed: $timed"
}
