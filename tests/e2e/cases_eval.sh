# End-to-end cases of evaluation: which periods a delivery's data reach
# when one dataset's rows stop early, rows of a join whose key names no
# row, several --kpi, an export without an optional column, and peil
# cases of a period that is not evaluated.  Sourced by cli.sh.

# $work/trajecten.csv: two trajectories of the programme Buurtbaan, T1
# of P1 from 2018-01-10, open, and T2 of P2 from 2018-02-05 to END (none
# when empty).
eval_trajectories() { # eval_trajectories END
	printf '%s\r\n' "Trajectnummer;Persoonsnummer;Programma;Startdatum;Einddatum" \
		"T1;P1;Buurtbaan;10-01-2018;" "T2;P2;Buurtbaan;05-02-2018;$1" >"$work/trajecten.csv"
}

# The fixture's cases, and a programme of neighbourhood jobs read with
# them: two trajectories, both open, started on 2018-01-10 (T1) and
# 2018-02-05 (T2); the employer visits 3 months after the start, due
# 2018-04-10 (T1) and 2018-05-05 (T2), done on 2018-04-12 and 2018-05-07.
eval_delivery_config() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-01..2018-08 \
		"kpis = vervolgbezoeken_gepland vervolgbezoeken_gedaan"
	eval_trajectories ""
	printf '%s\r\n' "Bezoeknummer;Trajectnummer;Maand;Datum bezoek" \
		"V1;T1;3;12-04-2018" "V2;T2;3;07-05-2018" >"$work/bezoeken.csv"
	{
		shipped_source demo_trajectories "$work/trajecten.csv"
		shipped_source demo_visits "$work/bezoeken.csv"
	} >>"$work/peil.ini"
}

# Worked by hand: a visit counts in the month of its due date (planned),
# and as done when registered on or before the month's last day.
#   gepland: Jan 0, Feb 0, Mar 0, Apr 1 (T1), May 1 (T2)
#   gedaan:  Jan 0, Feb 0, Mar 0, Apr 1 (V1 on 04-12), May 1 (V2 on 05-07)
# The trajectories' latest date is T2's start, 2018-02-05; the visits,
# read on the same day (one delivery), reach 2018-05-07: March to May are
# evaluated, June to August (beginning after it) are not.  Once, March to
# August all said "niet berekend: dataset trajectories heeft geen rij met
# start na 2018-02-05", though the delivery's visits went on into May.
test_eval_sparse_delivery() {
	local reason_nl="niet berekend: dataset visits heeft geen rij met date na 2018-05-07"
	local later="2018-06= 2018-07= 2018-08= "

	eval_delivery_config
	peil_expect "ingest" 0 /dev/null ingest
	peil_expect "run: June to August after the delivery" 6 "$work/run.csv" run --format csv
	for want in "vervolgbezoeken_gepland 2018-01=0 2018-02=0 2018-03=0 2018-04=1 2018-05=1 $later" \
		"vervolgbezoeken_gedaan 2018-01=0 2018-02=0 2018-03=0 2018-04=1 2018-05=1 $later"; do
		expect_kpi_totals "${want%% *}: March to May evaluated, by hand" "$work/run.csv" \
			"${want%% *}" "${want#* }"
	done
	expect_grep "CSV: June names the visits and their latest date" "$work/run.csv" \
		"vervolgbezoeken_gepland;Vervolgbezoeken gepland;bezoeken;2018-06;;;;;;$reason_nl;;voorlopig;maand"
	expect_grep "the log names the dataset of the delivery" "$work/err" \
		"KPI vervolgbezoeken_gepland not evaluated: dataset visits has no row with date after 2018-05-07"

	# --kpi X alone gives X's figures of the whole set
	expect_kpi_alone vervolgbezoeken_gedaan 2018-01 2018-08 6 "$work/run.csv" kpi periode waarde status

	# The visits read on another day are another delivery: they say
	# nothing of how far the trajectories reach.
	if [ -n "${PEIL_TEST_PG:-}" ]; then ok "sqlite only: the ingest day is set in its log"; return; fi
	sqlite3 "$work/peil.db" "UPDATE peil_ingest SET at = at + 86400 WHERE dataset = 'visits'"
	"$peil" eval --config "$work/peil.ini" --from 2018-01 --to 2018-08 --kpi vervolgbezoeken_gepland --format csv \
		>"$work/other.csv" 2>"$work/err"
	expect_rc "visits of another day" 6 $?
	expect_kpi_totals "visits of another day: from March not evaluated" "$work/other.csv" \
		vervolgbezoeken_gepland "2018-01=0 2018-02=0 2018-03= 2018-04= 2018-05= $later"
	expect_grep "visits of another day: the trajectories' own date" "$work/err" \
		"KPI vervolgbezoeken_gepland not evaluated: dataset trajectories has no row with start after 2018-02-05"
}

# Members whose case the cases export lacks (fixture cases D1..D10):
#   L1 D1 P1, L2 D99 P2, L3 D99 P3, L4 D98 P4, L5 D2 without a person.
# Whether D99 and D98 ran in a month is unknown: the KPIs select by the
# case's dates, so their members count in no month and make no team, and
# the run says so.  January 2018, running: D1 Noord (P1), D2
# Noord (no person): personen_uniek Noord 1, all 1; casussen_zonder_persoon
# Noord 1 (D2), all 1; and no "(onbekend)" team.  Once, L2 to L4 gave a
# row "(onbekend)" with 0 and no word of the missing cases.
test_eval_orphan_members() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-01 "kpis = tag:leden"
	printf '%s\n' "Lidnummer;Dossiernummer;Persoonsnummer;Rol" "L1;D1;P1;Aanvrager" \
		"L2;D99;P2;Aanvrager" "L3;D99;P3;Partner" "L4;D98;P4;Aanvrager" \
		"L5;D2;;Aanvrager" >"$work/members.csv"
	shipped_source demo_members "$work/members.csv" >>"$work/peil.ini"
	peil_expect "ingest" 0 /dev/null ingest
	peil_expect "run" 0 "$work/run.csv" run --format csv
	for want in "personen_uniek Noord=1 Totaal=1 " "casussen_zonder_persoon Noord=1 Totaal=1 "; do
		got=$(csv_columns kpi case.team waarde <"$work/run.csv" |
			awk -F';' -v k="${want%% *}" '$1 == k { sub(/^Buurtteam /, "", $2); printf "%s=%s ", $2, $3 }')
		[ "$got" = "${want#* }" ] && ok "${want%% *}: by hand, no team '(onbekend)'" ||
			fail "${want%% *}" "got:  $got" "want: ${want#* }"
	done
	for k in personen_uniek casussen_zonder_persoon; do
		expect_grep "$k: the log names the missing cases" "$work/err" \
			"KPI $k: dataset case_members: 3 rows have a case_id that no row of cases has (D99, D98): left out: the selection dates rows by the joined dataset"
	done
	"$peil" runs --config "$work/peil.ini" >"$work/runs" 2>&1
	expect_grep "runs: the run keeps it" "$work/runs" \
		"dataset case_members: 3 rows have a case_id that no row of cases has (D99, D98): left out"
}

# peil eval --kpi A --kpi B evaluates both; show, report and export take
# one KPI and refuse a second rather than show the last alone.  Figures of
# the fixture by hand (cases_coverage.sh): started in January 3, caseload
# on 31 January 4.
test_eval_several_kpis() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-01
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	"$peil" eval --config "$work/peil.ini" --period 2018-01 --kpi casussen_gestart --kpi caseload \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "eval of two KPIs" 0 $?
	got=$(csv_columns kpi team waarde <"$work/out.csv" | awk -F';' '$2 == "Totaal" { printf "%s=%s ", $1, $3 }')
	[ "$got" = "caseload=4 casussen_gestart=3 " ] && ok "both evaluated, by hand" ||
		fail "two KPIs" "got: $got"
	"$peil" eval --config "$work/peil.ini" --period 2018-01 --kpi caseload --kpi tag:bezoeken \
		--format csv >"$work/out.csv" 2>"$work/err"
	got=$(csv_columns kpi team <"$work/out.csv" | awk -F';' '$2 == "Totaal" { print $1 }' | sort | tr '\n' ' ')
	[ "$got" = "caseload vervolgbezoeken_achterstallig vervolgbezoeken_gedaan vervolgbezoeken_gepland " ] &&
		ok "an id and a tag" || fail "an id and a tag" "got: $got"
	"$peil" eval --config "$work/peil.ini" --period 2018-01 --kpi caseload --kpi caseloda \
		>"$work/out" 2>"$work/err"
	expect_rc "a second --kpi that names nothing" 64 $?
	expect_grep "it is named" "$work/err" "'caseloda' is no KPI id or tag of a KPI"
	[ -s "$work/out" ] && fail "a typo: figures printed" || ok "a typo: nothing evaluated"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>&1
	for cmd in show report export; do
		"$peil" $cmd --config "$work/peil.ini" --kpi caseload --kpi casussen_gestart \
			>"$work/out" 2>"$work/err"
		expect_rc "$cmd: a second --kpi" 64 $?
		expect_grep "$cmd: refused by name" "$work/err" \
			"peil $cmd: --kpi given twice (caseload, casussen_gestart): it takes one KPI"
	done
}

# A measurements export without an instrument column, with the shipped
# declaration of the dataset: its rows are read, the KPI that picks an
# instrument (ladder_gestegen) is not evaluated, naming the field, and
# the KPI that needs no measurement is: in 2018 the two trajectories'
# persons P1, P2 (ladder_in_traject 2).  Once the shipped config required
# the instrument, and the whole export was refused.
test_eval_no_instrument() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018 \
		"kpis = ladder_gestegen ladder_in_traject"
	eval_trajectories 31-12-2018
	printf '%s\r\n' "Metingnummer;Persoonsnummer;Datum;Domein;Score" \
		"M1;P1;15-01-2018;;2" "M2;P1;20-06-2018;;4" >"$work/metingen.csv"
	{
		shipped_source demo_measurements "$work/metingen.csv" | grep -v '^column.Instrument'
		shipped_source demo_trajectories "$work/trajecten.csv"
	} >>"$work/peil.ini"
	peil_expect "ingest of measurements without an instrument" 0 /dev/null ingest
	n=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_measurements" 2>/dev/null || echo pg)
	[ "$n" = 2 ] || [ "$n" = pg ] && ok "both measurements stored" || fail "stored $n measurements"
	peil_expect "run: one KPI not evaluated" 6 "$work/run.csv" run --format csv
	expect_grep "the log names the field" "$work/err" \
		"KPI ladder_gestegen not evaluated: dataset measurements has no source that fills field instrument"
	expect_kpi_totals "ladder_in_traject evaluated: 2" "$work/run.csv" ladder_in_traject "2018=2 " programme
}

# peil cases of a period that the data do not reach, or that ends before
# them, lists nothing and says why, exit 6 as peil eval; a period they
# reach lists its rows (caseload on 31 March: D2 D4 D6 D8 D10).
test_eval_cases_uncovered() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	for p in "2018-05 registered after 2018-03-29" "2017-06 registered up to the period's end"; do
		peil_expect "cases of ${p%% *}" 6 "$work/out" cases --period "${p%% *}" caseload
		[ -s "$work/out" ] && fail "cases of ${p%% *}: rows listed" "$(head -3 "$work/out")" ||
			ok "cases of ${p%% *}: nothing listed"
		expect_grep "cases of ${p%% *}: why" "$work/err" \
			"KPI caseload is not evaluated for period ${p%% *} (dataset cases has no row with ${p#* }): it has no figure there, so no cases are listed"
	done
	"$peil" cases --config "$work/peil.ini" --period 2018-05 caseload --cell "team=Buurtteam Noord" \
		-o "$work/cases.txt" >/dev/null 2>"$work/err"
	expect_rc "cases of a cell of 2018-05" 6 $?
	[ -e "$work/cases.txt" ] && fail "-o: a file written" || ok "-o: no file written"
	peil_expect "cases of 2018-03" 0 "$work/out" cases --period 2018-03 caseload
	got=$(tail -n +2 "$work/out" | sort | tr '\n' ' ')
	[ "$got" = "D10 D2 D4 D6 D8 " ] && ok "2018-03: the five by hand" || fail "2018-03" "got: $got"
}
