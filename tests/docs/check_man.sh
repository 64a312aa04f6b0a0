#!/usr/bin/env bash
# check_man.sh - the man pages (docs/man/*.scd, built by scdoc): each
# renders without a warning of man --warnings, and peil(1) has a section
# for every command peil knows.
#
#   check_man.sh MAN_DIR PEIL
set -u
man_dir=$1 peil=$2
failed=0
if [ ! -f "$man_dir/peil.1" ]; then
	echo "FAIL no man pages in $man_dir: is scdoc installed (.ci/install-deps)?"
	exit 1
fi
for page in peil.1 peil.ini.5 peil-kpi.7; do
	warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$man_dir/$page" 2>&1 >/dev/null)
	if [ -n "$warnings" ] || [ ! -s "$man_dir/$page" ]; then
		echo "FAIL $page: $warnings"; failed=1
	else echo "ok   $page renders without warnings"; fi
done
commands=$("$peil" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
rendered=$(MANWIDTH=200 man -l "$man_dir/peil.1" 2>/dev/null)
for c in $commands; do
	if grep -qE "^   $c\$" <<<"$rendered"; then echo "ok   peil(1) has a section for $c"
	else echo "FAIL peil(1) has no section for $c"; failed=1; fi
done
exit $failed
