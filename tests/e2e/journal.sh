#!/usr/bin/env bash
# journal.sh - log lines for journald: with
# --log-format=journal, or when $JOURNAL_STREAM names stderr as systemd
# sets it, each line starts with its syslog priority (<3> error, <4>
# warning, <6> info); otherwise, and when $JOURNAL_STREAM names another
# stream, the text format stays.
#
#   journal.sh PEIL SOURCE_DIR PLUGIN_DIR
set -u
peil=$1 src=$2 plugins=$3
work=$(mktemp -d --tmpdir peil-e2e-journal-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
unset JOURNAL_STREAM
. "$(dirname "$0")/lib.sh"

"$peil" check --config "$work/none.ini" 2>"$work/text.err"
expect_grep "text by default" "$work/text.err" "peil: error: $work/none.ini: cannot open"
"$peil" check --config "$work/none.ini" --log-format=journal 2>"$work/j.err"
expect_grep "--log-format=journal: priority 3 for an error" "$work/j.err" "<3>error: $work/none.ini: cannot open"
"$peil" check --config "$work/none.ini" --log-format=syslog 2>"$work/bad.err"
expect_rc "an unknown --log-format" 64 $?

mkdir -p "$work/kpis" && cp "$src/scripts/casussen.lua" "$work/kpis/"
fixture_config "$src/tests/data/e2e/cases.csv" "$work/kpis" "2018-01"
# stderr is the file $work/stream.err; JOURNAL_STREAM names its device
# and inode as systemd names the journal's socket.
: >"$work/stream.err"
stream=$(stat -c '%d:%i' "$work/stream.err")
JOURNAL_STREAM=$stream "$peil" run --config "$work/peil.ini" >/dev/null 2>>"$work/stream.err"
expect_rc "a run logging to the journal" 0 $?
expect_grep "JOURNAL_STREAM: priority 6 for info" "$work/stream.err" "<6>info: run 1: 3 KPIs evaluated"
if grep -v '^<[3467]>' "$work/stream.err" | grep -q .; then
	fail "every line has a priority" "$(grep -v '^<[3467]>' "$work/stream.err" | head -3)"
else ok "every line has a priority"; fi
JOURNAL_STREAM=$stream "$peil" run --config "$work/peil.ini" --log-format=text >/dev/null 2>"$work/forced.err"
expect_grep "--log-format=text over JOURNAL_STREAM" "$work/forced.err" "peil: info: run 2:"
# stderr elsewhere than the stream systemd named: text.
JOURNAL_STREAM=$stream "$peil" check --config "$work/none.ini" 2>"$work/other.err"
expect_grep "another stream than JOURNAL_STREAM's: text" "$work/other.err" "peil: error: "

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
