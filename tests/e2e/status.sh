#!/usr/bin/env bash
# status.sh - peil status as a monitoring check: the
# Nagios/Icinga verdict of the last scheduled run, its exit codes and
# perfdata, from the store and the exit code peil run keeps beside its
# lock.
#
#   status.sh PEIL SOURCE_DIR PLUGIN_DIR
set -u
peil=$1 src=$2 plugins=$3
work=$(mktemp -d --tmpdir peil-e2e-status-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
. "$(dirname "$0")/lib.sh"

mkdir -p "$work/kpis"
cp "$src/scripts/casussen.lua" "$work/kpis/"
cp "$src/tests/data/e2e/cases.csv" "$work/cases.csv"
fixture_config "$work/cases.csv" "$work/kpis" "2018-01..2018-03" "" "on_error = reject"
cfg=$work/peil.ini
status() { # status NAME EXPECTED_EXIT EXPECTED_LINE_START [ARGS]
	"$peil" status --config "$cfg" "${@:4}" >"$work/status.out" 2>"$work/status.err"
	expect_rc "$1" "$2" $?
	expect_grep "$1: the line" "$work/status.out" "$3"
}

# No store yet: status creates none (only ingest and run do) and says so.
status "no store yet: UNKNOWN" 3 "PEIL UNKNOWN - $work/peil.db: no store at"
"$peil" ingest --config "$cfg" >/dev/null 2>&1
status "a store, no run yet: UNKNOWN" 3 "PEIL UNKNOWN - no peil run recorded yet"

"$peil" run --config "$cfg" >/dev/null 2>&1
expect_rc "a clean run" 0 $?
status "after a clean run: OK" 0 "PEIL OK - run 1 ok, exit 0 (ok) | age="
expect_grep "perfdata: failed KPIs" "$work/status.out" " kpis_failed=0;;;0;"
expect_grep "perfdata: duration" "$work/status.out" " duration="
expect_grep "the exit code beside the lock" "$work/peil.db.lock.status" "1 0 "
"$peil" eval --config "$cfg" --period 2018-01 >/dev/null 2>&1
status "peil eval (run 2) is no scheduled run" 0 "PEIL OK - run 1 ok"

# Two hours ago, by the store's clock.
sqlite3 "$work/peil.db" "UPDATE peil_run SET started = started - 7200, ended = ended - 7200"
status "older than --max-age 1: CRITICAL" 2 "PEIL CRITICAL - run 1 ok, exit 0 (ok); 2 hours old, more than --max-age 1 hours | age=72" --max-age 1
expect_grep "perfdata: the age and its critical bound" "$work/status.out" ";;3600;0;"
status "within --max-age 3h: OK" 0 "PEIL OK - run 1 ok" --max-age 3h
status "within --max-age 1d: OK" 0 "PEIL OK - run 1 ok" --max-age 1d
status "a bad --max-age: UNKNOWN" 3 "PEIL UNKNOWN - usage: peil status" --max-age 3x

# A new row that the ingest rejects (31-02-2018 is no date), so no figure
# changes: the run exits 2 and records "ok"; the check says WARNING from
# the kept exit code.
grep -a '^D4;' "$src/tests/data/e2e/cases.csv" | sed 's/^D4;\(.*\);05-02-2018;;;/D99;\1;31-02-2018;;;/' >>"$work/cases.csv"
grep -q '^D99;.*31-02-2018' "$work/cases.csv" && ok "the fixture has a bad row" || fail "the fixture has a bad row"
"$peil" run --config "$cfg" >/dev/null 2>&1
expect_rc "a run with a rejected row" 2 $?
status "exit 2: WARNING" 1 "PEIL WARNING - run 3 ok, exit 2 (an input was rejected)"

# A run that never ended (killed): CRITICAL, unless a peil holds the lock.
sqlite3 "$work/peil.db" "UPDATE peil_run SET status = 'running', ended = 0 WHERE id = 3"
status "killed: CRITICAL" 2 "PEIL CRITICAL - run 3 never ended and no peil holds the lock: it was killed"
flock "$work/peil.db.lock" "$peil" status --config "$cfg" >"$work/held.out"
expect_rc "while the lock is held: OK" 0 $?
expect_grep "it is running" "$work/held.out" "PEIL OK - run 3 is running"
sqlite3 "$work/peil.db" "UPDATE peil_run SET status = 'failed', ended = started WHERE id = 3"
status "failed: CRITICAL" 2 "PEIL CRITICAL - run 3 failed"
sqlite3 "$work/peil.db" "UPDATE peil_run SET status = 'interrupted' WHERE id = 3"
status "interrupted: CRITICAL" 2 "PEIL CRITICAL - run 3 interrupted"

# A run stopped after the lock and before recording anything: a source
# whose plugin is missing (found at the ingest).  Its exit code says what
# the store cannot.
sed -i 's/^plugin = csv/plugin = nosuch/' "$cfg"
"$peil" run --config "$cfg" >/dev/null 2>&1
expect_rc "a run with a missing input plugin" 3 $?
expect_grep "the exit code beside the lock, no run" "$work/peil.db.lock.status" "0 3 "
status "exit 3 without a run: CRITICAL" 2 "PEIL CRITICAL - the last peil run exited 3 (configuration error) without recording a run"
if grep -q "kpis_failed\|duration" "$work/status.out"; then fail "no perfdata of the run before" "$(cat "$work/status.out")"; else ok "no perfdata of the run before"; fi

# A check that cannot look: UNKNOWN.
"$peil" status --config "$work/none.ini" >"$work/none.out" 2>&1
expect_rc "a missing config: UNKNOWN" 3 $?
expect_grep "it says why" "$work/none.out" "PEIL UNKNOWN - "

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
