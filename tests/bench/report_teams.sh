#!/usr/bin/env bash
# report_teams.sh - `peil report` (HTML) of one year of the teams shape of
# tests/e2e/shapes/gen_shapes.py (6 000 cases, 30 organisations) at several
# numbers of teams, with one or two builds, their runs alternating so that a
# shared machine slows both alike.  Not a test: it asserts nothing;
# docs/benchmarks.md holds its figures.
#
#   tests/bench/report_teams.sh [--teams "100 300 1000"] [--runs 5]
#                               [--build build] [--before OTHER_BUILD]
#
# Prints per number of teams and build the median CPU seconds (user +
# system) and wall seconds of the report, and whether the two builds wrote
# the same bytes.  Needs GNU time (/usr/bin/time).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
teams="100 300 1000" runs=5 build=$src/build before=
while [ $# -gt 0 ]; do
	case $1 in
	--teams) teams=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--before) before=$2; shift 2 ;;
	*) echo "usage: $0 [--teams LIST] [--runs N] [--build DIR] [--before DIR]" >&2; exit 64 ;;
	esac
done
. "$(dirname "$0")/../exit_on_signal.sh"
work=$(mktemp -d --tmpdir peil-report-teams-XXXXXX)
trap 'rm -rf "$work"' EXIT
builds=$build
[ -n "$before" ] && builds="$before $build"
for n in $teams; do
	d=$work/t$n
	SHAPES_TEAMS=$n python3 "$src/tests/e2e/shapes/gen_shapes.py" teams "$d" "$src/scripts"
	sed -i "1a plugin_dirs = $build/plugins" "$d/peil.ini"
	"$build/peil" run --config "$d/peil.ini" -q >/dev/null 2>&1 || [ $? = 6 ]
	for i in $(seq "$runs"); do
		for b in $builds; do
			/usr/bin/time -f "$n $b %U %S %e" -a -o "$work/times" \
				"$b/peil" report --config "$d/peil.ini" --period 2023 \
				-o "$work/$(basename "$b").html"
		done
	done
	if [ -n "$before" ]; then
		cmp -s "$work/$(basename "$before").html" "$work/$(basename "$build").html" &&
			echo "$n teams: the builds wrote the same report" ||
			echo "$n teams: the reports DIFFER"
	fi
done
python3 - "$work/times" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    n, b, user, system, wall = line.split()
    runs[(int(n), b)].append((float(user) + float(system), float(wall)))
print("%6s  %-40s %8s %8s" % ("teams", "build", "CPU s", "wall s"))
for (n, b), r in sorted(runs.items()):
    print("%6d  %-40s %8.2f %8.2f" % (n, b, statistics.median(x[0] for x in r),
                                        statistics.median(x[1] for x in r)))
PY
