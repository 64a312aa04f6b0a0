#!/usr/bin/env bash
# bench.sh - Peil against what an analyst would otherwise run, on the same
# machine in one go: ingest against sqlite3's .import of the same exports
# (converted to UTF-8 beforehand, untimed) into an untyped table, and the
# case indicators (started, running, closed, caseload, waiting time,
# unique persons, referral sources, closure reasons, self-reliance, marks)
# per team (or referrer, or closure reason) per month of a year against
# the same figures in hand-written SQL (case_indicators.sql) over that
# table and the members export.  Prints a table and writes it to a file.
# Not a test: it asserts nothing; docs/benchmarks.md holds its figures.
#
#   tests/bench/bench.sh [--rows "1000000 10000000"] [--runs 3]
#                        [--build build] [--out build/bench/results.md]
#
# Needs a release build (cmake -DCMAKE_BUILD_TYPE=Release), sqlite3, iconv
# and GNU time (/usr/bin/time, Debian package "time").
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/bench/lib.sh"
bench_options "1000000 10000000" results.md "$@"
for tool in sqlite3 iconv /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install sqlite3 time)" >&2; exit 1; }
done
peil=$build/peil demo=$build/peil-demo
work=${BENCH_DIR:-$(mktemp -d /tmp/peil-bench-XXXXXX)}
mkdir -p "$(dirname "$out")"
year=2018 first_year=2012

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf("%.0f", (s > 0 ? n / s : 0)) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf("%.2f", (a > 0 ? b / a : 0)) }'; }

{
	echo "| step | rows | Peil s | baseline s | Peil rows/s | baseline rows/s | Peil peak MB | baseline peak MB | speed-up |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$work/table"

for n in $rows_list; do
	d=$work/$n
	mkdir -p "$d"
	per_year=$(((n + 6) / 7))
	if [ ! -d "$d/demo" ]; then
		rm -rf "$d/utf8"
		"$demo" --out "$d/demo" --from-year $first_year --to-year $year \
			--cases-per-year "$per_year" >/dev/null
	fi
	files=("$d"/demo/export_casussen_*.csv)	# the cases only
	# The SQL side imports UTF-8 copies, made once and untimed.
	utf8_copies "$d/utf8" "${files[@]}"
	rows=$(cat "${files[@]}" | tr -d '\r' | LC_ALL=C grep -ac '^D[0-9]')
	# The case indicators that case_indicators.sql computes too: the same
	# work on both sides.
	mkdir -p "$d/scripts"
	for f in casussen caseload wachttijd personen instroom afsluiting; do
		ln -sf "$src/scripts/$f.lua" "$d/scripts/$f.lua"
	done
	kpis=$(sed -n 's/^  id = "\(.*\)",$/\1/p' "$d"/scripts/*.lua | sort)
	bench_config "$src" "$d/demo" "$d/peil.db" "$build/plugins" |
		sed "s|^script_dirs = .*|script_dirs = $d/scripts|" >"$d/peil.ini"
	echo "bench: $rows rows in ${#files[@]} files ($(du -sh "$d/demo" | cut -f1))" >&2

	# Each timed run starts with no write-back pending: the exports
	# and copies just written, or the last run's files, would otherwise
	# be flushed to disk during the run.
	setup="rm -f '$d/peil.db' '$d/peil.db-wal' '$d/peil.db-shm' '$d/peil.db-journal'; sync"
	time_run peil "$peil" ingest --quiet --config "$d/peil.ini" demo_cases
	p_ingest=$median p_ingest_mb=$peak
	import_commands "$d"/utf8/export_casussen_*.csv >"$d/import.sql"
	setup="rm -f '$d/raw.db'; sync"
	time_run sqlite3 sqlite3 "$d/raw.db" ".read $d/import.sql"
	b_ingest=$median b_ingest_mb=$peak
	echo "| ingest | $rows | $p_ingest | $b_ingest | $(rate "$rows" "$p_ingest") | $(rate "$rows" "$b_ingest") | $p_ingest_mb | $b_ingest_mb | $(ratio "$p_ingest" "$b_ingest")x |" >>"$work/table"

	# The case members (unique persons) on both sides, untimed: the
	# ingest above compares cases with cases.
	"$peil" ingest --quiet --config "$d/peil.ini" demo_members
	{
		members_import_commands "$d/demo/export_leden.csv"
		holidays_sql 2000 2040
		months_sql $year
	} | sqlite3 "$d/raw.db"
	setup="sync"
	time_run peil "$peil" eval --quiet --config "$d/peil.ini" --period $year --format csv
	p_eval=$median p_eval_mb=$peak
	time_run sqlite3 sqlite3 "$d/raw.db" ".read $src/tests/bench/case_indicators.sql"
	b_eval=$median b_eval_mb=$peak
	echo "| case indicators ($(echo "$kpis" | wc -l) KPIs) $year by team and month | $rows | $p_eval | $b_eval | $(rate "$rows" "$p_eval") | $(rate "$rows" "$b_eval") | $p_eval_mb | $b_eval_mb | $(ratio "$p_eval" "$b_eval")x |" >>"$work/table"
	eval "ingest_$n=$p_ingest eval_$n=$p_eval"
done

{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 /'); median of $runs runs; $(date -u +%F)."
	echo
	cat "$work/table"
	echo
	echo "Case indicators: $(paste -sd, <<<"$kpis" | sed 's/,/, /g')" \
		"(instroom_per_melder by referrer, afsluitredenen by closure reason)."
} | tee "$out"
echo "bench: written to $out (work files in $work)" >&2
