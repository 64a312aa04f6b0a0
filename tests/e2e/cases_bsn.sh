# Sourced by cli.sh: citizen numbers are checked, hashed with the
# municipality's key, and found nowhere afterwards.

# The fixture's numbers, as written and in their other form (with or
# without the leading zero).
bsn_numbers="111222333 123456782 012353589 12353589 012456536 12456536 012741620 12741620 012749539 12749539 123456789"

write_bsn_config() {
	{ store_sections "$plugins" "$work/scripts"; cat; } >"$work/peil.ini" <<INI
[privacy]
key_file = $work/secret.key
[dataset clients]
field.client = text key
field.bsn = bsn required
field.team = text required
field.birth_year = integer
$(csv_source clients clients "$1" semicolon Clientnummer=client BSN=bsn Team=team \
	Geboortejaar=birth_year)
INI
}

# bsn_persons_kpi: the Lua of a KPI counting the unique persons of clients
# per team, a year at a time.
bsn_persons_kpi() {
	cat <<'LUA'
kpi {
  id = "unieke_personen",
  title = "Unieke personen",
  unit = "personen",
  dataset = "clients",
  grain = "year",
  breakdown = { "team" },
  rule = count_distinct("bsn"),
}
LUA
}

test_bsn() {
	mkdir -p "$work/scripts"
	{ bsn_persons_kpi; cat; } >"$work/scripts/personen.lua" <<'LUA'
kpi {
  id = "bsn_lengte",
  title = "Lengte van de opgeslagen sleutel",
  unit = "tekens",
  dataset = "clients",
  grain = "year",
  rule = max(function(c) log("bsn is", c.bsn) return #c.bsn end),
}
LUA
	head -c 32 /dev/urandom | base64 >"$work/secret.key"
	chmod 644 "$work/secret.key"
	write_bsn_config "$src/tests/data/bsn/clients.csv"
	"$peil" ingest --config "$work/peil.ini" >"$work/out.1" 2>"$work/err.1"
	expect_rc "a key file readable by others is refused" 3 $?
	expect_grep "naming the file and the mode" "$work/err.1" "secret.key: the key file may be read or changed by others (mode 644)"
	chmod 600 "$work/secret.key"
	echo "on_error = reject" >>"$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" >"$work/out.2" 2>"$work/err.2"
	expect_rc "reject files are refused for citizen numbers" 3 $?
	expect_grep "and why" "$work/err.2" "a reject file would hold it in the clear"

	write_bsn_config "$src/tests/data/bsn/clients.csv"
	"$peil" ingest --config "$work/peil.ini" >"$work/out.3" 2>"$work/err.3"
	expect_rc "the export with citizen numbers goes in" 0 $?
	got=$(sqlite3 "$work/peil.db" "SELECT count(*), count(DISTINCT bsn), min(length(bsn)) FROM ds_clients")
	[ "$got" = "5|5|64" ] && ok "stored as five 64-digit hashes" || fail "stored: $got"
	# The padded 8-digit number hashes like its 9-digit form.
	"$peil" eval --config "$work/peil.ini" --period 2018 --format csv >"$work/out.4" 2>"$work/err.4"
	expect_rc "eval over the hashes" 0 $?
	expect_grep "unique persons per team" "$work/out.4" "unieke_personen;"
	"$peil" show --config "$work/peil.ini" --format json >"$work/out.5" 2>"$work/err.5"
	"$peil" show --config "$work/peil.ini" --format text >"$work/out.6" 2>"$work/err.6"

	write_bsn_config "$src/tests/data/bsn/clients_bad.csv"
	"$peil" ingest --config "$work/peil.ini" >"$work/out.7" 2>"$work/err.7"
	expect_rc "an invalid citizen number refuses the file" 2 $?
	expect_grep "masked in the error, with file, line and column" "$work/err.7" \
		"clients_bad.csv:3: column 'BSN': '1234*****' is not a valid citizen number (fails the 11-proef) (field bsn)"
	n=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_clients")
	[ "$n" = 5 ] && ok "nothing of the refused file is stored" || fail "$n rows"

	# Nowhere: database, WAL, shared memory, logs, outputs, rejects.
	sqlite3 "$work/peil.db" .dump >"$work/out.dump"
	leaks=0
	for number in $bsn_numbers; do
		for f in "$work"/peil.db* "$work"/out.* "$work"/err.* "$work"/rejects/*; do
			[ -e "$f" ] || continue
			if LC_ALL=C grep -aqF -- "$number" "$f"; then
				leaks=$((leaks + 1))
				fail "citizen number $number found in $(basename "$f")"
			fi
		done
	done
	[ "$leaks" = 0 ] && ok "no citizen number, with or without its zero, in store, WAL, logs or outputs" || true
	ls "$work"/peil.db-wal >/dev/null 2>&1 && ok "the WAL file was searched too" || ok "no WAL file left to search"
}
