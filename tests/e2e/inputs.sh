#!/usr/bin/env bash
# End-to-end tests that data in is whole and means what it says (issue
# 13): a key given twice in one export, a plugin that stores nothing, and
# snapshot sources that share a dataset.
#
#   inputs.sh CASE PEIL SOURCE_DIR PLUGIN_DIR TEST_PLUGIN_DIR
#
# Each case prints one line per check and closes with "N passed, M failed";
# it exits nonzero when a check failed.
set -u
case_name=$1 peil=$2 src=$3 plugins=$4 test_plugins=${5:-}
work=$(mktemp -d /tmp/peil-e2e-inputs-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C	# the fixture is Windows-1252: grep and sed take bytes
. "$(dirname "$0")/lib.sh"

mkdir -p "$work/kpis"
cp "$src/scripts/casussen.lua" "$work/kpis/"
fixture=$src/tests/data/e2e/cases.csv
header=$(head -1 "$fixture")
row() { grep -a "^$1;" "$fixture"; }
count() { sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_cases${1:+ WHERE $1}"; }

# ------------------------------------------------------------ repeated key
# An export of four data lines: D1 (line 2), D2 (line 3), D5 (line 4) and
# D2 again (line 5), the second D2 moved to Buurtteam Zuid.  Three keys,
# so at most three rows can be stored; main stored three and logged
# "4 rows stored", exit 0.
test_repeated_key() {
	{ echo "$header"; row D1; row D2; row D5
	  row D2 | sed 's/;Buurtteam Noord;/;Buurtteam Zuid;/'; } >"$work/rep.csv"

	fixture_config "$work/rep.csv" "$work/kpis" 2018-01
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "a repeated key refuses the file" 2 $?
	expect_grep "naming file, both lines and the key" "$work/err" \
		"rep.csv:5: key 'D2' was given before, on line 3 of this file"
	[ "$(count)" = 0 ] && ok "nothing of the file is stored" || fail "$(count) rows stored"
	expect_grep "nothing stored, said" "$work/err" "rep.csv: nothing of this file was stored"

	fixture_config "$work/rep.csv" "$work/kpis" 2018-01 "" "on_error = reject"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "on_error = reject: the repeated row is rejected" 2 $?
	expect_grep "the true count: 3 stored, 1 rejected" "$work/err" \
		"rep.csv: 3 rows stored in cases, 1 rejected"
	[ "$(count)" = 3 ] && ok "3 rows in the store" || fail "$(count) rows stored, not 3"
	[ "$(count "case_id = 'D2' AND team = 'Buurtteam Noord'")" = 1 ] &&
		ok "the first D2 is kept" || fail "the first D2 is not kept"
	cat "$work"/rejects/fixture_*_rep.csv.rejected >"$work/rejected" 2>/dev/null
	expect_grep "the reject file holds the second D2" "$work/rejected" \
		"D2;Buurtteam Zuid;"

	rm -f "$work/peil.db"*
	fixture_config "$work/rep.csv" "$work/kpis" 2018-01 "" "repeated_keys = keep_last"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "repeated_keys = keep_last stores the file" 0 $?
	expect_grep "the true count: 3 stored" "$work/err" "rep.csv: 3 rows stored in cases"
	expect_grep "and how many were replaced" "$work/err" \
		"rep.csv: 1 rows of cases were replaced by a later row of the same key"
	expect_grep "the summary counts 3" "$work/err" "1 files stored (3 rows)"
	[ "$(count)" = 3 ] && ok "3 rows in the store" || fail "$(count) rows stored, not 3"
	[ "$(count "case_id = 'D2' AND team = 'Buurtteam Zuid'")" = 1 ] &&
		ok "the last D2 is kept" || fail "the last D2 is not kept"

	fixture_config "$work/rep.csv" "$work/kpis" 2018-01 "" "repeated_keys = first"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "an unknown repeated_keys" 3 $?
	expect_grep "is named" "$work/err" "repeated_keys = first: expected refuse or keep_last"
}

"test_$case_name"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
