#!/usr/bin/env bash
# pg.sh - the PostgreSQL column of the benchmark: Peil on the postgres store
# against what an analyst would otherwise run in psql, side by side in one
# run on one throw-away PostgreSQL cluster (tests/pg/cluster.sh start in a
# temporary directory; stopped and removed when the script ends, also on
# failure or ^C), so both sides have the same server and settings.  On the
# demo's case exports of bench.sh (lib.sh: bench_data), per size:
#
#   ingest        peil ingest demo_cases into the postgres store (dates
#                 parsed, types checked, stored by case id through
#                 binary COPY, straight into ds_cases while the keys are
#                 new, the change log kept) against psql's
#                 \copy of the same exports (UTF-8 copies, made once and
#                 untimed, as bench.sh makes them) into a table of text
#                 columns without key or index (lib.sh: pg_import_sql);
#   ingest floor  \copy of those copies straight into a table like
#                 Peil's ds_cases (typed, its primary key), the dates
#                 parsed by PostgreSQL: what an ingest that types and keeps
#                 keys pays at least on this server;
#   case indicators  peil eval --period 2018 of the 16 case KPIs against
#                 the same figures in hand-written SQL in psql
#                 (case_indicators_pg.sql; verify.sh CONNINFO, ctest
#                 pg_verify_case_indicators, checks that both agree);
#   evaluation floor  COPY (SELECT the columns the KPIs read FROM
#                 ds_cases) and the same of ds_case_members TO STDOUT,
#                 through psql into /dev/null: the least any client pays
#                 to see those rows.
#
# Each timed run starts after a CHECKPOINT and sync (a fresh schema or
# table for the ingests); before the evaluations every table is
# VACUUM ANALYZEd once, untimed.  Median wall seconds of --runs; peak
# memory is the client's (peil, psql) by GNU time, the server's is not in
# it (one backend per connection, shared_buffers the default 128 MB).
# The cluster is cluster.sh's: fsync, synchronous_commit and
# full_page_writes off, otherwise PostgreSQL's defaults.  Prints a table,
# its targets against it (ingest at least 0.8x \copy, the indicators
# within 10x the hand-written SQL and 2x the floor), and the store's
# size per row, and writes them to a file.  Not a test: it asserts nothing;
# docs/benchmarks.md holds its figures.
#
#   tests/bench/pg.sh [--rows "1000000 10000000"] [--runs 3]
#                     [--build build] [--out build/bench/pg.md]
#
# Needs a release build (cmake -DCMAKE_BUILD_TYPE=Release) with the
# postgres plugin, PostgreSQL 15 (server binaries and psql), iconv and
# GNU time (/usr/bin/time).  As root the server runs as the user
# postgres.  BENCH_DIR=DIR keeps the demo exports for a next run.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/bench/lib.sh"
bench_options "1000000 10000000" pg.md "$@"
bench_setup pg.sh "postgresql-15 time" psql iconv /usr/bin/time
[ -e "$build/plugins/postgres.so" ] || { echo "pg.sh: no postgres plugin in $build/plugins" >&2; exit 1; }

# The cluster: a short path (a socket path has at most 107 bytes).
cluster=$src/tests/pg/cluster.sh
pgdir=$(mktemp -d --tmpdir peil-pgb-XXXXXX)
trap 'bash "$cluster" stop "$pgdir"' EXIT
bash "$cluster" start "$pgdir"
conninfo=$(bash "$cluster" conninfo "$pgdir")
export PGOPTIONS="-c client_min_messages=warning"
sql() { psql -X -q -v ON_ERROR_STOP=1 "$conninfo" "$@"; }

{
	echo "| step | rows | Peil s | baseline s | Peil rows/s | baseline rows/s | Peil peak MB | baseline peak MB | speed-up |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$work/pg-table"
: >"$work/pg-targets"

# bench_pg: the ingest, the case indicators and the floor of the cases in
# $d (about $n), as five lines of the table and lines of targets and sizes.
bench_pg() {
	local w=$d/pg files rows p_ingest p_ingest_mb b_ingest b_ingest_mb
	local f_ingest f_ingest_mb p_eval p_eval_mb b_eval b_eval_mb f_eval f_eval_mb sizes
	mkdir -p "$w"
	files=("$d"/demo/export_casussen_*.csv)
	utf8_copies "$d/demo/utf8" "${files[@]}"
	rows=$(cat "${files[@]}" | tr -d '\r' | LC_ALL=C grep -ac '^D[0-9]')
	bench_config "$src" "$d/demo" "$w/peil.db" "$build/plugins" |
		sed "s|^script_dirs = .*|script_dirs = $d/scripts|" |
		postgres_config "$conninfo" bench "$w/peil.lock" >"$w/peil.ini"
	echo "pg.sh: $rows rows in ${#files[@]} files ($(du -ch "${files[@]}" | tail -1 | cut -f1))" >&2

	setup="sql -c 'DROP SCHEMA IF EXISTS bench CASCADE' -c CHECKPOINT; sync"
	time_run peil "$peil" ingest --quiet --config "$w/peil.ini" demo_cases
	p_ingest=$median p_ingest_mb=$peak
	pg_import_sql cases_raw "${files[@]/#*\//$d/demo/utf8/}" >"$w/import.sql"
	setup="sql -c 'DROP TABLE IF EXISTS cases_raw' -c CHECKPOINT; sync"
	time_run psql psql -X -q -v ON_ERROR_STOP=1 "$conninfo" -f "$w/import.sql"
	b_ingest=$median b_ingest_mb=$peak
	echo "| ingest (demo) | $rows | $p_ingest | $b_ingest | $(rate "$rows" "$p_ingest") | $(rate "$rows" "$b_ingest") | $p_ingest_mb | $b_ingest_mb | $(ratio "$p_ingest" "$b_ingest")x |" >>"$work/pg-table"
	# The ingest's floor: \copy of the same files straight into a table
	# like Peil's ds_cases (typed, its primary key), with PostgreSQL's
	# own date parsing (DateStyle DMY) and no staging, upsert or change
	# log.
	sed "s/^\\\\copy cases_raw /\\\\copy cases_typed (case_id, team, organisation, district, neighbourhood, registered, first_meeting, closed, referrer, closure_reason, self_reliant, mark, person, entered) /; s/, NULL '.*')/)/; /^DROP TABLE\|^CREATE TABLE/d" \
		"$w/import.sql" >"$w/typed.sql"
	setup="sql -c 'DROP TABLE IF EXISTS cases_typed' -c 'CREATE TABLE cases_typed (LIKE bench.ds_cases INCLUDING ALL)' -c CHECKPOINT; sync"
	PGOPTIONS="$PGOPTIONS -c datestyle=ISO,DMY" \
		time_run psql psql -X -q -v ON_ERROR_STOP=1 "$conninfo" -f "$w/typed.sql"
	f_ingest=$median f_ingest_mb=$peak
	sql -c 'DROP TABLE cases_typed'
	echo "| ingest floor: \\copy into a table like ds_cases (typed, primary key) | $rows | | $f_ingest | | $(rate "$rows" "$f_ingest") | | $f_ingest_mb | |" >>"$work/pg-table"

	# The case members on both sides, untimed.
	"$peil" ingest --quiet --config "$w/peil.ini" demo_members
	{
		pg_import_sql members_raw "$d/demo/export_leden.csv"
		echo "DROP TABLE IF EXISTS holidays, months;"
		holidays_sql 2000 2040
		months_sql $year
	} | sql >/dev/null
	sql -c "VACUUM ANALYZE"
	setup="sql -c CHECKPOINT; sync"
	time_run peil "$peil" eval --quiet --config "$w/peil.ini" --period $year --format csv
	p_eval=$median p_eval_mb=$peak
	time_run psql psql -X -v ON_ERROR_STOP=1 "$conninfo" -f "$src/tests/bench/case_indicators_pg.sql"
	b_eval=$median b_eval_mb=$peak
	echo "| case indicators ($(echo "$kpis" | wc -l) KPIs, demo) $year by team and month | $rows | $p_eval | $b_eval | $(rate "$rows" "$p_eval") | $(rate "$rows" "$b_eval") | $p_eval_mb | $b_eval_mb | $(ratio "$p_eval" "$b_eval")x |" >>"$work/pg-table"
	# The columns that peil eval's scans read (the store's SELECTs).
	time_run psql psql -X -q -v ON_ERROR_STOP=1 "$conninfo" \
		-c "COPY (SELECT case_id, team, registered, first_meeting, closed, referrer, closure_reason, self_reliant, mark FROM bench.ds_cases) TO STDOUT" \
		-c "COPY (SELECT case_id, person FROM bench.ds_case_members) TO STDOUT"
	f_eval=$median f_eval_mb=$peak
	echo "| evaluation floor: COPY (SELECT the columns the KPIs read) TO STDOUT, cases and members | $rows | | $f_eval | | $(rate "$rows" "$f_eval") | | $f_eval_mb | |" >>"$work/pg-table"

	echo "At $rows rows: ingest $(ratio "$p_ingest" "$b_ingest")x the rows/s of \\copy (target at least 0.8x; the typed, keyed \\copy $(ratio "$f_ingest" "$b_ingest")x); case indicators $(ratio "$p_eval" "$b_eval")x the hand-written SQL (target at least 10x), $(ratio "$f_eval" "$p_eval")x the floor's time (target at most 2x)." >>"$work/pg-targets"
	sizes=$(sql -At -F' ' -c "SELECT pg_total_relation_size('bench.ds_cases'), (SELECT count(*) FROM bench.ds_cases), pg_total_relation_size('bench.ds_case_members'), (SELECT count(*) FROM bench.ds_case_members), pg_total_relation_size('cases_raw'), pg_total_relation_size('bench.peil_change')")
	echo "$rows $sizes" | awk '{
		printf("At %d rows: ds_cases %.1f MB (%d rows, %.0f bytes a row, table and primary key), ds_case_members %.1f MB (%d rows, %.0f bytes a row), psql'"'"'s cases_raw %.1f MB (%.0f bytes a row), peil_change %.1f MB.\n",
			$1, $2 / 1048576, $3, $2 / $3, $4 / 1048576, $5, $4 / $5,
			$6 / 1048576, $6 / $3, $7 / 1048576)
	}' >>"$work/pg-targets"
}

for n in $rows_list; do
	bench_data "$n"
	bench_pg
done

{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sql -At -c 'SHOW server_version' | sed 's/^/PostgreSQL /; s/ (.*//'), load $(cut -d' ' -f1-3 /proc/loadavg) at the end; median of $runs runs; $(date -u +%F)."
	echo
	cat "$work/pg-table"
	echo
	cat "$work/pg-targets"
	echo
	echo "Case indicators: $(paste -sd, <<<"$kpis" | sed 's/,/, /g')" \
		"(instroom_per_melder by referrer, afsluitredenen by closure reason)."
} | tee "$out"
echo "pg.sh: written to $out (work files in $work)" >&2
