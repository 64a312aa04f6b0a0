#!/usr/bin/env bash
# End-to-end tests of the postgres store against the throw-away cluster
# of tests/pg/cluster.sh (ctest's fixture "pg" starts and stops it).
#
#   cluster.sh run DIR store_postgres.sh CASE PEIL SOURCE_DIR PLUGIN_DIR DEMO {conninfo}
#
# Cases:
#   same_figures  the README demo (peil-demo, peil run) on sqlite and on
#                 postgres: the run's report and `peil show --format csv`
#                 are byte for byte the same
#   refusals      a password in conninfo, a conninfo that does not parse,
#                 a server that is not there, a schema without a store
#   round_trips   the demo's ingest reads no stored row to store a file
#                 (primary-key probes, no join over the stored table), and
#                 a run's figures go in with one INSERT, not one each (the
#                 statements counted in the server's log); no statement
#                 compiled by JIT where the server would compile all
#   direct_load   a first load goes straight into the dataset's table (no
#                 index scanned), each row with its ingest's id; files that
#                 give a key twice or a stored key go through staging: the
#                 later row wins, the change log as worked out by hand; a
#                 file refused at its last row after more than one COPY
#                 went straight in leaves nothing
#   schema_1_migrates  a store of schema version 1 (before peil_run.confirms,
#                 the ingested files' size, time and inode, and the build of
#                 each run, the trigger of writes by others) is brought to
#                 version 7 by the next run, which
#                 evaluates (run 1's build is not known); the run after it
#                 confirms
# Faults; those that stop, restart or reconfigure the server run on a
# cluster of their own (cluster.sh start in a directory of the test's):
#   lost_ingest   the connection of an ingest ended (pg_terminate_backend)
#                 while a file is in the store's transaction, then an
#                 immediate stop and a start: exit 4, nothing of the file
#                 stored; the next ingest stores every file
#   bad_login     a refused connection (wrong port) and a wrong password
#                 (a role of its own, scram-sha-256 in pg_hba.conf): exit
#                 4, naming the connection; the password in no output
#   timeout       a statement timeout (conninfo options) while a run's
#                 evaluation waits for a table: exit 4, no figures
#   restart       the server restarted while a run waits to evaluate: exit
#                 4, the connection lost; the next run gives the figures,
#                 and records the run left running as failed
#   bad_store     a conninfo that does not parse (a password in it not
#                 echoed), a table changed by hand, a role without the
#                 rights the store needs, a schema of another program's
#                 tables, a store of a newer Peil
#   tenants       a store shared by two municipalities (schema regio,
#                 roles tn_a and tn_b, [storage] tenant): each one's
#                 figures those of a store of its own; neither reads,
#                 changes or deletes the other's rows through Peil or SQL;
#                 a dashboard role sees only published public figures
#   standby       a primary and a streaming hot standby (cluster.sh
#                 replica): figures run on the primary, read from the
#                 standby ([storage] read_conninfo), byte for byte the
#                 same; a writer on the standby refused; replay paused: the
#                 reader refused after read_max_lag_s, or waits for replay;
#                 the primary stopped: a warning
# The writers' advisory lock (storage ops version 14), on the shared
# cluster:
#   writer_lock   no [run] lock_file needed; the lock held from psql: run,
#                 ingest, eval and prune refused (exit 75) naming the
#                 store, show not; show and report while an ingest's batch
#                 waits, done while it still waits; two Peils with lock
#                 files of their own (two machines) still take turns
#   tenant_runs   two tenants of a shared store running in turn: each
#                 one's runs are 1 2 3; A cannot show B's run 4; a store
#                 of schema version 4 (one identity for every tenant's
#                 runs) migrated by the owner keeps its run ids and
#                 figures, and numbers each tenant's next run on from its
#                 own last
#   keyless_migration  a shared store of schema version 4 whose dataset
#                 without key fields numbered every tenant's rows by one
#                 identity: migrated by the owner's peil check, each row
#                 keeps its id and each tenant's next rows go on from its
#                 own highest
#   public_figures  the dashboard's view of a shared store shows what
#                 `peil report --public` shows, under [privacy public]:
#                 no small cell, none that reveals one
# cluster.sh run skips it (exit 77) only when the PostgreSQL binaries are
# not installed, and fails it when the cluster is not running.
set -u
case_name=$1 peil=$2 src=$3 plugins=$4 demo=$5 conninfo=$6
cluster_dir=${conninfo#host=}	# its socket directory
cluster_dir=${cluster_dir%% *}
work=$(mktemp -d --tmpdir peil-e2e-pg-XXXXXX)
# The sessions that hold a lock for a test (lock_table, the writer_lock
# holder) end with it, also when it fails.
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "$0")/lib.sh"

# Every wait below is for a state, never for a time: on a loaded machine
# (the suite runs beside others, ctest -j) a poll only comes later.  A
# state that never comes fails the test after WAIT_S seconds, far above
# what load causes and below ctest's TIMEOUT (600 s); a session holding a
# lock for a test holds it (pg_sleep) as long as the test may run, and is
# ended by the test.
WAIT_S=300
HOLD_S=600

# until_sql NAME CONDITION [CONNINFO]: wait until the SQL condition holds
# on the cluster (or CONNINFO); fail NAME (status 1) when it has not
# within WAIT_S.
until_sql() {
	local deadline=$((SECONDS + WAIT_S))
	until [ "$(psql "${3:-$conninfo}" -XAtq -c "SELECT $2" 2>/dev/null)" = t ]; do
		[ "$SECONDS" -lt "$deadline" ] || { fail "$1 (not within $WAIT_S s)"; return 1; }
		sleep 0.1
	done
}

# $work/sqlite.ini: the demo config on sqlite; $work/pg.ini the same on
# postgres in schema $1 (the tests share the cluster, not a schema).
demo_configs() {
	"$demo" --out "$work/demo" --from-year 2017 --to-year 2018 --cases-per-year 2000 >/dev/null
	expect_rc "peil-demo" 0 $?
	sed "s|^path = ../var/demo/|path = $work/demo/|; s|^path = ../var/peil.db|path = $work/peil.db|; s|^script_dirs = ../scripts|script_dirs = $src/scripts\nplugin_dirs = $plugins|; s|^reject_dir = .*|reject_dir = $work/rejects|" \
		"$src/conf/peil.ini" >"$work/sqlite.ini"
	pg_config "$1" "conninfo = $conninfo"
}

# $work/pg.ini from sqlite.ini: storage postgres, schema $1, [storage]
# keys $2.  The lock file is named: version 5 (lock_path) is not there yet.
pg_config() {
	sed "s|^storage = sqlite|storage = postgres|; s|^path = $work/peil.db|$2\nschema = $1|; s|^;lock_file = .*|lock_file = $work/pg.lock|" \
		"$work/sqlite.ini" >"$work/pg.ini"
}

test_same_figures() {
	demo_configs same_figures
	"$peil" run --config "$work/sqlite.ini" >"$work/sqlite.out" 2>"$work/sqlite.err"
	expect_rc "peil run on sqlite" 0 $?
	"$peil" run --config "$work/pg.ini" >"$work/pg.out" 2>"$work/pg.err"
	expect_rc "peil run on postgres" 0 $?
	expect_grep "postgres stored every demo row" "$work/pg.err" \
		"$(grep -o 'ingest: 8 files stored ([0-9]* rows)' "$work/sqlite.err")"
	cmp -s "$work/sqlite.out" "$work/pg.out" && ok "the run's report is the same on both stores" ||
		fail "the run's report differs" "$(diff "$work/sqlite.out" "$work/pg.out" | head -10)"
	"$peil" show --config "$work/sqlite.ini" --format csv >"$work/sqlite.csv"
	expect_rc "peil show on sqlite" 0 $?
	"$peil" show --config "$work/pg.ini" --format csv >"$work/pg.csv"
	expect_rc "peil show on postgres" 0 $?
	[ "$(wc -l <"$work/pg.csv")" -gt 1000 ] && ok "show gives the demo's figures ($(wc -l <"$work/pg.csv") lines)" ||
		fail "show gives $(wc -l <"$work/pg.csv") lines"
	cmp -s "$work/sqlite.csv" "$work/pg.csv" && ok "peil show --format csv is byte for byte the same" ||
		fail "peil show differs" "$(diff "$work/sqlite.csv" "$work/pg.csv" | head -10)"
	# Ingested again: nothing new, the same figures from a second run.
	"$peil" run --config "$work/pg.ini" >"$work/pg2.out" 2>"$work/pg2.err"
	expect_rc "a second peil run on postgres" 0 $?
	expect_grep "the second ingest skips every file" "$work/pg2.err" "0 files stored (0 rows), 8 skipped"
	cmp -s "$work/sqlite.out" "$work/pg2.out" && ok "the second run's report is the same" ||
		fail "the second run's report differs" "$(diff "$work/sqlite.out" "$work/pg2.out" | head -10)"
}

# The statistics of table $1 of schema $3 (round_trips when not given),
# "inserted read-by-scans read-through-its-indexes index-scans"
# (pg_stat_user_tables, _indexes), once the inserts of the ingest that
# ended (its backend's statistics arrive when it has gone) are counted:
# at least $2 rows.
table_stats() {
	local stats deadline=$((SECONDS + WAIT_S))
	while :; do
		stats=$(psql -qtAX -F' ' "$conninfo" -c "SELECT n_tup_ins, coalesce(seq_tup_read, 0), (SELECT coalesce(sum(idx_tup_read), 0) || ' ' || coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes i WHERE i.relid = t.relid) FROM pg_stat_user_tables t WHERE schemaname = '${3:-round_trips}' AND relname = '$1'")
		[ "${stats%% *}" -ge "$2" ] 2>/dev/null && break
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.2
	done
	echo "$stats"
}

# peil ingest demo_cases (two files) into schema $1: $rows as the ingest
# tells them (a count(*) would read them), $stats the table_stats of
# ds_cases once they are counted.
ingest_cases() {
	"$peil" ingest --config "$work/pg.ini" demo_cases >/dev/null 2>"$work/err"
	expect_rc "peil ingest demo_cases" 0 $?
	rows=$(sed -n 's/.*ingest: 2 files stored (\([0-9]*\) rows).*/\1/p' "$work/err")
	stats=$(table_stats ds_cases "$rows" "$1")
}

test_round_trips() {
	demo_configs round_trips
	ingest_cases round_trips
	read -r inserted seq_read idx_read _ <<<"$stats"
	[ "${rows:-0}" -gt 3000 ] && [ "$inserted" = "$rows" ] &&
		ok "the ingest stored $rows cases from 2 files" ||
		fail "the ingest stored ${rows:-no} cases from 2 files ($inserted inserted)" "$(cat "$work/err")"
	# New keys go straight in (direct_load); a staged row probes the
	# primary key twice (UPDATE, NOT EXISTS), the UPDATE's after the
	# INSERT: it meets the entry of the row just inserted, which it does
	# not see.
	[ "$seq_read" -eq 0 ] && [ "$idx_read" -le "$rows" ] &&
		ok "storing each file read no stored row of ds_cases" ||
		fail "storing the files read stored rows of ds_cases: $seq_read by a scan, $idx_read through an index"

	log=$cluster_dir/server.log
	from=$(($(wc -l <"$log") + 1))
	PGOPTIONS="-c log_statement=all" "$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "peil run on postgres" 0 $?
	figures=$(psql -qtAX "$conninfo" -c "SELECT count(*) FROM round_trips.peil_result")
	inserts=$(tail -n +"$from" "$log" | grep -c "INSERT INTO peil_result")
	[ "$figures" -gt 1000 ] && [ "$inserts" -eq 1 ] &&
		ok "the run's $figures figures went in with one INSERT" ||
		fail "the run's $figures figures went in with $inserts INSERTs"

	# No statement of Peil's is compiled by JIT, even where the server
	# would compile every one (jit_*_above_cost 0): at 10M rows a cursor
	# of a join's chunk paid 50-90 ms for it.  auto_explain logs each
	# plan with its "JIT:" part when one was compiled.
	from=$(($(wc -l <"$log") + 1))
	PGOPTIONS="-c jit=on -c jit_above_cost=0 -c jit_inline_above_cost=0 -c jit_optimize_above_cost=0 -c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0" \
		"$peil" eval --config "$work/pg.ini" --period 2018 --format csv >/dev/null 2>"$work/err"
	expect_rc "peil eval with JIT on for every statement" 0 $?
	plans=$(tail -n +"$from" "$log" | grep -c "Query Text:")
	jit=$(tail -n +"$from" "$log" | grep -c "JIT:")
	[ "$plans" -gt 10 ] && [ "$jit" -eq 0 ] &&
		ok "none of the eval's $plans statements was compiled by JIT" ||
		fail "$jit of the eval's $plans statements were compiled by JIT"
}

# The cases of schema direct_small as "case_id|team|peil.added", in key
# order.
direct_rows() {
	psql -qtAX "$conninfo" -c "SELECT string_agg(case_id || '|' || team || '|' || \"peil.added\", ' ' ORDER BY case_id) FROM direct_small.ds_cases"
}

# Cases file $1 of the demo's columns, one row "id;team" per argument.
cases_file() {
	local f=$1 row
	shift
	head -1 "$work/demo/export_casussen_2017.csv" >"$f"
	for row in "$@"; do
		echo "${row%;*};${row#*;};Stichting Welzijn Peilstad;WK999902;BU99990201;02-01-2017;06-01-2017;;Huisarts;;;;P204729;02-01-2017" >>"$f"
	done
}

test_direct_load() {
	demo_configs direct_load
	# The demo's cases, two files of new keys: each straight into
	# ds_cases (rows inserted, no index scanned: no staged row probed
	# the key, no UPDATE).
	ingest_cases direct_load
	read -r inserted _ _ scans <<<"$stats"
	[ "${rows:-0}" -gt 3000 ] && [ "$inserted" = "$rows" ] && [ "$scans" = 0 ] &&
		ok "a first load of $rows cases went straight into ds_cases (no index scan)" ||
		fail "a first load of ${rows:-no} cases: $inserted inserted, $scans index scans" "$(cat "$work/err")"
	added=$(psql -qtAX "$conninfo" -c "SELECT string_agg(a || ':' || n, ' ' ORDER BY a) FROM (SELECT \"peil.added\" AS a, count(*) AS n FROM direct_load.ds_cases GROUP BY 1) c; SELECT count(*) FROM direct_load.peil_change")
	[ "$(echo $added)" = "1:$(grep -c '^D2017' "$work/demo/export_casussen_2017.csv") 2:$(grep -c '^D2018' "$work/demo/export_casussen_2018.csv") 0" ] &&
		ok "each row carries its ingest's id, no change logged" ||
		fail "ingest ids or change log after the first load" "$(psql -qtAX "$conninfo" -c "SELECT \"peil.added\", count(*) FROM direct_load.ds_cases GROUP BY 1; SELECT * FROM direct_load.peil_change")"

	# A file that gives a key twice (keep_last), then one that gives a
	# stored key changed, a stored key the same, and a new key twice:
	# the straight COPY is refused by the key, and the file goes through
	# staging (a store of its own, schema direct_small).  Worked out by
	# hand: D1 Zuid (the later row), D2 Noord, both of ingest 1; then D2
	# West changed (logged, added by ingest 1), D1 the same, D3 Noord (the
	# later row) of ingest 2.
	mkdir "$work/small"
	cases_file "$work/small/export_casussen_2017.csv" "D1;Noord" "D2;Noord" "D1;Zuid"
	cases_file "$work/small/export_casussen_2018.csv" "D2;West" "D3;Oost" "D1;Zuid" "D3;Noord"
	sed -i "s|^path = $work/demo/export_casussen_\*.csv|path = $work/small/export_casussen_*.csv\nrepeated_keys = keep_last|; s|^schema = direct_load|schema = direct_small|" "$work/pg.ini"
	"$peil" ingest --config "$work/pg.ini" demo_cases >/dev/null 2>"$work/err"
	expect_rc "peil ingest of keys given twice and stored" 0 $?
	[ "$(direct_rows)" = "D1|Zuid|1 D2|West|1 D3|Noord|2" ] &&
		ok "the later row of a key wins; a stored key is updated" ||
		fail "stored: $(direct_rows)" "expected D1|Zuid|1 D2|West|1 D3|Noord|2; $(cat "$work/err")"
	[ "$(psql -qtAX "$conninfo" -c "SELECT string_agg(ingest_id || ':' || dataset || ':' || key || ':' || kind, ' ') FROM direct_small.peil_change")" = "2:cases:D2:changed" ] &&
		ok "the change log has D2 changed by ingest 2, nothing else" ||
		fail "the change log" "$(psql -qtAX "$conninfo" -c "SELECT * FROM direct_small.peil_change")"

	# A file of 60 000 new cases (more than one COPY's 4 MB) whose last
	# row has a date that does not exist: the rows before it went
	# straight into ds_cases (inserted), and none of them stays.
	for i in $(seq 30); do
		LC_ALL=C awk -F';' -v OFS=';' -v p="X$i" 'NR > 1 { sub(/^D2018/, p); print }' "$work/demo/export_casussen_2018.csv"
	done >"$work/big"
	{ head -1 "$work/demo/export_casussen_2018.csv"; head -60000 "$work/big"; } >"$work/small/export_casussen_2019.csv"
	cases_file "$work/bad" "X99-000001;Noord"
	tail -1 "$work/bad" | sed 's/;02-01-2017;06-01-2017;/;31-02-2019;06-01-2017;/' >>"$work/small/export_casussen_2019.csv"
	read -r before _ <<<"$(table_stats ds_cases 1 direct_small)"
	"$peil" ingest --config "$work/pg.ini" demo_cases >/dev/null 2>"$work/err"
	expect_rc "peil ingest of a file with a bad date at its end" 2 $?
	expect_grep "naming the line" "$work/err" "export_casussen_2019.csv:60002"
	read -r after _ <<<"$(table_stats ds_cases $((before + 30000)) direct_small)"
	[ "$after" -ge $((before + 30000)) ] &&
		ok "more than 30 000 rows of it went straight in ($((after - before)) inserted)" ||
		fail "$((after - before)) rows of the refused file were inserted"
	[ "$(direct_rows)" = "D1|Zuid|1 D2|West|1 D3|Noord|2" ] &&
		ok "nothing of the refused file is stored" ||
		fail "after the refused file: $(psql -qtAX "$conninfo" -c "SELECT count(*) FROM direct_small.ds_cases") rows"
}

test_schema_1_migrates() {
	demo_configs schema_1_migrates
	"$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "peil run on postgres" 0 $?
	psql -q -X -v ON_ERROR_STOP=1 "$conninfo" -c "SET search_path = schema_1_migrates;
		ALTER TABLE peil_run DROP COLUMN confirms, DROP COLUMN build_sha256;
		ALTER TABLE peil_ingest DROP COLUMN file_size,
		    DROP COLUMN file_mtime_ns, DROP COLUMN file_inode;
		DROP TABLE peil_public_figure;
		DROP FUNCTION peil_outside_note() CASCADE;
		ALTER TABLE peil_run DROP COLUMN outside_seen;
		DROP FUNCTION peil_outside_n(); DROP TABLE peil_outside;
		UPDATE peil_meta SET value = '1' WHERE key = 'schema_version'" >/dev/null
	expect_rc "the store made schema version 1" 0 $?
	"$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "peil run on the store of version 1" 0 $?
	# Run 1's build was not kept: run 2 evaluates, run 3 confirms it.
	expect_grep "it evaluates again" "$work/err" "evaluating: Peil is another build than run 1's"
	"$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_grep "then confirms" "$work/err" "run 3: nothing changed since run 2, whose figures it confirms"
	[ "$(psql -qtAX "$conninfo" -c "SELECT value FROM schema_1_migrates.peil_meta WHERE key = 'schema_version'")" = 7 ] &&
		ok "the store is of schema version 7" || fail "the store's schema version is not 7"
	[ "$(psql -qtAX "$conninfo" -c "SELECT to_regclass('schema_1_migrates.peil_public_figure') IS NOT NULL")" = t ] &&
		ok "with the table of public figures" || fail "no peil_public_figure after the migration"
	[ "$(psql -qtAX "$conninfo" -c "SELECT confirms FROM schema_1_migrates.peil_run WHERE id = 3")" = 2 ] &&
		ok "peil_run.confirms of run 3 is 2" || fail "run 3 does not record that it confirms run 2"
}

test_refusals() {
	demo_configs refusals
	pg_config refusals "conninfo = $conninfo password=geheim123"
	"$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	rc=$?
	[ "$rc" -ne 0 ] && ok "a password in conninfo is refused (exit $rc)" || fail "a password in conninfo is accepted"
	expect_grep "the refusal names the key" "$work/err" "conninfo holds a password"
	grep -q geheim123 "$work/err" && fail "the password is in the message" "$(cat "$work/err")" ||
		ok "the password is in no message"

	pg_config refusals "conninfo = host=$cluster_dir dbname"
	"$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	[ $? -ne 0 ] && ok "a conninfo that does not parse is refused" || fail "a bad conninfo is accepted"
	expect_grep "saying it is no connection string" "$work/err" "conninfo is not a libpq connection string"

	pg_config refusals "conninfo = host=$work/nowhere port=54321 dbname=peil"
	"$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "a server that is not there" 4 $?
	expect_grep "names the connection" "$work/err" "postgres: dbname=peil host=$work/nowhere port=54321 schema=refusals: [storage] conninfo: cannot connect: connection to server on socket"

	pg_config never_made "conninfo = $conninfo"
	"$peil" show --config "$work/pg.ini" >/dev/null 2>"$work/err"
	[ $? -ne 0 ] && ok "show on a schema without a store fails" || fail "show on an empty schema passes"
	expect_grep "saying there is no store" "$work/err" "no Peil store here (schema never_made holds no peil_meta)"
}

# ---------------------------------------------------------------- faults

# A cluster of this test's own in $pgdir/c (cluster.sh start), removed at
# exit: $conninfo points at it.  psql_c SQL runs SQL there as its owner.
private_cluster() {
	pgdir=$(mktemp -d --tmpdir peil-pgf-XXXXXX)
	chmod 755 "$pgdir"	# the server runs as postgres when we are root
	trap 'kill $(jobs -p) 2>/dev/null; "$src/tests/pg/cluster.sh" stop "$pgdir/c"; rm -rf "$pgdir" "$work"' EXIT
	"$src/tests/pg/cluster.sh" start "$pgdir/c" || { fail "a private cluster starts"; exit 1; }
	conninfo=$("$src/tests/pg/cluster.sh" conninfo "$pgdir/c")
	owner=${conninfo##*user=}
	cluster_dir=$pgdir/c
}
psql_c() { psql "$conninfo" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
expect_out() { [ "$2" = "$3" ] && ok "$1" || fail "$1" "got: $2" "expected: $3"; }

# Hold a lock of mode $2 on table $1 from a session of its own
# (application_name peil_locker) until unlock; wait until it is held.
lock_table() {
	PGAPPNAME=peil_locker psql "$conninfo" -XAtq -c "BEGIN; LOCK TABLE $1 IN $2 MODE; SELECT pg_sleep($HOLD_S)" >/dev/null 2>&1 &
	locker=$!
	until_sql "the lock on $1 is taken" "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'peil_locker' AND wait_event = 'PgSleep')"
}
# Its lock is let go when its server process has ended, which may be
# after psql has: wait until it is gone.
unlock() {
	psql_c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'peil_locker'" >/dev/null
	wait "$locker" 2>/dev/null
	until_sql "the locker's server process ends" "NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'peil_locker')"
}
# Wait until a backend of Peil's waits for a lock in a statement that
# starts with $1; its pid in $waiting.
wait_for_peil() {
	local which="wait_event_type = 'Lock' AND application_name <> 'peil_locker' AND query LIKE '$1%'"
	until_sql "Peil waits in '$1'" "EXISTS (SELECT 1 FROM pg_stat_activity WHERE $which)" || exit 1
	waiting=$(psql_c "SELECT pid FROM pg_stat_activity WHERE $which")
}
# The rows of each dataset table of schema $1 that has any:
# "ds_cases=4095 ds_persons=5706".
ds_counts() {
	psql_c "SELECT string_agg(t || '=' || n, ' ' ORDER BY t) FROM (SELECT relname AS t, (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM $1.' || relname, false, true, '')))[1]::text::bigint AS n FROM pg_class WHERE relnamespace = '$1'::regnamespace AND relkind = 'r' AND relname LIKE 'ds\_%') c WHERE n > 0"
}

test_lost_ingest() {
	private_cluster
	demo_configs lost
	# The store and one file first, so that the lock below has a table.
	"$peil" ingest --config "$work/pg.ini" demo_persons >/dev/null 2>"$work/err"
	expect_rc "the first ingest (demo_persons)" 0 $?
	persons=$(($(wc -l <"$work/demo/export_personen.csv") - 1))
	before=$(ds_counts lost)
	[ "$before" = "ds_persons=$persons" ] && ok "persons stored ($before)" || fail "after the first ingest: $before" "expected ds_persons=$persons"
	# The next file's rows are in the transaction when its ingest log
	# entry waits for the lock; then its connection ends.
	lock_table lost.peil_ingest EXCLUSIVE	# reading it is let through
	"$peil" ingest --config "$work/pg.ini" >"$work/out" 2>"$work/err" &
	ingest=$!
	wait_for_peil "INSERT INTO peil_ingest"
	psql_c "SELECT pg_terminate_backend($waiting)" >/dev/null
	wait $ingest
	expect_rc "an ingest whose connection ends" 4 $?
	expect_grep "saying the connection is lost" "$work/err" "the connection to the server is lost"
	expect_grep "naming the store and the cause, in one line" "$work/err" \
		"postgres: user=$owner dbname=peil host=$cluster_dir port=54321 schema=lost: cannot write the ingest log: the connection to the server is lost: FATAL:  terminating connection due to administrator command"
	[ "$(grep -c . "$work/err")" = 3 ] && ok "three lines: the cause, the file, the counts" ||
		fail "the ingest says $(grep -c . "$work/err") lines" "$(cat "$work/err")"
	expect_grep "naming the file" "$work/err" "export_casussen_2017.csv: nothing of this file was stored"
	unlock
	"$src/tests/pg/cluster.sh" ctl "$pgdir/c" -m immediate restart >/dev/null
	expect_rc "an immediate stop and a start" 0 $?
	after=$(ds_counts lost)
	[ "$after" = "$before" ] && ok "nothing of the file is stored ($after)" || fail "after the lost ingest: $after" "expected $before"
	[ "$(psql_c "SELECT count(*) FROM lost.peil_ingest")" = 1 ] && ok "the ingest log has only the first file" ||
		fail "the ingest log has $(psql_c "SELECT count(*) FROM lost.peil_ingest") entries"
	"$peil" ingest --config "$work/pg.ini" >"$work/out" 2>"$work/err"
	expect_rc "the next ingest" 0 $?
	expect_grep "stores the other files" "$work/err" "7 files stored"
	cases=$(($(cat "$work/demo"/export_casussen_*.csv | wc -l) - 2))
	[ "$(psql_c "SELECT count(*) FROM lost.ds_cases")" = "$cases" ] && ok "every case is stored ($cases)" ||
		fail "$(psql_c "SELECT count(*) FROM lost.ds_cases") cases stored, expected $cases"
}

test_bad_login() {
	private_cluster
	demo_configs login
	pg_config login "conninfo = host=$cluster_dir port=54329 dbname=peil"
	"$peil" run --config "$work/pg.ini" >"$work/out" 2>"$work/err"
	expect_rc "a refused connection (no server on the port)" 4 $?
	expect_grep "names the connection" "$work/err" "postgres: dbname=peil host=$cluster_dir port=54329 schema=login: [storage] conninfo: cannot connect: connection to server on socket \"$cluster_dir/.s.PGSQL.54329\" failed"

	# A role that logs in with a password; ~/.pgpass (PGPASSFILE) holds a
	# wrong one.
	psql_c "CREATE ROLE gemeente_a LOGIN PASSWORD 'Juist-7731'"
	{ echo "local all gemeente_a scram-sha-256"; cat "$cluster_dir/data/pg_hba.conf"; } >"$work/hba"
	cat "$work/hba" >"$cluster_dir/data/pg_hba.conf"
	"$src/tests/pg/cluster.sh" ctl "$pgdir/c" reload >/dev/null
	echo "*:*:*:gemeente_a:Fout-4412" >"$work/pgpass"
	chmod 600 "$work/pgpass"
	pg_config login "conninfo = host=$cluster_dir port=54321 dbname=peil user=gemeente_a"
	PGPASSFILE=$work/pgpass "$peil" run --config "$work/pg.ini" >"$work/out" 2>"$work/err"
	expect_rc "a wrong password" 4 $?
	expect_grep "names the connection and the cause" "$work/err" "postgres: user=gemeente_a dbname=peil host=$cluster_dir port=54321 schema=login: [storage] conninfo: cannot connect: connection to server on socket \"$cluster_dir/.s.PGSQL.54321\" failed: FATAL:  password authentication failed for user \"gemeente_a\""
	PGPASSFILE=$work/pgpass "$peil" run --config "$work/pg.ini" --verbose >>"$work/out" 2>>"$work/err"
	if grep -e Fout-4412 -e Juist-7731 "$work/out" "$work/err" "$cluster_dir/server.log"; then
		fail "a password is in an output or the server's log"
	else
		ok "neither password is in stdout, stderr (also --verbose) or the server's log"
	fi
}

test_timeout() {
	demo_configs timeout
	"$peil" ingest --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "the ingest" 0 $?
	# Evaluation reads ds_cases, which another session holds locked
	# longer than the statement timeout of 2 s.
	lock_table timeout.ds_cases "ACCESS EXCLUSIVE"
	pg_config timeout "conninfo = $conninfo options='-c statement_timeout=2000'"
	"$peil" run --config "$work/pg.ini" >"$work/out" 2>"$work/err"
	expect_rc "a run whose evaluation times out" 4 $?
	expect_grep "saying so" "$work/err" "canceling statement due to statement timeout"
	expect_grep "naming the store with its options" "$work/err" "options=-c statement_timeout=2000 schema=timeout"
	[ ! -s "$work/out" ] && ok "no report on stdout" || fail "a report on stdout" "$(head -5 "$work/out")"
	unlock
	# The rest without the timeout: on a loaded machine any statement may
	# take 2 s, and what is checked now is the store after the run.
	pg_config timeout "conninfo = $conninfo"
	"$peil" show --config "$work/pg.ini" --format csv >"$work/show" 2>"$work/err"
	rc=$?
	[ "$rc" -ne 0 ] && [ ! -s "$work/show" ] && ok "show gives no figures (exit $rc)" ||
		fail "show gives figures after the run that timed out" "$(head -3 "$work/show")"
	"$peil" runs --config "$work/pg.ini" >"$work/runs" 2>&1
	grep -q '^Run 1  run .*  failed$' "$work/runs" && ok "the run is recorded as failed" ||
		fail "the run is not recorded as failed" "$(head -1 "$work/runs")"
	"$peil" run --config "$work/pg.ini" >"$work/out" 2>"$work/err"
	expect_rc "the run again, no lock" 0 $?
}

test_restart() {
	private_cluster
	demo_configs restart
	"$peil" run --config "$work/sqlite.ini" >"$work/sqlite.out" 2>/dev/null
	expect_rc "the run on sqlite" 0 $?
	"$peil" ingest --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "the ingest" 0 $?
	# The run's ingest has nothing new; its evaluation waits for ds_cases
	# when the server restarts.
	lock_table restart.ds_cases "ACCESS EXCLUSIVE"
	"$peil" run --config "$work/pg.ini" >"$work/out" 2>"$work/err" &
	run=$!
	wait_for_peil "DECLARE"
	"$src/tests/pg/cluster.sh" ctl "$pgdir/c" -m fast restart >/dev/null
	expect_rc "the server restarts" 0 $?
	wait $run
	expect_rc "the run that lost its server" 4 $?
	expect_grep "saying the connection is lost" "$work/err" "the connection to the server is lost"
	[ ! -s "$work/out" ] && ok "no report on stdout" || fail "a report on stdout" "$(head -5 "$work/out")"
	"$peil" show --config "$work/pg.ini" --format csv >"$work/show" 2>"$work/err"
	rc=$?
	[ "$rc" -ne 0 ] && [ ! -s "$work/show" ] && ok "show gives no figures (exit $rc)" ||
		fail "show gives figures of the run that lost its server" "$(head -3 "$work/show")"
	"$peil" runs --config "$work/pg.ini" >"$work/runs" 2>&1
	grep -q '^Run 1  run .*  ok$' "$work/runs" && fail "the run is recorded as ok" "$(head -1 "$work/runs")" ||
		ok "the run is not recorded as ok ($(head -1 "$work/runs" | sed 's/.*  //'))"
	# Its record still says running (nothing has closed it yet); no peil
	# holds the run lock, so peil runs calls it killed, as peil status.
	grep -q '^Run 1  run .*  killed$' "$work/runs" && ok "peil runs shows it killed (never ended, no peil holds the lock)" ||
		fail "run 1 is not shown killed" "$(head -1 "$work/runs")"
	"$peil" run --config "$work/pg.ini" >"$work/out" 2>"$work/err"
	expect_rc "the next run" 0 $?
	cmp -s "$work/sqlite.out" "$work/out" && ok "its report is the one on sqlite" ||
		fail "the report differs from sqlite's" "$(diff "$work/sqlite.out" "$work/out" | head -10)"
	# The next run holds the store's lock: no peil is under way, so run
	# 1, still running, is dead.
	expect_grep "it records the run left running as failed" "$work/err" \
		"run 1 was left running by a peil that ended without recording its end (no peil holds the store's lock): recorded as failed"
	"$peil" runs --config "$work/pg.ini" >"$work/runs" 2>&1
	grep -q '^Run 1  run .*  failed$' "$work/runs" && ok "peil runs shows run 1 failed" ||
		fail "run 1 is not failed" "$(grep '^Run 1 ' "$work/runs")"
	grep -q '^Run 2  run .*  ok$' "$work/runs" && ok "and run 2 ok" ||
		fail "run 2 is not ok" "$(grep '^Run 2 ' "$work/runs")"
}

# peil $1 on $work/pg.ini exits 4 (the store does not open), saying $4;
# stdout and stderr are kept in $work/out and $work/said:
#   refused COMMAND NAME WHAT TEXT
refused() {
	"$peil" "$1" --config "$work/pg.ini" >>"$work/out" 2>"$work/err"
	expect_rc "$2" 4 $?
	cat "$work/err" >>"$work/said"
	expect_grep "$3" "$work/err" "$4"
}

test_bad_store() {
	private_cluster
	demo_configs bad
	pg_config bad "conninfo = host=$cluster_dir password=Geheim-991 dbname"
	refused run "a conninfo that does not parse" "named, with libpq's reason" \
		"pg.ini:21: key 'conninfo': conninfo is not a libpq connection string: missing \"=\" after \"dbname\" in connection info string"
	pg_config bad "conninfo = postgresql://peil:Geheim-991@/peil?nope=1"
	refused run "a URI that does not parse" "named, with libpq's reason" \
		"conninfo is not a libpq connection string: invalid URI query parameter: \"nope\""
	grep -q Geheim-991 "$work/out" "$work/said" && fail "the password is echoed" "$(cat "$work/said")" ||
		ok "the password is in no message"

	pg_config bad "conninfo = $conninfo"
	"$peil" ingest --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "the ingest" 0 $?

	# A table changed by hand.
	psql_c "ALTER TABLE bad.ds_cases ALTER COLUMN registered TYPE text"
	refused run "a run on a table changed by hand" "naming the field and what differs" \
		"schema=bad: dataset cases: field registered is stored as text, not date"
	psql_c "ALTER TABLE bad.ds_cases ALTER COLUMN registered TYPE date USING registered::date; ALTER TABLE bad.ds_cases ADD COLUMN opmerking xml"
	refused run "a run on a table with a column added by hand" "naming the column and its type" \
		"schema=bad: dataset cases: column opmerking is of type xml, which Peil never makes (was the table changed by hand?)"
	psql_c "ALTER TABLE bad.ds_cases DROP COLUMN opmerking"

	# A role that may log in, and nothing more.
	psql_c "CREATE ROLE gemeente_b LOGIN"
	pg_config newstore "conninfo = $conninfo user=gemeente_b"
	refused ingest "a role without CREATE on the database" "names the right" \
		"schema=newstore: role gemeente_b lacks the right CREATE on database peil, which creating the schema needs (GRANT CREATE ON database peil TO gemeente_b)"
	pg_config bad "conninfo = $conninfo user=gemeente_b"
	refused show "a role without USAGE on the schema" "names the right" \
		"schema=bad: role gemeente_b lacks the right USAGE on schema bad"
	psql_c "GRANT USAGE ON SCHEMA bad TO gemeente_b"
	refused show "a role without SELECT on the tables" "names the right" \
		"schema=bad: role gemeente_b lacks the right SELECT on table bad.ds_"
	psql_c "GRANT SELECT ON ALL TABLES IN SCHEMA bad TO gemeente_b"
	refused ingest "an ingest of a role that may only read" "names the right" \
		"schema=bad: role gemeente_b lacks the right CREATE on schema bad"

	# A schema of another program's tables: Peil's were added to them,
	# exit 0.  Now refused, and the schema left as it was.
	psql_c "CREATE SCHEMA app; CREATE TABLE app.klant (id int)"
	pg_config app "conninfo = $conninfo"
	refused ingest "an ingest into a schema of another program's tables" "naming the schema and a table" \
		"schema=app: schema app holds tables (such as 'klant') but no peil_meta: not a Peil store, and Peil does not write into it"
	expect_out "nothing of Peil's is added to it" \
		"$(psql_c "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'app'")" klant

	# A store of a newer Peil.
	version=$(psql_c "SELECT value FROM bad.peil_meta WHERE key = 'schema_version'")
	psql_c "UPDATE bad.peil_meta SET value = '$((version + 1))' WHERE key = 'schema_version'"
	pg_config bad "conninfo = $conninfo"
	"$peil" run --config "$work/pg.ini" >"$work/out" 2>"$work/err"
	expect_rc "a store of a newer Peil" 4 $?
	expect_grep "naming both versions" "$work/err" "schema=bad: the store has schema version $((version + 1)), written by a newer Peil; this one knows up to $version"
}

# ---------------------------------------------------------------- tenants

# $work/$1.ini: the demo of tenant $1 (peil-demo --seed $2, cases a
# snapshot) on sqlite ($1-sqlite.ini) and on the shared store in schema
# ${5:-regio} as role ${4:-tn}_$1 ($1.ini, [storage] tenant = gm_$1).
tenant_configs() {
	"$demo" --out "$work/demo_$1" --seed "$2" --from-year 2017 --to-year 2018 --cases-per-year "$3" >/dev/null
	expect_rc "peil-demo of tenant $1" 0 $?
	# The first source, the cases, as a snapshot; one KPI public.
	sed "s|^path = ../var/demo/|path = $work/demo_$1/|; s|^path = ../var/peil.db|path = $work/$1.db|; s|^script_dirs = ../scripts|script_dirs = $src/scripts\nplugin_dirs = $plugins|; s|^reject_dir = .*|reject_dir = $work/rejects_$1|; 0,/^mode = increment/s//mode = snapshot/" \
		"$src/conf/peil.ini" >"$work/$1-sqlite.ini"
	printf '\n[kpi casussen_gestart]\nvisibility = public\n' >>"$work/$1-sqlite.ini"
	sed "s|^storage = sqlite|storage = postgres|; s|^path = $work/$1.db|conninfo = $conninfo user=${4:-tn}_$1\nschema = ${5:-regio}\ntenant = gm_$1|; s|^;lock_file = .*|lock_file = $work/$1.lock|" \
		"$work/$1-sqlite.ini" >"$work/$1.ini"
}
psql_as() { psql "$conninfo user=$1" -XAtq -v ON_ERROR_STOP=1 -c "$2" 2>&1; }

test_tenants() {
	private_cluster
	tenant_configs a 7 2000
	tenant_configs b 11 1500
	sed "s|user=tn_a|user=tn_admin|" "$work/a.ini" >"$work/admin.ini"
	psql_c "CREATE ROLE tn_admin LOGIN; CREATE ROLE tn_a LOGIN; CREATE ROLE tn_b LOGIN; CREATE ROLE tn_c LOGIN; CREATE ROLE tn_dash LOGIN; CREATE SCHEMA regio AUTHORIZATION tn_admin"

	# The owner makes the store and the datasets' tables, and maps roles.
	"$peil" check --config "$work/admin.ini" >"$work/out" 2>"$work/err"
	expect_rc "peil check as the schema's owner" 0 $?
	[ "$(psql_c "SELECT value FROM regio.peil_meta WHERE key = 'schema_version'")" = 7 ] &&
		ok "peil check as the schema's owner made a shared store of version 7" || fail "no shared store" "$(cat "$work/err")"
	[ "$(psql_c "SELECT count(*) FROM pg_class WHERE relnamespace = 'regio'::regnamespace AND relkind = 'r' AND relname LIKE 'ds\_%' AND relrowsecurity AND relforcerowsecurity AND relowner = 'tn_admin'::regrole")" = 11 ] &&
		ok "the 11 datasets' tables are the owner's, with row-level security forced" ||
		fail "the datasets' tables" "$(psql_c "SELECT relname, relrowsecurity, relforcerowsecurity, relowner::regrole FROM pg_class WHERE relnamespace = 'regio'::regnamespace AND relkind = 'r'")"
	psql_as tn_admin "SET search_path = regio;
		GRANT USAGE ON SCHEMA regio TO tn_a, tn_b, tn_c, tn_dash;
		GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA regio TO tn_a, tn_b, tn_c;
		REVOKE INSERT, UPDATE, DELETE ON peil_meta, peil_tenant, peil_public_figures FROM tn_a, tn_b, tn_c;
		GRANT SELECT ON peil_tenant, peil_public_figures TO tn_dash;
		INSERT INTO peil_tenant VALUES ('tn_a', 'gm_a'), ('tn_b', 'gm_b'), ('tn_dash', NULL)" >/dev/null
	expect_rc "the owner grants and maps" 0 $?
	"$peil" ingest --config "$work/admin.ini" >/dev/null 2>"$work/err"
	expect_rc "an ingest as the owner" 4 $?
	expect_grep "is refused: the owner stores no rows" "$work/err" "this role owns the shared store and is no tenant"

	# B first, then A: A's snapshot of the cases must leave B's alone.
	"$peil" run --config "$work/b.ini" >"$work/b.out" 2>"$work/b.err"
	expect_rc "peil run as tenant b" 0 $?
	b_cases=$(psql_c "SELECT count(*) FROM regio.ds_cases WHERE \"peil.tenant\" = 'gm_b'")
	# A's first load of its cases (two files, each a snapshot), B's of the
	# same keys there: staged (row-level security lets no COPY into the
	# table), then one plain INSERT a file, which the primary key, B's
	# rows in it, does not refuse, not the UPDATE and INSERT ... WHERE NOT
	# EXISTS that probe the key per row (the statements in the private
	# cluster's log).
	read -r ins _ <<<"$(table_stats ds_cases 1 regio)"
	from=$(($(wc -l <"$cluster_dir/server.log") + 1))
	psql_c "ALTER ROLE tn_a SET log_statement = 'all'"
	"$peil" ingest --config "$work/a.ini" demo_cases >/dev/null 2>"$work/a.err"
	expect_rc "peil ingest of A's cases" 0 $?
	psql_c "ALTER ROLE tn_a RESET log_statement"
	a_rows=$(sed -n 's/.*ingest: 2 files stored (\([0-9]*\) rows).*/\1/p' "$work/a.err")
	read -r ins_after _ <<<"$(table_stats ds_cases $((ins + ${a_rows:-1})) regio)"
	moved=$(tail -n +"$from" "$cluster_dir/server.log" | grep -c 'INSERT INTO "ds_cases"')
	probed=$(tail -n +"$from" "$cluster_dir/server.log" | grep 'INSERT INTO "ds_cases"' | grep -c 'NOT EXISTS')
	[ "${a_rows:-0}" -gt 1000 ] && [ $((ins_after - ins)) = "$a_rows" ] && [ "$moved $probed" = "2 0" ] &&
		ok "A's first load of $a_rows cases beside B's: one plain INSERT a file" ||
		fail "A's first load of ${a_rows:-no} cases: $((ins_after - ins)) inserted by $moved INSERTs, $probed of them probing" "$(cat "$work/a.err")"
	"$peil" run --config "$work/a.ini" >"$work/a.out" 2>"$work/a.err"
	expect_rc "peil run as tenant a" 0 $?
	[ "$(psql_c "SELECT count(*) FROM regio.ds_cases WHERE \"peil.tenant\" = 'gm_b'")" = "$b_cases" ] && [ "$b_cases" -gt 1000 ] &&
		ok "A's snapshot of the cases left B's $b_cases cases" || fail "B's cases: $b_cases before, $(psql_c "SELECT count(*) FROM regio.ds_cases WHERE \"peil.tenant\" = 'gm_b'") after"
	[ "$(psql_c "SELECT count(*) FROM regio.ds_cases a JOIN regio.ds_cases b USING (case_id) WHERE a.\"peil.tenant\" = 'gm_a' AND b.\"peil.tenant\" = 'gm_b'")" -gt 0 ] &&
		ok "A and B have cases of the same key" || fail "no key in both tenants: the test proves less"

	# Each tenant's figures are those of a store of its own.
	for t in a b; do
		"$peil" run --config "$work/$t-sqlite.ini" >"$work/$t-sqlite.out" 2>/dev/null
		expect_rc "peil run of $t on sqlite" 0 $?
		cmp -s "$work/$t-sqlite.out" "$work/$t.out" && ok "the run's report of $t is that of sqlite" ||
			fail "the run's report of $t differs" "$(diff "$work/$t-sqlite.out" "$work/$t.out" | head -10)"
		"$peil" show --config "$work/$t-sqlite.ini" --format csv >"$work/$t-sqlite.csv" 2>/dev/null
		"$peil" show --config "$work/$t.ini" --format csv >"$work/$t.csv" 2>"$work/err"
		expect_rc "peil show as tenant $t" 0 $?
		[ "$(wc -l <"$work/$t.csv")" -gt 1000 ] && cmp -s "$work/$t-sqlite.csv" "$work/$t.csv" &&
			ok "peil show --format csv of $t is byte for byte that of sqlite ($(wc -l <"$work/$t.csv") lines)" ||
			fail "peil show of $t differs" "$(diff "$work/$t-sqlite.csv" "$work/$t.csv" | head -10)"
	done
	cmp -s "$work/a.csv" "$work/b.csv" && fail "A's and B's figures are the same: the test proves nothing" ||
		ok "A's and B's figures differ"
	"$peil" runs --config "$work/a.ini" >"$work/runs" 2>&1
	[ "$(grep -c '^ *[0-9]' "$work/runs")" = 1 ] && ok "peil runs as A lists one run" ||
		fail "peil runs as A" "$(cat "$work/runs")"

	# Plain SQL as A: B's rows are not there for it.
	sql_a() { psql_as tn_a "SET search_path = regio; $1"; }
	expect_out "A reads none of B's cases" "$(sql_a "SELECT count(*) FROM ds_cases WHERE \"peil.tenant\" = 'gm_b'")" 0
	expect_out "A reads its own cases" "$(sql_a "SELECT count(*) FROM ds_cases")" \
		"$(psql_c "SELECT count(*) FROM regio.ds_cases WHERE \"peil.tenant\" = 'gm_a'")"
	expect_out "A reads none of B's figures" "$(sql_a "SELECT count(*) FROM peil_result WHERE \"peil.tenant\" <> 'gm_a'")" 0
	expect_out "A changes none of B's cases" "$(psql "$conninfo user=tn_a" -XA -c "UPDATE regio.ds_cases SET case_id = case_id WHERE \"peil.tenant\" = 'gm_b'" 2>&1)" "UPDATE 0"
	expect_out "A deletes none of B's figures" "$(psql "$conninfo user=tn_a" -XA -c "DELETE FROM regio.peil_result WHERE \"peil.tenant\" = 'gm_b'" 2>&1)" "DELETE 0"
	expect_out "A adds no row of B" "$(sql_a "INSERT INTO peil_change VALUES (1, 'cases', 'x', 'added', 'gm_b')" | sed 's/^ERROR: *//')" \
		'new row violates row-level security policy for table "peil_change"'
	expect_out "A moves no row of its own to B" "$(sql_a "UPDATE peil_run SET \"peil.tenant\" = 'gm_b'" | sed 's/^ERROR: *//')" \
		'new row violates row-level security policy for table "peil_run"'
	expect_out "SET peil.tenant does not help" "$(sql_a "SET peil.tenant = 'gm_b'; SELECT count(*) FROM ds_cases WHERE \"peil.tenant\" = 'gm_b'")" 0
	expect_out "A cannot become B" "$(sql_a "SET ROLE tn_b" | sed 's/^ERROR: *//')" 'permission denied to set role "tn_b"'
	expect_out "A cannot map itself to B" "$(sql_a "UPDATE peil_tenant SET tenant = 'gm_b'" | sed 's/^ERROR: *//')" 'permission denied for table peil_tenant'
	expect_out "A cannot turn the policy off" "$(sql_a "ALTER TABLE ds_cases NO FORCE ROW LEVEL SECURITY" | sed 's/^ERROR: *//')" 'must be owner of table ds_cases'

	"$peil" backup --config "$work/a.ini" "$work/a.dump" >/dev/null 2>"$work/err"
	expect_rc "peil backup as A" 4 $?
	expect_grep "names who copies a shared store" "$work/err" "take a consistent copy with pg_dump --format=custom --schema=regio --file=$work/a.dump and a superuser or BYPASSRLS role: the store is shared by municipalities"

	refused_as() { # refused_as NAME CONFIG TEXT
		"$peil" show --config "$2" >/dev/null 2>"$work/err"
		expect_rc "$1" 4 $?
		expect_grep "$1: says why" "$work/err" "$3"
	}
	# New datasets and fields are the owner's to make.
	cp "$work/a.ini" "$work/a-new.ini"
	printf '\n[dataset wijken]\nfield.wijk = text key\n' >>"$work/a-new.ini"
	refused_as "a new dataset as A" "$work/a-new.ini" "dataset wijken: cannot create the dataset's table (in a shared store the store's owner does: peil check as the owner): permission denied for schema regio"
	sed "s|^field.birth_year = integer|&\nfield.birth_place = text|" "$work/a.ini" >"$work/a-new.ini"
	refused_as "a new field as A" "$work/a-new.ini" "dataset persons, field birth_place: cannot add the field (in a shared store the store's owner does: peil check as the owner): must be owner of table ds_persons"
	sed "s|user=tn_a|user=tn_admin|" "$work/a-new.ini" >"$work/admin-new.ini"
	"$peil" check --config "$work/admin-new.ini" >/dev/null 2>&1
	expect_rc "the owner adds the field (peil check)" 0 $?
	"$peil" show --config "$work/a-new.ini" >/dev/null 2>"$work/err"
	expect_rc "then A's peil show with the new field" 0 $?

	# Who may not be a tenant.
	sed "s|user=tn_a|user=tn_c|" "$work/a.ini" >"$work/c.ini"
	refused_as "a role of no tenant" "$work/c.ini" "role tn_c is no tenant of the shared store in schema regio: its owner maps it (INSERT INTO regio.peil_tenant VALUES ('tn_c', 'gm_a'))"
	sed "s|^tenant = gm_a|tenant = gm_b|" "$work/a.ini" >"$work/ab.ini"
	refused_as "A saying it is B" "$work/ab.ini" "role tn_a is the tenant gm_a of this store, not gm_b ([storage] tenant)"
	owner=${conninfo##*user=}
	psql_c "INSERT INTO regio.peil_tenant VALUES ('$owner', 'gm_a')"
	sed "s| user=tn_a||" "$work/a.ini" >"$work/super.ini"
	refused_as "a superuser as a tenant" "$work/super.ini" "role $owner bypasses row-level security (superuser or BYPASSRLS) and would see every tenant's rows"
	sed "/^tenant = /d" "$work/a.ini" >"$work/none.ini"
	refused_as "no tenant on a shared store" "$work/none.ini" "schema regio holds a store shared by municipalities: set [storage] tenant to this one's"
	sed "s|^schema = regio|schema = single|" "$work/super.ini" >"$work/single.ini"
	sed "/^tenant = /d" "$work/single.ini" >"$work/single-make.ini"
	"$peil" ingest --config "$work/single-make.ini" >/dev/null 2>&1
	expect_rc "a store of one municipality in schema single" 0 $?
	refused_as "a tenant on the store of one" "$work/single.ini" "[storage] tenant is set, but schema single holds the store of one municipality"

	# The dashboard: the published figures of public KPIs, nothing else.
	"$peil" eval --config "$work/a.ini" --period 2018 >/dev/null 2>&1
	expect_rc "an evaluation as A (kind eval, never published)" 0 $?
	public=$(psql_c "SELECT count(*) FROM regio.peil_result r JOIN regio.peil_run u ON u.\"peil.tenant\" = r.\"peil.tenant\" AND u.id = r.run_id WHERE u.kind = 'run' AND r.kpi = 'casussen_gestart'")
	[ "$public" -gt 0 ] && ok "the published runs hold $public figures of casussen_gestart" || fail "no public figures"
	expect_out "the dashboard sees those, of both tenants" \
		"$(psql_as tn_dash "SELECT count(*), string_agg(DISTINCT kpi, ','), string_agg(DISTINCT tenant, ',' ORDER BY tenant) FROM regio.peil_public_figures")" \
		"$public|casussen_gestart|gm_a,gm_b"
	expect_out "the dashboard reads no dataset" "$(psql_as tn_dash "SELECT count(*) FROM regio.ds_cases" | sed 's/^ERROR: *//')" 'permission denied for table ds_cases'
	expect_out "the dashboard reads no figures but through the view" "$(psql_as tn_dash "SELECT count(*) FROM regio.peil_result" | sed 's/^ERROR: *//')" 'permission denied for table peil_result'
	expect_out "A sees its own public figures in the view" "$(sql_a "SELECT count(DISTINCT tenant) FROM peil_public_figures")" 1
}

# ------------------------------------------------------ readers, writers

# A primary ($conninfo, private_cluster) and its hot standby ($replica),
# both removed at exit.  psql_r SQL runs SQL on the standby.
primary_and_standby() {
	private_cluster
	trap '"$src/tests/pg/cluster.sh" stop "$pgdir/r"; "$src/tests/pg/cluster.sh" stop "$pgdir/c"; rm -rf "$pgdir" "$work"' EXIT
	"$src/tests/pg/cluster.sh" replica "$pgdir/r" "$pgdir/c" || { fail "a hot standby starts"; exit 1; }
	replica=$("$src/tests/pg/cluster.sh" conninfo "$pgdir/r")
}
psql_r() { psql "$replica" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
# Wait until the standby's SQL condition $2 holds; else fail $1,
# showing the standby's replay.
standby_until() {
	until_sql "$1" "$2" "$replica" && return
	echo "  pause state|received|applied: $(psql_r "SELECT pg_get_wal_replay_pause_state(),
		pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()")"
}
# The end of the WAL the primary has inserted.  Not pg_current_wal_lsn(),
# what it has written: the test clusters commit asynchronously
# (synchronous_commit = off), so the commit of a peil that has just
# exited may still be only in the WAL buffers.
primary_lsn() { psql_c "SELECT pg_current_wal_insert_lsn()"; }
# Wait until the standby has applied everything the primary wrote.
caught_up() {
	standby_until "the standby catches up" "pg_last_wal_replay_lsn() >= '$(primary_lsn)'"
}

test_standby() {
	primary_and_standby
	demo_configs standby
	"$peil" run --config "$work/pg.ini" >"$work/primary.out" 2>"$work/err"
	expect_rc "peil run on the primary" 0 $?
	"$peil" show --config "$work/pg.ini" --format csv >"$work/primary.csv" 2>"$work/err"
	"$peil" report --config "$work/pg.ini" --period 2018 >"$work/primary.txt" 2>"$work/err"
	expect_rc "peil report on the primary" 0 $?
	caught_up
	# The reader's only server is the standby: conninfo goes nowhere.
	pg_config standby "conninfo = host=$work/nowhere port=54321 dbname=peil\nread_conninfo = $replica"
	mv "$work/pg.ini" "$work/reader.ini"
	"$peil" show --config "$work/reader.ini" --format csv >"$work/standby.csv" 2>"$work/err"
	expect_rc "peil show on the standby" 0 $?
	[ "$(wc -l <"$work/standby.csv")" -gt 1000 ] && cmp -s "$work/primary.csv" "$work/standby.csv" &&
		ok "the standby shows the primary's figures byte for byte ($(wc -l <"$work/standby.csv") lines)" ||
		fail "the standby's figures differ" "$(diff "$work/primary.csv" "$work/standby.csv" | head -5)"
	# The primary that the reader asks how far it had written is not
	# there: it says so, as the only thing it says.
	expect_grep "it warns that it could not ask the primary" "$work/err" \
		"peil: warning: postgres: user=$owner dbname=peil host=$pgdir/r port=54321 schema=standby: could not ask the primary (dbname=peil host=$work/nowhere port=54321) how far it had written: connection to server on socket \"$work/nowhere/.s.PGSQL.54321\" failed: No such file or directory; waiting only for what the standby has received, so the figures here may lack the latest run"
	[ "$(wc -l <"$work/err")" = 1 ] && ok "and says nothing else" || fail "show on a standby that is up to date says more" "$(cat "$work/err")"
	"$peil" report --config "$work/reader.ini" --period 2018 >"$work/standby.txt" 2>"$work/err"
	expect_rc "peil report on the standby" 0 $?
	cmp -s "$work/primary.txt" "$work/standby.txt" && ok "its report is the primary's byte for byte" ||
		fail "the standby's report differs" "$(diff "$work/primary.txt" "$work/standby.txt" | head -5)"
	"$peil" runs --config "$work/reader.ini" >/dev/null 2>"$work/err"
	expect_rc "peil runs on the standby" 0 $?

	# A report written from the standby is recorded on the primary.
	pg_config standby "conninfo = $conninfo\nread_conninfo = $replica"
	mv "$work/pg.ini" "$work/reader.ini"
	"$peil" report --config "$work/reader.ini" --period 2018 -o "$work/verslag.html" 2>"$work/err"
	expect_rc "peil report -o on the standby" 0 $?
	[ "$(psql_c "SELECT count(*) FROM standby.peil_report WHERE path LIKE '%verslag.html'")" = 1 ] &&
		ok "the report is recorded on the primary" || fail "the report is not recorded" "$(cat "$work/err")"

	# A writer on the standby.
	pg_config standby "conninfo = $replica"
	"$peil" ingest --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "peil ingest on the standby" 4 $?
	expect_grep "refused, naming the store" "$work/err" \
		"postgres: user=$owner dbname=peil host=$pgdir/r port=54321 schema=standby: the server is a hot standby, which cannot be written"
	# A reader whose "primary" is the standby too: it reads, saying so.
	pg_config standby "conninfo = $replica\nread_conninfo = $replica"
	"$peil" show --config "$work/pg.ini" --format csv >"$work/out" 2>"$work/err"
	expect_rc "peil show with the standby as its primary too" 0 $?
	expect_grep "warning that the primary is a standby" "$work/err" \
		"could not ask the primary (user=$owner dbname=peil host=$pgdir/r port=54321) how far it had written: it is a hot standby itself; waiting only for what the standby has received"

	# Replay paused, then a run on the primary: the standby has received
	# it and not applied it.  pg_wal_replay_pause() only requests the
	# pause: the state must be 'paused' before the run is written.
	psql_r "SELECT pg_wal_replay_pause()" >/dev/null
	standby_until "replay pauses" "pg_get_wal_replay_pause_state() = 'paused'"
	pg_config standby "conninfo = $conninfo"
	"$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "a second run on the primary" 0 $?
	standby_until "the standby receives the second run and does not apply it" \
		"pg_get_wal_replay_pause_state() = 'paused'
		 AND pg_last_wal_receive_lsn() >= '$(primary_lsn)'
		 AND pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"
	sed 's|^read_conninfo = .*|&\nread_max_lag_s = 1|' "$work/reader.ini" >"$work/lag.ini"
	start=$(date +%s)
	"$peil" show --config "$work/lag.ini" --format csv >"$work/out" 2>"$work/err"
	expect_rc "peil show on the standby behind, read_max_lag_s = 1" 4 $?
	expect_grep "says it lags, naming the standby" "$work/err" \
		"postgres: user=$owner dbname=peil host=$pgdir/r port=54321 schema=standby: the standby lags behind its primary: it has not applied the changes its primary had written when this command began within read_max_lag_s = 1 s"
	expect_grep "and that replay is paused" "$work/err" "; replay is paused), so the latest figures here may not be the latest published"
	[ -s "$work/out" ] && fail "figures shown from a standby that lags" || ok "no figures from a standby that lags"
	[ $(($(date +%s) - start)) -ge 1 ] && ok "it waited read_max_lag_s first" || fail "it did not wait"
	# A bound on the reader's wait far above what load causes: replay
	# resumes a second after it started waiting (or had it not yet begun
	# to wait: it finds the run applied).
	sed "s|^read_conninfo = .*|&\nread_max_lag_s = $WAIT_S|" "$work/reader.ini" >"$work/wait.ini"
	"$peil" runs --config "$work/wait.ini" >"$work/out" 2>"$work/err" &
	reader=$!
	sleep 1
	psql_r "SELECT pg_wal_replay_resume()" >/dev/null
	wait "$reader"
	expect_rc "with read_max_lag_s = $WAIT_S the reader waits for replay, then reads" 0 $?
	grep -q '^Run 2 ' "$work/out" && ok "and sees the primary's latest run (2)" || fail "the latest run is not there" "$(cat "$work/out")"

	# The standby cut off from its primary (its WAL receiver stopped), then
	# a third run on the primary: what the standby never received, the
	# reader learns from the primary (conninfo) and refuses to show older
	# figures as the latest.
	primary_conninfo=$(psql_r "SHOW primary_conninfo")
	psql_r "ALTER SYSTEM SET primary_conninfo = ''" >/dev/null
	psql_r "SELECT pg_reload_conf()" >/dev/null
	standby_until "the standby's WAL receiver stops" "NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver)"
	"$peil" run --config "$work/pg.ini" --full >/dev/null 2>"$work/err"
	expect_rc "a third run on the primary, not sent to the standby" 0 $?
	"$peil" show --config "$work/lag.ini" --format csv >"$work/out" 2>"$work/err"
	expect_rc "peil show on the standby that never received run 3" 4 $?
	expect_grep "says what it has not applied, and that it receives nothing" "$work/err" \
		"the standby lags behind its primary: it has not applied the changes its primary had written when this command began within read_max_lag_s = 1 s"
	expect_grep "and that it receives nothing" "$work/err" "; it receives nothing from its primary)"
	[ -s "$work/out" ] && fail "older figures shown as the latest" || ok "no figures from a standby cut off"
	psql_r "ALTER SYSTEM SET primary_conninfo = '${primary_conninfo//\'/\'\'}'" >/dev/null
	psql_r "SELECT pg_reload_conf()" >/dev/null
	lsn=$(primary_lsn)
	standby_until "the standby applies run 3" "pg_last_wal_replay_lsn() >= '$lsn'"
	"$peil" runs --config "$work/lag.ini" >"$work/out" 2>"$work/err"
	expect_rc "reconnected, the standby reads again" 0 $?
	grep -q '^Run 3 ' "$work/out" && ok "and shows run 3" || fail "run 3 is not there" "$(cat "$work/out")"

	# The primary gone: the standby still reads, and says so.
	"$src/tests/pg/cluster.sh" ctl "$pgdir/c" -m fast stop >/dev/null
	standby_until "the standby stops streaming" \
		"NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')"
	"$peil" show --config "$work/reader.ini" --format csv >"$work/out" 2>"$work/err"
	expect_rc "peil show on a standby without its primary" 0 $?
	expect_grep "warns that it receives nothing" "$work/err" \
		"schema=standby: the standby receives nothing from its primary: what it shows is as of its last applied transaction, committed"
}

test_writer_lock() {
	demo_configs writer_lock
	sed -i '/^lock_file = /d; s/^;lock_wait = .*/lock_wait = 0/' "$work/pg.ini"
	"$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "peil run on postgres without [run] lock_file" 0 $?
	PGAPPNAME=peil_holder psql "$conninfo" -XAtq -c "SELECT pg_advisory_lock(hashtext('peil writers'), hashtext('writer_lock')); SELECT pg_sleep($HOLD_S)" >/dev/null 2>&1 &
	holder=$!
	until_sql "the holder takes the store's lock" "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'peil_holder' AND wait_event = 'PgSleep')" || return
	holder_pid=$(psql -XAtq "$conninfo" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'peil_holder'")
	for cmd in run ingest "eval --period 2018" "prune --keep 1"; do
		# shellcheck disable=SC2086
		"$peil" $cmd --config "$work/pg.ini" >/dev/null 2>"$work/err"
		expect_rc "peil $cmd while another holds the store's lock" 75 $?
		expect_grep "names the store and the holder" "$work/err" \
			"schema=writer_lock: another peil (server process $holder_pid) holds the lock; gave up after 0 s"
	done
	"$peil" show --config "$work/pg.ini" --format csv >/dev/null 2>"$work/err"
	expect_rc "peil show does not wait for it" 0 $?
	"$peil" status --config "$work/pg.ini" >"$work/out" 2>"$work/err"
	expect_rc "peil status without a lock file cannot tell" 3 $?
	expect_grep "and says it needs one" "$work/out" "[run] lock_file is not set: peil status reads the exit code kept beside it"
	psql -XAtq "$conninfo" -c "SELECT pg_terminate_backend($holder_pid)" >/dev/null
	wait "$holder" 2>/dev/null

	# Readers never wait for an ingest: one whose batch waits (ds_cases
	# locked against writes) holds its transaction open while show and
	# report read.  The ingest cannot end before unlock: that show and
	# report ended while its server process still waited for the lock
	# shows that neither waited for it, whatever the time each took.
	lock_table writer_lock.ds_cases SHARE
	"$peil" ingest --force --config "$work/pg.ini" >/dev/null 2>"$work/err.ingest" &
	ingest=$!
	wait_for_peil ""	# its batch, in whichever statement
	timeout $WAIT_S "$peil" show --config "$work/pg.ini" --format csv >"$work/during.csv" 2>"$work/err"
	expect_rc "peil show during an ingest" 0 $?
	timeout $WAIT_S "$peil" report --config "$work/pg.ini" --period 2018 >/dev/null 2>"$work/err"
	expect_rc "peil report during an ingest" 0 $?
	[ "$(psql_c "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $waiting")" = Lock ] &&
		ok "neither waited for the ingest: it still waits for its lock" ||
		fail "the ingest no longer waits for its lock"
	[ "$(wc -l <"$work/during.csv")" -gt 1000 ] && ok "show gave the figures" || fail "show gave $(wc -l <"$work/during.csv") lines"
	kill -0 "$ingest" 2>/dev/null && ok "the ingest was still waiting" || fail "the ingest ended meanwhile"
	unlock
	wait "$ingest"
	expect_rc "the ingest ends when its table is free" 0 $?

	# Two machines: lock files of their own.  The first run waits in the
	# store (peil_run locked) while it holds the store's lock.
	sed "s|^lock_wait = 0|lock_file = $work/a.lock\nlock_wait = 0|" "$work/pg.ini" >"$work/a.ini"
	sed "s|^lock_wait = 0|lock_file = $work/b.lock\nlock_wait = 0|" "$work/pg.ini" >"$work/b.ini"
	lock_table writer_lock.peil_run "ACCESS EXCLUSIVE"
	"$peil" run --config "$work/a.ini" >/dev/null 2>"$work/err.a" &
	first=$!
	until_sql "the first run holds the store's lock and waits for peil_run" "EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted AND a.application_name <> 'peil_holder' AND a.wait_event_type = 'Lock')"
	"$peil" run --config "$work/b.ini" >/dev/null 2>"$work/err"
	expect_rc "a run with another lock file while the first runs" 75 $?
	expect_grep "refused by the store's lock" "$work/err" "schema=writer_lock: another peil (server process"
	unlock
	wait "$first"
	expect_rc "the first run ends" 0 $?
}

# --------------------------------------------------------- public_figures

# The dashboard sees what `peil report --public` shows, never a small
# cell.  The fixture of cli.sh (tests/data/e2e/cases.csv), as in
# cases_public.sh: casussen_gestart public, [privacy public] min_count = 2,
# in a store shared as tenant gm_p (role pf_a).  Started per month: Jan
# Noord 2, Zuid 1, total 3; Feb Noord 1, Zuid 2, total 3; Mar Noord 1,
# Zuid 1, total 2.  Public: Jan Zuid 1 small, so Noord 2 hidden too
# (derivable from the total 3); Feb Noord 1 small, Zuid 2 derivable; Mar
# both small, together 2 (not below 2): the totals 3, 3, 2 are shown,
# every cell hidden (no value).
test_public_figures() {
	PEIL_TEST_PG="$conninfo user=pf_a"
	fixture_config "$src/tests/data/e2e/cases.csv" "$src/scripts" 2018-Q1 \
		"kpis = -tag:trajecten, -tag:leden, -tag:verwijzingen, -tag:zrm, -tag:maatwerk"
	sed -i "s|^schema = .*|schema = pf\ntenant = gm_p|" "$work/peil.ini"
	printf '[kpi casussen_gestart]\nvisibility = public\n[privacy public]\nmin_count = 2\n' >>"$work/peil.ini"
	sed "s|user=pf_a|user=pf_admin|" "$work/peil.ini" >"$work/admin.ini"
	psql_c "CREATE ROLE pf_admin LOGIN; CREATE ROLE pf_a LOGIN; CREATE ROLE pf_dash LOGIN; CREATE SCHEMA pf AUTHORIZATION pf_admin"
	"$peil" check --config "$work/admin.ini" >/dev/null 2>"$work/err"
	expect_rc "peil check as the schema's owner" 0 $?
	# Back to a shared store of schema version 3, whose view read
	# peil_result, and whose run ids came from one identity; the owner's
	# next peil check brings it to 5.
	psql_as pf_admin "SET search_path = pf;
		DROP FUNCTION peil_next CASCADE; DROP FUNCTION peil_count CASCADE; DROP TABLE peil_counter;
		ALTER TABLE peil_run ALTER id ADD GENERATED ALWAYS AS IDENTITY;
		ALTER TABLE peil_report ALTER id ADD GENERATED ALWAYS AS IDENTITY;
		DROP VIEW peil_public_figures; DROP TABLE peil_public_figure;
		DROP POLICY peil_dashboard ON peil_run; DROP POLICY peil_dashboard ON peil_run_kpi;
		CREATE POLICY peil_dashboard ON peil_run FOR SELECT USING ((SELECT peil_is_dashboard()));
		CREATE POLICY peil_dashboard ON peil_run_kpi FOR SELECT USING ((SELECT peil_is_dashboard()));
		CREATE POLICY peil_dashboard ON peil_result FOR SELECT USING ((SELECT peil_is_dashboard()));
		CREATE VIEW peil_public_figures WITH (security_barrier) AS SELECT r.\"peil.tenant\" AS tenant,
		    r.id AS run_id, r.period_from, r.period_to, k.kpi, k.title, k.unit, f.period, f.breakdown,
		    f.value, f.numerator, f.denominator, f.status, f.earlier
		    FROM peil_run r JOIN peil_run_kpi k ON k.\"peil.tenant\" = r.\"peil.tenant\" AND k.run_id = r.id
		    JOIN peil_result f ON f.\"peil.tenant\" = k.\"peil.tenant\" AND f.run_id = k.run_id AND f.kpi = k.kpi
		    WHERE r.kind = 'run' AND r.status IN ('ok', 'incomplete');
		UPDATE peil_meta SET value = '3' WHERE key = 'schema_version'" >/dev/null
	expect_rc "the store made a shared one of schema version 3" 0 $?
	"$peil" check --config "$work/admin.ini" >/dev/null 2>"$work/err"
	expect_rc "peil check as the owner migrates it" 0 $?
	[ "$(psql_c "SELECT value FROM pf.peil_meta WHERE key = 'schema_version'")|$(psql_c "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_policies WHERE schemaname = 'pf' AND policyname = 'peil_dashboard'")" = "7|peil_public_figure,peil_run,peil_run_kpi" ] &&
		ok "to schema version 7: the dashboards' policy on peil_public_figure, none on peil_result" ||
		fail "the migration to 5" "$(psql_c "SELECT tablename FROM pg_policies WHERE schemaname = 'pf' AND policyname = 'peil_dashboard'")"
	psql_as pf_admin "SET search_path = pf;
		GRANT USAGE ON SCHEMA pf TO pf_a, pf_dash;
		GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pf TO pf_a;
		REVOKE INSERT, UPDATE, DELETE ON peil_meta, peil_tenant, peil_public_figures FROM pf_a;
		GRANT SELECT ON peil_tenant, peil_public_figures TO pf_dash;
		INSERT INTO peil_tenant VALUES ('pf_a', 'gm_p'), ('pf_dash', NULL)" >/dev/null
	expect_rc "the owner grants and maps" 0 $?
	peil_expect "peil run as tenant gm_p" 0 /dev/null run
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 --public --format csv \
		>"$work/public.csv" 2>"$work/err"
	expect_rc "peil report --public" 0 $?
	sed '1s/^\xEF\xBB\xBF//' "$work/public.csv" | tr -d '\r' | awk -F';' '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ print $(col["kpi"]) ";" $(col["periode"]) ";" $(col["team"]) ";" $(col["waarde"]) }' \
		| sort >"$work/report"
	psql_as pf_dash "SELECT kpi || ';' || period || ';' || coalesce(breakdown::json->>'team', 'Totaal') || ';' || coalesce(value::text, '') FROM pf.peil_public_figures" \
		| sort >"$work/dashboard"
	cat >"$work/expected" <<'EXPECTED'
casussen_gestart;2018-01;Buurtteam Noord;
casussen_gestart;2018-01;Buurtteam Zuid;
casussen_gestart;2018-01;Totaal;3
casussen_gestart;2018-02;Buurtteam Noord;
casussen_gestart;2018-02;Buurtteam Zuid;
casussen_gestart;2018-02;Totaal;3
casussen_gestart;2018-03;Buurtteam Noord;
casussen_gestart;2018-03;Buurtteam Zuid;
casussen_gestart;2018-03;Totaal;2
EXPECTED
	cmp -s "$work/expected" "$work/dashboard" &&
		ok "the dashboard shows the totals 3, 3, 2 and no cell: no small one, none that reveals one" ||
		fail "the dashboard's figures" "$(diff "$work/expected" "$work/dashboard")"
	cmp -s "$work/report" "$work/dashboard" &&
		ok "the dashboard shows exactly what peil report --public shows" ||
		fail "the dashboard differs from peil report --public" "$(diff "$work/report" "$work/dashboard")"
	expect_out "the store holds the small cells (the test proves something)" \
		"$(psql_c "SELECT string_agg(value::text, ',' ORDER BY period, breakdown) FROM pf.peil_result WHERE kpi = 'casussen_gestart' AND breakdown <> '{}' AND NOT earlier")" \
		"2,1,1,2,1,1"
	expect_out "the dashboard reads no raw figure" \
		"$(psql_as pf_dash "SELECT count(*) FROM pf.peil_result" | sed 's/^ERROR: *//')" 'permission denied for table peil_result'
}

# The run ids of each tenant, in schema tr (roles tr_admin, tr_a, tr_b):
# the owner makes the store, maps the roles; the ids listed by peil runs.
tenant_runs_store() {
	psql_c "DROP SCHEMA IF EXISTS $1 CASCADE; CREATE SCHEMA $1 AUTHORIZATION tr_admin" &&
	"$peil" check --config "$work/admin.ini" >/dev/null 2>"$work/err" &&
	psql_as tr_admin "SET search_path = $1;
		GRANT USAGE ON SCHEMA $1 TO tr_a, tr_b;
		GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA $1 TO tr_a, tr_b;
		REVOKE INSERT, UPDATE, DELETE ON peil_meta, peil_tenant, peil_public_figures FROM tr_a, tr_b;
		INSERT INTO peil_tenant VALUES ('tr_a', 'gm_a'), ('tr_b', 'gm_b')" >/dev/null
	expect_rc "the owner makes the shared store in $1" 0 $?
}
run_ids() { "$peil" runs --config "$work/$1.ini" 2>&1 | awk '/^Run [0-9]/ {print $2}' | sort -n | paste -sd' '; }
run_as() {
	"$peil" run --config "$work/$1.ini" >/dev/null 2>"$work/err"
	expect_rc "peil run as tenant $1" 0 $?
}

# owner_migrates SCHEMA "TENANT'S COMMAND" OWNER_CONFIG: the shared store
# in SCHEMA said to be of version 4 (peil_meta): the tenant's peil command
# refused, the owner's peil check brings it to the current version.
owner_migrates() {
	psql_c "UPDATE $1.peil_meta SET value = '4' WHERE key = 'schema_version'"
	# shellcheck disable=SC2086 # the command and its options, split
	"$peil" $2 >/dev/null 2>"$work/err"
	expect_rc "a tenant cannot migrate the store" 4 $?
	expect_grep "saying so" "$work/err" "cannot update the store to schema version 5"
	"$peil" check --config "$3" >/dev/null 2>"$work/err"
	expect_rc "the owner's peil check migrates the store" 0 $?
	expect_out "the store is of schema version 7" "$(psql_c "SELECT value FROM $1.peil_meta WHERE key = 'schema_version'")" 7
}

# keyless_configs: $work/{kl_a,kl_b,kl_admin}.ini, a shared store in
# schema kl with one dataset without key fields (notes: a text and a
# date), read from $work/notes_<tenant>.csv, and a KPI counting them.
keyless_configs() {
	local t
	mkdir -p "$work/kl_scripts"
	echo 'kpi { id = "notities", title = "Notities", unit = "notities", dataset = "notes", grain = "month", select = started_in("day"), rule = count() }' >"$work/kl_scripts/notes.lua"
	for t in a b admin; do
		cat >"$work/kl_$t.ini" <<INI
[peil]
storage = postgres
plugin_dirs = $plugins
script_dirs = $work/kl_scripts
reject_dir = $work/rejects
[storage]
conninfo = $conninfo user=kl_$t
schema = kl
tenant = gm_$t
[run]
periods = 2018
lock_file = $work/kl.lock
[dataset notes]
field.note = text required
field.day = date required
[source notes]
plugin = csv
dataset = notes
path = $work/notes_$t.csv
separator = semicolon
date_format = dd-mm-jjjj
column.Notitie = note
column.Datum = day
INI
	done
	sed -i "s|^tenant = gm_admin|tenant = gm_a|; s|notes_admin.csv|notes_a.csv|" "$work/kl_admin.ini"
}
# keyless_ingest TENANT NOTE...: the tenant's notes file of those notes
# (dated 2 January 2018), ingested.
keyless_ingest() {
	local t=$1 n
	shift
	{ echo "Notitie;Datum"; for n in "$@"; do echo "$n;02-01-2018"; done; } >"$work/notes_$t.csv"
	"$peil" ingest --config "$work/kl_$t.ini" >/dev/null 2>"$work/err"
	expect_rc "tenant $t stores $*" 0 $?
}
# The rows of ds_notes, "tenant:row:note" in row order, as the superuser.
keyless_rows() { psql_c "SELECT string_agg(\"peil.tenant\" || ':' || \"peil.row\" || ':' || note, ' ' ORDER BY \"peil.row\", \"peil.tenant\") FROM kl.ds_notes"; }

test_keyless_migration() {
	psql_c "DO \$\$ DECLARE r text; BEGIN FOREACH r IN ARRAY ARRAY['kl_admin', 'kl_a', 'kl_b'] LOOP
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I LOGIN', r); END IF;
		END LOOP; END \$\$" >/dev/null
	keyless_configs
	psql_c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS kl CASCADE; CREATE SCHEMA kl AUTHORIZATION kl_admin" >/dev/null
	"$peil" check --config "$work/kl_admin.ini" >/dev/null 2>"$work/err"
	expect_rc "the owner makes the shared store with its dataset without key" 0 $?
	psql_as kl_admin "SET search_path = kl;
		GRANT USAGE ON SCHEMA kl TO kl_a, kl_b;
		GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA kl TO kl_a, kl_b;
		REVOKE INSERT, UPDATE, DELETE ON peil_meta, peil_tenant FROM kl_a, kl_b;
		INSERT INTO peil_tenant VALUES ('kl_a', 'gm_a'), ('kl_b', 'gm_b')" >/dev/null
	expect_rc "the owner maps the tenants' roles" 0 $?
	# The layout of schema version 4: one identity numbers every
	# tenant's rows of ds_notes (and runs and reports), no counters.
	psql_c "SET search_path = kl;
		DROP FUNCTION peil_next CASCADE; DROP FUNCTION peil_count CASCADE; DROP TABLE peil_counter;
		ALTER TABLE peil_run ALTER id ADD GENERATED ALWAYS AS IDENTITY;
		ALTER TABLE peil_report ALTER id ADD GENERATED ALWAYS AS IDENTITY;
		ALTER TABLE ds_notes ALTER \"peil.row\" ADD GENERATED ALWAYS AS IDENTITY" >/dev/null 2>&1
	expect_rc "the store made one of the layout of schema version 4" 0 $?
	# By hand: one identity, in the order of the ingests: A's a1 a2 are
	# 1 2, B's b1 b2 b3 are 3 4 5, A's a3 is 6.
	keyless_ingest a a1 a2
	keyless_ingest b b1 b2 b3
	keyless_ingest a a3
	expect_out "in version 4 one identity numbers both tenants' rows" "$(keyless_rows)" \
		"gm_a:1:a1 gm_a:2:a2 gm_b:3:b1 gm_b:4:b2 gm_b:5:b3 gm_a:6:a3"
	owner_migrates kl "ingest --config $work/kl_a.ini" "$work/kl_admin.ini"
	expect_out "every row keeps its id" "$(keyless_rows)" \
		"gm_a:1:a1 gm_a:2:a2 gm_b:3:b1 gm_b:4:b2 gm_b:5:b3 gm_a:6:a3"
	expect_out "the rows' ids are no identity any more, but the tenant's count" \
		"$(psql_c "SELECT attidentity = '' AND pg_get_expr(adbin, adrelid) LIKE '%peil_next(%ds_notes%' FROM pg_attribute JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum WHERE attrelid = 'kl.ds_notes'::regclass AND attname = 'peil.row'")" t
	# By hand: each tenant goes on from its own highest id: A (6) with 7
	# 8, B (5) with 6, then A 9.
	keyless_ingest a a4 a5
	keyless_ingest b b4
	keyless_ingest a a6
	expect_out "each tenant's next rows go on from its own highest id" "$(keyless_rows)" \
		"gm_a:1:a1 gm_a:2:a2 gm_b:3:b1 gm_b:4:b2 gm_b:5:b3 gm_a:6:a3 gm_b:6:b4 gm_a:7:a4 gm_a:8:a5 gm_a:9:a6"
	# What each tenant sees of them, through its own role.
	expect_out "A sees its own rows only" "$(psql_as kl_a "SELECT string_agg(note, ' ' ORDER BY \"peil.row\") FROM kl.ds_notes")" "a1 a2 a3 a4 a5 a6"
	expect_out "B sees its own rows only" "$(psql_as kl_b "SELECT string_agg(note, ' ' ORDER BY \"peil.row\") FROM kl.ds_notes")" "b1 b2 b3 b4"
}

test_tenant_runs() {
	psql_c "DO \$\$ DECLARE r text; BEGIN FOREACH r IN ARRAY ARRAY['tr_admin', 'tr_a', 'tr_b'] LOOP
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I LOGIN', r); END IF;
		END LOOP; END \$\$" >/dev/null
	tenant_configs a 7 300 tr tr
	tenant_configs b 11 200 tr tr
	sed "s|user=tr_a|user=tr_admin|" "$work/a.ini" >"$work/admin.ini"
	tenant_runs_store tr
	for t in a b a b a b; do run_as $t; done
	expect_out "A's runs, alternating with B's, are 1 2 3" "$(run_ids a)" "1 2 3"
	expect_out "B's runs are 1 2 3" "$(run_ids b)" "1 2 3"
	run_as b
	expect_out "B's next run is 4" "$(run_ids b)" "1 2 3 4"
	"$peil" show --config "$work/a.ini" --run 4 >"$work/out" 2>"$work/err"
	rc=$?
	[ "$rc" -ne 0 ] && ok "A cannot address B's run 4 (exit $rc)" || fail "A shows a run 4" "$(head -5 "$work/out")"
	expect_grep "saying there is no run 4" "$work/err" "no run 4"
	"$peil" show --config "$work/a.ini" --run 3 --format csv >/dev/null 2>"$work/err"
	expect_rc "A shows its run 3" 0 $?

	# A store of schema version 4 (one identity for every tenant's runs):
	# A 1 3, B 2 4; the owner's peil check brings it to 5, the ids kept.
	sed -i "s|^schema = tr$|schema = tr4|" "$work/a.ini" "$work/b.ini" "$work/admin.ini"
	tenant_runs_store tr4
	# Its runs are made with the layout of 4 (this Peil would migrate a
	# store that says 4 first): the ids of one identity.
	psql_c "SET search_path = tr4;
		DROP FUNCTION peil_next CASCADE; DROP FUNCTION peil_count CASCADE; DROP TABLE peil_counter;
		ALTER TABLE peil_run ALTER id ADD GENERATED ALWAYS AS IDENTITY;
		ALTER TABLE peil_report ALTER id ADD GENERATED ALWAYS AS IDENTITY" >/dev/null 2>&1
	expect_rc "the store made one of the layout of schema version 4" 0 $?
	for t in a b a b; do run_as $t; done
	expect_out "in version 4, A's runs are 1 3" "$(run_ids a)" "1 3"
	expect_out "B's runs are 2 4" "$(run_ids b)" "2 4"
	for t in a b; do "$peil" show --config "$work/$t.ini" --format csv >"$work/$t-v4.csv" 2>/dev/null; done
	owner_migrates tr4 "runs --config $work/a.ini" "$work/admin.ini"
	for t in a b; do
		"$peil" show --config "$work/$t.ini" --format csv >"$work/$t-v5.csv" 2>"$work/err"
		[ -s "$work/$t-v4.csv" ] && cmp -s "$work/$t-v4.csv" "$work/$t-v5.csv" &&
			ok "$t's latest figures are kept by the migration" || fail "$t's figures differ after the migration" "$(cat "$work/err")"
	done
	expect_out "A's runs are kept: 1 3" "$(run_ids a)" "1 3"
	run_as a
	run_as b
	run_as b
	expect_out "A's next run is 4" "$(run_ids a)" "1 3 4"
	expect_out "B's next runs are 5 6" "$(run_ids b)" "2 4 5 6"
}

"test_$case_name"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
