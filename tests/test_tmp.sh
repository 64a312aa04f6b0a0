#!/bin/sh
# The tests' TMPDIR (CMakeLists.txt: peil_test_tmpdir), held by one
# ctest run at a time:
#
#   test_tmp.sh clear DIR    the fixture's setup (test_tmp_clear)
#   test_tmp.sh empty DIR    its cleanup (test_tmp_empty)
#
# clear takes DIR for the ctest run that runs it (its parent: ctest's
# pid into DIR.owner) and empties it; while another ctest run that is
# still alive holds it, clear fails naming that run and leaves DIR
# alone.  Before, a second run in the same build directory emptied the
# first one's DIR under its running tests, which then failed for files
# that had gone.  empty fails naming what the tests left in DIR, and
# gives DIR up.
set -u
what=$1 dir=$2 owner=$2.owner
run=$PPID		# the ctest run

case $what in
clear)
	held=$(cat "$owner" 2>/dev/null)
	if [ -n "$held" ] && [ "$held" != "$run" ] && kill -0 "$held" 2>/dev/null &&
		[ "$(cat "/proc/$held/comm" 2>/dev/null)" = ctest ]; then
		echo "$dir is in use by another ctest run in this build directory" \
			"(pid $held): wait for it to end, or run in another build directory" >&2
		exit 1
	fi
	echo "$run" >"$owner" && rm -rf "$dir" && mkdir -p "$dir"
	;;
empty)
	left=$(find "$dir" -mindepth 1 -maxdepth 2) || exit 1
	[ "$(cat "$owner" 2>/dev/null)" = "$run" ] && rm -f "$owner"
	[ -z "$left" ] || { echo "left behind by the tests in $dir:"; echo "$left"; exit 1; }
	;;
*)
	echo "usage: test_tmp.sh clear|empty DIR" >&2
	exit 64
	;;
esac
