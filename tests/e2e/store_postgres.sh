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
#   schema_1_migrates  a store of schema version 1 (before peil_run.confirms
#                 and the ingested files' size, time and inode) is brought to
#                 version 2 by the next run, which confirms the run before
# cluster.sh run skips it (exit 77) only when the PostgreSQL binaries are
# not installed, and fails it when the cluster is not running.
set -u
case_name=$1 peil=$2 src=$3 plugins=$4 demo=$5 conninfo=$6
cluster_dir=${conninfo#host=}	# its socket directory
cluster_dir=${cluster_dir%% *}
work=$(mktemp -d /tmp/peil-e2e-pg-XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/lib.sh"

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

test_schema_1_migrates() {
	demo_configs schema_1_migrates
	"$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "peil run on postgres" 0 $?
	psql -q -X -v ON_ERROR_STOP=1 "$conninfo" -c "SET search_path = schema_1_migrates;
		ALTER TABLE peil_run DROP COLUMN confirms;
		ALTER TABLE peil_ingest DROP COLUMN file_size,
		    DROP COLUMN file_mtime_ns, DROP COLUMN file_inode;
		UPDATE peil_meta SET value = '1' WHERE key = 'schema_version'" >/dev/null
	expect_rc "the store made schema version 1" 0 $?
	"$peil" run --config "$work/pg.ini" >/dev/null 2>"$work/err"
	expect_rc "peil run on the store of version 1" 0 $?
	expect_grep "it confirms the run before" "$work/err" "run 2: nothing changed since run 1, whose figures it confirms"
	[ "$(psql -qtAX "$conninfo" -c "SELECT value FROM schema_1_migrates.peil_meta WHERE key = 'schema_version'")" = 2 ] &&
		ok "the store is of schema version 2" || fail "the store's schema version is not 2"
	[ "$(psql -qtAX "$conninfo" -c "SELECT confirms FROM schema_1_migrates.peil_run WHERE id = 2")" = 1 ] &&
		ok "peil_run.confirms of run 2 is 1" || fail "run 2 does not record that it confirms run 1"
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
	expect_grep "names the connection" "$work/err" "postgres: dbname=peil host=$work/nowhere port=54321 schema=refusals: column 'conninfo': cannot connect: connection to server on socket"

	pg_config never_made "conninfo = $conninfo"
	"$peil" show --config "$work/pg.ini" >/dev/null 2>"$work/err"
	[ $? -ne 0 ] && ok "show on a schema without a store fails" || fail "show on an empty schema passes"
	expect_grep "saying there is no store" "$work/err" "no Peil store here (schema never_made holds no peil_meta)"
}

"test_$case_name"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
