#!/usr/bin/env bash
# End-to-end tests of the peil command.
#
#   cli.sh CASE PEIL SOURCE_DIR PLUGIN_DIR PEIL_DEMO
#
# Each case prints one line per check and closes with "N passed, M failed";
# it exits nonzero when a check failed.
set -u
case_name=$1 peil=$2 src=$3 plugins=$4 demo=$5
work=$(mktemp -d /tmp/peil-e2e-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '  %s\n' "${@:2}"; }
expect_rc() { # expect_rc NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1 (exit $3)"; else fail "$1" "exit $3, expected $2"; fi
}
expect_grep() { # expect_grep NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok "$1"; else fail "$1" "no '$3' in:" "$(head -20 "$2")"; fi
}

# A config over the fixture export; $1 = file to read, $2 = script dirs.
write_config() {
	cat >"$work/peil.ini" <<INI
[peil]
storage = sqlite
plugin_dirs = $plugins
script_dirs = ${2:-$src/scripts}
reject_dir = $work/rejects
[storage]
path = $work/peil.db
[run]
periods = 2018-Q1
$(sed -n '/^\[dataset cases\]/,/^$/p' "$src/conf/peil.ini")
[source fixture]
plugin = csv
dataset = cases
path = $1
encoding = windows-1252
separator = semicolon
date_format = dd-mm-jjjj
$(grep '^column\.' "$src/conf/peil.ini")
INI
}

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
	# kpi;period;breakdown;value of the CSV (columns 1, 3, 4, 5).
	tr -d '\r' <"$work/out.csv" | awk -F';' 'NR > 1 { print $1 ";" $3 ";" $4 ";" $5 }' \
		>"$work/got"
	while IFS= read -r line; do
		case "$line" in '#'* | '') continue ;; esac
		if grep -qxF -- "$line" "$work/got"; then ok "$line"
		else fail "$line" "got: $(grep -F -- "${line%;*};" "$work/got" | head -3)"; fi
	done <"$src/tests/e2e/expected_2018_q1.txt"
}

# ------------------------------------------------------------ show formats
test_show_formats() {
	write_config "$src/tests/data/e2e/cases.csv"
	"$peil" run --config "$work/peil.ini" >"$work/run.txt" 2>"$work/err"
	expect_rc "run over the fixture" 0 $?
	expect_grep "run prints the caseload table" "$work/run.txt" "Buurtteam Noord"
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
	"$peil" show --config "$work/peil.ini" --format text >"$work/show.txt" 2>"$work/err"
	expect_rc "show --format text" 0 $?
	expect_grep "text names the run" "$work/show.txt" "Run "
	"$peil" show --config "$work/peil.ini" --run 999 >/dev/null 2>"$work/err"
	expect_rc "show --run of an unknown run" 64 $?
	expect_grep "names the run" "$work/err" "no run 999"
	"$peil" show --config "$work/peil.ini" --kpi nope >/dev/null 2>"$work/err"
	expect_rc "show --kpi of an unknown KPI" 64 $?
	expect_grep "says so" "$work/err" "no KPI has that id"
	"$peil" eval --config "$work/peil.ini" --period 2018-01 --kpi nope >/dev/null 2>"$work/err"
	expect_rc "eval --kpi of an unknown KPI" 64 $?
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
INI
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "two sources read one export" 0 $?
	got=$(sqlite3 "$work/peil.db" 'SELECT (SELECT count(*) FROM ds_cases) || "/" || (SELECT count(*) FROM ds_teams)')
	# Ten cases; two teams (rows of a team replace each other by key).
	[ "$got" = "10/2" ] && ok "both datasets are filled (cases/teams $got)" || fail "cases/teams: $got"
	"$peil" ingest --config "$work/peil.ini" teams 2>"$work/err"
	expect_grep "a second ingest skips it" "$work/err" "skipped, [source teams] read this content before"
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
	"$peil" check --config "$work/peil.ini" >"$work/out" 2>"$work/err"
	expect_rc "check of a good config" 0 $?
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
	for cmd in run ingest eval show check list; do
		"$peil" "$cmd" --help >"$work/out" 2>&1
		expect_rc "peil $cmd --help" 0 $?
		expect_grep "peil $cmd --help shows usage" "$work/out" "Usage: peil $cmd"
	done
	"$peil" frobnicate >/dev/null 2>&1
	expect_rc "an unknown command" 64 $?
	"$peil" eval --config "$work/peil.ini" --period 2018-13 >/dev/null 2>"$work/err"
	expect_rc "a period that does not exist" 64 $?
	expect_grep "the bad period is named" "$work/err" "'2018-13' is not a period"
	"$peil" list --config "$work/peil.ini" >"$work/out" 2>&1
	expect_rc "list" 0 $?
	expect_grep "list shows the csv plugin" "$work/out" "csv"
	expect_grep "list shows a KPI" "$work/out" "casussen_gestart"
}

# ------------------------------------------------------------ failing KPI
test_failing_kpi() {
	mkdir -p "$work/scripts"
	cp "$src"/scripts/*.lua "$work/scripts/"
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

# ------------------------------------------------------------------- demo
# The README's first command on the generated demo data, smaller.
test_demo() {
	"$demo" --out "$work/demo" --from-year 2017 --to-year 2018 --cases-per-year 2000 >/dev/null
	expect_rc "peil-demo" 0 $?
	sed "s|^path = ../var/demo/|path = $work/demo/|; s|^path = ../var/peil.db|path = $work/peil.db|; s|^script_dirs = ../scripts|script_dirs = $src/scripts\nplugin_dirs = $plugins|; s|^reject_dir = .*|reject_dir = $work/rejects|" \
		"$src/conf/peil.ini" >"$work/demo.ini"
	"$peil" run --config "$work/demo.ini" >"$work/out" 2>"$work/err"
	expect_rc "peil run on the demo" 0 $?
	expect_grep "it prints a figure table" "$work/out" "Totaal"
	rows=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases')
	lines=$(cat "$work"/demo/*.csv | tr -d '\r' | LC_ALL=C grep -ac '^D[0-9]')
	[ "$rows" = "$lines" ] && ok "every demo row is stored ($rows)" || fail "stored $rows of $lines demo rows"
	# The total of started cases over 2018 equals the rows of the 2018 file.
	started=$("$peil" show --config "$work/demo.ini" --kpi casussen_gestart --format csv 2>/dev/null |
		tr -d '\r' | awk -F';' '$4 == "Totaal" { s += $5 } END { print s }')
	file_rows=$(tr -d '\r' <"$work/demo/export_casussen_2018.csv" | LC_ALL=C grep -ac '^D[0-9]')
	[ "$started" = "$file_rows" ] && ok "started cases in 2018 = rows of the 2018 export ($started)" ||
		fail "started $started, 2018 export has $file_rows rows"
}

# Cases kept in files of their own (tests/e2e/cases_*.sh), same helpers.
for extra in "$src"/tests/e2e/cases_*.sh; do . "$extra"; done
"test_$case_name"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
