# Sourced by cli.sh: more figures that would be quietly wrong on exports
# of other shapes, read right or refused loudly (cases_trust.sh is the
# first round).

# ------------------------------------------------ ISO 8601 dates and times
# JSON and SQL Server write a date with a T before the time, a fraction of
# a second and a zone: 2018-03-01T00:00:00, 2018-04-01 00:00:00.000,
# 2018-02-28T23:00:00Z.  peil init proposes them as dates; ingest stores
# the day as written, or, with a zone, the day in the Netherlands (before:
# init proposed text, the KPIs on those fields were not evaluated, and a
# format with a T was refused).  The figures of init_figures
# (cases_trust.sh): C1 registered on 1 March (Dutch midnight written in
# UTC: 28 February as written), C2 on 31 March (23:30 summer time).
test_init_iso_times() {
	printf 'Casusnummer;Team;Aanmelddatum;Afsluitdatum\r\nC1;Noord;2018-02-28T23:00:00.000Z;2018-04-01 00:00:00.000\r\nC2;Noord;2018-03-31T21:30:00Z;\r\nC3;Zuid;2018-04-02T00:00:00.000Z;2018-04-03 09:15:00.123\r\n' \
		>"$work/Export iso.csv"
	init_proposes "ISO 8601 dates" "Export iso.csv" \
		"date_format = jjjj-mm-ddTuu:mm:ss, jjjj-mm-dd uu:mm:ss" \
		"field.registered = date required" "field.closed = date" \
		"periods = 2018"
	init_figures
	# A zone that is none: refused naming file, line, column and value,
	# and nothing of the file stored.
	printf 'Casusnummer;Team;Aanmelddatum;Afsluitdatum\r\nC1;Noord;2018-03-01T00:00:00;\r\nC2;Noord;2018-03-02T00:00:00+25:00;\r\n' \
		>"$work/Export iso.csv"
	rm -f "$work"/muni/*.db*
	"$peil" ingest --config "$work/muni/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of a zone that is none" 2 $?
	expect_grep "the value is named" "$work/err" \
		"Export iso.csv:3: column 'Aanmelddatum': '2018-03-02T00:00:00+25:00' is not a valid date in the format jjjj-mm-ddTuu:mm:ss or jjjj-mm-dd uu:mm:ss (field registered)"
	[ "$(sqlite3 "$work/muni/peil.db" 'SELECT count(*) FROM ds_cases' 2>/dev/null || echo 0)" = 0 ] &&
		ok "nothing of the refused file stored" || fail "rows of the refused file stored"
}


# ---------------------------------------- dates with and without a time
# One column with 2018-03-01T10:00:00 and 2018-03-31: no one format reads
# both, but a source's date_format list does, and peil init proposes it
# (before: text, and the KPIs on the field were not evaluated).  The
# figures of init_figures (cases_trust.sh).  A column of dates but for one
# value that is none (31 April) is text, and the proposal says why.
test_init_mixed_times() {
	printf 'Casusnummer;Team;Aanmelddatum;Afsluitdatum;Besluitdatum\r\nC1;Noord;2018-03-01T10:00:00;2018-04-01;01-05-2018\r\nC2;Noord;2018-03-31;;31-04-2018\r\nC3;Zuid;2018-04-02T00:00:00;2018-04-03T09:15:00;\r\n' \
		>"$work/Export gemengd.csv"
	init_proposes "dates with and without a time" "Export gemengd.csv" \
		"date_format = jjjj-mm-dd, jjjj-mm-ddTuu:mm:ss" \
		"field.registered = date required" "field.closed = date" \
		"field.besluitdatum = text" "periods = 2018" \
		"; text, not date: 1 of 2 values read as dates, but not '31-04-2018' (no date format of Peil reads it)"
	init_figures
}

# ------------------------------------ a team named like the total row
# The outputs write "Totaal" (English "Total") on a KPI's total row and
# "(onbekend)" ("(unknown)") for an empty breakdown value.  An export with
# a team of that name (or an export's own "(onbekend)") gave two rows
# "Totaal" in the CSV and the text, the team's 2 and the total 6, that no
# reader could tell apart (before: exit 0).  Now the KPI fails naming the
# field, the value and the recode; with the recodes its figures are, by
# hand: Noord 1 (C1), Team Totaal 2 (C2, C3), Team Total 1 (C6), empty 2
# (C4 recoded to empty, C5), the total 6.
test_reserved_team_names() {
	printf 'Casusnummer;Team;Aanmelddatum;Afsluitdatum\r\nC1;Noord;01-03-2018;\r\nC2;Totaal;02-03-2018;\r\nC3;Totaal;03-03-2018;\r\nC4;(onbekend);04-03-2018;\r\nC5;;05-03-2018;\r\nC6;TOTAL;06-03-2018;\r\n' \
		>"$work/teams.csv"
	"$peil" init --from "$work/teams.csv" --dir "$work/muni" >/dev/null 2>"$work/err"
	expect_rc "peil init" 0 $?
	sed -i 's/^min_count = 10$/min_count = 0/' "$work/muni/peil.ini"
	"$peil" ingest --config "$work/muni/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest" 0 $?
	"$peil" eval --config "$work/muni/peil.ini" --period 2018-03 --kpi casussen_gestart \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "eval with a team named like the total row" 1 $?
	expect_grep "the field and the recode are named" "$work/err" \
		"KPI casussen_gestart failed: breakdown field team has the value '"
	expect_grep "what it collides with is named" "$work/err" "which the outputs write for the "
	[ "$(csv_columns team waarde <"$work/out.csv" | wc -l)" = 0 ] &&
		ok "no figure of the KPI written" || fail "figures written" "$(cat "$work/out.csv")"
	sed -i '/^column.Team = team$/a recode.team.Totaal = Team Totaal\nrecode.team.TOTAL = Team Total\nrecode.team.(onbekend) =' \
		"$work/muni/peil.ini"
	rm -f "$work"/muni/peil.db*
	"$peil" ingest --config "$work/muni/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest with the recodes" 0 $?
	"$peil" eval --config "$work/muni/peil.ini" --period 2018-03 --kpi casussen_gestart \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "eval with the recodes" 0 $?
	local got
	got=$(csv_columns team waarde <"$work/out.csv" | LC_ALL=C sort | tr '\n' ' ')
	[ "$got" = "(onbekend);2 Noord;1 Team Totaal;2 Team Total;1 Totaal;6 " ] &&
		ok "the figures with the recodes: $got" || fail "figures with the recodes" "got: $got"
}

# ------------------------------------------ [run] periods written backwards
# The run covers from the earliest period to the latest: a range written
# backwards widened it without a word (before: "2018-03, 2018-06..2018-05"
# ran March to May, April's figures published and June's left out).
# Refused naming the line, by every command that reads the config.
test_periods_backwards() {
	printf 'Casusnummer;Team;Aanmelddatum;Afsluitdatum\r\nC1;Noord;01-03-2018;\r\nC2;Zuid;02-04-2018;\r\n' \
		>"$work/cases.csv"
	"$peil" init --from "$work/cases.csv" --dir "$work/muni" >/dev/null 2>"$work/err"
	expect_rc "peil init" 0 $?
	sed -i 's/^periods = .*/periods = 2018-03, 2018-06..2018-05/' "$work/muni/peil.ini"
	local line cmd
	line=$(grep -n '^periods = ' "$work/muni/peil.ini" | cut -d: -f1)
	for cmd in check run; do
		"$peil" $cmd --config "$work/muni/peil.ini" >/dev/null 2>"$work/err"
		expect_rc "$cmd with a range written backwards" 3 $?
		expect_grep "$cmd: the line and the range are named" "$work/err" \
			"peil.ini:$line: periods = 2018-06..2018-05: 2018-06 begins after 2018-05 ends"
	done
	sed -i 's/^periods = .*/periods = 2018-03, 2018-05..2018-06/' "$work/muni/peil.ini"
	"$peil" check --config "$work/muni/peil.ini" >/dev/null 2>"$work/err"
	grep -q "periods = " "$work/err" && fail "the range written forwards is refused" "$(cat "$work/err")" ||
		ok "the range written forwards is read"
}

# ----------------------------------------- xlsx date cells with a time
# A date cell of type d (ISO 8601 text: openpyxl and others write them)
# was read by its first ten characters: 2018-02-28T23:00:00Z, Dutch
# midnight in UTC, as 28 February, and 2018-03-01T25:00:00 as a date.  A
# time that exists without a zone is the plugin's to read; any other goes
# to the host as text, read by date_format as a CSV's: 1 March, or
# refused naming the cell.  By hand: 1 March 2018 is day 17591.
test_xlsx_iso_cells() {
	local v rc
	for v in 2018-02-28T23:00:00Z 2018-03-01T10:00:00 2018-03-01T25:00:00; do
		rm -f "$work"/peil.db*
		write_book "$work/days.xlsx" "<row r=\"1\">$(is A1 Nummer)$(is B1 Datum)</row><row r=\"2\">$(is A2 N1)<c r=\"B2\" t=\"d\"><v>$v</v></c></row>"
		book_config days day date Datum \
			"date_format = jjjj-mm-dd, jjjj-mm-ddTuu:mm:ss"
		"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
		rc=$?
		if [ "$v" = 2018-03-01T25:00:00 ]; then
			expect_rc "$v refused" 2 $rc
			expect_grep "$v: the cell and the value are named" "$work/err" \
				"days.xlsx:2: column 'Datum (sheet Blad1, cell B2)': '$v' is not a valid date"
			continue
		fi
		expect_rc "$v stored" 0 $rc
		[ "$(sqlite3 "$work/peil.db" 'SELECT day FROM ds_days')" = 17591 ] &&
			ok "$v is 1 March" || fail "$v" "stored $(sqlite3 "$work/peil.db" 'SELECT day FROM ds_days')"
	done
}
