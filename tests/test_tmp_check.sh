#!/usr/bin/env bash
# test_tmp.sh's hold on the tests' TMPDIR: while one ctest run holds it, a
# second run's clear fails naming the first and leaves its files alone;
# once the first has ended, clear empties it and holds it; empty names
# what was left and gives it up.  A process named ctest stands for the
# first run.
set -u
. "$(dirname "$0")/e2e/lib.sh"
script=$(dirname "$0")/test_tmp.sh
work=$(mktemp -d --tmpdir peil-test-tmp-XXXXXX)
holder=
trap '[ -z "$holder" ] || kill "$holder" 2>/dev/null; rm -rf "$work"' EXIT
d=$work/test-tmp
mkdir -p "$d"
touch "$d/in_use"
ln -s "$(command -v sleep)" "$work/ctest"
"$work/ctest" 60 &
holder=$!
echo "$holder" >"$d.owner"

sh "$script" clear "$d" 2>"$work/err"
expect_rc "a second run's clear while the first holds the directory" 1 $?
expect_grep "... names the first" "$work/err" \
	"$d is in use by another ctest run in this build directory (pid $holder)"
[ -e "$d/in_use" ] && ok "... and leaves its files alone" || fail "... the first run's files are gone"

kill "$holder"
wait "$holder" 2>/dev/null
holder=
sh "$script" clear "$d" 2>"$work/err"
expect_rc "clear once the first run has ended" 0 $?
[ -d "$d" ] && [ -z "$(ls -A "$d")" ] && ok "... empties the directory" ||
	fail "... left" "$(ls -A "$d")"
[ "$(cat "$d.owner")" = "$$" ] && ok "... and holds it for its own run" ||
	fail "... held by" "$(cat "$d.owner")"

touch "$d/left"
sh "$script" empty "$d" >"$work/out"
expect_rc "empty with a file left behind" 1 $?
expect_grep "... names it" "$work/out" "$d/left"
[ ! -e "$d.owner" ] && ok "... and gives the directory up" || fail "... still held"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
