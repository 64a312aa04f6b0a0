#!/usr/bin/env bash
# incremental.sh - a monthly `peil run` that builds on the run before
# against a full evaluation of the same inputs, and a
# run that finds nothing new.  The scenario: the demo's exports of five
# years (2014-2018), every shipped KPI, [run] periods 2016-01..2018-12;
# the store holds everything up to November 2018; then a new export
# arrives with the cases registered in December 2018 and corrections (a
# new mark) to 1 % of the cases registered in the 12 months before.
# Prints a table and writes it to a file.  Not a test: it asserts
# nothing; docs/benchmarks.md holds its figures.
#
#   tests/bench/incremental.sh [--rows "1000000"] [--runs 3]
#                              [--build build] [--out FILE]
#
# Needs a release build and GNU time (/usr/bin/time).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/bench/lib.sh"
bench_options 1000000 incremental.md "$@"
command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
peil=$build/peil demo=$build/peil-demo
work=${BENCH_DIR:-$(mktemp -d --tmpdir peil-bench-incremental-XXXXXX)}
mkdir -p "$(dirname "$out")" "$work"
export LC_ALL=C	# the exports are Windows-1252: awk takes bytes

# peil run that counts exit 5 (a final figure changed: the corrections
# move figures of final periods) as done.
run_peil='"$0" "$@"; rc=$?; [ $rc = 0 ] || [ $rc = 5 ]'
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf("%.0f %%", (b > 0 ? 100 * a / b : 0)) }'; }

{
	echo "| rows | full run s (CPU s) | incremental run s (CPU s) | incremental / full (CPU) | KPIs evaluated / kept | nothing new s (CPU s) | peak MB full / incremental / nothing new |"
	echo "|---:|---:|---:|---:|---|---:|---|"
} >"$work/table"

for n in $rows_list; do
	d=$work/$n
	mkdir -p "$d"
	if [ ! -d "$d/demo" ]; then
		"$demo" --out "$d/demo" --from-year 2014 --to-year 2018 \
			--cases-per-year $(((n + 4) / 5)) >/dev/null
		# December 2018 arrives later: out of the 2018 export.
		mv "$d/demo/export_casussen_2018.csv" "$d/all_2018.csv"
		awk -F';' 'NR == 1 || $6 !~ /-12-2018$/' "$d/all_2018.csv" >"$d/demo/export_casussen_2018.csv"
		# The new export: December's cases, and a new mark for one in
		# a hundred of the cases registered from December 2017 to
		# November 2018.
		{
			awk -F';' 'NR == 1 || $6 ~ /-12-2018$/' "$d/all_2018.csv"
			{ tail -n +2 "$d/demo/export_casussen_2017.csv" | awk -F';' '$6 ~ /-12-2017$/'
			  tail -n +2 "$d/demo/export_casussen_2018.csv"; } |
				awk -F';' -v OFS=';' 'NR % 100 == 1 { $12 = ($12 == 7 ? 8 : 7); print }'
		} >"$d/new_month.csv"
	fi
	rows=$(cat "$d"/demo/export_casussen_*.csv | tr -d '\r' | grep -ac '^D[0-9]')
	# The Lua KPIs over every measurement of five years need more than
	# the default limits of one script.
	{
		bench_config "$src" "$d/demo" "$d/peil.db" "$build/plugins" |
			sed "s|^periods = .*|periods = 2016-01..2018-12|"
		printf '[limits]\nmemory_mb = 4096\ninstructions = 1000000000000\nseconds = 86400\nrun_seconds = 604800\n'
	} >"$d/peil.ini"
	echo "bench: $rows rows, then $(($(wc -l <"$d/new_month.csv") - 1)) new and corrected" >&2
	rm -f "$d"/peil.db* "$d/demo/export_casussen_2018_12.csv"
	sh -c "$run_peil" "$peil" run --quiet --config "$d/peil.ini" >/dev/null
	cp "$d/peil.db" "$d/base.db"

	# The new month, on the store of November: ingest and evaluation.
	cp "$d/new_month.csv" "$d/demo/export_casussen_2018_12.csv"
	setup="rm -f '$d'/peil.db*; cp '$d/base.db' '$d/peil.db'; sync"
	time_run incremental sh -c "$run_peil" "$peil" run --config "$d/peil.ini"
	inc=$median inc_cpu=$cpu inc_mb=$peak
	kept=$(grep -o '[0-9]* evaluated, [0-9]* kept' "$work/stderr" || echo "all evaluated")
	# A full evaluation of the same inputs (nothing new to ingest).
	setup="sync"
	time_run full sh -c "$run_peil" "$peil" run --full --quiet --config "$d/peil.ini"
	full=$median full_cpu=$cpu full_mb=$peak
	# Nothing new at all: the run confirms the one before.
	time_run unchanged sh -c "$run_peil" "$peil" run --quiet --config "$d/peil.ini"
	same=$median same_cpu=$cpu same_mb=$peak
	echo "| $rows | $full ($full_cpu) | $inc ($inc_cpu) | $(percent "$inc" "$full") ($(percent "$inc_cpu" "$full_cpu")) | $kept | $same ($same_cpu) | $full_mb / $inc_mb / $same_mb |" >>"$work/table"
done

{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); median of $runs runs; $(date -u +%F); commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)."
	echo
	cat "$work/table"
} | tee "$out"
echo "bench: written to $out (work files in $work)" >&2
