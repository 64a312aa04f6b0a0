#!/usr/bin/env bash
# verify.sh - the case indicators of peil eval against the same figures
# computed by hand-written SQL (case_indicators.sql) over sqlite3's import
# of the demo exports (cases and case members): two methods, one answer,
# for every KPI the SQL computes, every breakdown cell and every month.
# SHAPE demo (the default) reads the demo's 14-column exports; narrow one
# 9-column export of them with about 1 200 teams (lib.sh: narrow_export).
# With CONNINFO (a libpq connection string) both sides run on PostgreSQL:
# Peil on the postgres store, the SQL (case_indicators_pg.sql) in psql over
# psql's \copy of the same exports, each in a schema of its own there.
#
#   verify.sh PEIL PEIL_DEMO SOURCE_DIR PLUGIN_DIR [demo|narrow [CONNINFO]]
set -u
peil=$1 demo=$2 src=$3 plugins=$4 shape=${5:-demo} conninfo=${6:-}
here=$(dirname "$0")
. "$here/lib.sh"
. "$here/../exit_on_signal.sh"
work=$(mktemp -d --tmpdir peil-verify-XXXXXX)
schema=v$(printf %s "$work" | md5sum | cut -c1-16)
trap 'rm -rf "$work"' EXIT
if [ -n "$conninfo" ]; then
	trap 'psql -X -q "$conninfo" -c "DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_sql CASCADE" >/dev/null 2>&1; rm -rf "$work"' EXIT
fi

"$demo" --out "$work/demo" --from-year 2016 --to-year 2018 \
	--cases-per-year 3000 >/dev/null || exit 1
bench_config "$src" "$work/demo" "$work/peil.db" "$plugins" >"$work/peil.ini"
cases=("$work"/demo/export_casussen_*.csv)
if [ "$shape" = narrow ]; then
	narrow_export "$work/narrow/export_smal.csv" "${cases[@]}" || exit 1
	cases=("$work/narrow/export_smal.csv")
	narrow_config "${cases[0]}" <"$work/peil.ini" >"$work/narrow.ini"
	mv "$work/narrow.ini" "$work/peil.ini"
fi
if [ -n "$conninfo" ]; then
	postgres_config "$conninfo" "$schema" "$work/peil.lock" <"$work/peil.ini" >"$work/pg.ini"
	mv "$work/pg.ini" "$work/peil.ini"
fi
"$peil" ingest --config "$work/peil.ini" 2>"$work/err" || { cat "$work/err"; exit 1; }
"$peil" eval --config "$work/peil.ini" --period 2018 --format json \
	>"$work/peil.json" 2>>"$work/err" || { cat "$work/err"; exit 1; }

utf8_copies "$work/utf8" "${cases[@]}" || exit 1
if [ -n "$conninfo" ]; then
	# The figures at full precision, rounded below as Peil's are.
	export PGOPTIONS="-c search_path=${schema}_sql -c client_min_messages=warning"
	{
		echo "CREATE SCHEMA ${schema}_sql;"
		pg_import_sql cases_raw "${cases[@]/#*\//$work/utf8/}"
		pg_import_sql members_raw "$work/demo/export_leden.csv"
		holidays_sql 2010 2020
		months_sql 2018
	} | psql -X -q -v ON_ERROR_STOP=1 "$conninfo" >/dev/null || exit 1
	psql -X -v ON_ERROR_STOP=1 "$conninfo" -f "$here/case_indicators_pg.sql" \
		>"$work/sql.full" || exit 1
	sed 's/;[^;]*$//' "$work/sql.full" >"$work/sql.cells"
	sed 's/.*;//' "$work/sql.full" >"$work/sql.values"
	sqlite3 "$work/raw.db" >"$work/sql.rounded" <<SQL || exit 1
CREATE TABLE v (x TEXT);
.import $work/sql.values v
SELECT ifnull(printf('%.4f', nullif(x, '')), '') FROM v ORDER BY rowid;
SQL
	paste -d';' "$work/sql.cells" "$work/sql.rounded" >"$work/sql.txt"
else
	{
		import_commands "${cases[@]/#*\//$work/utf8/}"
		members_import_commands "$work/demo/export_leden.csv"
		holidays_sql 2010 2020
		months_sql 2018
	} | sqlite3 "$work/raw.db" || exit 1
	sqlite3 "$work/raw.db" <"$here/case_indicators.sql" >"$work/sql.txt" || exit 1
fi

# Peil's JSON (full precision) read back with sqlite3's JSON functions:
# kpi;period;cell;value, the cell being "Totaal" for the total (breakdown
# {}) or FIELD=VALUE for each field of the breakdown (team, case.team,
# referrer, closure_reason; null as nothing after the "="), as the SQL
# prints them.
sqlite3 "$work/raw.db" >"$work/peil.txt" <<SQL || exit 1
.mode list
.separator ;
SELECT json_extract(r.value, '\$.kpi'), json_extract(r.value, '\$.period'),
       ifnull((SELECT group_concat(b.key || '=' || ifnull(b.value, ''), ',')
               FROM json_each(r.value, '\$.breakdown') AS b), 'Totaal'),
       ifnull(printf('%.4f', json_extract(r.value, '\$.value')), '')
FROM json_each(readfile('$work/peil.json'), '\$.results') AS r;
SQL
export LC_ALL=C
sort -o "$work/peil.txt" "$work/peil.txt"
sort "$work/sql.txt" >"$work/sql.sorted"
# Compare the KPIs that the SQL computes.
cut -d';' -f1 "$work/sql.sorted" | sort -u >"$work/kpis"
grep -F -f <(sed 's/$/;/' "$work/kpis") "$work/peil.txt" >"$work/peil.sel"

figures=$(wc -l <"$work/sql.sorted")
if diff "$work/peil.sel" "$work/sql.sorted" >"$work/diff"; then
	echo "ok   $figures figures of $(wc -l <"$work/kpis") KPIs agree with the hand-written SQL"
	echo "1 passed, 0 failed"
	exit 0
fi
echo "FAIL peil and the SQL differ (< peil, > SQL):"
head -40 "$work/diff"
echo "0 passed, 1 failed"
exit 1
