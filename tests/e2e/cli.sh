#!/usr/bin/env bash
# End-to-end tests of the peil command.
#
#   cli.sh CASE PEIL SOURCE_DIR PLUGIN_DIR PEIL_DEMO
#
# Each case prints one line per check and closes with "N passed, M failed";
# it exits nonzero when a check failed.
set -u
case_name=$1 peil=$2 src=$3 plugins=$4 demo=$5
work=$(mktemp -d --tmpdir peil-e2e-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/lib.sh"

# The named columns of a ';' CSV on stdin (BOM and CR removed), joined by
# ';', without the header.  Cells must not hold ';' (true of the figures).
csv_columns() {
	sed '1s/^\xEF\xBB\xBF//' | tr -d '\r' | awk -F';' -v names="$*" '
		NR == 1 { n = split(names, want, " ")
			  for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ line = ""
		  for (i = 1; i <= n; i++) line = line (i > 1 ? ";" : "") $(col[want[i]])
		  print line }'
}

# A config over the fixture export; $1 = file to read, $2 = script dirs
# (the shipped KPIs, with others or not).  The fixture holds cases only:
# the shipped KPIs over other datasets would not be evaluated (exit 6),
# so the config leaves them out by their tags, as a municipality with
# only a case export would (test_cases_only shows them without).
cases_only_kpis="kpis = -tag:trajecten, -tag:leden, -tag:verwijzingen, -tag:zrm, -tag:maatwerk"
write_config() { fixture_config "$1" "${2:-$src/scripts}" 2018-Q1 "$cases_only_kpis"; }

# ---------------------------------------------------------------- figures
# tests/data/e2e/cases.csv holds ten cases of two teams.  Calendar: 1 Jan
# 2018 (Monday) Nieuwjaarsdag; Easter 1 April 2018, so Goede Vrijdag 30
# March and Tweede Paasdag 2 April.  Working days count d with a < d <= b.
#
#  case team  registered  first meeting  closed      workdays to meeting
#  D1   Noord 2018-01-02  2018-01-04     2018-02-15  Jan 3, 4            = 2
#  D2   Noord 2017-12-29  2018-01-03     -           Jan 2, 3 (1st hol.) = 2
#  D3   Noord 2018-01-31  2018-02-09     2018-03-01  Feb 1,2,5,6,7,8,9   = 7
#  D4   Noord 2018-02-05  -              -           still waiting
#  D5   Zuid  2018-01-15  2018-01-15     2018-01-31  same day            = 0
#  D6   Zuid  2018-03-29  2018-04-03     -           Mar 30 and Apr 2 are
#                                                    holidays: Apr 3     = 1
#  D7   Zuid  2018-02-16  2018-02-19     2018-02-28  Fri to Mon          = 1
#  D8   Zuid  2018-02-20  2018-02-27     -           Feb 21,22,23,26,27  = 5
#  D9   Noord 2017-10-10  2017-10-12     2017-12-31  (not in 2018)
#  D10  Noord 2018-03-12  2018-03-16     -           Mar 13..16          = 4
#
# Started in the month (registration in it):
#   Jan: Noord D1 D3 = 2, Zuid D5 = 1; Feb: Noord D4 = 1, Zuid D7 D8 = 2;
#   Mar: Noord D10 = 1, Zuid D6 = 1.
# Closed in the month: Jan: Zuid D5; Feb: Noord D1, Zuid D7; Mar: Noord D3
#   (closed on 1 March, its first day).
# Running (registered <= last day, not closed before the first day):
#   Jan: Noord D1 D2 D3 = 3, Zuid D5 = 1 (D9 closed 31 Dec: not running);
#   Feb: Noord D1 D2 D3 D4 = 4, Zuid D7 D8 = 2 (D5 closed 31 Jan);
#   Mar: Noord D2 D3 D4 D10 = 4 (D3 closed on 1 Mar still counts), Zuid D6
#   D8 = 2 (D7 closed 28 Feb).
# Caseload on the last day (registered <= it, not closed before it):
#   31 Jan: Noord D1 D2 D3 = 3, Zuid D5 (closed that day) = 1;
#   28 Feb: Noord D2 D3 D4 = 3, Zuid D7 (closed that day) D8 = 2;
#   31 Mar: Noord D2 D4 D10 = 3, Zuid D6 D8 = 2.
# Mean waiting time over the started cases with a first meeting:
#   Jan: Noord (2+7)/2 = 4.5, Zuid 0, total (2+7+0)/3 = 3;
#   Feb: Noord none (D4 has no meeting), Zuid (1+5)/2 = 3, total 3;
#   Mar: Noord 4, Zuid 1, total 2.5.
# Share within 5 working days: Jan Noord 1 of 2 = 50%, Zuid 100%, total 2
#   of 3 = 66.6667%; Feb Noord none, Zuid 2 of 2 (5 is within), total 100%;
#   Mar 100% everywhere.
# Waiting on the last day (in the caseload, no first meeting on or before
#   it): 31 Jan Noord D3 = 1, Zuid 0; 28 Feb Noord D4 = 1, Zuid 0; 31 Mar
#   Noord D4 = 1, Zuid D6 (meeting 3 April) = 1.
test_figures() {
	write_config "$src/tests/data/e2e/cases.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "ingest of the fixture" 0 $?
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --format csv \
		>"$work/out.csv" 2>"$work/err"
	expect_rc "eval 2018-Q1" 0 $?
	# kpi;period;team;value of the long CSV, columns found by name.
	csv_columns kpi periode team waarde <"$work/out.csv" >"$work/got"
	while IFS= read -r line; do
		case "$line" in '#'* | '') continue ;; esac
		if grep -qxF -- "$line" "$work/got"; then ok "$line"
		else fail "$line" "got: $(grep -F -- "${line%;*};" "$work/got" | head -3)"; fi
	done <"$src/tests/e2e/expected_2018_q1.txt"

	# The contract's own breakdown: caseload by district.  The fixture's
	# teams sit in one district each (Noord in WK999901, Zuid in
	# WK999902), so the district figures are the team figures above.
	printf '[kpi caseload]\nbreakdown = district\n' >>"$work/peil.ini"
	"$peil" eval --config "$work/peil.ini" --period 2018-02 --kpi caseload \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "caseload by district" 0 $?
	csv_columns kpi periode district waarde <"$work/out.csv" >"$work/got"
	for line in "caseload;2018-02;WK999901;3" "caseload;2018-02;WK999902;2"; do
		if grep -qxF -- "$line" "$work/got"; then ok "$line"
		else fail "$line" "got: $(cat "$work/got")"; fi
	done
}

# ------------------------------------------------------------ cases behind
# peil cases lists the keys of the rows behind one figure.  By hand, from
# the fixture: February's started cases are D4 (Noord), D7 and D8 (Zuid);
# closed as planned in February is D1 (Noord) of D1 and D7 closed (--all
# lists D7 with counts 0); without a referrer among February's new cases
# is D4 only.  Then, independently of those: for every cell and month of
# 2018-Q1 of a few shipped counts and shares, as many rows are listed as
# the figure's numerator that peil eval computes (with --all: the
# denominator of the share).
cases_count() { # cases_count CONFIG KPI PERIOD FIELD VALUE [OPTION]: lines listed
	local cell=()
	[ "$5" = Totaal ] || cell=(--cell "$4=$5")
	"$peil" cases "$2" --config "$1" --period "$3" \
		"${cell[@]}" ${6:-} --format csv 2>/dev/null | tail -n +2 | wc -l
}
# cases_match CONFIG PERIOD FIELD OPTION KPI...: for every cell of the KPIs'
# figures of PERIOD (eval, breakdown FIELD), as many lines listed (with
# OPTION) as the numerator, and with --all as the denominator; prints
# "CHECKED WRONG" and the wrong ones before.
cases_match() {
	local config=$1 period=$2 field=$3 option=$4 checked=0 wrong=0
	local kpi per value num den got
	shift 4
	for kpi in "$@"; do
		"$peil" eval --config "$config" --period "$period" --kpi "$kpi" \
			--format csv 2>/dev/null | python3 -c '
import csv, sys
for r in csv.DictReader(sys.stdin, delimiter=";"):
    print("\t".join(r[c] for c in ("\ufeffkpi", "periode", sys.argv[1], "teller", "noemer")))
' "$field" >"$work/figures"
		while IFS=$'\t' read -r kpi per value num den; do
			[ -n "$num" ] || num=0
			got=$(cases_count "$config" "$kpi" "$per" "$field" "$value" "$option")
			checked=$((checked + 1))
			if [ "$got" != "$num" ]; then
				wrong=$((wrong + 1))
				echo "  $kpi $per $value: $got listed, numerator $num" >&2
			fi
			[ -n "$den" ] || continue
			got=$(cases_count "$config" "$kpi" "$per" "$field" "$value" --all)
			if [ "$got" != "$den" ]; then
				wrong=$((wrong + 1))
				echo "  $kpi $per $value: $got listed with --all, denominator $den" >&2
			fi
		done <"$work/figures"
	done
	echo "$checked $wrong"
}
test_cases_behind() {
	write_config "$src/tests/data/e2e/cases.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "ingest of the fixture" 0 $?
	"$peil" cases casussen_gestart --config "$work/peil.ini" --period 2018-02 \
		>"$work/cases.txt" 2>"$work/err"
	expect_rc "cases of February's started cases" 0 $?
	if [ "$(tr '\n' ' ' <"$work/cases.txt")" = "case_id D4 D7 D8 " ]; then
		ok "the keys D4 D7 D8 under their field's name"
	else fail "the keys D4 D7 D8" "got: $(cat "$work/cases.txt")"; fi
	expect_grep "logs how many" "$work/err" \
		'cases of casussen_gestart 2018-02 {}: 3 listed (run 1)'
	"$peil" runs --config "$work/peil.ini" >"$work/runs.txt" 2>"$work/err"
	expect_grep "the run history holds it as a run of kind cases" \
		"$work/runs.txt" "Run 1  cases  "
	expect_grep "over February" "$work/runs.txt" "periods 2018-02-01 .. 2018-02-28"
	expect_grep "with what it listed: the total" "$work/runs.txt" \
		"    listed casussen_gestart 2018-02 {}"
	"$peil" show --config "$work/peil.ini" >"$work/show.txt" 2>"$work/err"
	if grep -q "casussen_gestart\|Gestarte" "$work/show.txt"; then
		fail "show never shows a cases run's figures" "$(head "$work/show.txt")"
	else ok "show never shows a cases run's figures"; fi
	"$peil" cases casussen_gestart --config "$work/peil.ini" --period 2018-02 \
		--cell "team=Buurtteam Zuid" -o "$work/zuid.txt" 2>"$work/err"
	expect_rc "cases of a cell to a file" 0 $?
	if [ "$(tr '\n' ' ' <"$work/zuid.txt")" = "case_id D7 D8 " ]; then
		ok "Zuid's cell holds D7 and D8"
	else fail "Zuid's cell holds D7 and D8" "got: $(cat "$work/zuid.txt")"; fi
	"$peil" cases casussen_gestart --config "$work/peil.ini" --period 2018-02 \
		--cell "team=Buurtteam Zuid" --fields registered,referrer \
		--format csv >"$work/fields.csv" 2>"$work/err"
	if [ "$(tr '\n' ' ' <"$work/fields.csv")" = \
	     "case_id,registered,referrer D7,2018-02-16,Huisarts D8,2018-02-20,Ander team " ]; then
		ok "--fields adds the registration date and the referrer"
	else fail "--fields" "got: $(cat "$work/fields.csv") $(cat "$work/err")"; fi
	"$peil" runs --config "$work/peil.ini" --run 3 >"$work/runs.txt" 2>"$work/err"
	expect_grep "the history names the cell and fields listed" "$work/runs.txt" \
		'    listed casussen_gestart 2018-02 {"team":"Buurtteam Zuid"} --fields registered,referrer'
	# A store of schema version 7 (before listings): its runs have none;
	# opened for writing it gets the column, and new runs keep theirs.
	# (SQLite's schema; the postgres store has kept listings from its
	# first version.)
	if [ -z "${PEIL_TEST_PG:-}" ]; then
	python3 - "$work/peil.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("ALTER TABLE peil_run DROP COLUMN listing; PRAGMA user_version = 7")
db.close()
PY
	expect_rc "the store taken back to version 7" 0 $?
	peil_expect "runs of a store of version 7" 0 "$work/runs.txt" runs --run 3
	if grep -q "listed" "$work/runs.txt"; then
		fail "a run recorded before has no listing" "$(cat "$work/runs.txt")"
	else ok "a run recorded before has no listing"; fi
	fi
	"$peil" cases casussen_gestart --config "$work/peil.ini" --period 2018-02 \
		--all >/dev/null 2>"$work/err"
	"$peil" runs --config "$work/peil.ini" --run 4 >"$work/runs.txt" 2>"$work/err"
	expect_grep "after it, the store keeps listings again" "$work/runs.txt" \
		"    listed casussen_gestart 2018-02 {} --all"
	"$peil" cases casussen_gestart --config "$work/peil.ini" --period 2018-02 \
		--fields registered,nope >/dev/null 2>"$work/err"
	expect_rc "--fields with an unknown field" 64 $?
	expect_grep "names it" "$work/err" \
		"the dataset of KPI casussen_gestart has no field 'nope'"
	"$peil" cases afgesloten_volgens_plan --config "$work/peil.ini" \
		--period 2018-02 --all --format csv >"$work/share.csv" 2>"$work/err"
	expect_rc "cases of a share with --all" 0 $?
	if [ "$(tr '\n' ' ' <"$work/share.csv")" = "case_id,counts D1,1 D7,0 " ]; then
		ok "the share's numerator D1 and its denominator D1, D7"
	else fail "the share's D1 of D1, D7" "got: $(cat "$work/share.csv")"; fi
	"$peil" cases kwaliteit_zonder_melder --config "$work/peil.ini" \
		--period 2018-02 >"$work/dq.txt" 2>"$work/err"
	if [ "$(tr '\n' ' ' <"$work/dq.txt")" = "case_id D4 " ]; then
		ok "the data-quality KPI flags D4 (no referrer)"
	else fail "the data-quality KPI flags D4" "got: $(cat "$work/dq.txt")"; fi
	"$peil" cases nope --config "$work/peil.ini" --period 2018-02 \
		>/dev/null 2>"$work/err"
	expect_rc "cases of an unknown KPI" 64 $?
	"$peil" cases caseload --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "cases without --period" 64 $?
	"$peil" cases caseload --config "$work/peil.ini" --period 2018-02 \
		--cell team=Oost -o "$work/oost.txt" 2>"$work/err"
	expect_rc "cases of a cell the KPI has no figure of" 64 $?
	expect_grep "says so" "$work/err" \
		'KPI caseload has no figure of period 2018-02 in cell {"team":"Oost"}'
	if [ -e "$work/oost.txt" ]; then fail "and writes no file"
	else ok "and writes no file"; fi

	local checked wrong
	read -r checked wrong < <(cases_match "$work/peil.ini" 2018-Q1 team "" \
		casussen_gestart casussen_afgesloten caseload \
		afgesloten_volgens_plan kwaliteit_zonder_melder)
	if [ "$checked" -ge 45 ] && [ "$wrong" = 0 ]; then
		ok "$checked figures: as many cases listed as the numerator"
	else fail "cases listed = numerator" "$checked checked, $wrong wrong"; fi

	# Fed back per worker: a data-quality KPI broken down by any field of
	# its dataset (the fixture has no worker column; the organisation
	# stands in for it).  Of February's new cases D4 (Welzijn Noord) has
	# no referrer; D7 and D8 (Welzijn Zuid) have one.
	printf '[kpi kwaliteit_zonder_melder]\nbreakdown = organisation\n' \
		>>"$work/peil.ini"
	"$peil" cases kwaliteit_zonder_melder --config "$work/peil.ini" \
		--period 2018-02 --cell "organisation=Welzijn Noord" \
		>"$work/org.txt" 2>"$work/err"
	expect_rc "cases of a data-quality KPI per organisation" 0 $?
	if [ "$(tr '\n' ' ' <"$work/org.txt")" = "case_id D4 " ]; then
		ok "Welzijn Noord's case without a referrer is D4"
	else fail "Welzijn Noord's D4" "got: $(cat "$work/org.txt") $(cat "$work/err")"; fi
	"$peil" cases kwaliteit_zonder_melder --config "$work/peil.ini" \
		--period 2018-02 --cell "organisation=Welzijn Zuid" \
		>"$work/org.txt" 2>"$work/err"
	if [ ! -s "$work/org.txt" ]; then ok "Welzijn Zuid has none"
	else fail "Welzijn Zuid has none" "got: $(cat "$work/org.txt")"; fi
}

# peil cases of a KPI with per (its groups) and of a count_distinct (its
# rows and distinct values), on the fixture with members and ZRM
# measurements:
#   members (tests/data/e2e/members.csv) of February's running cases
#   (Noord D1 D2 D3 D4, Zuid D7 D8): L1 D1 P1, L2 D1 P2, L3 D2 P1, L4 D4 P3,
#   L5 D4 (no person), L6 D7 P4, L7 D8 P4.  personen_uniek of 2018-02:
#   total 7 rows, 4 distinct persons (P1 P2 P3 P4; L5 not counted), the
#   first row of each L1 L2 L4 L6; Noord 5 rows, 3 distinct (P1 P2 P3).
#   measurements (tests/data/e2e/measurements.csv), ZRM, measured in
#   2018-Q1 with an earlier measurement of the domain:
#     P1 Financien 2 -> 4 (15 Feb): up;   P2 Financien 3 -> 3 (20 Mar): same;
#     P3 Huisvesting 3 (5 Jan) -> 3 (20 Feb): same;
#     P4 Huisvesting 4 -> 2 (10 Jan): down; P5 Huisvesting 1 -> 3 (2 Feb): up.
#   zrm_vooruit: Financien P1, Huisvesting P5, total 2 groups; of
#   Huisvesting's groups that pass having P4 (0) and P5 (1) with --all.
#   zrm_gelijk total: P2 and P3, P3 with its dates 20 Feb and 5 Jan.
#   metingen_per_persoon (a script of the test: the mean number of 2018
#   measurements per person): P3 2, P1 P2 P4 P5 1 each, mean 6/5 = 1.2.
test_cases_groups() {
	mkdir -p "$work/scripts"
	cat >"$work/scripts/groepen.lua" <<'LUA'
kpi {
  id = "metingen_per_persoon",
  title = "Metingen per persoon",
  unit = "metingen",
  dataset = "measurements",
  grain = "year",
  select = started_in("date"),
  per = "person",
  rule = mean(function(person) return #person.rows end),
}
LUA
	fixture_config "$src/tests/data/e2e/cases.csv" \
		"$src/scripts, $work/scripts" 2018-Q1
	cat >>"$work/peil.ini" <<INI
[source members]
plugin = csv
dataset = case_members
path = $src/tests/data/e2e/members.csv
separator = semicolon
$(sed -n '/^\[source demo_members\]/,/^$/p' "$src/conf/peil.ini" | grep '^column\.')
$(measurements_source)
INI
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "ingest of cases, members and measurements" 0 $?
	"$peil" cases zrm_vooruit --config "$work/peil.ini" --period 2018-Q1 \
		>"$work/up.txt" 2>"$work/err"
	expect_rc "cases of a KPI with per" 0 $?
	expect_lines "its groups: persons P1 and P5" "$work/up.txt" \
		< <(printf '%s\n' person P1 P5)
	expect_grep "logs the groups" "$work/err" \
		'cases of zrm_vooruit 2018-Q1 {}: 2 groups per person listed'
	"$peil" cases zrm_vooruit --config "$work/peil.ini" --period 2018-Q1 \
		--cell domain=Huisvesting --all --format csv >"$work/up.csv" 2>"$work/err"
	expect_lines "Huisvesting with --all: P3 and P4 not counted, P5 counted" \
		"$work/up.csv" \
		< <(printf '%s\n' person,counts P3,0 P4,0 P5,1)
	"$peil" cases zrm_gelijk --config "$work/peil.ini" --period 2018-Q1 \
		--fields date,score --format csv >"$work/same.csv" 2>"$work/err"
	expect_lines "--fields: the values of a group's rows" "$work/same.csv" \
		< <(printf '%s\n' person,date,score 'P3,2018-02-20|2018-01-05,3' \
		P2,2018-03-20,3)
	"$peil" cases metingen_per_persoon --config "$work/peil.ini" --period 2018 \
		>"$work/mean.txt" 2>"$work/err"
	expect_lines "a group's value where the rule has one" "$work/mean.txt" \
		< <(printf 'person\tvalue\nP3\t2\nP1\t1\nP2\t1\nP4\t1\nP5\t1\n')
	"$peil" cases zrm_gelijk --config "$work/peil.ini" --period 2018-Q1 \
		--fields nope >/dev/null 2>"$work/err"
	expect_rc "--fields of a group with an unknown field" 64 $?
	expect_grep "names it" "$work/err" \
		"the dataset of KPI zrm_gelijk has no field 'nope'"

	"$peil" cases personen_uniek --config "$work/peil.ini" --period 2018-02 \
		--fields person >"$work/rows.txt" 2>"$work/err"
	expect_rc "cases of a count_distinct" 0 $?
	expect_lines "its rows, L5 without a person" "$work/rows.txt" \
		< <(printf 'member_id\tperson\nL1\tP1\nL2\tP2\nL3\tP1\nL4\tP3\nL5\t\nL6\tP4\nL7\tP4\n')
	expect_grep "says rows and distinct values" "$work/err" \
		'cases of personen_uniek 2018-02 {}: 7 rows, 4 distinct person (run'
	"$peil" cases personen_uniek --config "$work/peil.ini" --period 2018-02 \
		--distinct >"$work/distinct.txt" 2>"$work/err"
	expect_lines "--distinct: one row of each person" "$work/distinct.txt" \
		< <(printf '%s\n' member_id L1 L2 L4 L6)
	"$peil" cases personen_uniek --config "$work/peil.ini" --period 2018-02 \
		--cell "case.team=Buurtteam Noord" >/dev/null 2>"$work/err"
	expect_grep "Noord: 5 rows, 3 persons" "$work/err" \
		'{"case.team":"Buurtteam Noord"}: 5 rows, 3 distinct person'
	"$peil" cases zrm_gelijk --config "$work/peil.ini" --period 2018-Q1 \
		--distinct >/dev/null 2>"$work/err"
	expect_rc "--distinct of a KPI that counts no distinct values" 64 $?

	local checked wrong
	read -r checked wrong < <(cases_match "$work/peil.ini" 2018-Q1 domain "" \
		zrm_vooruit zrm_gelijk zrm_achteruit)
	read -r c w < <(cases_match "$work/peil.ini" 2018-Q1 case.team --distinct \
		personen_uniek casussen_zonder_persoon)
	checked=$((checked + c)) wrong=$((wrong + w))
	if [ "$checked" = 27 ] && [ "$wrong" = 0 ]; then
		ok "$checked figures of the fixture: as many groups or distinct values listed"
	else fail "fixture: listed = figure" "$checked checked, $wrong wrong"; fi

	# The demo: every cell of the ZRM KPIs of 2018-Q1, of the distinct
	# persons and the ladder of 2018.
	demo_setup 2017 2018 300
	sed -i 's/^min_count = .*/min_count = 0/' "$work/demo.ini"
	"$peil" ingest --config "$work/demo.ini" 2>"$work/err"
	expect_rc "ingest of the demo" 0 $?
	read -r checked wrong < <(cases_match "$work/demo.ini" 2018-Q1 domain "" \
		zrm_vooruit zrm_gelijk zrm_achteruit)
	read -r c w < <(cases_match "$work/demo.ini" 2018-Q1 case.team --distinct \
		personen_uniek casussen_zonder_persoon)
	checked=$((checked + c)) wrong=$((wrong + w))
	read -r c w < <(cases_match "$work/demo.ini" 2018 programme --distinct \
		ladder_in_traject ladder_gestegen)
	checked=$((checked + c)) wrong=$((wrong + w))
	if [ "$checked" -ge 60 ] && [ "$wrong" = 0 ]; then
		ok "$checked figures of the demo: as many groups or distinct values listed"
	else fail "demo: listed = figure" "$checked checked, $wrong wrong"; fi
}

# Fed back per worker: tests/data/e2e/cases_worker.csv is the fixture
# with a column Medewerker (mapped to the optional field worker) and no
# referrer in D4, D6 and D8.  kwaliteit_zonder_melder (started cases
# without a referrer) with [kpi] breakdown = worker:
#   Jan: J.Jansen D1 D5 0 of 2, A.de Vries D3 0 of 1, total 0 of 3;
#   Feb: J.Jansen D7 D8: 1 of 2 (D8) = 50%, A.de Vries D4: 1 of 1 = 100%,
#        total 2 of 3;
#   Mar: A.de Vries D10 D6: 1 of 2 (D6) = 50%, total 1 of 2.
# The worker is personal data of an employee and the KPI internal: no
# public output holds it.
test_cases_worker() {
	fixture_config "$src/tests/data/e2e/cases_worker.csv" "$src/scripts" \
		2018-Q1 "$cases_only_kpis" "column.Medewerker = worker"
	printf '[kpi kwaliteit_zonder_melder]\nbreakdown = worker\n' \
		>>"$work/peil.ini"
	printf '[kpi casussen_gestart]\nvisibility = public\n' >>"$work/peil.ini"
	peil_expect "run of the fixture with workers" 0 /dev/null run
	"$peil" show --config "$work/peil.ini" --kpi kwaliteit_zonder_melder \
		--format csv 2>"$work/err" |
		csv_columns periode worker teller noemer >"$work/got"
	expect_lines "per worker: the shares worked out by hand" "$work/got" <<'EXPECTED'
2018-01;A.de Vries;0;1
2018-01;J.Jansen;0;2
2018-01;Totaal;0;3
2018-02;A.de Vries;1;1
2018-02;J.Jansen;1;2
2018-02;Totaal;2;3
2018-03;A.de Vries;1;2
2018-03;J.Jansen;0;0
2018-03;Totaal;1;2
EXPECTED
	"$peil" cases kwaliteit_zonder_melder --config "$work/peil.ini" \
		--period 2018-02 --cell worker=J.Jansen --all --format csv \
		>"$work/jansen.csv" 2>"$work/err"
	expect_rc "cases of one worker" 0 $?
	expect_lines "J.Jansen's February: D8 flagged, D7 not" "$work/jansen.csv" \
		< <(printf '%s\n' case_id,counts D7,0 D8,1)
	"$peil" cases kwaliteit_zonder_melder --config "$work/peil.ini" \
		--period 2018-03 --cell "worker=A.de Vries" --fields worker \
		>"$work/vries.txt" 2>"$work/err"
	expect_lines "A.de Vries's March: D6" "$work/vries.txt" \
		< <(printf 'case_id\tworker\nD6\tA.de Vries\n')
	printf '[privacy public]\nmin_count = 0\n' >>"$work/peil.ini"
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 --public \
		--format csv >"$work/public.csv" 2>"$work/err"
	expect_rc "report --public" 0 $?
	expect_grep "the public report holds the public KPI" "$work/public.csv" \
		'casussen_gestart;'
	expect_no_grep "and no worker" "$work/public.csv" \
		'Jansen\|de Vries\|kwaliteit_'
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 --public \
		-o "$work/public.html" 2>"$work/err"
	expect_no_grep "nor does the public html report" "$work/public.html" \
		'Jansen\|de Vries'
	peil_expect "export under [privacy public]" 0 "$work/public.prom" export
	expect_no_grep "nor the public export" "$work/public.prom" \
		'Jansen\|de Vries\|kwaliteit_'
}

# ------------------------------------------------------------ show formats
test_show_formats() {
	# Scripts of our own, so that one can change after the run.
	mkdir -p "$work/scripts"
	cp -r "$src"/scripts/*.lua "$src/scripts/lib" "$work/scripts/"
	write_config "$src/tests/data/e2e/cases.csv" "$work/scripts"
	peil_expect "run over the fixture" 0 "$work/run.txt" run
	expect_grep "run prints the caseload table" "$work/run.txt" "Buurtteam Noord"
	sed -i 's/Caseload op de peildatum/Caseload (herzien)/' "$work/scripts/caseload.lua"
	"$peil" show --config "$work/peil.ini" --kpi caseload >/dev/null 2>"$work/err"
	expect_grep "show warns that a script changed since the run" "$work/err" \
		"the definition of KPI caseload ($work/scripts/caseload.lua) changed since run"
	"$peil" show --config "$work/peil.ini" --kpi casussen_gestart --period 2018-02 \
		--format json >"$work/show.json" 2>"$work/err"
	expect_rc "show --format json" 0 $?
	expect_grep "json has the February total of 3" "$work/show.json" \
		'"kpi": "casussen_gestart", "period": "2018-02", "breakdown": {}, "value": 3,'
	expect_grep "json has Noord's 1 started case" "$work/show.json" \
		'"breakdown": {"team":"Buurtteam Noord"}, "value": 1,'
	if grep -q '"period": "2018-01"' "$work/show.json"; then
		fail "show --period 2018-02 leaves out January"
	else ok "show --period 2018-02 leaves out January"; fi
	peil_expect "show --format text" 0 "$work/show.txt" show --format text
	expect_grep "text names the run" "$work/show.txt" "Run "
	peil_expect "show --run of an unknown run" 64 /dev/null show --run 999
	expect_grep "names the run" "$work/err" "no run 999"
	peil_expect "show --kpi of an unknown KPI" 64 /dev/null show --kpi nope
	expect_grep "says so" "$work/err" "no KPI has that id"
	peil_expect "eval --kpi of an unknown KPI" 64 /dev/null eval --period 2018-01 --kpi nope
}

# ----------------------------------------------------------- ingest errors
test_ingest_errors() {
	write_config "$src/tests/data/e2e/cases_bad_date.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "a bad date refuses the file" 2 $?
	expect_grep "the error names file, line, column and value" "$work/err" \
		"cases_bad_date.csv:5: column 'Datum aanmelding': '31-02-2018' is not a valid date in the format dd-mm-jjjj"
	rows=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases')
	[ "$rows" = 0 ] && ok "nothing of the refused file is stored" || fail "stored $rows rows of a refused file"

	write_config "$src/tests/data/e2e/cases.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "the good export goes in" 0 $?
	cp "$src/tests/data/e2e/cases.csv" "$work/renamed.csv"
	write_config "$work/renamed.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "the same content under another name" 0 $?
	expect_grep "is skipped with a message" "$work/err" "skipped, [source fixture] read this content before with the same settings"
	rows=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases')
	[ "$rows" = 10 ] && ok "still 10 rows" || fail "$rows rows after the second ingest"

	# A corrected re-export: D4 gets its first meeting; upsert on the key.
	sed 's/^D4;\(.*\);05-02-2018;;/D4;\1;05-02-2018;08-02-2018;/' \
		"$src/tests/data/e2e/cases.csv" >"$work/corrected.csv"
	write_config "$work/corrected.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "a corrected export" 0 $?
	got=$(sqlite3 "$work/peil.db" "SELECT count(*), (SELECT first_meeting FROM ds_cases WHERE case_id = 'D4') FROM ds_cases")
	# 2018-02-08 is day 17570 since 1970-01-01.
	[ "$got" = "10|17570" ] && ok "the corrected row replaced the old one" || fail "corrected export: $got"
}

# ---------------------------------------------------------------- sources
# One export read by two sources into two datasets; settings that change
# read a file again; --force; reject files only for committed files.
test_sources() {
	write_config "$src/tests/data/e2e/cases.csv"
	cat >>"$work/peil.ini" <<INI
[dataset teams]
field.team = text key
field.organisation = text
[source teams]
plugin = csv
dataset = teams
path = $src/tests/data/e2e/cases.csv
encoding = windows-1252
separator = semicolon
column.Team = team
column.Organisatie = organisation
repeated_keys = keep_last
INI
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "two sources read one export" 0 $?
	got=$(sqlite3 "$work/peil.db" 'SELECT (SELECT count(*) FROM ds_cases) || "/" || (SELECT count(*) FROM ds_teams)')
	# Ten cases; two teams (rows of a team replace each other by key,
	# which an export may do only with repeated_keys = keep_last).
	[ "$got" = "10/2" ] && ok "both datasets are filled (cases/teams $got)" || fail "cases/teams: $got"
	expect_grep "the true count of teams" "$work/err" "cases.csv: 2 rows stored in teams"
	expect_grep "and the rows replaced" "$work/err" "cases.csv: 8 rows of teams were replaced"
	"$peil" ingest --config "$work/peil.ini" teams 2>"$work/err"
	expect_grep "a second ingest skips it" "$work/err" "skipped, [source teams] read it before and its size, modification time and inode are the same"
	"$peil" ingest --config "$work/peil.ini" --force teams 2>"$work/err"
	expect_rc "--force reads it again" 0 $?
	expect_grep "and stores it" "$work/err" "rows stored in teams"
	echo "skip_lines = 0" >>"$work/peil.ini"	# [source teams] is last
	"$peil" ingest --config "$work/peil.ini" teams 2>"$work/err"
	expect_grep "changed settings read it again" "$work/err" "rows stored in teams"

	# Reject mode: a file refused as a whole (a mapped column is missing
	# from its header) leaves no reject file; two bad exports of the same
	# name in two directories give two reject files.
	mkdir -p "$work/a" "$work/b"
	cp "$src/tests/data/e2e/cases_bad_date.csv" "$work/a/export.csv"
	sed 's/^D6;/D6;X;/' "$src/tests/data/e2e/cases_bad_date.csv" >"$work/b/export.csv"
	write_config "$work/*/export.csv"
	echo "on_error = reject" >>"$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "reject mode with rejected rows" 2 $?
	n=$(ls "$work/rejects" | grep -c 'export.csv.rejected$')
	[ "$n" = 2 ] && ok "two exports of one name, two reject files" || fail "$n reject files: $(ls "$work/rejects")"
	n=$(ls "$work/rejects" | grep -c 'tmp$')
	[ "$n" = 0 ] && ok "no temporary reject file is left" || fail "$n temporary files"
	rm -rf "$work/rejects" "$work/peil.db"*
	tr -d '\r' <"$src/tests/data/e2e/cases_bad_date.csv" | sed '1s/Team;/Ploeg;/' >"$work/a/export.csv"
	write_config "$work/a/export.csv"
	echo "on_error = reject" >>"$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "a file whose header lacks a mapped column" 2 $?
	expect_grep "is refused naming the column" "$work/err" "'Team'"
	n=$(ls "$work/rejects" 2>/dev/null | wc -l)
	[ "$n" = 0 ] && ok "a refused file leaves no reject file" || fail "left: $(ls "$work/rejects")"
}

# -------------------------------------------------------- check and usage
test_check_and_usage() {
	write_config "$src/tests/data/e2e/cases.csv"
	peil_expect "check of a good config" 0 "$work/out" check
	expect_grep "check says it is fine" "$work/out" "are fine"
	[ ! -e "$work/peil.db" ] && ok "check touches no data" || fail "check created the store"
	sed 's/^encoding = windows-1252/encodnig = windows-1252/; s/^periods = 2018-Q1/peroids = 2018-Q1/' \
		"$work/peil.ini" >"$work/typo.ini"
	line=$(grep -n '^peroids' "$work/typo.ini" | cut -d: -f1)
	"$peil" check --config "$work/typo.ini" >"$work/out" 2>"$work/err"
	expect_rc "check of a config with a typo" 3 $?
	expect_grep "the typo is named with its line" "$work/err" "typo.ini:$line: unknown key 'peroids' in section [run]"
	sed 's/^encoding = windows-1252/encodnig = windows-1252/' "$work/peil.ini" >"$work/typo2.ini"
	line=$(grep -n '^encodnig' "$work/typo2.ini" | cut -d: -f1)
	"$peil" check --config "$work/typo2.ini" >"$work/out" 2>"$work/err"
	expect_rc "check of a config with a typo in a plugin's key" 3 $?
	expect_grep "that typo is named with its line" "$work/err" "typo2.ini:$line: unknown key 'encodnig' in [source fixture]"
	# check opens each source as ingest does (engine/source.c): a mode
	# that ingest refuses is refused by check too, with the same message
	# naming file, line and value.  Before, check let it pass (exit 0).
	sed 's/^encoding = windows-1252/mode = snapshto\nencoding = windows-1252/' \
		"$work/peil.ini" >"$work/mode.ini"
	line=$(grep -n '^mode = snapshto' "$work/mode.ini" | cut -d: -f1)
	"$peil" check --config "$work/mode.ini" >"$work/out" 2>"$work/err"
	expect_rc "check of a source with a bad mode" 3 $?
	expect_grep "check names the bad mode with its line" "$work/err" \
		"mode.ini:$line: mode = snapshto: expected increment or snapshot"
	"$peil" ingest --config "$work/mode.ini" >/dev/null 2>"$work/err2"
	expect_rc "ingest of a source with a bad mode" 3 $?
	cmp -s "$work/err" "$work/err2" && ok "check and ingest say the same" ||
		fail "check and ingest differ" "$(cat "$work/err" "$work/err2")"
	[ ! -e "$work/peil.db" ] && ok "neither touched the store" || fail "the store was created"
	for cmd in run ingest eval show check list report export; do
		"$peil" "$cmd" --help >"$work/out" 2>&1
		expect_rc "peil $cmd --help" 0 $?
		expect_grep "peil $cmd --help shows usage" "$work/out" "Usage: peil $cmd"
	done
	"$peil" frobnicate >/dev/null 2>&1
	expect_rc "an unknown command" 64 $?
	# A contract year from July: the fixture's ten cases were all
	# registered from 10-10-2017 to 29-03-2018, so the months of
	# 2017/2018 start 10 cases in all; without a start month there is no
	# contract year to name.
	printf '[contract]\nstart_month = 7\n' >>"$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" 2>/dev/null
	"$peil" eval --config "$work/peil.ini" --period 2017/2018 --kpi casussen_gestart \
		--format csv >"$work/out.csv" 2>"$work/err"
	# July to September 2017 lie before the first registration: not
	# evaluated, so the figures are incomplete (exit 6).
	expect_rc "eval of contract year 2017/2018" 6 $?
	total=$(csv_columns periode team waarde <"$work/out.csv" |
		awk -F';' '$2 == "Totaal" { n++; s += $3 } END { print n "/" s }')
	[ "$total" = "12/10" ] && ok "its 12 months start 10 cases" || fail "months/cases: $total"
	csv_columns periode waarde status <"$work/out.csv" >"$work/got"
	expect_grep "September 2017 is not evaluated" "$work/got" \
		"2017-09;;niet berekend: dataset cases heeft geen rij met registered tot het einde van de periode"
	expect_grep "October 2017 is" "$work/got" "2017-10;1;"
	sed -i '/^\[contract\]/,$d' "$work/peil.ini"
	peil_expect "a contract year without [contract] start_month" 64 /dev/null eval --period 2017/2018
	peil_expect "a period that does not exist" 64 /dev/null eval --period 2018-13
	expect_grep "the bad period is named" "$work/err" "'2018-13' is not a period"
	"$peil" list --config "$work/peil.ini" >"$work/out" 2>&1
	expect_rc "list" 0 $?
	expect_grep "list shows the csv plugin" "$work/out" "csv"
	expect_grep "list shows a KPI" "$work/out" "casussen_gestart"
}

# ------------------------------------------------------------ failing KPI
test_failing_kpi() {
	mkdir -p "$work/scripts"
	cp -r "$src"/scripts/* "$work/scripts/"
	cat >"$work/scripts/zz_broken.lua" <<'LUA'
kpi {
  id = "kapot",
  title = "Een KPI die faalt",
  description = "Deelt door een tabel, wat niet kan.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  select = started_in("registered"),
  rule = sum(function(case, period)
    return case.registered + {}
  end),
}
LUA
	write_config "$src/tests/data/e2e/cases.csv" "$work/scripts"
	"$peil" ingest --config "$work/peil.ini" 2>/dev/null
	"$peil" eval --config "$work/peil.ini" --period 2018-01 --format csv \
		>"$work/out.csv" 2>"$work/err"
	expect_rc "a failing KPI makes the exit code 1" 1 $?
	expect_grep "its error names script and line" "$work/err" "zz_broken.lua:10"
	expect_grep "the other KPIs still give figures" "$work/out.csv" "casussen_gestart;"
	if grep -q '^kapot;' "$work/out.csv"; then fail "the failed KPI has figures"; else ok "the failed KPI has no figures"; fi
}

# ------------------------------------------------------------ cumulative
# cumulative("registered") from [contract] start = 2018-01-01 over the
# fixture (tests/data/kpi/cumulatief): D9 (2017-10-10) and D2 (2017-12-29)
# were registered before the contract and never count.
#   Jan: Noord D1 D3 = 2, Zuid D5 = 1, total 3;
#   Feb: + Noord D4, Zuid D7 D8: Noord 3, Zuid 3, total 6;
#   Mar: + Noord D10, Zuid D6: Noord 4, Zuid 4, total 8.
# up_to("registered") would give 5, 8 and 10 in total.
test_cumulative() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/tests/data/kpi/cumulatief" 2018-Q1
	peil_expect "peil test of cumulative() with hand-worked figures" 0 "$work/out" test
	expect_grep "both tests ran" "$work/out" "2 tests, 10 figures, 0 differ"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	peil_expect "without [contract] start: not evaluated" 6 "$work/out.csv" eval --period 2018-Q1 --format csv
	expect_grep "the reason, in Dutch" "$work/out.csv" "niet berekend: de startdatum van het contract ([contract] start) ontbreekt"
	expect_grep "the log says why" "$work/err" "[contract] start is not set"
	"$peil" explain --config "$work/peil.ini" casussen_sinds_contractstart >"$work/out" 2>"$work/err"
	expect_grep "explain shows the selection" "$work/out" 'select:      cumulative("registered")'
	expect_grep "explain says it is not evaluated" "$work/out" "cumulative:  [contract] start is not set: not evaluated"

	printf '[contract]\nstart = 2018-01-01\n' >>"$work/peil.ini"
	"$peil" explain --config "$work/peil.ini" casussen_sinds_contractstart >"$work/out" 2>"$work/err"
	expect_grep "explain says where it counts from" "$work/out" "cumulative:  from 2018-01-01 ([contract] start) to each period's last day"
	peil_expect "with [contract] start" 0 "$work/out.csv" eval --period 2018-Q1 --format csv
	got=$(csv_columns periode team waarde <"$work/out.csv" | tr '\n' ' ')
	[ "$got" = "2018-01;Buurtteam Noord;2 2018-01;Buurtteam Zuid;1 2018-01;Totaal;3 2018-02;Buurtteam Noord;3 2018-02;Buurtteam Zuid;3 2018-02;Totaal;6 2018-03;Buurtteam Noord;4 2018-03;Buurtteam Zuid;4 2018-03;Totaal;8 " ] &&
		ok "the figures from the contract's start" || fail "the figures from the contract's start" "got: $got"

	sed -i 's/^start = 2018-01-01$/start = 2018-13-01/' "$work/peil.ini"
	line=$(grep -n '^start = 2018-13-01' "$work/peil.ini" | cut -d: -f1)
	peil_expect "a bad [contract] start" 3 /dev/null check
	expect_grep "is named with its line" "$work/err" "peil.ini:$line: start = 2018-13-01: expected a date as jjjj-mm-dd"
}

# -------------------------------------------------------------- grouping
# Referral sources in groups (tests/data/kpi/groepen/verwijzers.csv):
# Huisarts and POH-GGZ are huisarts/POH, Ander team and "Buurtteam;
# jeugd" wijkteam, Zelfmelder and Familie of netwerk eigen initiatief;
# other = overige redenen.  The shipped casussen_gestart, broken down by
# referrer in these groups by the config alone, over the fixture's
# registrations in 2018-Q1 (referrers from cases.csv):
#   Jan: D1 Huisarts, D3 Familie of netwerk, D5 Veilig Thuis (unmapped):
#        huisarts/POH 1, eigen initiatief 1, overige redenen 1;
#   Feb: D4 (empty), D7 Huisarts, D8 Ander team: (onbekend) 1 (not
#        overige redenen, which is 0), huisarts/POH 1, wijkteam 1;
#   Mar: D6 Woningcorporatie (unmapped), D10 Zelfmelder: overige redenen
#        1, eigen initiatief 1.
# Then from a dataset instead: only Huisarts -> huisarts/POH and Ander
# team -> wijkteam; January: huisarts/POH 1 and overige redenen 2,
# February as before, March overige redenen 2.
# ---------------------------------------------------------------- targets
# Targets for the total only and for one lot, on the
# KPI gestart_per_team of tests/data/kpi/doelen (cases started in the
# month, per team): January Noord 2, Zuid 1, total 3; February Noord 1,
# Zuid 2, total 3; March Noord 1, Zuid 1, total 2.  At least 3 for the
# total only: met, met, not met; at least 2 for Buurtteam Noord: met, not
# met, not met; Zuid has no target, so no status.
test_targets() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts, $src/tests/data/kpi/doelen" 2018-Q1 "$cases_only_kpis"
	peil_expect "peil test of targets per lot and per cell" 0 "$work/out" test "$src/tests/data/kpi/doelen/tests"
	expect_grep "both tests ran" "$work/out" "2 tests, 14 figures, 0 differ"
	cat >>"$work/peil.ini" <<INI
[kpi gestart_per_team]
target.min = 3
target.applies = total
target.min.team.Buurtteam Noord = 2
INI
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	peil_expect "eval with targets per lot" 0 "$work/out.csv" eval --period 2018-Q1 --kpi gestart_per_team --format csv
	got=$(csv_columns periode team waarde status <"$work/out.csv" | tr '\n' ' ')
	[ "$got" = "2018-01;Buurtteam Noord;2;gehaald 2018-01;Buurtteam Zuid;1; 2018-01;Totaal;3;gehaald 2018-02;Buurtteam Noord;1;niet gehaald 2018-02;Buurtteam Zuid;2; 2018-02;Totaal;3;gehaald 2018-03;Buurtteam Noord;1;niet gehaald 2018-03;Buurtteam Zuid;1; 2018-03;Totaal;2;niet gehaald " ] &&
		ok "the status only where a target applies" || fail "the status only where a target applies" "got: $got"
	"$peil" explain --config "$work/peil.ini" gestart_per_team >"$work/out" 2>"$work/err"
	expect_grep "explain shows both targets" "$work/out" "minimaal 3 (alleen het totaal); team = Buurtteam Noord: minimaal 2"
	"$peil" check --config "$work/peil.ini" >"$work/out" 2>"$work/err"
	if grep -q "compares field team" "$work/err"; then fail "a lot that is stored gives no warning" "$(cat "$work/err")"; else ok "a lot that is stored gives no warning"; fi
	printf 'target.max.team.Buurtteam Nord = 5\n' >>"$work/peil.ini"
	"$peil" check --config "$work/peil.ini" >"$work/out" 2>"$work/err"
	expect_grep "peil check names a lot no row holds" "$work/err" "KPI gestart_per_team compares field team of dataset cases with 'Buurtteam Nord', which none of its 10 stored rows holds"
	printf 'target.min.district.Noord = 1\n' >>"$work/peil.ini"
	peil_expect "a lot's target of a field outside the breakdown fails the KPI" 1 "$work/out.csv" eval --period 2018-Q1 --kpi gestart_per_team --format csv
	expect_grep "the error names the target" "$work/err" "target district.Noord: the KPI is not broken down by that field"
	sed -i 's/^target.applies = total$/target.applies = perceel/' "$work/peil.ini"
	peil_expect "an unknown target.applies is a configuration error" 3 /dev/null eval --period 2018-Q1 --kpi gestart_per_team
	expect_grep "it names the value" "$work/err" "target.applies = perceel: expected all, total or cells"
}

# ---------------------------------------------------------------- ratios
# ratio(sum(a), sum(b)) and share_of_total(), on the
# KPIs of tests/data/kpi/verhoudingen.  Absence hours in January 2018
# (verzuim.csv below): Noord 8 of 160 and 0 of 80, Zuid 36 of 120.  Noord
# 8 / 240 = 3,3 %, Zuid 30,0 %, the total 44 / 360 = 12,2 % (the Lua
# per-employee mean would say 11,7 %, the mean of the teams 16,7 %).
test_ratios() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/tests/data/kpi/verhoudingen" 2018-01
	cat >>"$work/peil.ini" <<INI
[dataset inwoners]
field.neighbourhood = text key
field.inhabitants = integer required
[dataset verzuim]
field.id = text key
field.team = text required
field.date = date required
field.hours_absent = real
field.hours_contracted = real
$(csv_source verzuim verzuim "$work/verzuim.csv" "" Id=id Team=team Datum=date \
	Verzuim=hours_absent Contract=hours_contracted)
date_format = jjjj-mm-dd
$(csv_source inwoners inwoners "$work/inwoners.csv" "" Buurt=neighbourhood Inwoners=inhabitants)
INI
	printf 'Buurt;Inwoners\nBU99990101;1000\nBU99990102;2000\nBU99990201;500\nBU99990202;500\n' >"$work/inwoners.csv"
	printf 'Id;Team;Datum;Verzuim;Contract\nV1;Noord;2018-01-31;8;160\nV2;Noord;2018-01-31;0;80\nV3;Zuid;2018-01-31;36;120\n' >"$work/verzuim.csv"
	peil_expect "peil test of ratios and shares of the total" 0 "$work/out" test "$src/tests/data/kpi/verhoudingen/tests"
	expect_grep "both tests ran" "$work/out" "3 tests, 15 figures, 0 differ"
	peil_expect "ingest of the absence hours" 0 /dev/null ingest
	peil_expect "eval of a ratio of two sums" 0 "$work/out.csv" eval --period 2018-01 --kpi verzuimpercentage --format csv
	got=$(csv_columns team waarde teller noemer <"$work/out.csv" | tr '\n' ' ')
	[ "$got" = "Noord;3,333333333;8;240 Zuid;30;36;120 Totaal;12,22222222;44;360 " ] &&
		ok "the ratio of the sums, per team and in total" || fail "the ratio of the sums, per team and in total" "got: $got"
	# Cases registered in January 2018 per buurt (cases.csv): D1 in
	# BU99990101 (1000 inhabitants), D3 in BU99990102 (2000), D5 in
	# BU99990201 (500): 1, 0,5 and 2 per 1000; BU99990202 (500) none in
	# January (D7, D8 in February): 0; the total 3 of all 4000
	# inhabitants = 0,75.
	peil_expect "eval of reach per 1000 inhabitants" 0 "$work/out.csv" eval --period 2018-01 --kpi bereik_per_1000 --format csv
	got=$(csv_columns waarde teller noemer <"$work/out.csv" | tr '\n' ' ')
	[ "$got" = "1;1;1000 0,5;1;2000 2;1;500 0;0;500 0,75;3;4000 " ] &&
		ok "the population per buurt from another dataset" || fail "the population per buurt from another dataset" "got: $got"
	"$peil" explain --config "$work/peil.ini" bereik_per_1000 >"$work/out" 2>"$work/err"
	expect_grep "explain shows where the denominator comes from" "$work/out" 'ratio(count(), dataset_sum("inwoners", "inhabitants"), 1000)'
	"$peil" explain --config "$work/peil.ini" verzuimpercentage >"$work/out" 2>"$work/err"
	expect_grep "explain shows the ratio" "$work/out" 'ratio(sum("hours_absent"), sum("hours_contracted"), 100)'
	"$peil" explain --config "$work/peil.ini" aandeel_verwijzingen >"$work/out" 2>"$work/err"
	expect_grep "explain shows the share of the total" "$work/out" 'share_of_total(count())'
	mkdir -p "$work/bad"
	cat >"$work/bad/bad.lua" <<'LUA'
kpi { id = "fout", title = "t", unit = "%", dataset = "verzuim",
  grain = "month", rule = ratio(mean("hours_absent"), sum("hours_contracted")) }
LUA
	mkdir -p "$work/nope"
	cat >"$work/nope/nope.lua" <<'LUA'
kpi { id = "geen_veld", title = "t", unit = "u", dataset = "cases",
  grain = "month", breakdown = { "neighbourhood" },
  rule = ratio(count(), dataset_sum("inwoners", "population"), 1000) }
kpi { id = "geen_inwoners", title = "t", unit = "u", dataset = "cases",
  grain = "month", breakdown = { "neighbourhood" },
  rule = ratio(count(), dataset_sum("inwoners", "inhabitants"), 1000) }
LUA
	cat >"$work/nope_test.lua" <<'LUA'
test { name = "zonder inwoners", period = "2018-01",
  data = { cases = { { case_id = "C1", team = "N", registered = "2018-01-03" } } },
  expect = { { kpi = "geen_inwoners", period = "2018-01", value = "empty" } } }
LUA
	sed -i "s|^script_dirs = .*|script_dirs = $work/nope|" "$work/peil.ini"
	peil_expect "a denominator field that does not exist fails its KPI" 1 /dev/null eval --period 2018-01
	expect_grep "the error names dataset and field" "$work/err" "kpi 'geen_veld': dataset_sum(): dataset inwoners has no number field 'population'"
	"$peil" test --config "$work/peil.ini" "$work/nope_test.lua" >"$work/out" 2>&1
	expect_grep "no population rows: the KPI fails, loudly" "$work/out" "kpi 'geen_inwoners': dataset_sum(): dataset inwoners holds no rows, so every denominator is unknown"
	sed -i "s|^script_dirs = .*|script_dirs = $work/bad|" "$work/peil.ini"
	"$peil" eval --config "$work/peil.ini" --period 2018-01 >"$work/out" 2>"$work/err"
	expect_grep "ratio() of a mean is refused, naming the line" "$work/err" "bad.lua:1: kpi 'fout': rule: ratio() takes two of count() and sum(), and a factor, got mean"
}

test_grouping() {
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts, $src/tests/data/kpi/groepen" 2018-Q1 "$cases_only_kpis"
	cat >>"$work/peil.ini" <<INI
[dataset verwijzer_groepen]
field.value = text key
field.group = text required
$(csv_source groepen verwijzer_groepen "$work/groepen.csv" "" Waarde=value Groep=group)
[group verwijzers]
file = $src/tests/data/kpi/groepen/verwijzers.csv
[group verwijzers_tabel]
dataset = verwijzer_groepen
other = overige redenen
INI
	printf 'Waarde;Groep\nHuisarts;huisarts/POH\nAnder team;wijkteam\n' >"$work/groepen.csv"
	peil_expect "peil test of groups from a file and from a dataset" 0 "$work/out" test "$src/tests/data/kpi/groepen/tests"
	expect_grep "both tests ran" "$work/out" "2 tests, 10 figures, 0 differ"

	cat >>"$work/peil.ini" <<INI
[kpi casussen_gestart]
breakdown = referrer
group.referrer = verwijzers
INI
	sed -i 's|^file = .*verwijzers.csv$|&\nother = overige redenen|' "$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "ingest of the cases and the groups" 0 $?
	"$peil" explain --config "$work/peil.ini" casussen_gestart >"$work/out" 2>"$work/err"
	expect_grep "explain shows the grouping" "$work/out" \
		"breakdown:   referrer in [group verwijzers] ($src/tests/data/kpi/groepen/verwijzers.csv; unmapped: \"overige redenen\")"
	peil_expect "eval of the shipped KPI in groups" 0 "$work/out.csv" eval --period 2018-Q1 --kpi casussen_gestart --format csv
	got=$(csv_columns periode referrer waarde <"$work/out.csv" | tr '\n' ' ')
	want="2018-01;eigen initiatief;1 2018-01;huisarts/POH;1 2018-01;overige redenen;1 2018-01;wijkteam;0 2018-01;(onbekend);0 2018-01;Totaal;3 "
	want="${want}2018-02;eigen initiatief;0 2018-02;huisarts/POH;1 2018-02;overige redenen;0 2018-02;wijkteam;1 2018-02;(onbekend);1 2018-02;Totaal;3 "
	want="${want}2018-03;eigen initiatief;1 2018-03;huisarts/POH;0 2018-03;overige redenen;1 2018-03;wijkteam;0 2018-03;(onbekend);0 2018-03;Totaal;2 "
	[ "$got" = "$want" ] && ok "the figures per group, the empty referrer apart" ||
		fail "the figures per group, the empty referrer apart" "got:  $got" "want: $want"

	sed -i 's/^group.referrer = verwijzers$/group.referrer = verwijzers_tabel/' "$work/peil.ini"
	peil_expect "eval with groups from a dataset" 0 "$work/out.csv" eval --period 2018-Q1 --kpi casussen_gestart --format csv
	got=$(csv_columns periode referrer waarde <"$work/out.csv" | grep -v Totaal | tr '\n' ' ')
	want="2018-01;huisarts/POH;1 2018-01;overige redenen;2 2018-01;wijkteam;0 2018-01;(onbekend);0 2018-02;huisarts/POH;1 2018-02;overige redenen;0 2018-02;wijkteam;1 2018-02;(onbekend);1 2018-03;huisarts/POH;0 2018-03;overige redenen;2 2018-03;wijkteam;0 2018-03;(onbekend);0 "
	[ "$got" = "$want" ] && ok "the figures per group of the dataset" ||
		fail "the figures per group of the dataset" "got:  $got" "want: $want"

	# A group file is part of the definitions: the run's fingerprint of
	# them changes with it (and only then).
	cp "$src/tests/data/kpi/groepen/verwijzers.csv" "$work/verwijzers.csv"
	sed -i "s|^file = .*verwijzers.csv\$|file = $work/verwijzers.csv|" "$work/peil.ini"
	for i in 1 2 3; do
		[ "$i" = 3 ] && echo 'Veilig Thuis;wijkteam' >>"$work/verwijzers.csv"
		"$peil" eval --config "$work/peil.ini" --period 2018-01 --kpi casussen_gestart >/dev/null 2>"$work/err"
	done
	n=$(sqlite3 "$work/peil.db" "SELECT count(DISTINCT scripts_sha256) FROM (SELECT scripts_sha256 FROM peil_run ORDER BY id DESC LIMIT 2)")
	m=$(sqlite3 "$work/peil.db" "SELECT count(DISTINCT scripts_sha256) FROM (SELECT scripts_sha256 FROM peil_run ORDER BY id DESC LIMIT 2 OFFSET 1)")
	[ "$n $m" = "2 1" ] && ok "a changed group file changes the scripts fingerprint" ||
		fail "a changed group file changes the scripts fingerprint" "got: $n $m"

	sed -i 's/^group.referrer = verwijzers_tabel$/group.referrer = bestaat_niet/' "$work/peil.ini"
	line=$(grep -n '^group.referrer = bestaat_niet' "$work/peil.ini" | cut -d: -f1)
	peil_expect "an unknown group" 3 /dev/null check
	expect_grep "is named with its line" "$work/err" "peil.ini:$line: [kpi casussen_gestart] group.referrer = bestaat_niet: no [group bestaat_niet] in the configuration"
	sed -i 's/^group.referrer = bestaat_niet$/group.referrer = verwijzers/' "$work/peil.ini"
	sed -i 's/^breakdown = referrer$/breakdown = team/' "$work/peil.ini"
	"$peil" eval --config "$work/peil.ini" --period 2018-01 --kpi casussen_gestart >/dev/null 2>"$work/err"
	expect_grep "a grouped field outside the breakdown fails the KPI" "$work/err" \
		"kpi 'casussen_gestart': [kpi casussen_gestart] group.referrer: 'referrer' is not in the breakdown"
	sed -i 's/^breakdown = team$/breakdown = referrer/' "$work/peil.ini"

	printf 'value;group\nHuisarts;huisarts/POH\n# a comment\nHuisarts;wijkteam\n' >"$work/twice.csv"
	sed -i "s|^file = .*verwijzers.csv\$|file = $work/twice.csv|" "$work/peil.ini"
	peil_expect "a value in two groups" 3 /dev/null check
	expect_grep "names the file and line" "$work/err" "$work/twice.csv:4: 'Huisarts' is in two groups: 'huisarts/POH' and 'wijkteam'"
	printf 'waarde;groep\nHuisarts;huisarts/POH\n' >"$work/twice.csv"
	peil_expect "a file without the header" 3 /dev/null check
	expect_grep "says which header" "$work/err" "$work/twice.csv:1: the first row must be the header value;group"
}

# ------------------------------------------------------------ KPI library
# A municipality directory after the shipped one: it replaces caseload,
# adds a KPI that requires a helper of its own, and tests it.
test_kpi_library() {
	mkdir -p "$work/gemeente/lib" "$work/gemeente/tests"
	cat >"$work/gemeente/caseload.lua" <<'LUA'
kpi {
  id = "caseload",
  title = "Caseload van Peilstad",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = on_reference_date("registered", "closed"),
  rule = count(),
}
LUA
	cat >"$work/gemeente/lib/drempel.lua" <<'LUA'
return { lang = function(days) return days > 3 end }
LUA
	cat >"$work/gemeente/lang_wachten.lua" <<'LUA'
local drempel = require("lib.drempel")
kpi {
  id = "lang_wachten",
  title = "Lang gewacht",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  select = started_in("registered"),
  rule = count(function(case)
    return case.first_meeting ~= nil
      and drempel.lang(date.workdays(case.registered, case.first_meeting))
  end),
}
LUA
	# The fixture's January: D1 2 days, D3 7 days, D5 0 days: 1 waited long.
	cat >"$work/gemeente/tests/lang_wachten_test.lua" <<'LUA'
test {
  name = "lang wachten",
  period = "2018-01",
  data = { cases = {
    { case_id = "D1", team = "N", registered = "2018-01-02", first_meeting = "2018-01-04" },
    { case_id = "D3", team = "N", registered = "2018-01-31", first_meeting = "2018-02-09" },
    { case_id = "D5", team = "Z", registered = "2018-01-15", first_meeting = "2018-01-15" },
  } },
  expect = { { kpi = "lang_wachten", period = "2018-01", value = 1 } },
}
LUA
	write_config "$src/tests/data/e2e/cases.csv" "$src/scripts, $work/gemeente"
	peil_expect "list with a municipality directory" 0 "$work/out" list
	expect_grep "list names the municipality's file" "$work/out" "$work/gemeente/caseload.lua"
	peil_expect "explain" 0 "$work/out" explain lang_wachten
	expect_grep "explain shows the rule" "$work/out" "rule:        count(function (line 9))"
	expect_grep "explain shows the source" "$work/out" "drempel.lang(date.workdays"
	"$peil" explain --config "$work/peil.ini" wachttijd_binnen_norm >"$work/out" 2>"$work/err"
	expect_grep "explain shows a parameter" "$work/out" "norm = 5"
	peil_expect "explain of an unknown KPI" 64 /dev/null explain bestaat_niet
	peil_expect "peil test of the shipped and the municipality's tests" 0 "$work/out" test
	expect_grep "the municipality's test ran" "$work/out" "ok   $work/gemeente/tests/lang_wachten_test.lua"
	sed -i 's/value = 1 }/value = 2 }/' "$work/gemeente/tests/lang_wachten_test.lua"
	peil_expect "a wrong expectation fails" 1 "$work/out" test "$work/gemeente/tests"
	expect_grep "and shows the difference" "$work/out" "expected value 2"
	"$peil" ingest --config "$work/peil.ini" 2>/dev/null
	peil_expect "eval with the municipality's KPIs" 0 "$work/out.csv" eval --period 2018-01 --format csv
	expect_grep "the replaced caseload gives figures" "$work/out.csv" "caseload;"
	got=$(csv_columns kpi periode waarde <"$work/out.csv" | grep '^lang_wachten;')
	[ "$got" = "lang_wachten;2018-01;1" ] && ok "the new KPI gives 1 for January" ||
		fail "the new KPI gives 1 for January" "got: $got"
	# A contract's target and margin: January's share within the norm is
	# 66.67% (cli.sh test_figures); a target of 70 with a margin of 5 makes
	# it at risk.
	printf '[contract]\nmargin = 5\n[kpi wachttijd_binnen_norm]\ntarget.min = 70\n' >>"$work/peil.ini"
	"$peil" eval --config "$work/peil.ini" --period 2018-01 --format csv >"$work/out.csv" 2>"$work/err"
	got=$(csv_columns kpi periode team waarde teller noemer status <"$work/out.csv" |
		grep '^wachttijd_binnen_norm;2018-01;Totaal;')
	[ "$got" = "wachttijd_binnen_norm;2018-01;Totaal;66,66666667;2;3;in gevaar" ] &&
		ok "at risk within the margin" || fail "at risk within the margin" "got: $got"
	printf '[kpi bestaat_niet]\ntarget.min = 1\n' >>"$work/peil.ini"
	line=$(grep -n '^\[kpi bestaat_niet\]' "$work/peil.ini" | cut -d: -f1)
	peil_expect "a target for an unknown KPI" 3 /dev/null check
	expect_grep "is named with its line" "$work/err" "peil.ini:$((line + 1)): [kpi bestaat_niet] no KPI 'bestaat_niet'"
}

# ------------------------------------------------------------------- demo
# Demo data of the years $1..$2 ($3 cases a year, or the generator's
# default) and $work/demo.ini: conf/peil.ini pointed at it, with its
# default small-cell rules.
demo_setup() {
	"$demo" --out "$work/demo" --from-year "$1" --to-year "$2" ${3:+--cases-per-year "$3"} >/dev/null
	expect_rc "peil-demo" 0 $?
	sed "s|^path = ../var/demo/|path = $work/demo/|; s|^path = ../var/peil.db|path = $work/peil.db|; s|^script_dirs = ../scripts|script_dirs = $src/scripts\nplugin_dirs = $plugins|; s|^reject_dir = .*|reject_dir = $work/rejects|" \
		"$src/conf/peil.ini" >"$work/demo.ini"
}

# A scheduled peil run of the demo over PERIODS: the published figures.
demo_run_periods() {
	sed -i "s|^periods = .*|periods = $1|" "$work/demo.ini"
	"$peil" run --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "peil run of $1" 0 $?
}

# The README's first command on the generated demo data, smaller.
test_demo() {
	demo_setup 2017 2018 2000
	"$peil" run --config "$work/demo.ini" >"$work/out" 2>"$work/err"
	expect_rc "peil run on the demo" 0 $?
	expect_grep "it prints a figure table" "$work/out" "Totaal"
	rows=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases')
	lines=$(cat "$work"/demo/*.csv | tr -d '\r' | LC_ALL=C grep -ac '^D[0-9]')
	[ "$rows" = "$lines" ] && ok "every demo row is stored ($rows)" || fail "stored $rows of $lines demo rows"
	# The total of started cases over 2018 equals the rows of the 2018 file.
	started=$("$peil" show --config "$work/demo.ini" --kpi casussen_gestart --format csv 2>/dev/null |
		csv_columns team waarde | awk -F';' '$1 == "Totaal" { s += $2 } END { print s }')
	file_rows=$(tr -d '\r' <"$work/demo/export_casussen_2018.csv" | LC_ALL=C grep -ac '^D[0-9]')
	[ "$started" = "$file_rows" ] && ok "started cases in 2018 = rows of the 2018 export ($started)" ||
		fail "started $started, 2018 export has $file_rows rows"
}

# ----------------------------------------------------------------- report
check() { # check NAME KIND FILE ARGS...: tests/e2e/check_output.py
	local name=$1 out
	shift
	if out=$(python3 "$src/tests/e2e/check_output.py" "$@" 2>&1); then ok "$name: $out"
	else fail "$name" "$out"; fi
}

# The README's report on a full demo year: 15 teams x 12 months x every
# shipped KPI.
test_report_html() {
	demo_setup 2017 2017
	"$peil" ingest --config "$work/demo.ini" 2>"$work/err"
	expect_rc "ingest of the demo year" 0 $?
	# No scheduled run covers 2017 (conf/peil.ini's [run] periods = 2018):
	# nothing of it is published, and report says so instead of
	# publishing an ad-hoc evaluation.
	"$peil" report --config "$work/demo.ini" --period 2017 --format html -o "$work/verslag.html" 2>"$work/err"
	expect_rc "report without a scheduled run of 2017 refuses" 64 $?
	expect_grep "it names the period" "$work/err" "no complete scheduled run covers 2017-01-01 to 2017-12-31"
	[ -e "$work/verslag.html" ] && fail "it wrote a report" || ok "it writes no report"
	"$peil" report --config "$work/demo.ini" --period 2017 --evaluate -o "$work/adhoc.html" 2>"$work/err"
	expect_rc "report --evaluate evaluates 2017" 0 $?
	expect_grep "it says the figures are not published" "$work/err" "NOT the published ones"
	[ "$(sqlite3 "$work/peil.db" "SELECT kind FROM peil_run ORDER BY id DESC LIMIT 1")" = eval ] &&
		ok "recorded as kind eval" || fail "the ad-hoc run is not of kind eval"
	"$peil" report --config "$work/demo.ini" --period 2017 -o "$work/verslag.html" 2>"$work/err"
	expect_rc "that evaluation is not published either" 64 $?
	demo_run_periods 2017
	start=$(date +%s%N)
	"$peil" report --config "$work/demo.ini" --period 2017 -o "$work/verslag.html" 2>"$work/err"
	expect_rc "report from the recorded run" 0 $?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	# A figure, not a check: speed is the benchmark's to judge, and a
	# loaded machine under ASan takes longer than a second.
	echo "info: rendered in $ms ms"
	bytes=$(stat -c %s "$work/verslag.html")
	[ "$bytes" -lt 2000000 ] && ok "$bytes bytes (< 2 MB)" || fail "the report has $bytes bytes"
	check "balanced tags, self-contained" html "$work/verslag.html"
	if command -v xmllint >/dev/null; then
		xmllint --noout "$work/verslag.html" 2>"$work/err" && ok "well-formed XML (xmllint)" ||
			fail "xmllint" "$(head -5 "$work/err")"
	elif [ "${CI:-}" = true ]; then fail "xmllint is missing (.ci/install-deps)"
	else ok "xmllint not installed: skipped"; fi
	kpis=$("$peil" list --config "$work/demo.ini" 2>/dev/null | grep -c 'casussen\|caseload\|wacht')
	svgs=$(grep -o '<svg' "$work/verslag.html" | wc -l)
	[ "$svgs" -ge 14 ] && ok "$svgs charts (two per KPI)" || fail "$svgs charts for $kpis KPI lines"
	for text in '<html lang="nl">' Samenvatting 'Kwaliteit van de registratie' 'Te laat ingevoerd' \
		'Verantwoording' 'Vingerafdruk configuratie' 'Voorlopige cijfers' 'Aantallen kleiner dan 10' \
		'Gemiddelde wachttijd tot eerste kennismaking' 'maximaal 5 werkdagen' 'gehaald' 'Melder'; do
		expect_grep "the report holds '$text'" "$work/verslag.html" "$text"
	done
	run_id=$(sqlite3 "$work/peil.db" "SELECT max(id) FROM runs")
	config_sha=$(sqlite3 "$work/peil.db" "SELECT config_sha256 FROM runs WHERE id = $run_id")
	expect_grep "the footer names the run's config fingerprint" "$work/verslag.html" "$config_sha"
	"$peil" report --config "$work/demo.ini" --period 2017 --lang en -o "$work/report.html" 2>"$work/err"
	expect_rc "report --lang en" 0 $?
	expect_grep "in English" "$work/report.html" "Quality of registration"
	"$peil" report --config "$work/demo.ini" --period 2017 --lang fr >/dev/null 2>"$work/err"
	expect_rc "report --lang fr" 64 $?
}

# The report in headless Chromium: it renders, and the charts are there.
test_report_chromium() {
	browser=$(command -v chromium || command -v chromium-browser)
	if [ -z "$browser" ]; then
		if [ "${CI:-}" = true ]; then fail "chromium is missing (.ci/install-deps installs it)"
		else ok "chromium is not installed: skipped (CI=true makes this a failure)"; fi
		return
	fi
	demo_setup 2017 2017 6000
	demo_run_periods 2017
	"$peil" report --config "$work/demo.ini" --period 2017 -o "$work/verslag.html" 2>"$work/err"
	expect_rc "report" 0 $?
	flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
		--disable-component-update --disable-sync --hide-scrollbars)
	timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d "$work/chromium-XXXXXX")" \
		--dump-dom "file://$work/verslag.html" >"$work/dom.html" 2>"$work/chromium.err"
	expect_rc "chromium --dump-dom" 0 $?
	svgs=$(grep -o '<svg' "$work/dom.html" | wc -l)
	bars=$(grep -o '<rect' "$work/dom.html" | wc -l)
	lines=$(grep -o '<polyline' "$work/dom.html" | wc -l)
	[ "$svgs" -ge 14 ] && [ "$lines" -ge 7 ] && [ "$bars" -ge 50 ] &&
		ok "the DOM holds $svgs charts, $lines trend lines, $bars bars" ||
		fail "the DOM holds $svgs svg, $lines polyline, $bars rect elements"
	timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d "$work/chromium-XXXXXX")" \
		--window-size=1000,1400 --screenshot="$work/shot.png" "file://$work/verslag.html" \
		>/dev/null 2>"$work/chromium.err"
	expect_rc "chromium --screenshot" 0 $?
	check "the screenshot is not blank" png "$work/shot.png"
}

# CSV for Dutch Excel and in English; JSON; the small-cell rules on
# everything that is printed.
test_csv_json() {
	demo_setup 2017 2017 3000
	"$peil" ingest --config "$work/demo.ini" 2>"$work/err"
	expect_rc "ingest" 0 $?
	"$peil" eval --config "$work/demo.ini" --period 2017 --format csv >"$work/nl.csv" 2>"$work/err"
	expect_rc "eval --format csv" 0 $?
	check "Dutch CSV: ';', decimal comma, BOM" csv "$work/nl.csv" ';' ','
	check "the small-cell rules hold in eval's CSV" privacy "$work/nl.csv" 10
	demo_run_periods 2017
	"$peil" show --config "$work/demo.ini" --format csv --locale en --lang en >"$work/en.csv" 2>"$work/err"
	expect_rc "show --locale en --lang en" 0 $?
	check "English CSV: ',' and '.'" csv "$work/en.csv" ',' '.'
	[ "$(wc -l <"$work/nl.csv")" = "$(wc -l <"$work/en.csv")" ] && ok "the same rows in both" ||
		fail "nl and en CSV differ in length"
	"$peil" show --config "$work/demo.ini" --format json >"$work/out.json" 2>"$work/err"
	expect_rc "show --format json" 0 $?
	check "JSON as docs/output.md says" json "$work/out.json"
	"$peil" show --config "$work/demo.ini" --format text >"$work/out.txt" 2>"$work/err"
	if grep -q '^\* = niet getoond' "$work/out.txt"; then ok "text marks hidden figures"
	else ok "text: nothing hidden at this size"; fi
	"$peil" report --config "$work/demo.ini" --period 2017 --format csv -o "$work/report.csv" 2>"$work/err"
	expect_rc "report --format csv" 0 $?
	check "the report's CSV keeps the rules too" privacy "$work/report.csv" 10

	# Formula escaping: teams that Excel would run.
	sed 's/;Buurtteam Noord;/;=1+1 Noord;/; s/;Buurtteam Zuid;/;-Zuid;/' \
		"$src/tests/data/e2e/cases.csv" >"$work/evil.csv"
	write_config "$work/evil.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	peil_expect "eval over teams that look like formulas" 0 "$work/evil.out" eval --period 2018-01 --format csv
	expect_grep "= is escaped" "$work/evil.out" "\"'=1+1 Noord\""
	expect_grep "- is escaped" "$work/evil.out" "\"'-Zuid\""
	if grep -q "^[^\"]*;=1+1" "$work/evil.out"; then fail "a bare formula cell"; else ok "no bare formula cell"; fi
}

# The Prometheus text exposition format, to a file for node_exporter.
test_prometheus() {
	# the demo's 2018, the year its config evaluates: with 2017 alone,
	# 2018 lay after the data, not evaluated
	demo_setup 2018 2018 3000
	"$peil" run --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "run" 0 $?
	mkdir -p "$work/textfile"
	"$peil" export --config "$work/demo.ini" --format prometheus -o "$work/textfile/peil.prom" 2>"$work/err"
	expect_rc "export --format prometheus -o" 0 $?
	check "the exposition format's grammar" prometheus "$work/textfile/peil.prom"
	[ "$(ls "$work/textfile")" = peil.prom ] && ok "no temporary file left behind" ||
		fail "textfile directory holds: $(ls "$work/textfile")"
	expect_grep "labels KPI, period and team" "$work/textfile/peil.prom" \
		'peil_kpi_value{kpi="caseload",period="2018-01",team="Buurtteam '
	expect_grep "a total without breakdown labels" "$work/textfile/peil.prom" \
		'peil_kpi_value{kpi="caseload",period="2018-12"} '
	expect_grep "targets" "$work/textfile/peil.prom" 'peil_kpi_target_max{kpi="wachttijd_gemiddeld"} 5'
	"$peil" export --config "$work/demo.ini" --format csv >/dev/null 2>"$work/err"
	expect_rc "export --format csv is refused" 64 $?
	sed 's/^peil_kpi_value{kpi="caseload"/peil_kpi_value{kpi=caseload/' "$work/textfile/peil.prom" >"$work/bad.prom"
	if python3 "$src/tests/e2e/check_output.py" prometheus "$work/bad.prom" >/dev/null; then
		fail "the grammar check accepts an unquoted label"
	else ok "the grammar check refuses an unquoted label"; fi
}

# An ad-hoc evaluation is not what show, report and
# export publish; they read the latest complete scheduled run covering
# the period, and refuse a period no such run covers.
test_published() {
	local runs results
	demo_setup 2017 2017 2000
	demo_run_periods 2017
	"$peil" show --config "$work/demo.ini" --format json >"$work/run.json" 2>"$work/err"
	expect_rc "show after the scheduled run" 0 $?
	"$peil" eval --config "$work/demo.ini" --period 2017-01 --kpi caseload --format json \
		>"$work/eval.json" 2>"$work/err"
	expect_rc "an ad-hoc eval of one KPI" 0 $?
	[ "$(sqlite3 "$work/peil.db" "SELECT id || ' ' || kind FROM peil_run ORDER BY id" | tr '\n' ,)" = "1 run,2 eval," ] &&
		ok "runs recorded with their kind (1 run, 2 eval)" ||
		fail "kinds: $(sqlite3 "$work/peil.db" "SELECT id, kind FROM peil_run")"
	# By hand: run 1 holds every shipped KPI over 2017, the eval one
	# KPI of one month; every reader must still see run 1.
	"$peil" show --config "$work/demo.ini" --format json >"$work/show.json" 2>"$work/err"
	"$peil" report --config "$work/demo.ini" --period 2017 --format json -o "$work/report.json" 2>"$work/err"
	expect_rc "report of 2017" 0 $?
	"$peil" export --config "$work/demo.ini" -o "$work/peil.prom" 2>"$work/err"
	expect_rc "export" 0 $?
	python3 - "$work/run.json" "$work/show.json" "$work/report.json" "$work/peil.prom" <<'PY' &&
import json, re, sys
run = json.load(open(sys.argv[1]))
kpis = {r["kpi"] for r in run["results"]}
assert run["run"] == 1 and len(kpis) > 1, (run["run"], kpis)
for path in sys.argv[2:4]:
    got = json.load(open(path))
    assert got["run"] == 1, (path, got["run"])
    assert {r["kpi"] for r in got["results"]} == kpis, path
    assert "published" not in got, path
prom = set(re.findall(r'^peil_kpi_value\{kpi="([^"]+)"', open(sys.argv[4]).read(), re.M))
assert prom and prom <= kpis and len(prom) > 1, prom
periods = set(re.findall(r'^peil_kpi_value\{kpi="[^"]+",period="([^"]+)"', open(sys.argv[4]).read(), re.M))
assert all(p.startswith("2017") for p in periods), periods
PY
		ok "show, report and export read run 1, not the eval" ||
		fail "a reader took the ad-hoc eval"

	# A period no scheduled run covers: refused, naming it.
	"$peil" report --config "$work/demo.ini" --period 2018 -o "$work/r2018.html" 2>"$work/err"
	expect_rc "report of 2018 refused" 64 $?
	expect_grep "naming the period" "$work/err" "no complete scheduled run covers 2018-01-01 to 2018-12-31"
	"$peil" show --config "$work/demo.ini" --period 2018-03 >/dev/null 2>"$work/err"
	expect_rc "show of 2018-03 refused" 64 $?
	expect_grep "show names the period" "$work/err" "no complete scheduled run covers 2018-03-01 to 2018-03-31"
	"$peil" export --config "$work/demo.ini" --period 2018-03 >/dev/null 2>"$work/err"
	expect_rc "export of 2018-03 refused" 64 $?

	# --evaluate: the output says it is not published, in each format.
	"$peil" report --config "$work/demo.ini" --period 2018-Q1 --evaluate --format json \
		-o "$work/adhoc.json" 2>"$work/err"
	expect_rc "report --evaluate (json)" 0 $?
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["published"] is False and d["run"] == 3' \
		"$work/adhoc.json" && ok "json: published false, run 3" || fail "json: not marked unpublished"
	"$peil" report --config "$work/demo.ini" --period 2018-Q1 --evaluate --format csv \
		-o "$work/adhoc.csv" 2>"$work/err"
	[ "$(tail -1 "$work/adhoc.csv" | tr -d '\r')" = "# let op: deze cijfers zijn op verzoek berekend, niet door een geplande run: het zijn niet de gepubliceerde cijfers" ] &&
		ok "csv: the closing comment line" || fail "csv: last line '$(tail -1 "$work/adhoc.csv")'"
	"$peil" report --config "$work/demo.ini" --period 2018-Q1 --evaluate -o "$work/adhoc.html" 2>"$work/err"
	expect_grep "html: the notice" "$work/adhoc.html" \
		'<p class="notice" role="alert">let op: deze cijfers zijn op verzoek berekend, niet door een geplande run: het zijn niet de gepubliceerde cijfers</p>'
	"$peil" report --config "$work/demo.ini" --period 2017-Q1 --run 2 -o "$work/run2.html" 2>"$work/err"
	expect_grep "html: --run of an eval is marked too" "$work/run2.html" "niet de gepubliceerde cijfers"
	# show and export --run of that eval say so too.
	"$peil" show --config "$work/demo.ini" --run 2 >"$work/show2.txt" 2>"$work/err"
	expect_rc "show --run 2" 0 $?
	expect_grep "show --run of an eval says it is not published" "$work/show2.txt" "niet de gepubliceerde cijfers"
	"$peil" show --config "$work/demo.ini" --run 2 --format json >"$work/show2.json" 2>"$work/err"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["published"] is False and d["run"] == 2' \
		"$work/show2.json" && ok "show --run 2 json: published false" || fail "show --run 2 json: not marked unpublished"
	"$peil" show --config "$work/demo.ini" --run 1 --format json >"$work/show1.json" 2>"$work/err"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert "published" not in d and d["run"] == 1' \
		"$work/show1.json" && ok "show --run 1 json: no published false" || fail "show --run 1 json: marked unpublished"
	"$peil" export --config "$work/demo.ini" --run 2 -o "$work/run2.prom" 2>"$work/err"
	expect_rc "export --run 2" 0 $?
	expect_grep "export --run of an eval: peil_run_published 0" "$work/run2.prom" "peil_run_published 0"
	expect_grep "export of run 1: peil_run_published 1" "$work/peil.prom" "peil_run_published 1"

	# eval --dry-run: figures printed, nothing recorded.
	runs=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM peil_run")
	results=$(sqlite3 "$work/peil.db" "SELECT coalesce(sum(figures), 0) FROM peil_figures")
	"$peil" eval --config "$work/demo.ini" --period 2017-02 --dry-run --format csv >"$work/dry.csv" 2>"$work/err"
	expect_rc "eval --dry-run" 0 $?
	expect_grep "it prints the figures" "$work/dry.csv" "casussen_gestart"
	expect_grep "it says nothing was recorded" "$work/err" "dry run: nothing was recorded"
	[ "$(sqlite3 "$work/peil.db" "SELECT count(*) FROM peil_run")/$(sqlite3 "$work/peil.db" "SELECT coalesce(sum(figures), 0) FROM peil_figures")" = "$runs/$results" ] &&
		ok "no run and no figure recorded ($runs runs)" || fail "eval --dry-run recorded something"
}

# One finality rule, carried by every output.  With
# final_after_months = F chosen so that today's month is the first on
# which 2017-06 is final (F = months from 2017-07 to today), by finality.h:
# 2017-01..06 and Q1, Q2 final; 2017-07..12, Q3, Q4 and the year
# provisional.
test_finality_outputs() {
	local f
	demo_setup 2017 2017 2000
	f=$(python3 -c 'import time; t = time.localtime(); print(t.tm_year * 12 + t.tm_mon - 1 - 2017 * 12 - 6)')
	sed -i "s|^;final_after_months = 3|final_after_months = $f|" "$work/demo.ini"
	demo_run_periods 2017
	"$peil" report --config "$work/demo.ini" --period 2017 --format json -o "$work/r.json" 2>"$work/err"
	expect_rc "report --format json" 0 $?
	"$peil" report --config "$work/demo.ini" --period 2017 --format csv -o "$work/r.csv" 2>"$work/err"
	expect_rc "report --format csv" 0 $?
	"$peil" eval --config "$work/demo.ini" --period 2017 --format json >"$work/e.json" 2>"$work/err"
	expect_rc "eval --format json" 0 $?
	"$peil" show --config "$work/demo.ini" --format json >"$work/s.json" 2>"$work/err"
	expect_rc "show --format json" 0 $?
	python3 - "$work/r.json" "$work/e.json" "$work/s.json" "$work/r.csv" <<'PY' &&
import csv, io, json, sys
final = {"2017-%02d" % m for m in range(1, 7)} | {"2017-Q1", "2017-Q2"}
def want(period):
    return period in final
for path in sys.argv[1:4]:
    rows = json.load(open(path))["results"]
    assert rows, path
    bad = [(r["kpi"], r["period"], r["final"]) for r in rows if r["final"] is not want(r["period"])]
    assert not bad, (path, bad[:5])
    assert any(r["final"] for r in rows) and any(r["final"] is False for r in rows), path
text = open(sys.argv[4], encoding="utf-8-sig").read()
rows = list(csv.DictReader(io.StringIO("\n".join(l for l in text.splitlines() if not l.startswith("#"))), delimiter=";"))
assert rows
bad = [(r["kpi"], r["periode"] if "periode" in r else r.get("period"), r["stand"]) for r in rows
       if r["stand"] != ("definitief" if want(r.get("periode", r.get("period"))) else "voorlopig")]
assert not bad, ("csv", bad[:5])
PY
		ok "report json and csv, eval json and show json: final as worked out" ||
		fail "a figure's finality differs from the rule"
	# The HTML summary and bar charts of 2017: the latest month, 2017-12,
	# is provisional; of 2017-01..06 the latest, 2017-06, is final.
	"$peil" report --config "$work/demo.ini" --period 2017 -o "$work/r.html" 2>"$work/err"
	expect_rc "report 2017 (html)" 0 $?
	python3 - "$work/r.html" <<'PY' &&
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
summary = html[html.index('<table class="summary">'):]
summary = summary[:summary.index("</table>")]
metas = [re.sub(r"<[^>]+>", "", m)
         for m in re.findall(r'<span class="meta">\((.*?)\)</span>', summary)]
# The latest period of a month, quarter or year KPI: all provisional.
assert metas and all(m in ("2017-12, voorlopig", "2017-Q4, voorlopig", "2017, voorlopig")
                     for m in metas), [m for m in metas if not m.endswith("voorlopig")]
caps = [c for c in re.findall(r"<figcaption>([^<]*)</figcaption>", html) if "2017-12" in c]
assert caps and all(c.endswith("2017-12 (voorlopig)") for c in caps), caps
PY
		ok "html: summary and bar captions say 2017-12 is voorlopig" ||
		fail "html: provisional months not marked"
	"$peil" report --config "$work/demo.ini" --from 2017-01 --to 2017-06 -o "$work/h1.html" 2>"$work/err"
	expect_rc "report 2017-01..06 (html)" 0 $?
	expect_grep "html: 2017-06 is final, unmarked" "$work/h1.html" '<span class="meta">(<span class="period">2017-06</span>)</span>'
	grep -q "2017-06</span>, voorlopig" "$work/h1.html" && fail "html: 2017-06 marked voorlopig" || ok "html: no voorlopig for 2017-06"
	# The same rule in the table heads, the trend and Prometheus.
	"$peil" export --config "$work/demo.ini" -o "$work/r.prom" 2>"$work/err"
	expect_rc "export" 0 $?
	python3 - "$work/r.html" "$work/r.prom" <<'PY' &&
import re, sys
final = {"2017-%02d" % m for m in range(1, 7)} | {"2017-Q1", "2017-Q2"}
months = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
html = open(sys.argv[1], encoding="utf-8").read()
heads = re.findall(r"<th>(jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec)(<sup>v</sup>)?</th>", html)
assert heads, "no month heads"
bad = [h for h in heads if bool(h[1]) != (months.index(h[0]) >= 6)]
assert not bad, ("heads", bad[:5])
trend = re.findall(r'>(jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec)(<tspan[^>]*>v</tspan>)?</text>', html)
assert trend, "no trend labels"
bad = [t for t in trend if bool(t[1]) != (months.index(t[0]) >= 6)]
assert not bad, ("trend", bad[:5])
prom = re.findall(r'^peil_kpi_final\{kpi="([^"]+)",period="([^"]+)"\} ([01])$', open(sys.argv[2]).read(), re.M)
assert prom, "no peil_kpi_final"
bad = [p for p in prom if (p[2] == "1") != (p[1] in final)]
assert not bad, ("prometheus", bad[:5])
assert len(prom) == len({(k, p) for k, p, _ in prom}), "peil_kpi_final twice for a KPI and period"
PY
		ok "html heads and trend labels, prometheus peil_kpi_final: final as worked out" ||
		fail "html heads, trend or prometheus differ from the rule"
}

# Revisions are visible.  Run 1 over the fixture, a
# report of it; then a corrected export moves D10 (registered 12 March,
# open) from Noord to Zuid, and run 2.  By hand (the working above),
# caseload on 31 March: Noord D2 D4 D10 = 3 -> D2 D4 = 2, Zuid D6 D8 = 2
# -> D6 D8 D10 = 3, the total 5 unchanged; January and February
# unchanged.  So a report of run 2 lists exactly the two March cells.
# A report of caseload over 2018-Q1 with ARGS.
revisions_report() {
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 --kpi caseload "$@" 2>"$work/err"
}

test_revisions() {
	cp "$src/tests/data/e2e/cases.csv" "$work/cases.csv"
	write_config "$work/cases.csv"
	peil_expect "run 1" 0 /dev/null run
	revisions_report --format json -o "$work/r1.json"
	expect_rc "report of run 1" 0 $?
	revisions_report --format json >"$work/stdout.json"
	expect_rc "report of run 1 to stdout" 0 $?
	[ "$(sqlite3 "$work/peil.db" "SELECT id, run_id, period, period_from, period_to, kpi, format, lang, path FROM peil_report")" = \
		"1|1|2018-Q1|2018-01-01|2018-03-31|caseload|json|nl|$work/r1.json" ] &&
		ok "report -o recorded (run 1, period, kpi, format, lang, path); stdout not" ||
		fail "recorded: $(sqlite3 "$work/peil.db" "SELECT * FROM peil_report")"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["revised_since"] == {"run": None, "report": None} and d["revised"] == [], d.get("revised")' \
		"$work/r1.json" && ok "the first report has nothing to compare with" || fail "the first report lists revisions"

	sed -i 's/^D10;Buurtteam Noord;/D10;Buurtteam Zuid;/' "$work/cases.csv"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	# 2018-03 is long final: a changed final figure makes run exit 5.
	expect_rc "run 2 (a final figure changed)" 5 $?
	revisions_report --format json -o "$work/r2.json"
	expect_rc "report of run 2 (json)" 0 $?
	revisions_report --format csv -o "$work/r2.csv"
	expect_rc "report of run 2 (csv)" 0 $?
	revisions_report --format csv --lang en -o "$work/r2en.csv"
	revisions_report -o "$work/r2.html"
	expect_rc "report of run 2 (html)" 0 $?
	check "html with revisions: balanced tags, self-contained" html "$work/r2.html"
	python3 - "$work/r2.json" "$work/r2.csv" "$work/r2en.csv" "$work/r2.html" <<'PY' &&
import csv, html.parser, io, json, sys
d = json.load(open(sys.argv[1]))
assert d["run"] == 2 and d["revised_since"] == {"run": 1, "report": 1}, d["revised_since"]
got = [(r["period"], r["breakdown"], r["was"], r["now"], r["previous"], r["value"], r["cause"]) for r in d["revised"]]
want = [("2018-03", {"team": "Buurtteam Noord"}, "shown", "shown", 3, 2, "input"),
        ("2018-03", {"team": "Buurtteam Zuid"}, "shown", "shown", 2, 3, "input")]
assert got == want, got
prev = {(r["period"], r["breakdown"].get("team")): r["previous"] for r in d["results"] if "previous" in r}
assert prev == {("2018-03", "Buurtteam Noord"): {"value": 3, "run": 1},
                ("2018-03", "Buurtteam Zuid"): {"value": 2, "run": 1}}, prev
def rows(path, prev_col, rev_col):
    text = open(path, encoding="utf-8-sig").read()
    body = "\n".join(l for l in text.splitlines() if not l.startswith("#"))
    return {(r["periode" if "periode" in r else "period"], r["team"]): (r[prev_col], r[rev_col])
            for r in csv.DictReader(io.StringIO(body), delimiter=";")}
nl = rows(sys.argv[2], "vorige_waarde", "herzien")
assert nl[("2018-03", "Buurtteam Noord")] == ("3", "gewijzigd"), nl
assert nl[("2018-03", "Buurtteam Zuid")] == ("2", "gewijzigd"), nl
assert all(v == ("", "") for k, v in nl.items() if k[0] != "2018-03" or k[1] == "Totaal"), nl
en = rows(sys.argv[3], "previous_value", "revised")
assert en[("2018-03", "Buurtteam Noord")] == ("3", "changed"), en
class Rev(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.rows = []; self.inside = False; self.cell = None; self.dels = []; self.d = None
    def handle_starttag(self, tag, a):
        if tag == "table" and ("class", "revised") in a: self.inside = True
        if self.inside and tag == "tr": self.rows.append([])
        if self.inside and tag == "td": self.cell = ""
        if tag == "del": self.d = ""
    def handle_data(self, data):
        if self.cell is not None: self.cell += data
        if self.d is not None: self.d += data
    def handle_endtag(self, tag):
        if tag == "table": self.inside = False
        if tag == "td" and self.cell is not None: self.rows[-1].append(self.cell); self.cell = None
        if tag == "del": self.dels.append(self.d); self.d = None
p = Rev(); p.feed(open(sys.argv[4], encoding="utf-8").read())
body = [r for r in p.rows if r]
assert body == [["Caseload op de peildatum", "2018-03", "Buurtteam Noord", "3", "2", "gewijzigd", "invoer"],
                ["Caseload op de peildatum", "2018-03", "Buurtteam Zuid", "2", "3", "gewijzigd", "invoer"]], body
assert sorted(p.dels) == ["2", "3"], p.dels
PY
		ok "json, csv (nl, en) and html: the two March cells, old 3 and 2, by input" ||
		fail "revisions differ from the hand-worked ones"
	# A report of each format of run 2 compares with run 1's report, not
	# with each other; peil runs lists the recorded reports.
	peil_expect "runs" 0 "$work/runs.txt" runs
	expect_grep "runs lists run 1's report" "$work/runs.txt" "report #1 2018-Q1 json nl --kpi caseload"
	expect_grep "runs lists run 2's html report" "$work/runs.txt" "report #5 2018-Q1 html nl --kpi caseload"
	[ "$(sqlite3 "$work/peil.db" "SELECT count(*) FROM peil_report WHERE run_id = 2")" = 4 ] &&
		ok "four reports of run 2 recorded" || fail "reports of run 2: $(sqlite3 "$work/peil.db" "SELECT * FROM peil_report")"
}

# A breakdown value with a line break (an Excel cell
# with Alt+Enter) comes out as stored, escaped as each format requires:
# HTML text, a quoted CSV cell, Prometheus' \\n; never "u000a".
test_label_newline() {
	renamed_teams_run nl.csv $'"Buurtteam\nNoord"' "Buurtteam Zuid"
	expect_rc "run over a team with a line break" 0 $?
	"$peil" show --config "$work/peil.ini" --format json >"$work/s.json" 2>"$work/err"
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 --format csv -o "$work/r.csv" 2>"$work/err"
	expect_rc "report --format csv" 0 $?
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 -o "$work/r.html" 2>"$work/err"
	expect_rc "report (html)" 0 $?
	"$peil" export --config "$work/peil.ini" -o "$work/r.prom" 2>"$work/err"
	expect_rc "export" 0 $?
	python3 - "$work/s.json" "$work/r.csv" "$work/r.html" "$work/r.prom" <<'PY' &&
import csv, html.parser, io, json, re, sys
want = "Buurtteam\nNoord"
teams = {r["breakdown"].get("team") for r in json.load(open(sys.argv[1]))["results"]}
assert want in teams, ("json", teams)
text = open(sys.argv[2], encoding="utf-8-sig", newline="").read()
rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
csv_teams = {r["team"] for r in rows if r["kpi"] and not r["kpi"].startswith("#")}
assert want in csv_teams, ("csv", csv_teams)
class Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.cells = []; self.td = None
    def handle_starttag(self, tag, a):
        if tag == "td": self.td = ""
    def handle_data(self, d):
        if self.td is not None: self.td += d
    def handle_endtag(self, tag):
        if tag == "td": self.cells.append(self.td); self.td = None
p = Cells(); p.feed(open(sys.argv[3], encoding="utf-8").read())
assert want in p.cells, ("html", [c for c in p.cells if "Noord" in c][:5])
prom = open(sys.argv[4]).read()
labels = re.findall(r'team="((?:[^"\\]|\\.)*)"', prom)
decoded = {re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), l) for l in labels}
assert want in decoded, ("prometheus", decoded)
for path in sys.argv[2:]:
    assert "u000a" not in open(path, encoding="utf-8-sig").read(), path
PY
		ok "json, report csv, html and prometheus all hold 'Buurtteam⏎Noord'" ||
		fail "a format mangled the line break"
}

# fixture_run SOURCE FILE FROM TO [FROM TO ...]: $work/FILE, the export
# SOURCE with each FROM replaced by its TO (bytes as given: quotes, line
# breaks and escapes included), a config of it with the small-cell rules
# off, and a run of it (its exit code).
fixture_run() {
	python3 - "$1" "$work/$2" "${@:3}" <<'PY'
import os, sys
data = open(sys.argv[1], "rb").read()
pairs = [os.fsencode(a) for a in sys.argv[3:]]
for old, new in zip(pairs[::2], pairs[1::2]):
    data = data.replace(old, new)
open(sys.argv[2], "wb").write(data)
PY
	write_config "$work/$2"
	sed -i 's/^min_count = .*/min_count = 0/' "$work/peil.ini"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
}

# renamed_teams_run FILE NOORD ZUID: fixture_run of the fixture with its
# teams Buurtteam Noord and Buurtteam Zuid written as the cells NOORD and
# ZUID.
renamed_teams_run() {
	fixture_run "$src/tests/data/e2e/cases.csv" "$1" \
		";Buurtteam Noord;" ";$2;" ";Buurtteam Zuid;" ";$3;"
}

# ---------------------------------------------------------- text_controls
# Team names as exports hold them, read back in the text outputs and in
# peil cases: "Buurtteam Noord" with an escape sequence and a CRLF inside
# its quotes, "Buurtteam Zuid" as "=Zuid".  February's started cases (the
# figures above): Noord D4 = 1, Zuid D7 D8 = 2, total 3; January Noord 2,
# Zuid 1, March 1 and 1.  The text tables
# and the tab-separated listing show each control character as its
# Control Picture (ESC U+241B, CR U+240D, LF U+240A), one line per row and
# no escape sequence for the terminal; the CSV listing quotes the line
# break and escapes the formula as the CSV of figures does ("'=Zuid"); the
# log quotes a refused value with controls on one line, as pictures.
# Before: show wrote "Buurtteam\r" and "Noord   1" as two lines, the
# listing "D4<TAB>ESC[2JBuurtteam\r" and "Noord", the CSV "D7,=Zuid".
test_text_controls() {
	local pic_noord
	renamed_teams_run ctl.csv $'"\x1b[2JBuurtteam\r\nNoord"' '=Zuid'
	expect_rc "run over teams with control characters" 0 $?
	"$peil" show --config "$work/peil.ini" --kpi casussen_gestart \
		>"$work/show.txt" 2>"$work/err"
	expect_rc "show" 0 $?
	pic_noord=$(printf '\xe2\x90\x9b[2JBuurtteam\xe2\x90\x8d\xe2\x90\x8aNoord')
	expect_grep "show: Noord's row on one line, its controls as pictures" \
		"$work/show.txt" "$pic_noord        2        1        1"
	expect_grep "show: Zuid's row" "$work/show.txt" \
		"=Zuid                       1        2        1"
	if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$work/show.txt"; then
		fail "show writes no control character but the line end" \
			"$(od -c "$work/show.txt" | head)"
	else ok "show writes no control character but the line end"; fi
	"$peil" cases casussen_gestart --config "$work/peil.ini" --period 2018-02 \
		--fields team >"$work/cases.txt" 2>"$work/err"
	expect_rc "cases as text" 0 $?
	if [ "$(cat "$work/cases.txt")" = "$(printf 'case_id\tteam\nD4\t%s\nD7\t=Zuid\nD8\t=Zuid' "$pic_noord")" ]; then
		ok "cases as text: one line per case, the controls as pictures"
	else fail "cases as text" "$(od -c "$work/cases.txt" | head -20)"; fi
	"$peil" cases casussen_gestart --config "$work/peil.ini" --period 2018-02 \
		--fields team --format csv >"$work/cases.csv" 2>"$work/err"
	expect_rc "cases as csv" 0 $?
	if [ "$(cat "$work/cases.csv")" = "$(printf 'case_id,team\nD4,"\x1b[2JBuurtteam\r\nNoord"\nD7,"'"'"'=Zuid"\nD8,"'"'"'=Zuid"')" ]; then
		ok "cases as csv: the line break quoted, the formula escaped"
	else fail "cases as csv" "$(od -c "$work/cases.csv" | head -20)"; fi

	# peil diff lists an input row's key made visible too: D4's key
	# given again with an escape sequence is a row added.
	fixture_run "$work/ctl.csv" ctl2.csv $'\nD4;' $'\n"D4\x1b[2J";'
	"$peil" diff --config "$work/peil.ini" >"$work/diff.txt" 2>"$work/err"
	expect_grep "diff: the added key with its escape as a picture" \
		"$work/diff.txt" "$(printf 'cases        added    D4\xe2\x90\x9b[2J')"
	if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$work/diff.txt"; then
		fail "diff writes no control character but the line end" \
			"$(od -c "$work/diff.txt" | head)"
	else ok "diff writes no control character but the line end"; fi

	# The log quotes a refused value on its one line, controls as
	# pictures: before, "'ESC[2J02-01" and "2018'" were two lines.
	python3 - "$src/tests/data/e2e/cases.csv" "$work/ctl_bad.csv" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(data.replace(b";2-1-2018;", b';"\x1b[2J02-01\r\n2018";'))
PY
	write_config "$work/ctl_bad.csv"
	rm -f "$work"/peil.db*
	peil_expect "a date holding controls is refused" 2 /dev/null ingest
	expect_grep "the log names it on one line" "$work/err" \
		"$(printf "ctl_bad.csv:2: column 'Datum aanmelding': '\xe2\x90\x9b[2J02-01\xe2\x90\x8d\xe2\x90\x8a2018' is not a valid date")"
	if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$work/err"; then
		fail "the log holds no control character but line ends" \
			"$(od -c "$work/err" | head)"
	else ok "the log holds no control character but line ends"; fi
}

# ------------------------------------------------------ quality_team_names
# The report's registration quality over two teams whose names differ in
# a quote only: 'Het "Anker"' (the fixture's Buurtteam Noord) and "Het
# 'Anker'" (Buurtteam Zuid).  Registered in 2018-Q1: Noord D1 D3 D4 D10 =
# 4, Zuid D5 D6 D7 D8 = 4; without a referrer: D4, so Melder % leeg is
# 25,0 for Noord, 0,0 for Zuid and 12,5 (1 of 8) in total.  Before, both
# names became "Het 'Anker'" in the quality table: one row, the other
# team's figures lost, the rows not adding up to the total.
test_quality_team_names() {
	renamed_teams_run anker.csv '"Het ""Anker"""' "Het 'Anker'"
	expect_rc "run over the two teams" 0 $?
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 -o "$work/r.html" 2>"$work/err"
	expect_rc "report" 0 $?
	python3 - "$work/r.html" >"$work/rows" <<'PY'
import html.parser, sys
class Rows(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.rows = []; self.row = None; self.cell = None
        self.section = False
    def handle_starttag(self, tag, a):
        if tag == "table" and ("class", "quality") in a and not self.rows:
            self.section = True
        if self.section and tag == "tr": self.row = []
        if self.section and tag in ("td", "th"): self.cell = ""
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip()); self.cell = None
        if tag == "tr" and self.row is not None:
            self.rows.append(self.row); self.row = None
        if tag == "table": self.section = False
p = Rows(); p.feed(open(sys.argv[1], encoding="utf-8").read())
head = p.rows[0]
melder = head.index(next(h for h in head if h.startswith("Melder")))
for r in p.rows[1:]:
    print("%s|%s|%s" % (r[0], r[1], r[melder]))
PY
	if [ "$(cat "$work/rows")" = "$(printf '%s\n' "Het 'Anker'|4|0,0" 'Het "Anker"|4|25,0' 'Totaal|8|12,5')" ]; then
		ok "registration quality: two teams, each under its own name"
	else fail "registration quality: two teams" "$(cat "$work/rows")"; fi
}

# --------------------------------------------------------- unfilled_field
# An export without the column "Datum afsluiting", under the shipped
# declaration of cases (which has closed): no source fills closed.  The
# KPIs that read it are not evaluated, naming the dataset and field; the
# others have their figures (February's started cases 3: Noord D4, Zuid
# D7 D8).  Before, closed was empty in every row: no case closed (0), and
# every case registered was running (February 7 instead of 6), exit 0.
test_unfilled_field() {
	python3 - "$src/tests/data/e2e/cases.csv" "$work/noclose.csv" <<'PY'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\r\n")
col = lines[0].split(b";").index(b"Datum afsluiting")
out = []
for line in lines:
    cells = line.split(b";")
    if len(cells) > col and b'"' not in line:
        del cells[col]
    elif len(cells) > col:	# D3's organisation is "Welzijn; Noord"
        cells = line.replace(b'"Welzijn; Noord"', b"WN").split(b";")
        del cells[col]
    out.append(b";".join(cells))
open(sys.argv[2], "wb").write(b"\r\n".join(out))
PY
	write_config "$work/noclose.csv"
	sed -i '/^column.Datum afsluiting = /d' "$work/peil.ini"
	peil_expect "ingest of an export without the closure date" 0 /dev/null ingest
	"$peil" eval --config "$work/peil.ini" --period 2018-02 \
		--kpi casussen_afgesloten >"$work/out" 2>"$work/err"
	expect_rc "closed cases: not evaluated (exit 6)" 6 $?
	expect_grep "the table says why" "$work/out" \
		"n.b. = niet berekend: dataset cases: geen bron levert veld closed (geen kolom van de export is eraan gekoppeld)"
	expect_grep "the log too" "$work/err" \
		"KPI casussen_afgesloten not evaluated: dataset cases has no source that fills field closed"
	if grep -q "^Totaal *0" "$work/out"; then
		fail "no zero closed cases" "$(cat "$work/out")"
	else ok "no zero closed cases"; fi
	"$peil" eval --config "$work/peil.ini" --period 2018-02 \
		--kpi casussen_lopend --lang en >"$work/out" 2>"$work/err"
	expect_grep "running cases: not evaluated, in English" "$work/out" \
		"n.e. = not evaluated: dataset cases: no source fills field closed"
	"$peil" eval --config "$work/peil.ini" --period 2018-02 \
		--kpi casussen_gestart --format csv >"$work/out" 2>"$work/err"
	expect_rc "started cases need no closure date" 0 $?
	expect_grep "started in February: 3" "$work/out" \
		"casussen_gestart;Gestarte casussen;casussen;2018-02;Totaal;3;3;"
}

# ------------------------------------------------------------- join_merge
# Unique persons (personen_uniek, casussen_zonder_persoon: a join of
# case_members on cases) with a store that reads the cases a chunk at a
# time beside the members (storage ops version 15): case ids that outgrow
# their padding (D1000000 < D10000000 < D1000001 < D999999 in byte
# order), members in an order of their own.  January 2018:
#   D1000000 Oost, registered 2-1-2018, open: L2 P1, L3 P2
#   D10000000 West, 15-12-2017 to 10-1-2018: L4 P3, L7 P2
#   D1000001 Oost, 1-6-2017 to 31-12-2017 (not running): L5 P4
#   D999999 Zuid, 3-1-2018, open: L1 P1, L8 without a person
#   D5 Noord, 1-1-2018, open: no members (no cell)
#   L6 of D7, a case that is not there: undated (the selection reads the
#   case's dates), so no cell "(onbekend)" with nobody in it, and named
#   in a warning
# Unique persons: Oost 2 (P1 P2), West 2 (P3 P2), Zuid 1 (P1), all 3
# (P1 P2 P3); cases without a person: Zuid 1 (D999999), all 1.
test_join_merge() {
	{
		echo "Dossiernummer;Team;Organisatie;Wijkcode;Buurtcode;Datum aanmelding;Datum eerste kennismaking;Datum afsluiting;Melder;Reden beëindiging;Zelfredzaam bij afsluiting;Rapportcijfer;Persoonsnummer;Datum invoer;"
		echo "D1000000;Oost;W;WK999901;BU99990101;02-01-2018;;;Huisarts;;;;P1;02-01-2018;"
		echo "D10000000;West;W;WK999901;BU99990101;15-12-2017;;10-01-2018;Huisarts;Beëindigd volgens plan;ja;;P3;15-12-2017;"
		echo "D1000001;Oost;W;WK999901;BU99990101;01-06-2017;;31-12-2017;Huisarts;Beëindigd volgens plan;ja;;P4;01-06-2017;"
		echo "D999999;Zuid;W;WK999901;BU99990101;03-01-2018;;;Huisarts;;;;P1;03-01-2018;"
		echo "D5;Noord;W;WK999901;BU99990101;01-01-2018;;;Huisarts;;;;P9;01-01-2018;"
	} | iconv -f utf-8 -t windows-1252 >"$work/cases.csv"
	printf '%s\n' "Lidnummer;Dossiernummer;Persoonsnummer;Rol" \
		"L1;D999999;P1;Aanvrager" "L2;D1000000;P1;Aanvrager" \
		"L3;D1000000;P2;Huisgenoot" "L4;D10000000;P3;Aanvrager" \
		"L5;D1000001;P4;Aanvrager" "L6;D7;P5;Aanvrager" \
		"L7;D10000000;P2;Huisgenoot" "L8;D999999;;Aanvrager" >"$work/members.csv"
	fixture_config "$work/cases.csv" "$src/scripts" 2018-01 "kpis = tag:leden"
	# the members' source of the shipped config, on this file
	sed -n '/^\[source demo_members\]/,/^$/p' "$src/conf/peil.ini" |
		sed "s|^path = .*|path = $work/members.csv|" >>"$work/peil.ini"
	peil_expect "ingest of cases and members" 0 /dev/null ingest
	for want in "personen_uniek Oost;2 Totaal;3 West;2 Zuid;1 " \
		"casussen_zonder_persoon Oost;0 Totaal;1 West;0 Zuid;1 "; do
		peil_expect "eval of ${want%% *}" 0 "$work/out.csv" eval --period 2018-01 --kpi "${want%% *}" --format csv
		expect_grep "${want%% *}: the member of a missing case named" "$work/err" \
			"KPI ${want%% *}: dataset case_members: 1 row has a case_id that no row of cases has (D7): left out: the selection dates rows by the joined dataset"
		# the CSV closes with the note of the missing case (a # line)
		got=$(grep -v "^#" "$work/out.csv" | csv_columns case.team waarde | sort | tr '\n' ' ')
		[ "$got" = "${want#* }" ] &&
			ok "${want%% *} per team of the joined case" ||
			fail "${want%% *} per team of the joined case" "got: $got"
	done
}

# Cases kept in files of their own (tests/e2e/cases_*.sh), same helpers.
for extra in "$src"/tests/e2e/cases_*.sh; do . "$extra"; done
"test_$case_name"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
