#!/usr/bin/env bash
# bench.sh - Peil against what an analyst would otherwise run, on the same
# machine in one go: ingest against sqlite3's .import of the same exports
# (converted to UTF-8 beforehand, untimed) into an untyped table, and the
# case indicators (started, running, closed, caseload, waiting time,
# unique persons, referral sources, closure reasons, self-reliance, marks)
# per team (or referrer, or closure reason) per month of a year against
# the same figures in hand-written SQL (case_indicators.sql) over that
# table and the members export.  Each on the demo's 14-column exports
# (shape demo) and on one 9-column export of the same cases with about
# 1 200 teams (shape narrow, lib.sh: narrow_export), side by side.  Then
# all shipped KPIs (peil eval without --kpi) on the demo shape, with the
# demo's other datasets scaled alike (peil-demo scales them with the
# cases), and the three slowest of them by eval --timings.  Beside each
# shape's case indicators, a floor row: one pass of sqlite3 over the
# columns the KPIs read in Peil's store.  Prints a
# table and writes it to a file.  Not a test: it asserts nothing;
# docs/benchmarks.md holds its figures.
#
#   tests/bench/bench.sh [--rows "1000000 10000000"] [--runs 3]
#                        [--shape demo|narrow|both] [--no-all-kpis]
#                        [--build build] [--out build/bench/results.md]
#
# Needs a release build (cmake -DCMAKE_BUILD_TYPE=Release), sqlite3, iconv
# and GNU time (/usr/bin/time, Debian package "time").
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
shapes="demo narrow"
all_kpis=1
bench_usage="[--shape demo|narrow|both] [--no-all-kpis] "
# The options of bench.sh alone (lib.sh: bench_options).
bench_option() {
	case $1 in
	--shape)
		case $2 in
		demo | narrow) shapes=$2 ;;
		both) shapes="demo narrow" ;;
		*) echo "bench: --shape demo, narrow or both" >&2; exit 64 ;;
		esac
		taken=2 ;;
	--no-all-kpis) all_kpis=0 taken=1 ;;
	*) return 1 ;;
	esac
}
. "$src/tests/bench/lib.sh"
bench_options "1000000 10000000" results.md "$@"
bench_setup bench "sqlite3 time" sqlite3 iconv /usr/bin/time

{
	echo "| step | rows | Peil s | baseline s | Peil rows/s | baseline rows/s | Peil peak MB | baseline peak MB | speed-up |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$work/table"

# bench_shape SHAPE: the ingest and the case indicators of the cases in
# $d (rows $n) in that shape, both sides, as two lines of the table.
bench_shape() {
	local shape=$1 w=$d/$1 files p_ingest p_ingest_mb b_ingest b_ingest_mb
	local p_eval p_eval_mb b_eval b_eval_mb
	mkdir -p "$w"
	files=("$d"/demo/export_casussen_*.csv)	# the cases only
	if [ "$shape" = narrow ]; then
		narrow_export "$d/narrow_export/export_smal.csv" "${files[@]}"
		files=("$d/narrow_export/export_smal.csv")
	fi
	# The SQL side imports UTF-8 copies, made once and untimed.
	utf8_copies "$w/utf8" "${files[@]}"
	rows=$(cat "${files[@]}" | tr -d '\r' | LC_ALL=C grep -ac '^D[0-9]')
	bench_config "$src" "$d/demo" "$w/peil.db" "$build/plugins" |
		sed "s|^script_dirs = .*|script_dirs = $d/scripts|" >"$w/peil.ini"
	if [ "$shape" = narrow ]; then
		narrow_config "${files[0]}" <"$w/peil.ini" >"$w/narrow.ini"
		mv "$w/narrow.ini" "$w/peil.ini"
	fi
	echo "bench: $shape: $rows rows in ${#files[@]} files ($(du -ch "${files[@]}" | tail -1 | cut -f1))" >&2

	# Each timed run starts with no write-back pending: the exports
	# and copies just written, or the last run's files, would otherwise
	# be flushed to disk during the run.
	setup="rm -f '$w/peil.db' '$w/peil.db-wal' '$w/peil.db-shm' '$w/peil.db-journal'; sync"
	time_run peil "$peil" ingest --quiet --config "$w/peil.ini" demo_cases
	p_ingest=$median p_ingest_mb=$peak
	import_commands "${files[@]/#*\//$w/utf8/}" >"$w/import.sql"
	setup="rm -f '$w/raw.db'; sync"
	time_run sqlite3 sqlite3 "$w/raw.db" ".read $w/import.sql"
	b_ingest=$median b_ingest_mb=$peak
	echo "| ingest ($shape) | $rows | $p_ingest | $b_ingest | $(rate "$rows" "$p_ingest") | $(rate "$rows" "$b_ingest") | $p_ingest_mb | $b_ingest_mb | $(ratio "$p_ingest" "$b_ingest")x |" >>"$work/table"

	# The case members (unique persons) on both sides, untimed: the
	# ingest above compares cases with cases.
	"$peil" ingest --quiet --config "$w/peil.ini" demo_members
	{
		members_import_commands "$d/demo/export_leden.csv"
		holidays_sql 2000 2040
		months_sql $year
	} | sqlite3 "$w/raw.db"
	setup="sync"
	time_run peil "$peil" eval --quiet --config "$w/peil.ini" --period $year --format csv
	p_eval=$median p_eval_mb=$peak
	time_run sqlite3 sqlite3 "$w/raw.db" ".read $src/tests/bench/case_indicators.sql"
	b_eval=$median b_eval_mb=$peak
	echo "| case indicators ($(echo "$kpis" | wc -l) KPIs, $shape) $year by team and month | $rows | $p_eval | $b_eval | $(rate "$rows" "$p_eval") | $(rate "$rows" "$b_eval") | $p_eval_mb | $b_eval_mb | $(ratio "$p_eval" "$b_eval")x |" >>"$work/table"
	# The evaluation's floor: one pass of SQLite over the columns that
	# peil eval's scans read, in Peil's own store, every value looked at
	# (max of each) and nothing computed or written: the least any
	# SQLite client pays to see the rows once (Peil reads the cases
	# twice, once for the case KPIs and once joined to the members).
	time_run sqlite3 sqlite3 -readonly "$w/peil.db" \
		"SELECT max(case_id), max(team), max(registered), max(first_meeting), max(closed), max(referrer), max(closure_reason), max(self_reliant), max(mark) FROM ds_cases" \
		"SELECT max(case_id), max(person) FROM ds_case_members"
	echo "| evaluation floor ($shape): one SQLite pass over the columns the KPIs read, cases and members | $rows | | $median | | $(rate "$rows" "$median") | | $peak | |" >>"$work/table"
}

# bench_all_kpis: every shipped KPI (the [run] kpis of conf/peil.ini) on
# the demo shape of $d, every source ingested untimed; one line of the
# table, and the three slowest KPIs of one eval --timings to $work/slowest.
bench_all_kpis() {
	local w=$d/all
	mkdir -p "$w"
	bench_config "$src" "$d/demo" "$w/peil.db" "$build/plugins" >"$w/peil.ini"
	rm -f "$w"/peil.db*
	"$peil" ingest --quiet --config "$w/peil.ini"
	setup="sync"
	time_run peil "$peil" eval --quiet --config "$w/peil.ini" --period $year --format csv
	"$peil" eval --quiet --config "$w/peil.ini" --period $year --format csv \
		--dry-run --timings 2>"$w/timings" >/dev/null
	echo "| all shipped KPIs ($(grep -c '^timing ' "$w/timings")), demo shape, $year | $rows | $median | | $(rate "$rows" "$median") | | $peak | | |" >>"$work/table"
	{
		echo "Slowest KPIs at $n cases (eval --timings, each alone; wall s, CPU s):"
		sed -n 's/^timing \(.*\): \(.*\) s wall, \(.*\) s CPU$/\3 \2 \1/p' "$w/timings" |
			sort -rn | head -3 | awk '{ printf("%s %s s, %s s CPU\n", $3, $2, $1) }'
	} >>"$work/slowest"
}

: >"$work/slowest"
for n in $rows_list; do
	bench_data "$n"
	for shape in $shapes; do
		bench_shape "$shape"
	done
	if [ $all_kpis = 1 ]; then bench_all_kpis; fi
done

{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 /'); median of $runs runs; $(date -u +%F)."
	echo
	cat "$work/table"
	echo
	echo "Case indicators: $(paste -sd, <<<"$kpis" | sed 's/,/, /g')" \
		"(instroom_per_melder by referrer, afsluitredenen by closure reason)."
	if [ -s "$work/slowest" ]; then
		echo
		cat "$work/slowest"
	fi
} | tee "$out"
echo "bench: written to $out (work files in $work)" >&2
