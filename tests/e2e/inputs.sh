#!/usr/bin/env bash
# End-to-end tests that data in is whole and means what it says: a key given
# twice in one export, a plugin that stores nothing, and
# snapshot sources that share a dataset.
#
#   inputs.sh CASE PEIL SOURCE_DIR PLUGIN_DIR TEST_PLUGIN_DIR
#
# Each case prints one line per check and closes with "N passed, M failed";
# it exits nonzero when a check failed.
set -u
case_name=$1 peil=$2 src=$3 plugins=$4 test_plugins=${5:-}
work=$(mktemp -d --tmpdir peil-e2e-inputs-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
export LC_ALL=C	# the fixture is Windows-1252: grep and sed take bytes
. "$(dirname "$0")/lib.sh"

mkdir -p "$work/kpis"
cp "$src/scripts/casussen.lua" "$work/kpis/"
fixture=$src/tests/data/e2e/cases.csv
header=$(head -1 "$fixture")
row() { grep -a "^$1;" "$fixture"; }
expect_no_grep() { # expect_no_grep NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then fail "$1" "unexpected '$3' in:" "$(grep -F -- "$3" "$2" | head -5)"; else ok "$1"; fi
}
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

	# A key of two fields (case_id, organisation): D2 of Noord and of
	# Zuid are two keys; D2 of Noord twice is one, named by both values.
	rm -f "$work/peil.db"*
	{ echo "$header"; row D2; row D2 | sed 's/;Welzijn Noord;/;Welzijn Zuid;/'; } >"$work/two.csv"
	fixture_config "$work/two.csv" "$work/kpis" 2018-01
	sed -i 's/^field.organisation = text$/field.organisation = text key/' "$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "D2 of two organisations, a key of two fields" 0 $?
	[ "$(count)" = 2 ] && ok "2 rows" || fail "$(count) rows, not 2"
	{ cat "$work/two.csv"; row D2; } >"$work/two_rep.csv"
	sed -i "s|^path = .*two.csv|path = $work/two_rep.csv|" "$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "D2 of Noord twice" 2 $?
	expect_grep "names the key by both fields" "$work/err" \
		"two_rep.csv:4: key 'D2 / Welzijn Noord' was given before, on line 2 of this file"

	fixture_config "$work/rep.csv" "$work/kpis" 2018-01 "" "repeated_keys = first"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "an unknown repeated_keys" 3 $?
	expect_grep "is named" "$work/err" "repeated_keys = first: expected refuse or keep_last"
}

# ---------------------------------------------------------- silent plugin
# A file with data lines from which no row was stored is a warning, exit
# 2, and is not marked as ingested; a header-only file is a quiet success.
# Main logged "0 rows stored", exit 0, and skipped the file ever after.
ingested() { sqlite3 "$work/peil.db" "SELECT count(*) FROM peil_ingest WHERE source = '$1'"; }
quiet_source() { # quiet_source FILE: [source quiet] of the silent plugin
	fixture_config "$fixture" "$work/kpis" 2018-01
	sed -i "s|^plugin_dirs = .*|plugin_dirs = $plugins, $test_plugins|" "$work/peil.ini"
	printf '[source quiet]\nplugin = silent\ndataset = cases\npath = %s\n' "$1" >>"$work/peil.ini"
}
test_silent_plugin() {
	{ echo "$header"; row D1; row D2; row D5; } >"$work/data.csv"
	echo "$header" >"$work/header.csv"

	quiet_source "$work/data.csv"
	"$peil" ingest --config "$work/peil.ini" quiet 2>"$work/err"
	expect_rc "a plugin that stores nothing of 3 data lines" 2 $?
	expect_grep "is a warning naming the file" "$work/err" \
		"warning: $work/data.csv: the file has data lines, but no row of it was stored in cases (the plugin gave 0 records, 0 rejected)"
	expect_grep "and the summary says so" "$work/err" \
		"1 files with data lines stored no row, and will be read again"
	[ "$(ingested quiet)" = 0 ] && ok "the file is not marked as ingested" || fail "the file is in the ingest log"
	"$peil" ingest --config "$work/peil.ini" quiet 2>"$work/err"
	expect_rc "the next ingest reads it again" 2 $?
	expect_no_grep "and does not skip it" "$work/err" "skipped, [source quiet]"

	rm -f "$work/peil.db"*
	quiet_source "$work/header.csv"
	"$peil" ingest --config "$work/peil.ini" quiet 2>"$work/err"
	expect_rc "a header-only file from that plugin is quiet" 0 $?
	expect_no_grep "no warning" "$work/err" "warning"
	[ "$(ingested quiet)" = 1 ] && ok "and marked as ingested" || fail "not in the ingest log"

	# Every row rejected: 2 records given, 2 rejected, 0 stored.
	rm -f "$work/peil.db"*
	{ echo "$header"; row D1; row D2; } | sed 's/;2-1-2018;/;31-02-2018;/; s/;29-12-2017;/;31-02-2018;/' >"$work/bad.csv"
	fixture_config "$work/bad.csv" "$work/kpis" 2018-01 "" "on_error = reject"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "every row rejected" 2 $?
	expect_grep "is a warning with the counts" "$work/err" \
		"bad.csv: the file has data lines, but no row of it was stored in cases (the plugin gave 2 records, 2 rejected)"
	[ "$(ingested fixture)" = 0 ] && ok "the file is not marked as ingested" || fail "the file is in the ingest log"
	cat "$work"/rejects/fixture_*_bad.csv.rejected >"$work/rejected" 2>/dev/null
	[ "$(grep -c '^D[0-9]' "$work/rejected")" = 2 ] && ok "the reject file holds both rows" || fail "no reject file with 2 rows"

	rm -f "$work/peil.db"*
	fixture_config "$work/header.csv" "$work/kpis" 2018-01
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "a header-only csv export" 0 $?
	expect_grep "stores 0 rows" "$work/err" "header.csv: 0 rows stored in cases"
	expect_no_grep "without a warning" "$work/err" "warning"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_grep "and is skipped the next time" "$work/err" "skipped, [source fixture] read this content before"
}

# ---------------------------------------------------------------- re-read
# The ingest log keeps the plugin's name and version with the settings'
# fingerprint.  A file read by another version is read again, and the log
# says why; an entry from before Peil kept them counts as this plugin's,
# unless it stored nothing.  A snapshot source reads again only its
# newest file.  Main skipped all of these.
set_logged() { sqlite3 "$work/peil.db" "UPDATE peil_ingest SET $1"; }
test_reread() {
	{ echo "$header"; row D1; row D2; row D5; } >"$work/data.csv"
	fixture_config "$work/data.csv" "$work/kpis" 2018-01
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "the first read" 0 $?
	# A new time: the file is hashed, not skipped for its size, time
	# and inode (incremental.sh).
	touch -d '2030-01-01 12:00' "$work/data.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_grep "the same plugin and version skip it" "$work/err" "skipped, [source fixture] read this content before"

	set_logged "settings_sha256 = substr(settings_sha256, 1, 65) || 'csv 0.9'"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "another version of the plugin" 0 $?
	expect_grep "reads it again, saying why" "$work/err" \
		"data.csv: read again: it was read by plugin csv 0.9, now csv "
	expect_grep "and stores it" "$work/err" "data.csv: 3 rows stored in cases"

	set_logged "settings_sha256 = substr(settings_sha256, 1, 64)"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_grep "an entry from before versions were kept: skipped" "$work/err" \
		"skipped, [source fixture] read this content before"

	set_logged "settings_sha256 = substr(settings_sha256, 1, 64), rows = 0"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_grep "one that stored nothing is read again" "$work/err" \
		"data.csv: read again: its earlier read stored no row"

	echo "skip_lines = 0" >>"$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_grep "other settings read it again" "$work/err" \
		"data.csv: read again: it was read with other settings of [source fixture]"

	# Snapshots: snap_1 holds D1 D2 D5, snap_2 D1 D2.
	rm -f "$work/peil.db"*
	{ echo "$header"; row D1; row D2; row D5; } >"$work/snap_1.csv"
	{ echo "$header"; row D1; row D2; } >"$work/snap_2.csv"
	fixture_config "$work/snap_*.csv" "$work/kpis" 2018-01 "" "mode = snapshot"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "two snapshots" 0 $?
	[ "$(count)" = 2 ] && ok "the newest holds 2 rows" || fail "$(count) rows"
	set_logged "settings_sha256 = substr(settings_sha256, 1, 65) || 'csv 0.9'"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "a new plugin version" 0 $?
	expect_grep "the older snapshot is not read again" "$work/err" \
		"snap_1.csv: skipped, [source fixture] read this content before, and a snapshot source reads again only its newest file"
	expect_grep "the newest is" "$work/err" "snap_2.csv: read again: it was read by plugin csv 0.9"
	expect_grep "and removes nothing" "$work/err" "0 removed by snapshots"
	[ "$(count)" = 2 ] && ok "still 2 rows" || fail "$(count) rows"
}

# --------------------------------------------------------- snapshot scope
# Leiden buys its social base from two organisations, each sending its
# own export of all its cases: Welzijn Noord (D1, D2, D9) and Welzijn Zuid
# (D5, D6, D7, and a D1 of its own).  Unscoped, Zuid's snapshot would
# remove Noord's 3 rows (4 rows would stay), so check and ingest refuse
# two snapshots of one dataset.
# With a scope each: 3 + 4 = 7 rows; Noord's next export without D2
# removes D2 only: 6 rows, Zuid's 4 untouched.
# $1 = Noord's export, $2 = Noord's keys, $3 = Zuid's keys ("" = none).
scoped_config() {
	fixture_config "$1" "$work/kpis" 2018-01 "" "mode = snapshot
${2:-}"
	sed -i 's/^field.organisation = text$/field.organisation = text key/' "$work/peil.ini"
	sed -n '/^\[source fixture\]/,$p' "$work/peil.ini" |
		sed "s/^\[source fixture\]/[source zuid]/; s|^path = .*|path = $work/zuid.csv|; /^scope_/d" >"$work/zuid.ini"
	{ [ -z "${3:-}" ] || echo "$3"; } >>"$work/zuid.ini"
	cat "$work/zuid.ini" >>"$work/peil.ini"
}
test_snapshot_scope() {
	{ echo "$header"; row D1; row D2; row D9; } >"$work/noord.csv"
	{ echo "$header"; row D2; row D9; row D1; } | grep -av '^D2;' >"$work/noord2.csv"
	{ echo "$header"; row D5; row D6; row D7
	  row D1 | sed 's/;Buurtteam Noord;Welzijn Noord;/;Buurtteam Zuid;Welzijn Zuid;/'; } >"$work/zuid.csv"

	scoped_config "$work/noord.csv"
	peil_expect "check refuses two snapshots of one dataset" 3 "$work/out" check
	expect_grep "naming both" "$work/err" \
		"[source fixture] and [source zuid] (line "
	expect_grep "and the dataset" "$work/err" "are both snapshots of dataset 'cases' and could remove each other's rows"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "and so does ingest" 3 $?
	if [ -f "$work/peil.db" ] && [ "$(count)" != 0 ]; then
		fail "rows were stored: $(count)"
	else ok "before storing anything"; fi

	scoped_config "$work/noord.csv" "scope_field = organisation
scope_value = Welzijn Noord" "scope_field = organisation"
	sed -i '$ a scope_value = Welzijn Noord' "$work/peil.ini"
	peil_expect "two scopes of one value are refused" 3 "$work/out" check

	scoped_config "$work/noord.csv" "scope_field = organisation
scope_value = Welzijn Noord" "scope_field = organisation
scope_value = Welzijn Zuid"
	peil_expect "two scopes pass check" 0 "$work/out" check
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "and ingest" 0 $?
	[ "$(count)" = 7 ] && ok "7 rows: 3 of Noord, 4 of Zuid" || fail "$(count) rows, not 7"
	[ "$(count "case_id = 'D1'")" = 2 ] && ok "D1 of each organisation" || fail "not two D1 rows"

	sed -i "s|^path = $work/noord.csv|path = $work/noord2.csv|" "$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" fixture 2>"$work/err"
	expect_rc "Noord's next export" 0 $?
	expect_grep "removes within its scope" "$work/err" \
		"noord2.csv: a snapshot of cases where organisation = 'Welzijn Noord': 1 rows that it no longer has were removed"
	[ "$(count)" = 6 ] && ok "6 rows" || fail "$(count) rows, not 6"
	[ "$(count "organisation = 'Welzijn Zuid'")" = 4 ] && ok "Zuid's 4 untouched" || fail "Zuid lost rows"
	[ "$(count "case_id = 'D2'")" = 0 ] && ok "D2 is gone" || fail "D2 still stored"

	# A row of Zuid in Noord's export is refused: Noord's snapshot would
	# remove it.
	{ echo "$header"; row D1; row D9; row D5; } >"$work/noord3.csv"
	sed -i "s|^path = $work/noord2.csv|path = $work/noord3.csv|" "$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" fixture 2>"$work/err"
	expect_rc "a row of another scope" 2 $?
	expect_grep "is refused, naming line, value and scope" "$work/err" \
		"noord3.csv:4: 'Welzijn Zuid' in field 'organisation', but this source's rows are of scope 'Welzijn Noord' (scope_value)"
	[ "$(count)" = 6 ] && ok "nothing changed: 6 rows" || fail "$(count) rows, not 6"

	scoped_config "$work/noord.csv" "scope_field = organisation
scope_value = Welzijn Noord" "scope_field = organisation
scope_value = Welzijn Zuid"
	sed -i 's/^field.organisation = text key$/field.organisation = text/' "$work/peil.ini"
	peil_expect "a scope that is not a key field" 3 "$work/out" check
	expect_grep "is refused with the reason" "$work/err" \
		"scope_field = organisation: dataset 'cases' has key fields, and a scope must be one of them"
	scoped_config "$work/noord.csv" "scope_field = organisatie" ""
	peil_expect "a scope field the dataset lacks" 3 "$work/out" check
	expect_grep "is named" "$work/err" "scope_field = organisatie: dataset 'cases' has no such field"
}

# ------------------------------------------------------------ stale input
# [dataset cases] max_age_days = 30, and the ingest log's 'at' set back
# 45 days and a minute: the newest input of cases is 45 whole days old,
# more than 30, so every evaluation warns and exits 2.  trajectories has
# max_age_days = 1 but no input at all: no warning (its KPIs, if any, are
# not evaluated).
test_stale_input() {
	fixture_config "$fixture" "$work/kpis" 2018-01..2018-03
	sed -i 's/^\[dataset cases\]$/&\nmax_age_days = 30/; s/^\[dataset trajectories\]$/&\nmax_age_days = 1/' "$work/peil.ini"
	line=$(grep -n '^max_age_days = 30$' "$work/peil.ini" | cut -d: -f1)
	cfg=$work/peil.ini
	"$peil" check --config "$cfg" >"$work/out" 2>"$work/err"
	expect_rc "check takes max_age_days" 0 $?
	"$peil" ingest --config "$cfg" >/dev/null 2>&1
	expect_rc "ingest" 0 $?
	"$peil" eval --config "$cfg" --period 2018-01 >"$work/out" 2>"$work/err"
	expect_rc "fresh input: exit 0" 0 $?
	expect_no_grep "fresh input: no warning" "$work/err" "newest input"
	expect_no_grep "fresh input: no line" "$work/out" "nieuwste invoer"

	sqlite3 "$work/peil.db" "UPDATE peil_ingest SET at = at - 45 * 86400 - 60"
	"$peil" eval --config "$cfg" --period 2018-01 >"$work/out" 2>"$work/err"
	expect_rc "stale input: exit 2" 2 $?
	expect_grep "the log names dataset, age and the setting's line" "$work/err" \
		"dataset cases: its newest input is 45 days old, older than max_age_days = 30 ($cfg:$line)"
	expect_no_grep "a dataset without input is not stale" "$work/err" "dataset trajectories"
	[ "$(tail -1 "$work/out")" = "let op: de nieuwste invoer van dataset cases is 45 dagen oud (max_age_days = 30)" ] \
		&& ok "text: the line under the tables" || fail "text: last line is '$(tail -1 "$work/out")'"
	# The figures are still shown: 2018-01 of the fixture as in cli.sh.
	expect_grep "text: the tables stay" "$work/out" "Gestarte casussen"
	"$peil" eval --config "$cfg" --period 2018-01 --lang en >"$work/out" 2>/dev/null
	[ "$(tail -1 "$work/out")" = "note: the newest input of dataset cases is 45 days old (max_age_days = 30)" ] \
		&& ok "text in English" || fail "English: last line is '$(tail -1 "$work/out")'"

	"$peil" eval --config "$cfg" --period 2018-01 --format json >"$work/out.json" 2>/dev/null
	expect_rc "json: exit 2" 2 $?
	python3 - "$work/out.json" <<'PY' && ok "json: stale_inputs" || fail "json: stale_inputs" "$(head -c 300 "$work/out.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stale_inputs"] == [{"dataset": "cases", "age_days": 45, "max_age_days": 30}], d.get("stale_inputs")
assert len(d["results"]) > 0
PY
	"$peil" eval --config "$cfg" --period 2018-01 --format csv >"$work/out.csv" 2>/dev/null
	expect_rc "csv: exit 2" 2 $?
	[ "$(tail -1 "$work/out.csv" | tr -d '\r')" = "# let op: de nieuwste invoer van dataset cases is 45 dagen oud (max_age_days = 30)" ] \
		&& ok "csv: a closing comment line" || fail "csv: last line is '$(tail -1 "$work/out.csv")'"
	[ "$(head -1 "$work/out.csv" | sed '1s/^\xEF\xBB\xBF//' | cut -d';' -f1)" = kpi ] \
		&& ok "csv: the header stays first" || fail "csv: header" "$(head -1 "$work/out.csv")"
	[ "$(grep -c '^#' "$work/out.csv")" = 1 ] && ok "csv: one comment line" || fail "csv: comment lines"

	"$peil" run --config "$cfg" >/dev/null 2>"$work/err"
	expect_rc "run: exit 2" 2 $?
	expect_grep "run: the warning" "$work/err" "dataset cases: its newest input is 45 days old"

	# The run keeps it: the message of each of casussen.lua's 3 KPIs over
	# cases, whose status stays ok; show, report and export read it back.
	run=$(sqlite3 "$work/peil.db" "SELECT max(id) FROM peil_run")
	kept=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM peil_run_kpi WHERE run_id = $run AND status = 'ok' AND message = 'stale input: dataset cases is 45 days old (max_age_days = 30)'")
	[ "$kept" = 3 ] && ok "the run keeps it with its 3 KPIs" || fail "the run keeps it with $kept KPIs, not 3"
	"$peil" runs --config "$cfg" --run "$run" >"$work/out" 2>/dev/null
	expect_grep "peil runs: the stale input" "$work/out" \
		"    stale input: dataset cases is 45 days old (max_age_days = 30)"
	"$peil" show --config "$cfg" >"$work/out" 2>/dev/null
	expect_rc "show: exit 0" 0 $?
	[ "$(tail -1 "$work/out")" = "let op: de nieuwste invoer van dataset cases is 45 dagen oud (max_age_days = 30)" ] \
		&& ok "show: the line under the tables" || fail "show: last line is '$(tail -1 "$work/out")'"
	"$peil" show --config "$cfg" --format json >"$work/out.json" 2>/dev/null
	python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["stale_inputs"] == [{"dataset": "cases", "age_days": 45, "max_age_days": 30}]' "$work/out.json" \
		&& ok "show json: stale_inputs" || fail "show json: stale_inputs"
	"$peil" report --config "$cfg" --period 2018-Q1 -o "$work/report.html" 2>/dev/null
	expect_rc "report: exit 0" 0 $?
	expect_grep "report: a visible notice" "$work/report.html" \
		'<p class="notice" role="alert">let op: de nieuwste invoer van dataset cases is 45 dagen oud (max_age_days = 30)</p>'
	"$peil" export --config "$cfg" -o "$work/peil.prom" 2>/dev/null
	expect_rc "export: exit 0" 0 $?
	expect_grep "prometheus: the age" "$work/peil.prom" 'peil_dataset_input_age_days{dataset="cases"} 45'
	expect_grep "prometheus: stale" "$work/peil.prom" 'peil_dataset_stale{dataset="cases",max_age_days="30"} 1'

	# 46 days allowed: 45 days and a minute is within them.
	sed -i 's/^max_age_days = 30$/max_age_days = 46/' "$cfg"
	"$peil" eval --config "$cfg" --period 2018-01 >"$work/out" 2>"$work/err"
	expect_rc "within max_age_days: exit 0" 0 $?
	expect_no_grep "within max_age_days: no line" "$work/out" "nieuwste invoer"
	# That eval is not published: export reads it by its id.
	"$peil" export --config "$cfg" --run "$(sqlite3 "$work/peil.db" "SELECT max(id) FROM peil_run")" \
		-o "$work/peil.prom" 2>/dev/null
	expect_no_grep "within max_age_days: no gauge" "$work/peil.prom" "peil_dataset_"
	"$peil" show --config "$cfg" --run "$run" >"$work/out" 2>/dev/null
	expect_grep "the stale run still says so" "$work/out" "nieuwste invoer van dataset cases is 45 dagen oud"

	sed -i 's/^max_age_days = 46$/max_age_days = -1/' "$cfg"
	"$peil" check --config "$cfg" >"$work/out" 2>"$work/err"
	expect_rc "a bad max_age_days" 3 $?
	expect_grep "is named" "$work/err" "max_age_days = -1: expected"
}

# -------------------------------------------------------------- key memory
# The keys of the file being read, checked for repeats, in memory that
# does not grow with the rows.  Case
# numbers of 60 characters (a prefix and the number), the other fields
# those of D1; SQLite's cache at 1 MiB, so that the store's memory is the
# same for any number of rows.  Main's key set held about 75 bytes a row:
# 200 000 rows more cost it 16-20 MB (shuffled: more, its hash slots).
# Here the keys in order go to a temporary file and those out of order
# (budget 1 MiB) too once they outgrow it: under 6 MB more.  The peak is
# GNU time's maximum resident set; skipped under ASan (its shadow and
# quarantine are not the program's memory).
key_rows() { # key_rows N ORDER: the header and N rows, ORDER sorted or shuffled
	awk -v n="$1" -v order="$2" -v tmpl="$(row D1)" -v header="$header" 'BEGIN {
		print header; sub(/^[^;]*/, "", tmpl)
		for (i = 0; i < n; i++) {
			id = order == "sorted" ? i : (i * 7919) % n
			printf("Dossier-Peilstad-Wijkteam-Zuidrand-Noord-2018-%014d%s\n", id, tmpl) } }'
}
peak_kib() { # peak_kib FILE [ENV...]: ingest FILE into a new store, print the peak
	local file=$1; shift
	rm -f "$work/peil.db"*
	fixture_config "$file" "$work/kpis" 2018-01
	printf 'cache_size_mib = 1\n' >"$work/cache"
	sed -i "/^\[storage\]/r $work/cache" "$work/peil.ini"
	env "$@" /usr/bin/time -f '%M' -o "$work/peak" \
		"$peil" ingest --quiet --config "$work/peil.ini" 2>"$work/err"
	echo "$? $(tail -1 "$work/peak")"
}
test_key_memory() {
	local small=20000 large=220000 rc kib base
	key_rows $small sorted >"$work/small.csv"
	key_rows $large sorted >"$work/sorted.csv"
	key_rows $large shuffled >"$work/shuffled.csv"
	# the row at line 100002 (i = 100000) has id 100000 * 7919 % 220000 =
	# 120000, less than ids before it (i = 27: 213813): held, and with
	# 1 MiB for some 14 000 keys held, spilled to a run before the end
	{ cat "$work/shuffled.csv"; sed -n 100002p "$work/shuffled.csv"; } >"$work/repeat.csv"

	if [ -z "${PEIL_TEST_SANITIZED:-}" ] && [ -x /usr/bin/time ]; then
		read -r rc base < <(peak_kib "$work/small.csv")
		expect_rc "20 000 rows in order" 0 "$rc"
		read -r rc kib < <(peak_kib "$work/sorted.csv")
		expect_rc "220 000 rows in order" 0 "$rc"
		[ $((kib - base)) -lt 6144 ] && ok "200 000 more rows in order: $(((kib - base) / 1024)) MB more (under 6)" ||
			fail "200 000 more rows in order: $(((kib - base) / 1024)) MB more (at least 6)"
		read -r rc kib < <(peak_kib "$work/shuffled.csv" PEIL_RECORD_KEYS_BYTES=1048576)
		expect_rc "220 000 rows shuffled" 0 "$rc"
		[ $((kib - base)) -lt 6144 ] && ok "200 000 more rows shuffled: $(((kib - base) / 1024)) MB more (under 6)" ||
			fail "200 000 more rows shuffled: $(((kib - base) / 1024)) MB more (at least 6)"
		[ "$(count)" = $large ] && ok "$large rows stored" || fail "$(count) rows stored, not $large"
	fi

	rm -f "$work/peil.db"*
	fixture_config "$work/repeat.csv" "$work/kpis" 2018-01
	PEIL_RECORD_KEYS_BYTES=1048576 "$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "a key repeated after the spills refuses the file" 2 $?
	expect_grep "naming both lines" "$work/err" \
		"repeat.csv:220002: key 'Dossier-Peilstad-Wijkteam-Zuidrand-Noord-2018-00000000120000' was given before, on line 100002 of this file"
	[ "$(count)" = 0 ] && ok "nothing of the file is stored" || fail "$(count) rows stored"

	rm -f "$work/peil.db"*
	fixture_config "$work/repeat.csv" "$work/kpis" 2018-01 "" "repeated_keys = keep_last"
	PEIL_RECORD_KEYS_BYTES=1048576 "$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "keep_last: the later row replaces it" 0 $?
	expect_grep "one row replaced" "$work/err" \
		"repeat.csv: 1 rows of cases were replaced by a later row of the same key"
	[ "$(count)" = $large ] && ok "$large rows stored" || fail "$(count) rows stored, not $large"

	# Without a place for the temporary files the check cannot be made:
	# the file fails at the row whose key fills the first block of 4 KiB
	# (72 bytes a key: the 57th, line 58), also with on_error = reject,
	# and nothing is stored.
	rm -f "$work/peil.db"*
	fixture_config "$work/sorted.csv" "$work/kpis" 2018-01 "" "on_error = reject"
	TMPDIR=$work/none "$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "no temporary file: the file fails" 2 $?
	expect_grep "saying why" "$work/err" \
		"sorted.csv:58: cannot create a temporary file for the keys of this file: No such file or directory"
	[ "$(count)" = 0 ] && ok "nothing of the file is stored" || fail "$(count) rows stored"
}

# A key of an integer and a real field.  The export
# bedragen.csv: line 2 2018;0;a, line 3 2018;-0;b, line 4 2018;0,5;c.
# 0 and -0 are the same number: the store keeps one row of them (its
# key compares numbers), so line 3 repeats line 2's key and the file is
# refused (exit 2), nothing stored; a file that only has 0 and 0.5 stores
# 2 rows.
test_real_key_zero() {
	fixture_config "$fixture" "$work/kpis" 2018-01
	printf '%s\n' "Jaar;Factor;Naam" "2018;0;a" "2018;-0;b" "2018;0,5;c" \
		>"$work/bedragen.csv"
	cat >>"$work/peil.ini" <<INI
[dataset bedragen]
field.jaar = integer key
field.factor = real key
field.naam = text
$(csv_source bedragen bedragen "$work/bedragen.csv" semicolon Jaar=jaar Factor=factor Naam=naam)
INI
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "0 and -0 in a real key: the file is refused" 2 $?
	expect_grep "naming line 3 and line 2" "$work/err" \
		"bedragen.csv:3: key '2018 / "
	rows=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_bedragen" 2>/dev/null)
	[ "${rows:-0}" = 0 ] && ok "nothing of the file is stored" ||
		fail "$rows rows stored" "$(cat "$work/err")"
	printf '%s\n' "Jaar;Factor;Naam" "2018;0;a" "2018;0,5;c" >"$work/bedragen.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "0 and 0,5: two keys" 0 $?
	rows=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_bedragen" 2>/dev/null)
	[ "${rows:-0}" = 2 ] && ok "2 rows stored" || fail "$rows rows stored"
}

"test_$case_name"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
