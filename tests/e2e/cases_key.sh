# Sourced by cli.sh: citizen numbers hashed under one key only.

# ------------------------------------------- the key file replaced
# Citizen numbers are stored only as HMAC-SHA256 under [privacy]
# key_file.  A key file given other content between two ingests stored
# the later rows of a person under another hash than the earlier ones:
# every count of unique persons counted that person twice, exit 0.  Now
# each read logs the key's fingerprint with its settings, and a read
# under another key than the one already in the store is refused
# (exit 2, nothing stored), naming the key file and what to do.
test_key_replaced() {
	local key_a key_b
	mkdir -p "$work/scripts" "$work/ex"
	bsn_persons_kpi >"$work/scripts/personen.lua"
	printf '%s\n' "Clientnummer;BSN;Team;Geboortejaar" \
		"C1;111222333;Noord;1980" "C2;123456782;Noord;1975" \
		"C3;12353589;Zuid;1990" >"$work/ex/a.csv"
	key_a=$(head -c 32 /dev/urandom | base64)
	key_b=$(head -c 32 /dev/urandom | base64)
	printf '%s\n' "$key_a" >"$work/secret.key"
	chmod 600 "$work/secret.key"
	write_bsn_config "$work/ex/*.csv"
	sed -i 's|^key_file = .*|&\nmin_count = 0|' "$work/peil.ini"
	peil_expect "the first export under key A" 0 /dev/null ingest
	expect_sql "its three rows stored" 'SELECT count(*) FROM ds_clients' 3

	# The same person as C3 (the number with its leading zero), and one
	# more, under key B.
	printf '%s\n' "Clientnummer;BSN;Team;Geboortejaar" \
		"C6;012353589;Zuid;1990" "C7;012741620;Zuid;1966" >"$work/ex/b.csv"
	printf '%s\n' "$key_b" >"$work/secret.key"
	peil_expect "a new export under key B is refused" 2 /dev/null ingest
	expect_grep "naming the key file and what to do" "$work/err" \
		"[privacy] key_file $work/secret.key is not the key the citizen numbers already in the store were hashed with (dataset clients, source clients): one person would be counted as two; put the old key back, or start a new store and ingest every export under the new key"
	expect_sql "nothing of it stored" 'SELECT count(*) FROM ds_clients' 3
	peil_expect "--force does not read it under key B either" 2 /dev/null ingest --force clients
	expect_sql "still nothing of it stored" 'SELECT count(*) FROM ds_clients' 3

	printf '%s\n' "$key_a" >"$work/secret.key"
	peil_expect "key A back: the export goes in" 0 /dev/null ingest
	expect_sql "its two rows stored" 'SELECT count(*) FROM ds_clients' 5
	peil_expect "eval" 0 "$work/run.csv" eval --period 2018 --format csv
	# By hand: 111222333, 123456782 in Noord; 012353589 (C3 and C6, one
	# person) and 012741620 in Zuid: 4 persons, 2 and 2.
	expect_kpi_totals "unique persons, C3 and C6 one" "$work/run.csv" \
		unieke_personen "2018=4 " team
	got=$(csv_columns kpi team waarde <"$work/run.csv" |
		awk -F';' '$1 == "unieke_personen" && $2 != "Totaal" { printf "%s=%s ", $2, $3 }')
	[ "$got" = "Noord=2 Zuid=2 " ] && ok "per team by hand" || fail "per team: $got"
	expect_sql "one hash for C3 and C6" \
		"SELECT count(DISTINCT bsn) FROM ds_clients WHERE client IN ('C3', 'C6')" 1

	# Reads logged before the fingerprint was are not compared.
	sqlite3 "$work/peil.db" "UPDATE peil_ingest SET settings_sha256 = substr(settings_sha256, 1, length(settings_sha256) - 21)"
	printf '%s\n' "Clientnummer;BSN;Team;Geboortejaar" "C8;012749539;Noord;1970" >"$work/ex/c.csv"
	printf '%s\n' "$key_b" >"$work/secret.key"
	peil_expect "reads logged without a fingerprint are not compared" 0 /dev/null ingest
	expect_grep "the files read before count as read with these settings" "$work/err" \
		"$work/ex/a.csv: skipped, [source clients] read it before"
	expect_sql "the new one stored" 'SELECT count(*) FROM ds_clients' 6
}
