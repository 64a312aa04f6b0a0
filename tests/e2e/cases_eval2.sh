# End-to-end cases of evaluation and its outputs, round two: a dataset
# that a KPI joins, looks up or groups by and that was never filled; the
# note of rows whose join found no row in every output; the breakdown
# rows of a KPI whose where leaves rows out; a range of a field that
# depends on another field of the row.  Sourced by cli.sh.

# The fixture's cases and two trajectories of neighbourhood jobs (T1
# from 2018-01-10, T2 from 2018-02-05; their first visit is due in April
# and May), with the visits' source on $1 when given; [run] periods $2.
eval2_trajectories_config() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" "$2" \
		"kpis = vervolgbezoeken_gepland vervolgbezoeken_gedaan vervolgbezoeken_achterstallig"
	printf '%s\r\n' "Trajectnummer;Persoonsnummer;Programma;Startdatum;Einddatum" \
		"T1;P1;Buurtbaan;10-01-2018;" "T2;P2;Buurtbaan;05-02-2018;" >"$work/trajecten.csv"
	sed -n '/^\[source demo_trajectories\]/,/^$/p' "$src/conf/peil.ini" |
		sed "s|^path = .*|path = $work/trajecten.csv|" >>"$work/peil.ini"
	[ -z "$1" ] || sed -n '/^\[source demo_visits\]/,/^$/p' "$src/conf/peil.ini" |
		sed "s|^path = .*|path = $1|" >>"$work/peil.ini"
}

# "KPI PERIOD=VALUE|STATUS ..." of the totals of the KPIs in a CSV.
eval2_totals() { # eval2_totals CSV BREAKDOWN_COLUMN_OR_EMPTY KPI...
	local csv=$1 column=$2
	shift 2
	for k in "$@"; do
		printf '%s ' "$k"
		if [ -n "$column" ]; then
			csv_columns kpi periode "$column" waarde status <"$csv" |
				awk -F';' -v k="$k" '$1 == k && ($3 == "Totaal" || $3 == "") { printf "%s=%s|%s ", $2, $4, $5 }'
		else
			csv_columns kpi periode waarde status <"$csv" |
				awk -F';' -v k="$k" '$1 == k { printf "%s=%s|%s ", $2, $3, $4 }'
		fi
	done
}

# A dataset that a KPI reads besides its own, configured but never
# filled, is no dataset of zeros: the KPI is not evaluated, naming it,
# and the run is incomplete (exit 6), as when its own dataset is empty.
# Once, the follow-up visits of January and February were 0 where no
# visit export was ever read, and a grouped breakdown put every referrer
# in "overig" where the group dataset was never read.  An empty export
# that was read is a figure: no visits due yet, 0.
test_eval2_never_filled() {
	local none="niet berekend: dataset visits heeft geen rijen tot het einde van de periode"
	local got want

	# the visits never read: every period says why
	eval2_trajectories_config "" 2018-01..2018-02
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of cases and trajectories" 0 $?
	"$peil" run --config "$work/peil.ini" --format csv >"$work/run.csv" 2>"$work/err"
	expect_rc "run without any visit read" 6 $?
	got=$(eval2_totals "$work/run.csv" "" vervolgbezoeken_gepland vervolgbezoeken_gedaan vervolgbezoeken_achterstallig)
	want=""
	for k in vervolgbezoeken_gepland vervolgbezoeken_gedaan vervolgbezoeken_achterstallig; do
		want="$want$k 2018-01=|$none 2018-02=|$none "
	done
	[ "$got" = "$want" ] && ok "visits never read: January and February not evaluated, naming visits" ||
		fail "visits never read" "got:  $got" "want: $want"
	expect_grep "the log names the visits" "$work/err" \
		"KPI vervolgbezoeken_gepland not evaluated: dataset visits has no rows up to the period's end"

	# an empty visit export read: zeros by hand (the first visits are
	# due in April and May)
	rm -rf "$work/peil.db" "$work/peil.db.lock"
	printf '%s\r\n' "Bezoeknummer;Trajectnummer;Maand;Datum bezoek" >"$work/bezoeken.csv"
	eval2_trajectories_config "$work/bezoeken.csv" 2018-01..2018-02
	"$peil" run --config "$work/peil.ini" --format csv >"$work/run.csv" 2>"$work/err"
	expect_rc "run with an empty visit export read" 0 $?
	got=$(eval2_totals "$work/run.csv" "" vervolgbezoeken_gepland vervolgbezoeken_gedaan vervolgbezoeken_achterstallig)
	want="vervolgbezoeken_gepland 2018-01=0| 2018-02=0| vervolgbezoeken_gedaan 2018-01=0| 2018-02=0| vervolgbezoeken_achterstallig 2018-01=0|gehaald 2018-02=0|gehaald "
	[ "$got" = "$want" ] && ok "an empty visit export read: zeros, by hand" ||
		fail "empty visit export" "got:  $got" "want: $want"

	# members whose cases were never read: the join names the cases
	rm -rf "$work/peil.db" "$work/peil.db.lock"
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-01 "kpis = tag:leden"
	# the same config without the cases' source
	sed -i '/^\[source fixture\]/,$d' "$work/peil.ini"
	printf '%s\n' "Lidnummer;Dossiernummer;Persoonsnummer;Rol" "L1;D1;P1;Aanvrager" >"$work/members.csv"
	sed -n '/^\[source demo_members\]/,/^$/p' "$src/conf/peil.ini" |
		sed "s|^path = .*|path = $work/members.csv|" >>"$work/peil.ini"
	"$peil" run --config "$work/peil.ini" --format csv >"$work/run.csv" 2>"$work/err"
	expect_rc "run of members without cases" 6 $?
	got=$(eval2_totals "$work/run.csv" case.team personen_uniek casussen_zonder_persoon)
	want="personen_uniek 2018-01=|niet berekend: dataset cases heeft geen rijen tot het einde van de periode "
	want="${want}casussen_zonder_persoon 2018-01=|niet berekend: dataset cases heeft geen rijen tot het einde van de periode "
	[ "$got" = "$want" ] && ok "members without cases: not evaluated, naming the cases" ||
		fail "members without cases" "got:  $got" "want: $want"

	# a grouped breakdown whose group dataset was never read
	rm -rf "$work/peil.db" "$work/peil.db.lock"
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-01 "kpis = casussen_gestart"
	cat >>"$work/peil.ini" <<INI
[dataset referrer_groups]
field.value = text key
field.group = text required
[group verwijzers]
dataset = referrer_groups
[kpi casussen_gestart]
breakdown = referrer
group.referrer = verwijzers
INI
	"$peil" run --config "$work/peil.ini" --format csv >"$work/run.csv" 2>"$work/err"
	expect_rc "run grouped by a dataset never read" 6 $?
	got=$(eval2_totals "$work/run.csv" referrer casussen_gestart)
	want="casussen_gestart 2018-01=|niet berekend: dataset referrer_groups heeft geen rijen tot het einde van de periode "
	[ "$got" = "$want" ] && ok "casussen_gestart: not evaluated, naming the group dataset" ||
		fail "grouped by a dataset never read" "got:  $got" "want: $want"
	if grep -q "overig" "$work/run.csv"; then
		fail "no referrer in 'overig'" "$(grep overig "$work/run.csv")"
	else ok "no referrer in 'overig'"; fi
}

# Members whose case the cases export lacks (fixture cases D1..D10):
# L1 D1 P1, L2 D77 P5, L3 D78 P6.  The KPIs select by the case's dates,
# so L2 and L3 count in no month: 2 rows left out, which every output
# of the figures says next to each KPI (January 2018: personen_uniek
# Noord 1 (P1), all 1).  Once, only the log and peil runs said so.
test_eval2_unmatched_outputs() {
	local nl="let op: KPI personen_uniek: rijen van dataset case_members zonder rij in cases (hun case_id komt daar niet voor): 2, weggelaten, want de selectie dateert rijen met de gekoppelde dataset"
	local en="note: KPI personen_uniek: rows of dataset case_members without a row in cases (their case_id is not there): 2, left out, as the selection dates rows by the joined dataset"

	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-01 "kpis = personen_uniek"
	printf '%s\n' "Lidnummer;Dossiernummer;Persoonsnummer;Rol" \
		"L1;D1;P1;Aanvrager" "L2;D77;P5;Aanvrager" "L3;D78;P6;Aanvrager" >"$work/members.csv"
	sed -n '/^\[source demo_members\]/,/^$/p' "$src/conf/peil.ini" |
		sed "s|^path = .*|path = $work/members.csv|" >>"$work/peil.ini"
	"$peil" run --config "$work/peil.ini" >"$work/run.txt" 2>"$work/err"
	expect_rc "run" 0 $?
	# text: under the KPI's table, before the blank line that ends it
	if awk -v n="$nl" '/\[personen_uniek\]/ { on = 1 } on && $0 == "" { exit } on && $0 == n { found = 1 } END { exit !found }' "$work/run.txt"; then
		ok "run (text): the note under the KPI's table"
	else fail "run (text): no note under the table" "$(cat "$work/run.txt")"; fi
	"$peil" show --config "$work/peil.ini" --lang en >"$work/show.txt" 2>"$work/err"
	expect_grep "show (text, English): the note" "$work/show.txt" "$en"
	"$peil" show --config "$work/peil.ini" --format csv >"$work/show.csv" 2>"$work/err"
	expect_grep "show (CSV): a closing comment line" "$work/show.csv" "# $nl"
	"$peil" show --config "$work/peil.ini" --format json >"$work/show.json" 2>"$work/err"
	expect_grep "show (JSON): unmatched" "$work/show.json" \
		'"unmatched": [{"kpi": "personen_uniek", "dataset": "case_members", "field": "case_id", "joined": "cases", "rows": 2, "left_out": true}]'
	"$peil" report --config "$work/peil.ini" --period 2018-01 --output "$work/report.html" 2>"$work/err"
	expect_rc "report" 0 $?
	# in the KPI's section: after its id, before the next section
	if awk -v n="$nl" 'index($0, "<code>personen_uniek</code>") { on = 1 } on && index($0, n) { found = 1 } END { exit !found }' \
		"$work/report.html" && ! grep -qF "role=\"alert\">$nl" "$work/report.html"; then
		ok "report (HTML): the note in the KPI's section"
	else fail "report (HTML): no note in the KPI's section" "$(grep -o 'role="[a-z]*">let op[^<]*' "$work/report.html")"; fi
	"$peil" export --config "$work/peil.ini" >"$work/export.prom" 2>"$work/err"
	expect_grep "export (Prometheus): the rows" "$work/export.prom" \
		'peil_kpi_unmatched_rows{kpi="personen_uniek",dataset="case_members",field="case_id",joined="cases",left_out="1"} 2'
}

# The ZRM KPIs break down by domain over the ZRM rows (where instrument
# is ZRM) of measurements, which also holds the participation ladder,
# whose rows have no domain.  2018-Q1 by hand (tests/data/e2e/
# measurements.csv; a person counts when measured in the quarter after
# an earlier measurement): Financien P1 2->4 up, P2 3->3 same;
# Huisvesting P3 3->3 same, P4 4->2 down, P5 1->3 up.  So
#   vooruit   Financien 1, Huisvesting 1, total 2
#   gelijk    Financien 1, Huisvesting 1, total 2
#   achteruit Financien 0, Huisvesting 1, total 1
# Financien in achteruit is a domain of rows the KPI selects: its 0 is
# kept.  The ladder's rows make no row: once, each KPI showed a domain
# "(onbekend)" of 0, as if there were ZRM measurements of no domain.
test_eval2_zrm_domains() {
	local got want

	cp "$src/tests/data/e2e/measurements.csv" "$work/metingen.csv"
	printf '%s\n' "L1;P6;10-01-2018;Participatieladder;;2" \
		"L2;P6;15-02-2018;Participatieladder;;6" >>"$work/metingen.csv"
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-Q1 "kpis = tag:zrm"
	sed -n '/^\[source demo_measurements\]/,/^$/p' "$src/conf/peil.ini" |
		sed "s|^path = .*|path = $work/metingen.csv|" >>"$work/peil.ini"
	"$peil" run --config "$work/peil.ini" --format csv >"$work/run.csv" 2>"$work/err"
	expect_rc "run of the ZRM KPIs (a ladder score of 6 read)" 0 $?
	got=$(csv_columns kpi domain waarde <"$work/run.csv" | grep '^zrm_' | sort | tr '\n' ' ')
	want="zrm_achteruit;Financien;0 zrm_achteruit;Huisvesting;1 zrm_achteruit;Totaal;1 "
	want="${want}zrm_gelijk;Financien;1 zrm_gelijk;Huisvesting;1 zrm_gelijk;Totaal;2 "
	want="${want}zrm_vooruit;Financien;1 zrm_vooruit;Huisvesting;1 zrm_vooruit;Totaal;2 "
	[ "$got" = "$want" ] && ok "ZRM by domain, by hand: no domain '(onbekend)', Financien 0 kept" ||
		fail "ZRM by domain" "got:  $got" "want: $want"
}

# ZRM scores 1 to 5, the ladder 1 to 6, in one field: the shipped
# configuration declares field.score 1..6 and range.score.instrument.ZRM
# = 1..5, so a ZRM score of 6 is refused at ingest, naming the file,
# line, field, value and instrument, and nothing of the file is stored.
# A ladder score of 6 is read (test_eval2_zrm_domains).
test_eval2_score_ranges() {
	local got want line
	cp "$src/tests/data/e2e/measurements.csv" "$work/metingen.csv"
	printf '%s\n' "M11;P7;10-01-2018;ZRM;Financien;6" >>"$work/metingen.csv"
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-Q1 "kpis = tag:zrm"
	sed -n '/^\[source demo_measurements\]/,/^$/p' "$src/conf/peil.ini" |
		sed "s|^path = .*|path = $work/metingen.csv|" >>"$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of a ZRM score of 6 (a file refused)" 2 $?
	expect_grep "the refusal names file, line, field, value and instrument" "$work/err" \
		"metingen.csv:12: field score (6) is outside 1..5, the range that dataset measurements declares for it where instrument is 'ZRM' (range.score.instrument.ZRM)"
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --format csv >"$work/out.csv" 2>/dev/null
	got=$(eval2_totals "$work/out.csv" domain zrm_vooruit)
	want="zrm_vooruit 2018-Q1=|niet berekend: dataset measurements heeft geen rij met date tot het einde van de periode "
	[ "$got" = "$want" ] && ok "nothing of the file stored" || fail "nothing stored" "got:  $got" "want: $want"
	# a range for rows of a field the dataset lacks names its line
	printf '[dataset extra]\nfield.a = integer\nrange.a.kind.X = 1..5\n' >>"$work/peil.ini"
	line=$(grep -n '^range.a.kind.X' "$work/peil.ini" | cut -d: -f1)
	"$peil" check --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "check of a range of an unknown field" 3 $?
	expect_grep "the config error names the line" "$work/err" \
		"peil.ini:$line: range.a.kind.X: [dataset extra] needs a field a and another, text field kind"
}
