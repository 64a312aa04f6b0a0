# Sourced by cli.sh: exports of shapes unlike the demo's.

# -------------------------------------------------------- unfilled_links
# A field that a KPI reads through a join or a lookup, which no source
# fills, leaves the KPI not evaluated, naming the joined or looked-up
# dataset and the field, as a field of its own dataset does
# (test_unfilled_field).  The fixture's cases (tests/data/e2e/cases.csv)
# with members (tests/data/e2e/members.csv) read without their person
# column, and a measurement export without an instrument column (all its
# rows ladder measurements, so the municipality declared instrument not
# required):
#
#   T1 P1 Buurtbaan from 2018-01-01, open: ladder 1 on 5 Jan, 3 on 10 Feb
#      (2 rungs up in 2018)
#   T2 P2 Buurtbaan from 2018-03-01 to 2018-12-31: ladder 2 on 1 Mar only
#
# Before, the members' person was empty in every row: personen_uniek
# counted nobody (0) and casussen_zonder_persoon counted every case with
# members as anonymous (February: Noord D1 D2 D4, Zuid D7 D8 = 5); and
# ladder_gestegen looked up the measurements whose instrument is
# Participatieladder, which none was: 0 persons rose.  With the columns
# mapped, February 2018: the running cases Noord D1 D2 D3 D4, Zuid D7 D8;
# their members P1 P2 (D1), P1 (D2), P3 and one without a person (D4), P4
# (D7, D8): unique persons Noord 3 (P1 P2 P3), Zuid 1 (P4), all 4; cases
# without a person Noord 1 (D4), all 1; and in 2018 P1 rose (1), two
# persons in a trajectory.
test_unfilled_links() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018 \
		"kpis = personen_uniek, casussen_zonder_persoon, ladder_gestegen, ladder_in_traject"
	sed -i 's/^field.instrument = text required$/field.instrument = text/' "$work/peil.ini"
	printf '%s\r\n' "Traject;Client;Programma;Start;Einde" \
		"T1;P1;Buurtbaan;01-01-2018;" "T2;P2;Buurtbaan;01-03-2018;31-12-2018" >"$work/trajecten.csv"
	printf '%s\r\n' "Meting;Client;Datum;Score;Instrument" "M1;P1;05-01-2018;1;Participatieladder" \
		"M2;P1;10-02-2018;3;Participatieladder" "M3;P2;01-03-2018;2;Participatieladder" >"$work/metingen.csv"
	cat >>"$work/peil.ini" <<INI
[source members]
plugin = csv
dataset = case_members
path = $src/tests/data/e2e/members.csv
separator = semicolon
column.Lidnummer = member_id
column.Dossiernummer = case_id
;column.Persoonsnummer = person

$(csv_source trajecten trajectories "$work/trajecten.csv" semicolon Traject=trajectory_id \
	Client=person Programma=programme Start=start Einde=end)

[source metingen]
plugin = csv
dataset = measurements
path = $work/metingen.csv
separator = semicolon
column.Meting = measurement_id
column.Client = person
column.Datum = date
column.Score = score
;column.Instrument = instrument
INI
	peil_expect "ingest without the person and instrument columns" 0 /dev/null ingest
	"$peil" eval --config "$work/peil.ini" --from 2018-01 --to 2018-12 --dry-run \
		--format csv >"$work/out" 2>"$work/err"
	expect_rc "not evaluated: exit 6" 6 $?
	csv_columns kpi periode case.team waarde status <"$work/out" | grep ';2018-02;' >"$work/feb"
	for kpi in personen_uniek casussen_zonder_persoon; do
		expect_grep "$kpi: the log names the joined dataset and field" "$work/err" \
			"KPI $kpi not evaluated: dataset case_members has no source that fills field person"
		expect_grep "$kpi: CSV, no value and the reason" "$work/feb" \
			"$kpi;2018-02;Totaal;;niet berekend: dataset case_members: geen bron levert veld person"
	done
	expect_grep "ladder_gestegen: the log names the looked-up dataset and field" "$work/err" \
		"KPI ladder_gestegen not evaluated: dataset measurements has no source that fills field instrument"
	csv_columns kpi periode programme waarde status <"$work/out" | grep '^ladder' >"$work/ladder"
	expect_lines "ladder: not evaluated; in a trajectory: 2 (P1 P2)" "$work/ladder" < <(printf '%s\n' \
		"ladder_gestegen;2018;Totaal;;niet berekend: dataset measurements: geen bron levert veld instrument (geen kolom van de export is eraan gekoppeld)" \
		"ladder_in_traject;2018;Buurtbaan;2;" "ladder_in_traject;2018;Totaal;2;")

	# the columns mapped: every figure
	sed -i 's/^;column.Persoonsnummer = person$/column.Persoonsnummer = person/; s/^;column.Instrument = instrument$/column.Instrument = instrument/' "$work/peil.ini"
	peil_expect "ingest with the columns" 0 /dev/null ingest
	"$peil" eval --config "$work/peil.ini" --from 2018-01 --to 2018-12 --dry-run \
		--format csv >"$work/out" 2>"$work/err"
	expect_rc "every KPI evaluated" 0 $?
	csv_columns kpi periode case.team waarde <"$work/out" | grep ';2018-02;' >"$work/feb"
	expect_lines "February: unique persons and cases without a person" "$work/feb" < <(printf '%s\n' \
		"casussen_zonder_persoon;2018-02;Buurtteam Noord;1" \
		"casussen_zonder_persoon;2018-02;Buurtteam Zuid;0" "casussen_zonder_persoon;2018-02;Totaal;1" \
		"personen_uniek;2018-02;Buurtteam Noord;3" "personen_uniek;2018-02;Buurtteam Zuid;1" \
		"personen_uniek;2018-02;Totaal;4")
	csv_columns kpi periode programme waarde <"$work/out" | grep '^ladder' >"$work/ladder"
	expect_lines "2018: P1 rose, P1 and P2 in a trajectory" "$work/ladder" < <(printf '%s\n' \
		"ladder_gestegen;2018;Buurtbaan;1" "ladder_gestegen;2018;Totaal;1" \
		"ladder_in_traject;2018;Buurtbaan;2" "ladder_in_traject;2018;Totaal;2")
}

# ------------------------------------------------------------ shapes_*
# Exports of other shapes (tests/e2e/shapes/gen_shapes.py: four columns
# only; a thousand teams with accents, '&', quotes and ';' and small
# cells; Windows-1252, BOM, CRLF, other spellings and a totals row; other
# calendars and contract years), their figures worked out again in
# Python from docs/domain.md (shapes/check_shapes.py) and compared one by
# one, small cells with them; for the teams, the CSV and HTML read back
# (shapes/check_formats.py).  SHAPES_TEAMS sets the number of teams (200
# here; 1 000 by hand).
shapes_case() {
	local shape=$1 d=$work/$1 rc want=0
	SHAPES_TEAMS=${SHAPES_TEAMS:-200} python3 "$src/tests/e2e/shapes/gen_shapes.py" \
		"$shape" "$d" "$src/scripts" || { fail "$shape: generate"; return; }
	sed -i "1a plugin_dirs = $plugins" "$d/peil.ini"
	read -r from to < <(python3 -c 'import json, sys; print(*json.load(open(sys.argv[1]))["range"])' "$d/truth.json")
	"$peil" ingest --config "$d/peil.ini" >/dev/null 2>"$d/err"
	rc=$?
	[ "$shape" = spellings ] && want=2	# the totals row, rejected
	expect_rc "$shape: ingest" $want $rc
	[ "$shape" = few ] && want=6 || want=0
	"$peil" eval --config "$d/peil.ini" --from "$from" --to "$to" --dry-run --format json \
		>"$d/peil.json" 2>"$d/err"
	expect_rc "$shape: eval" $want $?
	python3 "$src/tests/e2e/shapes/check_shapes.py" "$d/truth.json" "$d/peil.json" >"$d/check" &&
		ok "$shape: $(head -1 "$d/check")" || fail "$shape: figures differ" "$(cat "$d/check")"
	[ "$shape" = teams ] || return
	"$peil" run --config "$d/peil.ini" >/dev/null 2>"$d/err"
	expect_rc "teams: run" 0 $?
	"$peil" show --config "$d/peil.ini" --format json >"$d/show.json" 2>"$d/err"
	"$peil" show --config "$d/peil.ini" --format csv >"$d/show.csv" 2>"$d/err"
	"$peil" report --config "$d/peil.ini" --period 2023 -o "$d/verslag.html" 2>"$d/err"
	expect_rc "teams: report" 0 $?
	python3 "$src/tests/e2e/shapes/check_formats.py" "$d/show.json" "$d/show.csv" \
		"$d/verslag.html" >"$d/formats" &&
		ok "teams: $(head -1 "$d/formats")" || fail "teams: outputs differ" "$(cat "$d/formats")"
}
test_shapes_few() { shapes_case few; }
test_shapes_teams() { shapes_case teams; }
test_shapes_spellings() { shapes_case spellings; }
test_shapes_calendar() { shapes_case calendar; }
test_shapes_explicit() { shapes_case explicit; }

# ------------------------------------------------- init_trailing_columns
# An Excel export whose rows end in separators, its header too
# ("...;Afsluitdatum;;"): peil init reads it as the csv plugin does, the
# empty headers at the end as no columns (before: "column 5 has no
# header", and no config).  The figures of init_figures (cases_trust.sh).
test_init_trailing_columns() {
	printf 'Casusnummer;Team;Aanmelddatum;Afsluitdatum;;\r\nC1;Noord;01-03-2018;01-04-2018;;\r\nC2;Noord;15-03-2018;;;\r\nC3;Zuid;02-04-2018;03-04-2018;;\r\n' \
		>"$work/export.csv"
	"$peil" init --from "$work/export.csv" --dir "$work/muni" >"$work/init.out" 2>"$work/err"
	expect_rc "peil init on trailing separators" 0 $?
	expect_grep "four columns, none without a header" "$work/init.out" "4 of 4 columns"
	if grep -q "another number of columns" "$work/init.out" "$work/err"; then
		fail "trailing separators are no other column count" "$(cat "$work/init.out" "$work/err")"
	else ok "trailing separators are no other column count"; fi
	init_figures
}
