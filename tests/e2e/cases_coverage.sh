# End-to-end cases of periods that the data do not reach: a period that
# begins after a dataset's latest date, or after the day of its newest
# input, is not evaluated; one that ends after that day is partly
# covered, its figures never final.  Sourced by cli.sh.
#
# The fixture (tests/data/e2e/cases.csv) ends in March 2018: its latest
# registration is D6 on 2018-03-29, its latest closure D3 on 2018-03-01.
# Worked by hand from its rows (registered, closed, team):
#   started (registered in the month): Jan D1 D3 D5 = 3 (Noord 2, Zuid 1);
#     Feb D4 D7 D8 = 3 (Noord 1, Zuid 2); Mar D6 D10 = 2 (1, 1)
#   closed (closed in the month): Jan D5 = 1 (Zuid); Feb D1 D7 = 2 (1, 1);
#     Mar D3 = 1 (Noord)
#   caseload (registered on or before the month's last day, not closed
#     before it): Jan 31 D1 D2 D3 D5 = 4 (3, 1); Feb 28 D2 D3 D4 D7 D8 =
#     5 (3, 2); Mar 31 D2 D4 D10 D6 D8 = 5 (3, 2)
#   duur_1_2_jaar (running 12 to 24 months on the month's last day): none
#     (the oldest open case, D2, is three months old in March).
# Once, `periods = 2018` published April to December as final figures with
# exit 0: 0 started, 0 closed, caseload 5, and duur_1_2_jaar 1 in
# December (D2, registered 2017-12-29 and open, twelve months old then).

coverage_kpis="kpis = casussen_gestart casussen_afgesloten caseload duur_1_2_jaar"
coverage_reason_nl="niet berekend: dataset cases heeft geen rij met registered na 2018-03-29"
coverage_reason_en="dataset cases has no row with registered after 2018-03-29"

test_coverage_after_data() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018 "$coverage_kpis"
	peil_expect "ingest" 0 /dev/null ingest
	peil_expect "a year of which the data hold three months: incomplete" 6 "$work/run.csv" run --format csv
	for k in casussen_gestart casussen_afgesloten caseload duur_1_2_jaar; do
		expect_grep "the log names $k, the dataset, the field and the date" "$work/err" \
			"KPI $k not evaluated: $coverage_reason_en"
	done
	local later="2018-04= 2018-05= 2018-06= 2018-07= 2018-08= 2018-09= 2018-10= 2018-11= 2018-12= "
	for want in "casussen_gestart 2018-01=3 2018-02=3 2018-03=2 $later" \
		"casussen_afgesloten 2018-01=1 2018-02=2 2018-03=1 $later" \
		"caseload 2018-01=4 2018-02=5 2018-03=5 $later" \
		"duur_1_2_jaar 2018-01=0 2018-02=0 2018-03=0 $later"; do
		expect_kpi_totals "${want%% *}: January to March by hand, no value after" "$work/run.csv" \
			"${want%% *}" "${want#* }" team
	done
	# a closure KPI's bound is the dataset's: its latest closure is in
	# early March, its latest registration at the end
	expect_grep "CSV: the reason of a closure KPI" "$work/run.csv" \
		"casussen_afgesloten;Afgesloten casussen;casussen;2018-12;Totaal;;;;;;$coverage_reason_nl;;voorlopig;"
	csv_columns kpi periode team waarde stand <"$work/run.csv" |
		awk -F';' '$2 ~ /^2018-(0[4-9]|1[0-2])$/ && ($3 != "Totaal" || $4 != "" || $5 != "voorlopig")' >"$work/after"
	if [ -s "$work/after" ]; then fail "a figure or a final row after March" "$(head -3 "$work/after")"
	else ok "after March: no team row, no value, nothing final"; fi

	# --kpi X alone gives X's figures of the whole set
	for k in casussen_afgesloten caseload; do
		expect_kpi_alone "$k" 2018-01 2018-12 6 "$work/run.csv" kpi periode team waarde status
	done

	# a period far after the data
	"$peil" eval --config "$work/peil.ini" --period 2030-01 --kpi casussen_gestart \
		>"$work/out.txt" 2>"$work/err"
	expect_rc "eval --period 2030-01" 6 $?
	expect_grep "2030-01: the reason" "$work/out.txt" "n.b. = $coverage_reason_nl"
	if grep -q "^Totaal .*[0-9]" "$work/out.txt"; then fail "2030-01: a number" "$(cat "$work/out.txt")"
	else ok "2030-01: no number"; fi
	"$peil" eval --config "$work/peil.ini" --period 2030-01 --kpi casussen_gestart --lang en \
		--format json >"$work/out.json" 2>/dev/null
	python3 - "$work/out.json" "$coverage_reason_en" <<'PY' && ok "JSON: 2030-01 not evaluated, the reason in English" || fail "JSON: 2030-01"
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
sys.exit(not (len(rows) == 1 and rows[0]["value"] is None
              and rows[0]["not_evaluated"] == sys.argv[2]))
PY
}

# The newest input, logged at noon on DAY (the test's clock stands in for
# the day of the ingest, as inputs.sh's stale input does).
coverage_ingested_on() { # coverage_ingested_on DAY
	sqlite3 "$work/peil.db" "UPDATE peil_ingest SET at = strftime('%s', '$1 12:00:00')"
}

test_coverage_partly_covered() {
	local note_nl="let op: de nieuwste invoer van dataset cases is van 2018-03-20, dus cijfers van perioden die daarna eindigen blijven voorlopig"
	local note_en="note: the newest input of dataset cases is of 2018-03-20, so the figures of periods that end after it stay provisional"

	if [ -n "${PEIL_TEST_PG:-}" ]; then ok "sqlite only: the ingest day is set in its log"; return; fi
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-01..2018-03 "$coverage_kpis"
	peil_expect "ingest" 0 /dev/null ingest
	# An export of 2018-03-20: March ends after it.  Today (2026 or
	# later), March would be final: it stays provisional, exit 2.
	coverage_ingested_on 2018-03-20
	"$peil" eval --config "$work/peil.ini" --from 2018-01 --to 2018-03 --kpi casussen_gestart \
		>"$work/out.txt" 2>"$work/err"
	expect_rc "a period that would have been final over an input that ends in it" 2 $?
	expect_grep "the log names the KPI, the dataset and the day" "$work/err" \
		"KPI casussen_gestart partly covered: dataset cases has no input after 2018-03-20"
	expect_grep "text: March provisional, January and February final" "$work/out.txt" \
		"Totaal                 3        3       2~"
	[ "$(tail -1 "$work/out.txt")" = "$note_nl" ] && ok "text: the note under the tables" ||
		fail "text: last line is '$(tail -1 "$work/out.txt")'"
	"$peil" eval --config "$work/peil.ini" --from 2018-01 --to 2018-03 --kpi casussen_gestart \
		--lang en >"$work/out.txt" 2>/dev/null
	[ "$(tail -1 "$work/out.txt")" = "$note_en" ] && ok "text in English" ||
		fail "English: last line is '$(tail -1 "$work/out.txt")'"
	# In April March is provisional anyway: the note, no exit code.
	PEIL_TODAY=2018-04-10 "$peil" eval --config "$work/peil.ini" --from 2018-01 --to 2018-03 \
		--kpi casussen_gestart >"$work/out.txt" 2>"$work/err"
	expect_rc "provisional anyway: no warning exit" 0 $?
	expect_grep "provisional anyway: the note still" "$work/out.txt" "$note_nl"
	# A period that ends on the day of the input is covered.
	coverage_ingested_on 2018-03-31
	"$peil" eval --config "$work/peil.ini" --from 2018-01 --to 2018-03 --kpi casussen_gestart \
		>"$work/out.txt" 2>"$work/err"
	expect_rc "input of March's last day: March covered" 0 $?
	expect_no_grep "input of March's last day: no note" "$work/out.txt" "nieuwste invoer"

	# The scheduled run and what reads it back.
	coverage_ingested_on 2018-03-20
	peil_expect "run: exit 2" 2 "$work/run.csv" run --format csv
	[ "$(tail -1 "$work/run.csv" | tr -d '\r')" = "# $note_nl" ] && ok "CSV: the note as a closing comment" ||
		fail "CSV: last line is '$(tail -1 "$work/run.csv")'"
	got=$(csv_columns kpi periode team stand <"$work/run.csv" | grep '^casussen_afgesloten;' | awk -F';' '$3 == "Totaal" { printf "%s=%s ", $2, $4 }')
	[ "$got" = "2018-01=definitief 2018-02=definitief 2018-03=voorlopig " ] &&
		ok "CSV: March voorlopig" || fail "CSV: stand" "got: $got"
	# nothing changed, but the run is evaluated again, not confirmed:
	# it says so again, and exits 2 again
	peil_expect "run again: exit 2 again" 2 "$work/run2.csv" run --format csv
	expect_grep "run again: evaluated, not confirmed" "$work/err" \
		"has periods partly covered by their input"
	cmp -s "$work/run.csv" "$work/run2.csv" && ok "run again: the same output" ||
		fail "run again: another output" "$(diff "$work/run.csv" "$work/run2.csv" | head -5)"
	run=$(sqlite3 "$work/peil.db" "SELECT max(id) FROM peil_run")
	"$peil" runs --config "$work/peil.ini" >"$work/runs" 2>&1
	expect_grep "runs: the run's note" "$work/runs" \
		"partly covered: dataset cases has no input after 2018-03-20"
	peil_expect "show" 0 "$work/show.txt" show --run "$run"
	expect_grep "show: the note read back" "$work/show.txt" "$note_nl"
	expect_grep "show: March provisional read back" "$work/show.txt" \
		"Totaal                 4        5       5~"
	"$peil" show --config "$work/peil.ini" --run "$run" --format json >"$work/show.json" 2>"$work/err"
	python3 "$src/tests/e2e/check_output.py" json "$work/show.json" >/dev/null &&
		ok "JSON: the grammar holds" || fail "JSON: the grammar check failed"
	python3 - "$work/show.json" <<'PY' && ok "JSON: partly_covered, March not final" || fail "JSON: partly_covered" "$(head -c 400 "$work/show.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["partly_covered"] == [{"dataset": "cases", "newest_input": "2018-03-20",
    "kpis": ["caseload", "casussen_afgesloten", "casussen_gestart", "duur_1_2_jaar"]}], d["partly_covered"]
assert "stale_inputs" not in d
final = {(r["kpi"], r["period"]) for r in d["results"] if r["final"]}
assert ("caseload", "2018-02") in final and ("caseload", "2018-03") not in final, final
assert not any(p == "2018-03" for _, p in final), final
PY
	"$peil" export --config "$work/peil.ini" --run "$run" -o "$work/peil.prom" 2>"$work/err"
	expect_grep "Prometheus: the KPI partly covered" "$work/peil.prom" \
		'peil_kpi_partly_covered{kpi="casussen_gestart",dataset="cases",newest_input="2018-03-20"} 1'
	expect_grep "Prometheus: March not final" "$work/peil.prom" \
		'peil_kpi_final{kpi="casussen_gestart",period="2018-03"} 0'
	expect_no_grep "Prometheus: not stale" "$work/peil.prom" "peil_dataset_stale"
	"$peil" report --config "$work/peil.ini" --run "$run" --period 2018-Q1 -o "$work/verslag.html" 2>"$work/err"
	expect_grep "HTML: the notice" "$work/verslag.html" \
		"<p class=\"notice\" role=\"alert\">$note_nl</p>"

	# An export of 2018-02-20: March begins after it, and is not
	# evaluated, whatever dates its rows hold.
	coverage_ingested_on 2018-02-20
	"$peil" eval --config "$work/peil.ini" --from 2018-01 --to 2018-03 --kpi casussen_gestart \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "a period after the newest input: incomplete" 6 $?
	expect_kpi_totals "March not evaluated" "$work/out.csv" casussen_gestart "2018-01=3 2018-02=3 2018-03= " team
	expect_grep "CSV: the reason names the input" "$work/out.csv" \
		"niet berekend: dataset cases heeft geen invoer na 2018-02-20"
	expect_grep "the log: the reason" "$work/err" \
		"KPI casussen_gestart not evaluated: dataset cases has no input after 2018-02-20"
	expect_grep "February is partly covered" "$work/out.csv" "# let op: de nieuwste invoer van dataset cases is van 2018-02-20"
}
