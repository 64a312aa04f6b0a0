# Sourced by cli.sh: hostile inputs and stores, a second round (the
# first is cases_hostile.sh): files that change between their hash and
# their read, and exports that are not files where peil init reads them.

# hostile2_big FILE N: the fixture's header and N cases of their own keys
# (B1..BN, Buurtteam Noord, registered 2 January 2018), in Windows-1252.
hostile2_big() {
	head -1 "$src/tests/data/e2e/cases.csv" >"$1"
	awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++)
		printf "B%d;Buurtteam Noord;Welzijn Noord;WK999901;BU99990101;2-1-2018;;;Huisarts;;;;P%06d;03-01-2018;\r\n", i, i }' >>"$1"
}

# hostile2_notes PATH NAME:TYPE...: $work/peil.ini with a dataset notes of
# the fields named (no key), filled by a csv source from PATH whose
# headers are the fields' names.
hostile2_notes() {
	local path=$1 f
	shift
	mkdir -p "$work/ns"
	{
		printf '[peil]\nplugin_dirs = %s\nscript_dirs = %s\nreject_dir = %s\n' \
			"$plugins" "$work/ns" "$work/rejects"
		store_config
		echo "[dataset notes]"
		for f; do echo "field.${f%%:*} = ${f#*:}"; done
		printf '[source notes]\nplugin = csv\ndataset = notes\npath = %s\nseparator = semicolon\n' "$path"
		for f; do echo "column.${f%%:*} = ${f%%:*}"; done
	} >"$work/peil.ini"
}

# ------------------------------------------- a file changed after its hash
# The ingest hashes each file (one ahead of the read) and checks it only
# after the plugin read it, by its path.  A named pipe put in the place of
# the next file while the one before it was read was opened by the csv
# plugin: the open waited for a writer for ever (SIGTERM did not end it,
# the open is restarted).  Now everything that opens an export (the
# hasher, every input plugin, the check after the read, peil init) opens
# it without waiting and reads it only when what it opened is a regular
# file.  And the plugin reads the file that was hashed, through the
# descriptor of the hash, whatever took its path since: the pipe is
# never opened, and b.csv's ten cases, hashed before the swap, are
# stored beside a.csv's (exit 0).
test_hostile2_swapped() {
	local pid n=0
	mkdir -p "$work/sw" "$work/no_scripts"
	hostile2_big "$work/sw/a.csv" 400000
	cp "$src/tests/data/e2e/cases.csv" "$work/sw/b.csv"
	write_config "$work/sw/*.csv" "$work/no_scripts"
	timeout -s KILL 120 "$peil" ingest -v --config "$work/peil.ini" \
		>/dev/null 2>"$work/err" &
	pid=$!
	# b.csv is hashed as a.csv's read begins (a second for the hasher
	# to be scheduled); it is replaced then, while a.csv is still read.
	until grep -q "reads $work/sw/a.csv" "$work/err" 2>/dev/null ||
		[ $n -ge 1200 ]; do sleep 0.05; n=$((n + 1)); done
	sleep 1
	rm -f "$work/sw/b.csv"
	mkfifo "$work/sw/b.csv"
	wait $pid
	expect_rc "ingest with b.csv made a named pipe after its hash" 0 $?
	grep -q "reads $work/sw/b.csv" "$work/err" &&
		ok "b.csv was hashed as a file and given to the plugin after the swap" ||
		fail "the swap came too late or too early" "$(tail -5 "$work/err")"
	[ -p "$work/sw/b.csv" ] && ok "b.csv is the pipe when it is read" ||
		fail "b.csv is not the pipe"
	expect_sql "a.csv's 400 000 cases are stored, and the 10 hashed of b.csv" 'SELECT count(*) FROM ds_cases' "400010"
	expect_sql "the ingest log holds both" 'SELECT count(*) FROM peil_ingest' "2"
}

# peil init read the export it was given with fopen: a named pipe held it
# for ever.  Now it is refused at once, naming it.
test_hostile2_init_pipe() {
	mkfifo "$work/pipe.csv"
	timeout -s KILL 30 "$peil" init --from "$work/pipe.csv" \
		>"$work/out" 2>"$work/err"
	expect_rc "peil init --from a named pipe" 2 $?
	expect_grep "the pipe is named" "$work/err" \
		"$work/pipe.csv: the export: not read: it is a named pipe, not a regular file"
}

# ------------------------------------------- the same content twice
# A source reads a content once: the next ingest skips a file whose
# content it logged.  Within one ingest it read every file it found: the
# same export through a link beside it, or a copy of it, was stored once
# for each, and a dataset without a key (whose rows are numbered, not
# replaced) held its rows three times, exit 0.  By hand: a.csv has two
# rows; b.csv links to it, c.csv is a copy; two rows and one log entry.
test_hostile2_same_content() {
	mkdir -p "$work/ex"
	hostile2_notes "$work/ex/*.csv" team:text n:integer
	printf 'team;n\nA;1\nB;2\n' >"$work/ex/a.csv"
	ln -s a.csv "$work/ex/b.csv"
	cp "$work/ex/a.csv" "$work/ex/c.csv"
	peil_expect "ingest of a file, a link to it and a copy" 0 /dev/null ingest
	expect_sql "the two rows are stored once" 'SELECT group_concat(team || n) FROM ds_notes' "A1,B2"
	for f in b c; do
		expect_grep "$f.csv is skipped, naming why" "$work/err" \
			"$work/ex/$f.csv: skipped, [source notes] read this content before with the same settings"
	done
	expect_sql "the ingest log holds a.csv alone" 'SELECT count(*) FROM peil_ingest' "1"
}

# ------------------------------------------- a corrupt store
# A page of the cases' table overwritten (a disk error, a copy cut
# short): eval and a full run fail naming the store and SQLite's cause
# (exit 4).  peil check printed that error, then "are fine; 1 warning
# about the stored values", exit 0, so that a check before a deployment
# passed on a store that no run can read.  Now it says the stored values
# could not be read, exit 4.
test_hostile2_corrupt_store() {
	local page
	write_config "$src/tests/data/e2e/cases.csv"
	peil_expect "ingest" 0 /dev/null ingest
	page=$(sqlite3 "$work/peil.db" "PRAGMA wal_checkpoint(TRUNCATE);" \
		"SELECT pageno FROM dbstat WHERE name = 'ds_cases' LIMIT 1" | tail -1)
	dd if=/dev/urandom of="$work/peil.db" bs=65536 seek=$((page - 1)) count=1 \
		conv=notrunc 2>/dev/null
	peil_expect "check of a corrupt store" 4 "$work/out" check
	expect_grep "check names the store and the cause" "$work/err" \
		"$work/peil.db: cases: cannot scan the dataset: database disk image is malformed"
	expect_grep "check says the values were not read" "$work/out" \
		"are fine; the stored values could not be read"
	peil_expect "eval of a corrupt store" 4 /dev/null eval --period 2018-01
	"$peil" run --full --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "a full run on a corrupt store" 4 $?
	expect_grep "run names the store and the cause" "$work/err" \
		"$work/peil.db: cases: cannot scan the dataset: database disk image is malformed"
}

# ------------------------------------------- a BSN short of digits
# A citizen number has 9 digits; one of 8 lost its leading zero (in
# Excel, typed into a number cell) and gets it back; fewer digits are
# refused.  The xlsx plugin put zeros before any number cell of a BSN
# field shorter than 9 digits: 1000007 became 001000007, which passes
# the 11-proef (7 x 1 + ... - 7 = 0), and was stored as a person, exit
# 0, where the same number in a CSV export is refused.  Now the host
# alone pads, for every input: the 8-digit number of a number cell is
# the person of its 9-digit form in the CSV export, the 7-digit one is
# refused naming file, row, column and the number (masked).
test_hostile2_bsn_digits() {
	local nc='<c r="%s"><v>%s</v></c>'
	head -c 32 /dev/urandom | base64 >"$work/secret.key"
	chmod 600 "$work/secret.key"
	write_book "$work/c.xlsx" "<row r=\"1\">$(is A1 Clientnummer)$(is B1 BSN)$(is C1 Team)$(is D1 Geboortejaar)</row><row r=\"2\">$(is A2 C1)$(printf "$nc" B2 12345672)$(is C2 Noord)$(printf "$nc" D2 1980)</row>"
	write_bsn_config "$work/c.xlsx"
	sed -i 's/^plugin = csv/plugin = xlsx/; /^separator = /d' "$work/peil.ini"
	peil_expect "an 8-digit BSN in a number cell" 0 /dev/null ingest
	printf 'Clientnummer;BSN;Team;Geboortejaar\nC9;012345672;Noord;1980\n' >"$work/c.csv"
	cp "$work/peil.ini" "$work/xlsx.ini"
	write_bsn_config "$work/c.csv"
	peil_expect "the same number with its zero in a CSV export" 0 /dev/null ingest
	expect_sql "both are one person" 'SELECT count(*), count(DISTINCT bsn) FROM ds_clients' "2|1"

	rm -f "$work"/peil.db*
	cp "$work/xlsx.ini" "$work/peil.ini"
	write_book "$work/c.xlsx" "<row r=\"1\">$(is A1 Clientnummer)$(is B1 BSN)$(is C1 Team)$(is D1 Geboortejaar)</row><row r=\"2\">$(is A2 C2)$(printf "$nc" B2 1000007)$(is C2 Noord)$(printf "$nc" D2 1980)</row>"
	peil_expect "a 7-digit BSN in a number cell" 2 /dev/null ingest
	expect_grep "refused as too short, masked" "$work/err" \
		"c.xlsx:2: column 'BSN (sheet Blad1, cell B2)': '100****' has too few digits for a citizen number (8 or 9)"
	[ "$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_clients WHERE client = 'C2'" 2>&1)" = 0 ] &&
		ok "not stored" ||
		fail "stored" "$(sqlite3 "$work/peil.db" 'SELECT client FROM ds_clients' 2>&1)"
}

# ------------------------------------------- two exports in one file
# Two exports joined into one file (cat a.csv b.csv) repeat the header
# in the middle.  Into text fields the repeated header was stored as a
# row holding the fields' names (here a case 'id' of team 'team'), exit
# 0; into a number field it was refused as "'n' is not a whole number".
# Now the line is refused as the header again, naming its line (exit 2,
# nothing stored), or rejected with on_error = reject.
test_hostile2_header_again() {
	hostile2_notes "$work/x.csv" "id:text key" team:text
	printf 'id;team\r\nA;Noord\r\n id ;team;\r\nB;Zuid\r\n' >"$work/x.csv"
	peil_expect "ingest of two exports in one file" 2 /dev/null ingest
	expect_grep "the line is named" "$work/err" \
		"$work/x.csv:3: the header line again (two exports joined into one file?)"
	expect_sql "nothing stored" 'SELECT count(*) FROM ds_notes' "0"
	echo "on_error = reject" >>"$work/peil.ini"
	peil_expect "the same with on_error = reject" 2 /dev/null ingest
	expect_sql "the two rows are stored, not the header" 'SELECT group_concat(id || team) FROM ds_notes' "ANoord,BZuid"
	[ "$(cat "$work"/rejects/* 2>/dev/null | tr -d '\r')" = "$(printf 'id;team\n id ;team;')" ] &&
		ok "the reject file holds the header and the line" ||
		fail "reject file" "$(cat "$work"/rejects/* 2>&1)"
}
