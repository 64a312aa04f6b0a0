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
