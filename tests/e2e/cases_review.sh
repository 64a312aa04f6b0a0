# shellcheck shell=bash
# Cases of KPIs that share their groups (per), and the helpers they and
# cli.sh share: the fixture of measurements, sourced by cli.sh.

# The source of tests/data/e2e/measurements.csv, as the shipped config
# reads the demo's.
measurements_source() {
	cat <<INI
[source measurements]
plugin = csv
dataset = measurements
path = $src/tests/data/e2e/measurements.csv
separator = semicolon
date_format = dd-mm-jjjj
$(sed -n '/^\[source demo_measurements\]/,/^$/p' "$src/conf/peil.ini" | grep '^column\.')
INI
}

# The fixture's cases and measurements ingested, with the scripts of
# $work/scripts, over 2018-Q1.
measurements_fixture() {
	mkdir -p "$work/scripts"
	fixture_config "$src/tests/data/e2e/cases.csv" "$work/scripts" 2018-Q1
	measurements_source >>"$work/peil.ini"
	peil_expect "ingest of cases and measurements" 0 /dev/null ingest
}

# A KPI counting the persons measured (per = "person") appended to
# $work/scripts/$1: persons_kpi FILE ID GRAIN [WHERE].
persons_kpi() {
	cat >>"$work/scripts/$1" <<LUA
kpi {
  id = "$2",
  title = "Gemeten personen",
  unit = "personen",
  dataset = "measurements",
  grain = $3,
  select = started_in("date"),${4:+
  where = $4,}
  per = "person",
  rule = count(),
}
LUA
}

# The figures of 2018-Q1 (kpi;period;value, sorted) are the lines of
# stdin: expect_figures NAME.
expect_figures() {
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --format csv \
		>"$work/out.csv" 2>"$work/err"
	expect_rc "eval: $1" 0 $?
	csv_columns kpi periode waarde <"$work/out.csv" | sort >"$work/got"
	expect_lines "$1" "$work/got"
}

# Two KPIs with the same groups (per = "person", the same dataset, select
# and no where) share one set of groups in the grain they have in common
# (kpi_scan_share_groups); the second also has a grain of its own, whose
# groups are its own.  On tests/data/e2e/measurements.csv, persons measured
# (started_in("date")) in 2018-Q1:
#   2018-01: M5 P3 (5 Jan), M7 P4 (10 Jan)              -> 2
#   2018-02: M9 P5 (2 Feb), M2 P1 (15 Feb), M10 P3 (20 Feb) -> 3
#   2018-03: M4 P2 (20 Mar)                             -> 1
#   2018-Q1: P1 P2 P3 P4 P5                             -> 5
# rv_a (month) and rv_b (month and quarter): the months 2 3 1 in
# both, the quarter 5 in rv_b.  The KPIs are evaluated in id order, so
# rv_a's month run comes first and rv_b's month reads its groups, while
# rv_b's quarter keeps its own (in rv_b's store); the order in the file
# does not matter.
test_shared_groups_grains() {
	measurements_fixture
	for order in "rv_a rv_b" "rv_b rv_a"; do
		: >"$work/scripts/gedeeld.lua"
		for id in $order; do
			grain='"month"'
			[ "$id" = rv_b ] && grain='{ "month", "quarter" }'
			persons_kpi gedeeld.lua "$id" "$grain"
		done
		expect_figures "figures of $order" < <(printf '%s\n' \
			"rv_a;2018-01;2" "rv_a;2018-02;3" "rv_a;2018-03;1" \
			"rv_b;2018-01;2" "rv_b;2018-02;3" "rv_b;2018-03;1" \
			"rv_b;2018-Q1;5")
	done
}

# Two KPIs whose where differs only in a number's seventh significant
# digit do not have the same groups.  Persons measured in 2018-Q1
# (tests/data/e2e/measurements.csv) with a score of at least 3: M2 P1 4,
# M4 P2 3, M5 P3 3, M9 P5 3, M10 P3 3 -> P1 P2 P3 P5, 4; of at least
# 3.0000001 (no score of 3): M2 P1 4 -> 1.
test_shared_groups_numbers() {
	measurements_fixture
	persons_kpi getal.lua rv_drie '"quarter"' 'at_least("score", 3)'
	persons_kpi getal.lua rv_boven_drie '"quarter"' \
		'at_least("score", 3.0000001)'
	expect_figures "3 and 3.0000001 apart" < <(printf '%s\n' \
		"rv_boven_drie;2018-Q1;1" "rv_drie;2018-Q1;4")
}
