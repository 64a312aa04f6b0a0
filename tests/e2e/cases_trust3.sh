# Sourced by cli.sh: trust on the way in and of the store, a third round
# (cases_hostile2.sh is the second).

# trust3_runs: the runs of $work/peil.db as "id status confirms", one line
# each, oldest first.
trust3_runs() {
	sqlite3 "$work/peil.db" "SELECT id || ' ' || status || ' ' || coalesce(confirms, '-') FROM peil_run ORDER BY id" 2>&1 | tr '\n' ','
}

# trust3_corrupt TABLE: one page of TABLE of $work/peil.db overwritten with
# random bytes, as test_hostile2_corrupt_store does.
trust3_corrupt() {
	local page
	page=$(sqlite3 "$work/peil.db" "PRAGMA wal_checkpoint(TRUNCATE);" \
		"SELECT pageno FROM dbstat WHERE name = '$1' LIMIT 1" | tail -1)
	dd if=/dev/urandom of="$work/peil.db" bs=65536 seek=$((page - 1)) count=1 \
		conv=notrunc 2>/dev/null
}

# trust3_forge_stamp: the note of how Peil left $work/peil.db written for
# the file as it is now: a change that the note cannot see.
trust3_forge_stamp() {
	local d i s m c
	read -r d i s m c < <(stat -c '%d %i %s %.9Y %.9Z' "$work/peil.db")
	printf 'peil sqlite stamp 1 %s %s %s %s %s -1 -1 after_run 0\n' \
		"$d" "$i" "$s" "${m/./}" "${c/./}" >"$work/peil.db.stamp"
}

# Case D5 (Zuid, registered 15 January, cli.sh) moved to Noord, in SQL
# (the sqlite3 shell, psql in cases_trust4.sh).
trust3_move_d5="UPDATE ds_cases SET team = (SELECT team FROM ds_cases WHERE case_id = 'D1') WHERE case_id = 'D5'"

# trust3_moved_d5 ERR: the run of log ERR and figures $work/out.csv read
# the rows with D5 moved: Zuid's January cases started fall from 1 to 0
# (the changed final figure named), Noord's rise from 2 to 3.
trust3_moved_d5() {
	local got
	expect_grep "the changed figure is named" "$1" \
		"final figure changed: casussen_gestart 2018-01 Buurtteam Zuid: 1 -> 0"
	got=$(csv_columns kpi periode team waarde <"$work/out.csv" |
		grep '^casussen_gestart;2018-01;' | sort | tr '\n' ' ')
	[ "$got" = "casussen_gestart;2018-01;Buurtteam Noord;3 casussen_gestart;2018-01;Buurtteam Zuid;0 casussen_gestart;2018-01;Totaal;3 " ] &&
		ok "the figures are those of the edited rows" ||
		fail "figures after the edit" "got: $got"
}

# trust3_run_twice: a fresh store, a run that evaluates and one that
# confirms it (run 2 confirms run 1).
trust3_run_twice() {
	rm -f "$work"/peil.db*
	write_config "$src/tests/data/e2e/cases.csv"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "the first run" 0 $?
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "the second run" 0 $?
	[ "$(trust3_runs)" = "1 ok -,2 unchanged 1," ] &&
		ok "the second run confirms the first" ||
		fail "runs" "$(trust3_runs)"
}

# ------------------------------------------- a corrupt store, unchanged
# A run that finds no new input confirms the last run without reading
# the data.  With a page of the cases' rows overwritten after that run it
# confirmed the run, exit 0, printing figures whose rows the store no
# longer holds (peil check and a full run failed, exit 4).  Now the sqlite
# store notes how its file looks when Peil closes it (PATH.stamp); a file
# that differs at the next open makes every run so far suspect: the run
# evaluates, saying why, and fails naming the store and SQLite's cause
# (exit 4) without recording a confirmation; and so does the run after
# it.  The same for a page of the figures' table, and for an edit of the
# rows with another program (the run evaluates the rows as they are now).
test_trust3_corrupt_confirm() {
	local table
	for table in ds_cases peil_figures; do
		trust3_run_twice
		trust3_corrupt "$table"
		"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
		expect_rc "a run after a page of $table was overwritten" 4 $?
		expect_grep "$table: it says why it evaluates" "$work/err" \
			"evaluating: the store is not as Peil left it after run 1 (another program wrote it, or a Peil was stopped while it wrote)"
		expect_grep "$table: it names the store and SQLite's cause" "$work/err" \
			"$work/peil.db: "
		expect_grep "$table: malformed" "$work/err" \
			"database disk image is malformed"
		"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
		expect_rc "$table: the run after it" 4 $?
		[ "$(sqlite3 "$work/peil.db" "SELECT count(*) FROM peil_run WHERE status = 'unchanged' AND id > 2" 2>&1)" = 0 ] &&
			ok "$table: no run confirms run 1 again" ||
			fail "$table: runs" "$(sqlite3 "$work/peil.db" 'SELECT id, status FROM peil_run' 2>&1)"
	done

	# Case D5 moved to Noord with the sqlite3 shell: the run evaluates
	# (a final figure changed: exit 5).
	trust3_run_twice
	sqlite3 "$work/peil.db" "$trust3_move_d5"
	"$peil" run --config "$work/peil.ini" --format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "a run after an edit of the rows: final figures changed" 5 $?
	expect_grep "the edit: it says why it evaluates" "$work/err" \
		"evaluating: the store is not as Peil left it after run 1"
	trust3_moved_d5 "$work/err"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "the run after it" 0 $?
	expect_grep "which confirms the run that read the edited rows" "$work/err" \
		"nothing changed since run 3, whose figures it confirms"
}

# The figures a run confirms are read back before the run is recorded.
# A figures' page overwritten in a way the note cannot see (it is forged
# here; also any store that cannot tell): the run recorded that it
# confirmed run 1, then failed to read the figures (exit 4), and peil
# status and the run log showed a run that vouched for them.  Now it
# fails before it records anything.
test_trust3_confirm_reads_back() {
	trust3_run_twice
	trust3_corrupt peil_figures
	trust3_forge_stamp
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "a run over unreadable figures" 4 $?
	expect_grep "it names the store and SQLite's cause" "$work/err" \
		"$work/peil.db: cannot read the results: database disk image is malformed"
	[ "$(trust3_runs)" = "1 ok -,2 unchanged 1," ] &&
		ok "no run recorded that confirms them" ||
		fail "runs" "$(trust3_runs)"
}

# ------------------------------------------- two sources, one export
# A source reads a content once, within one ingest too.  Two
# sources of one dataset whose paths both match an export each read it:
# a dataset without a key (its rows are numbered, not replaced) held the
# rows twice, exit 0.  Now a content another source stored in the
# dataset is skipped when read with the same settings, and refused with
# other ones (the two sources disagree on its rows; exit 2), in this
# ingest and any later one.  Two sources of different datasets reading
# one export is a way to fill both: each stores its rows.  By hand: a.csv
# has the rows A1 and B2; notes and tally each hold them once.

# trust3_two_sources [LINE...]: $work/peil.ini with the datasets notes and
# tally (no key), sources a (notes, ex/*.csv), b (notes, ex/a.csv, with
# LINEs) and c (tally, ex/a.csv), and no store.
trust3_two_sources() {
	local d s name dataset path
	mkdir -p "$work/ex" "$work/ns"
	printf 'team;n\nA;1\nB;2\n' >"$work/ex/a.csv"
	{
		printf '[peil]\nplugin_dirs = %s\nscript_dirs = %s\nreject_dir = %s\n' \
			"$plugins" "$work/ns" "$work/rejects"
		store_config
		for d in notes tally; do
			printf '[dataset %s]\nfield.team = text\nfield.n = integer\n' "$d"
		done
		for s in a:notes:"$work/ex/*.csv" b:notes:"$work/ex/a.csv" \
			c:tally:"$work/ex/a.csv"; do
			IFS=: read -r name dataset path <<<"$s"
			printf '[source %s]\nplugin = csv\ndataset = %s\npath = %s\n' \
				"$name" "$dataset" "$path"
			printf 'separator = semicolon\ncolumn.team = team\ncolumn.n = n\n'
			[ "$name" = b ] && printf '%s\n' "$@"
		done
	} >"$work/peil.ini"
	rm -f "$work"/peil.db*
}

test_trust3_two_sources() {
	trust3_two_sources
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of one export by three sources" 0 $?
	for d in notes tally; do
		[ "$(sqlite3 "$work/peil.db" "SELECT group_concat(team || n) FROM ds_$d" 2>&1)" = "A1,B2" ] &&
			ok "$d holds the rows once" ||
			fail "$d" "$(sqlite3 "$work/peil.db" "SELECT team, n FROM ds_$d" 2>&1)"
	done
	expect_grep "b skips it, naming the source that stored it" "$work/err" \
		"$work/ex/a.csv: skipped, [source a] stored this content in notes ($work/ex/a.csv) with the same settings"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "the next ingest" 0 $?
	expect_sql "still two rows" 'SELECT count(*) FROM ds_notes' "2"

	trust3_two_sources "encoding = utf-8"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "the same with other settings for b" 2 $?
	expect_grep "b refuses it, naming why" "$work/err" \
		"$work/ex/a.csv: not read: [source a] stored this content in notes ($work/ex/a.csv) with other settings: two sources of one dataset disagree on the rows of one export (peil ingest --force b reads it anyway)"
	expect_sql "notes holds a's rows once" 'SELECT group_concat(team || n) FROM ds_notes' "A1,B2"
}

# ------------------------------------------- a file swapped and back
# The ingest hashes each file (one ahead of the read), the plugin opens
# it by its path, and the ingest checks it after the read.  b.csv swapped
# for another export after its hash and back after the plugin opened it:
# the check found b.csv's inode with its content (the rename moved its
# change time, so it was hashed again, the same), and the other export's
# 400 000 rows were stored under b.csv's hash, exit 0.  Now the plugin
# reads the file that was hashed, through the descriptor of the hash
# (/proc/self/fd/N): b.csv's ten cases are stored, none of the other
# export's, and what the plugin says of the file names b.csv.
test_trust3_swapped_back() {
	local pid
	mkdir -p "$work/sw" "$work/no_scripts"
	hostile2_big "$work/sw/a.csv" 400000
	cp "$src/tests/data/e2e/cases.csv" "$work/sw/b.csv"
	hostile2_big "$work/c.csv" 400000
	sed -i '2,$s/^B/C/' "$work/c.csv"
	write_config "$work/sw/*.csv" "$work/no_scripts"
	timeout -s KILL 300 "$peil" ingest -v --config "$work/peil.ini" \
		>/dev/null 2>"$work/err" &
	pid=$!
	# b.csv is hashed as a.csv's read begins; the other export takes its
	# place then, and b.csv is back a moment after its read began.
	trust3_wait_for "reads $work/sw/a.csv" && sleep 1
	mv "$work/sw/b.csv" "$work/b.orig"
	mv "$work/c.csv" "$work/sw/b.csv"
	trust3_wait_for "reads $work/sw/b.csv" && sleep 0.3
	mv "$work/sw/b.csv" "$work/c.csv"
	mv "$work/b.orig" "$work/sw/b.csv"
	wait $pid
	expect_rc "ingest with b.csv swapped and back" 0 $?
	[ "$(sqlite3 "$work/peil.db" "SELECT count(*), sum(case_id LIKE 'C%') FROM ds_cases" 2>&1)" = "400010|0" ] &&
		ok "a.csv's 400 000 cases and b.csv's 10 are stored, none of the other export" ||
		fail "rows stored" "$(sqlite3 "$work/peil.db" "SELECT count(*), sum(case_id LIKE 'C%') FROM ds_cases" 2>&1)"
	expect_grep "the plugin's messages name b.csv" "$work/err" \
		"$work/sw/b.csv: 10 rows stored in cases"
}

# trust3_wait_for TEXT: until $work/err holds TEXT (a minute at most).
trust3_wait_for() {
	local n=0
	until grep -qF -- "$1" "$work/err" 2>/dev/null || [ $n -ge 1200 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	[ $n -lt 1200 ]
}

# ------------------------------------------- smaller ones
# Two exports joined into one sheet repeat the header row in the middle.
# The csv plugin refuses such a line (test_hostile2_header_again); the
# xlsx plugin stored it as a case 'id' of team 'team', exit 0.  Now the
# two share the rule (csv_is_header_name): the row is refused naming its
# row (exit 2, nothing stored), or rejected with on_error = reject.
test_trust3_xlsx_header_again() {
	hostile2_notes "$work/x.xlsx" "id:text key" team:text
	sed -i 's/^plugin = csv/plugin = xlsx/; /^separator = /d' "$work/peil.ini"
	write_book "$work/x.xlsx" "<row r=\"1\">$(is A1 id)$(is B1 team)</row><row r=\"2\">$(is A2 A)$(is B2 Noord)</row><row r=\"3\">$(is A3 ' id ')$(is B3 team)</row><row r=\"4\">$(is A4 B)$(is B4 Zuid)</row>"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of two exports in one sheet" 2 $?
	expect_grep "the row is named" "$work/err" \
		"$work/x.xlsx:3: sheet 'Blad1': the header row again (two exports joined into one sheet?)"
	expect_sql "nothing stored" 'SELECT count(*) FROM ds_notes' "0"
	echo "on_error = reject" >>"$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "the same with on_error = reject" 2 $?
	expect_sql "the two cases are stored, the header row rejected" 'SELECT group_concat(id || team) FROM ds_notes' "ANoord,BZuid"
}

# A gzip-compressed export named .csv was refused as "invalid UTF-8:
# byte 0x8B at byte offset 1 (is the file Windows-1252? then set encoding
# = windows-1252)", and with that encoding as "NUL byte ... (is the file
# UTF-16 or not text?)"; peil init proposed a config of 0 rows from it.
# Now what opens an export as text (the csv and istandaarden plugins, the
# example, peil init) names a compressed file, archive, workbook or PDF
# by its first bytes (peil_fopen_text_export).
test_trust3_gzip_named_csv() {
	hostile2_notes "$work/x.csv" team:text n:integer
	printf 'team;n\nA;1\n' | gzip >"$work/x.csv"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of a gzip file named .csv" 2 $?
	expect_grep "it is named as gzip" "$work/err" \
		"$work/x.csv: not read: it is a gzip-compressed file, not text (unpack it first: gunzip)"
	mkdir -p "$work/init"
	(cd "$work/init" && "$peil" init --from "$work/x.csv" >/dev/null 2>"$work/err")
	expect_rc "peil init from it" 2 $?
	expect_grep "peil init names it too" "$work/err" \
		"$work/x.csv: the export: not read: it is a gzip-compressed file, not text (unpack it first: gunzip)"
	[ ! -e "$work/init/peil.ini" ] && ok "no config written" ||
		fail "a config was written" "$(head -5 "$work/init/peil.ini")"
}
