#!/usr/bin/env bash
# xlsx.sh - `peil ingest` of the same rows as a semicolon CSV (csv plugin)
# and as a workbook (xlsx plugin), through the real host and sqlite store,
# the two runs interleaved so that a shared machine slows both alike.
# bench_input_xlsx writes the files (and prints the plugins' rows/s on
# their own).  Not a test: it asserts nothing; docs/benchmarks.md ("xlsx
# against csv") holds its figures.
#
#   tests/bench/xlsx.sh [--rows 200000] [--runs 7] [--build build] [--perf N]
#                       [--priority]
#
# Prints each run, then per format the best and median seconds (wall, and
# CPU: user + system of all threads), the median of the page faults that
# needed no disk (minor: memory touched for the first time, which on a
# virtual machine can cost as much as tens of microseconds each) and peak
# MB, and the ratios xlsx / csv.  Needs GNU time (/usr/bin/time).
# With --perf N, then N more ingests of each format under perf (task-clock
# sampled at 4000 Hz): the CPU milliseconds of each thread by its name (the
# xlsx plugin names its threads; the host's are "peil"), which a shared
# machine disturbs far less than the wall clock.
# With --priority (root, Linux with sched_autogroup), each ingest runs in a
# session of its own whose autogroup is at nice -20: on a machine shared
# with other sessions it then gets the cores whenever it can use them, so
# its wall clock is close to a quiet machine's (the other sessions' tasks
# only fill its idle time).  Without it a busy machine's wall clock says
# more about the scheduler than about the ingest.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
rows=200000 runs=7 build=$src/build perf_runs=0 priority=0
while [ $# -gt 0 ]; do
	case $1 in
	--rows) rows=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--perf) perf_runs=$2; shift 2 ;;
	--priority) priority=1; shift ;;
	*) echo "usage: $0 [--rows N] [--runs N] [--build DIR] [--perf N] [--priority]" >&2; exit 64 ;;
	esac
done
command -v /usr/bin/time >/dev/null || { echo "xlsx.sh: GNU time is needed (apt-get install time)" >&2; exit 1; }
# run CMD...: CMD, in a session and autogroup of its own at nice -20 with
# --priority
run() {
	if [ "$priority" = 1 ]; then
		setsid sh -c 'echo -20 >/proc/$$/autogroup && exec "$@"' sh "$@"
	else
		"$@"
	fi
}
if [ "$priority" = 1 ] && ! run true 2>/dev/null; then
	echo "xlsx.sh: --priority needs root and sched_autogroup" >&2
	exit 1
fi
cmake --build "$build" --target peil csv xlsx sqlite bench_input_xlsx >/dev/null
work=$(mktemp -d --tmpdir peil-bench-xlsx-XXXXXX)
trap 'rm -rf "$work"' EXIT
BENCH_DIR=$work "$build/plugins/in_xlsx/bench_input_xlsx" "$rows"

columns='column.Dossiernummer = case_id
column.Team = team
column.Datum aanmelding = registered
column.Datum afsluiting = closed
column.Melder = referrer
column.Rapportcijfer = mark
column.Persoonsnummer = person'
cat >"$work/peil.ini" <<INI
[peil]
storage = sqlite
plugin_dirs = $build/plugins
script_dirs = $src/scripts
reject_dir = $work/rejects
[storage]
path = $work/peil.db
$(awk '/^\[dataset /{p=1} /^\[(source|kpi|contract) /{p=0} p' "$src/conf/peil.ini")
[source bench_csv]
plugin = csv
dataset = cases
path = $work/cases.csv
separator = semicolon
date_format = dd-mm-jjjj
$columns
[source bench_xlsx]
plugin = xlsx
dataset = cases
path = $work/cases.xlsx
$columns
INI

for ((i = 1; i <= runs; i++)); do
	for format in csv xlsx; do
		rm -f "$work"/peil.db*
		sync
		run /usr/bin/time -f "%e %M %U %S %R" -o "$work/time" \
			"$build/peil" ingest --config "$work/peil.ini" --quiet "bench_$format" \
			>/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
		read -r seconds kb user sys faults <"$work/time"
		cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
		echo "$seconds $kb $cpu $faults" >>"$work/$format"
		echo "run $i $format ${seconds} s (CPU ${cpu} s) $((kb / 1024)) MB, $faults page faults"
	done
done
# best and median wall seconds, median CPU seconds, median page faults
# and peak MB of a format's runs
summary() {
	sort -n "$work/$1" | awk '{ s[NR] = $1; if ($2 > m) m = $2 }
		END { printf "%s %s %d\n", s[1], s[int((NR + 1) / 2)], m / 1024 }'
	sort -n -k3 "$work/$1" | awk '{ c[NR] = $3 } END { print c[int((NR + 1) / 2)] }'
	sort -n -k4 "$work/$1" | awk '{ f[NR] = $4 } END { print f[int((NR + 1) / 2)] }'
}
{ read -r csv_best csv_median csv_mb; read -r csv_cpu; read -r csv_faults; } < <(summary csv)
{ read -r xlsx_best xlsx_median xlsx_mb; read -r xlsx_cpu; read -r xlsx_faults; } < <(summary xlsx)
echo "csv  best ${csv_best} s  median ${csv_median} s  CPU median ${csv_cpu} s  page faults ${csv_faults}  peak ${csv_mb} MB"
echo "xlsx best ${xlsx_best} s  median ${xlsx_median} s  CPU median ${xlsx_cpu} s  page faults ${xlsx_faults}  peak ${xlsx_mb} MB"
awk -v cb="$csv_best" -v cm="$csv_median" -v xb="$xlsx_best" -v xm="$xlsx_median" \
	'BEGIN { printf "xlsx / csv: %.2f by the best, %.2f by the medians (the goal is at most 2)\n", xb / cb, xm / cm }'
for ((i = 1; i <= perf_runs; i++)); do
	for format in csv xlsx; do
		rm -f "$work"/peil.db*
		run perf record -q -e task-clock -F 4000 -o "$work/perf.data" \
			"$build/peil" ingest --config "$work/peil.ini" --quiet "bench_$format" \
			>/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
		# per thread name (the host's threads together, as "peil")
		perf report -i "$work/perf.data" --stdio --sort comm -F period,comm 2>/dev/null |
			awk '!/^#/ && NF >= 2 { p = $1; $1 = ""; sub(/^ /, ""); gsub(/ /, "_"); print $0, p }' | sort |
			awk -v run="$i" -v f="$format" '{ ms = $2 / 1e6; all += ms; line = line sprintf(" %s %.0f,", $1, ms) }
				END { printf "perf %s %s: CPU ms per thread:%s all %.0f\n", run, f, line, all }'
	done
done
