# Sourced by cli.sh: trust on the way in and of the store, a fourth round
# (cases_trust3.sh is the third).

# ------------------------------------------- one source, read again
# A content that another source stored in a dataset is not stored again
# (trust3_two_sources).  One source reading its own export again with
# other settings, or by another version of its plugin, stored the rows
# of a dataset without key fields a second time, exit 0: notes held A1
# and B2 twice.  Now the one rule covers both: rows that would be there
# twice are refused (exit 2) unless peil ingest --force reads them; a
# dataset with key fields, or a snapshot, reads the export again, its
# rows replacing the earlier ones (tests/e2e/inputs.sh, test_reread).
test_trust4_read_again() {
	trust3_two_sources
	sed -i '/^\[source b\]/,$d' "$work/peil.ini"	# source a alone
	peil_expect "the first ingest" 0 /dev/null ingest
	echo "encoding = utf-8" >>"$work/peil.ini"
	peil_expect "the export again with other settings" 2 /dev/null ingest
	expect_grep "it is refused, saying why" "$work/err" \
		"$work/ex/a.csv: not read: [source a] stored its 2 rows in notes ($work/ex/a.csv) with other settings, and notes has no key fields: they would be there twice (peil ingest --force a reads it anyway)"
	expect_sql "notes holds the rows once" 'SELECT group_concat(team || n) FROM ds_notes' "A1,B2"
	sqlite3 "$work/peil.db" "UPDATE peil_ingest SET settings_sha256 = substr(settings_sha256, 1, 65) || 'csv 0.9'"
	sed -i '$d' "$work/peil.ini"
	peil_expect "the export again after another plugin version" 2 /dev/null ingest
	expect_grep "that is refused too" "$work/err" \
		"not read: [source a] stored its 2 rows in notes ($work/ex/a.csv) with another plugin or version, and notes has no key fields"
	expect_sql "notes still holds the rows once" 'SELECT group_concat(team || n) FROM ds_notes' "A1,B2"
	peil_expect "--force reads it anyway" 0 /dev/null ingest --force a
	expect_sql "as asked, twice" 'SELECT count(*) FROM ds_notes' "4"
}

# ------------------------------------------- a dataset named as a dataset
# The stores' messages put the name of a dataset or a KPI where an
# error names the column of an export: "peil.db: column 'notes': dataset
# notes: the description in peil_dataset is not one this plugin wrote".
# Now a dataset is named as one, and a KPI as one (tests/sqlite,
# packed_damaged; PostgreSQL's in tests/e2e/store_postgres.sh).
test_trust4_named_as() {
	trust3_two_sources
	peil_expect "the first ingest" 0 /dev/null ingest
	sqlite3 "$work/peil.db" "UPDATE peil_dataset SET description = 'x' WHERE name = 'notes'"
	peil_expect "an ingest over a damaged description" 4 /dev/null ingest
	expect_grep "it names the dataset as a dataset" "$work/err" \
		"peil: error: $work/peil.db: dataset notes: the description in peil_dataset is not one this plugin wrote"
	expect_no_grep "and no column" "$work/err" "column '"
}

# ------------------------------------------- postgres: written by others
# The sqlite store notes how Peil left its file (cases_trust3.sh); the
# postgres store noticed nothing: D5 moved from Zuid to Noord with psql
# after a run that confirmed run 1, the next run confirmed run 1 again,
# exit 0, Zuid's January still 1.  Now a trigger on each dataset's table
# and on the figures notes a write by a session that is not Peil's
# (plugins/store_postgres/pg_outside.c): the run evaluates, saying why,
# and gives the figures of the rows as they are (Zuid's January cases
# started 1 -> 0, Noord's 2 -> 3: a final figure changed, exit 5); the run
# after it confirms.  The same for a figure changed, and for TRUNCATE.  A
# store of schema version 6 (without the trigger) is brought to 7 by the
# next run, and then sees an edit too.  Needs PEIL_TEST_PG
# (tests/pg/CMakeLists.txt).
trust4_psql() {
	psql -qtAX -v ON_ERROR_STOP=1 "$PEIL_TEST_PG" \
		-c "SET search_path TO t$(printf %s "$work" | md5sum | cut -c1-16); $1"
}
trust4_pg_runs() { trust4_psql "SELECT string_agg(id || ' ' || status || ' ' || coalesce(confirms::text, '-'), ',' ORDER BY id) FROM peil_run"; }
# trust4_pg_edited WHAT SQL WANT_RC [once]: SQL by psql after a run that
# confirms, and the next run evaluates (exit WANT_RC) saying that the store
# was written since the run confirmed; the run after it confirms that one
# (not with once: a run without rows ends incomplete, evaluated again).
trust4_pg_edited() {
	local base last
	peil_expect "$1: a run that confirms" 0 /dev/null run
	expect_grep "$1: it confirms" "$work/err" "whose figures it confirms"
	base=$(trust4_psql "SELECT confirms FROM peil_run ORDER BY id DESC LIMIT 1")
	trust4_psql "$2" >/dev/null
	expect_rc "$1: by psql" 0 $?
	peil_expect "$1: the run after it" "$3" "$work/out.csv" run --format csv
	cp "$work/err" "$work/err.edited"
	expect_grep "$1: it evaluates, saying why" "$work/err" \
		"evaluating: the store is not as Peil left it after run $base (another program wrote it, or a Peil was stopped while it wrote)"
	[ "${4:-}" = once ] && return
	last=$(trust4_psql "SELECT max(id) FROM peil_run")
	peil_expect "$1: the next run" 0 /dev/null run
	expect_grep "$1: confirms the run that read the rows as they are" "$work/err" \
		"nothing changed since run $last, whose figures it confirms"
}
test_trust4_pg_outside() {
	[ -n "${PEIL_TEST_PG:-}" ] || { echo "skipped: no PEIL_TEST_PG"; exit 77; }
	write_config "$src/tests/data/e2e/cases.csv"
	trust4_psql "DROP SCHEMA IF EXISTS t$(printf %s "$work" | md5sum | cut -c1-16) CASCADE" >/dev/null
	peil_expect "the first run" 0 /dev/null run
	trust4_pg_edited "D5 to Noord" "$trust3_move_d5" 5
	trust3_moved_d5 "$work/err.edited"
	trust4_pg_edited "a figure" "UPDATE peil_result SET value = 99 WHERE kpi = 'casussen_gestart' AND period = '2018-01' AND breakdown LIKE '%Zuid%'" 5
	# A store of schema version 6: no trigger, no peil_outside.
	trust4_psql "DROP FUNCTION peil_outside_note() CASCADE; ALTER TABLE peil_run DROP COLUMN outside_seen; DROP FUNCTION peil_outside_n(); DROP TABLE peil_outside; UPDATE peil_meta SET value = '6' WHERE key = 'schema_version'" >/dev/null
	expect_rc "the store made one of schema version 6" 0 $?
	peil_expect "a run on it (migrates it)" 0 /dev/null run
	# Every dataset's table and peil_result without the trigger, and
	# whether ds_cases has it.
	got="$(trust4_psql "SELECT value FROM peil_meta WHERE key = 'schema_version'")|$(trust4_psql "SELECT coalesce(string_agg(relname, ','), '') FROM pg_class c WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND (relname = 'peil_result' OR relname LIKE 'ds\_%') AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'peil_outside')")|$(trust4_psql "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'ds_cases'::regclass AND tgname = 'peil_outside'")"
	[ "$got" = "7||1" ] &&
		ok "schema version 7, the trigger on every dataset's table and peil_result" ||
		fail "after the migration" "$got"
	trust4_pg_edited "TRUNCATE after the migration" "TRUNCATE ds_cases" 6 once
	expect_grep "no figures of cases left" "$work/err.edited" "final figure changed: casussen_gestart 2018-01 Buurtteam Zuid: 0 -> "
	[ "$(trust4_pg_runs)" = "1 ok -,2 unchanged 1,3 ok -,4 unchanged 3,5 unchanged 3,6 ok -,7 unchanged 6,8 unchanged 6,9 unchanged 6,10 incomplete -" ] &&
		ok "a run after Peil's own writes confirms, one after psql's evaluates" ||
		fail "runs" "$(trust4_pg_runs)"
}
