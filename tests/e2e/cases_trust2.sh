# Sourced by cli.sh: more figures that would be quietly wrong on exports
# of other shapes, read right or refused loudly (cases_trust.sh is the
# first round).

# ------------------------------------------------ ISO 8601 dates and times
# JSON and SQL Server write a date with a T before the time, a fraction of
# a second and a zone: 2018-03-01T00:00:00, 2018-04-01 00:00:00.000,
# 2018-03-31T23:30:00-05:00.  peil init proposes them as dates and ingest
# stores the day as written, the zone converting nothing (before: init
# proposed text, the KPIs on those fields were not evaluated, and a
# format with a T was refused).  The figures of init_figures
# (cases_trust.sh), C2 registered on 31 March as written (1 April in
# UTC).
test_init_iso_times() {
	printf 'Casusnummer;Team;Aanmelddatum;Afsluitdatum\r\nC1;Noord;2018-03-01T00:00:00;2018-04-01 00:00:00.000\r\nC2;Noord;2018-03-31T23:30:00-05:00;\r\nC3;Zuid;2018-04-02T00:00:00.000Z;2018-04-03 09:15:00.123\r\n' \
		>"$work/Export iso.csv"
	"$peil" init --from "$work/Export iso.csv" --dir "$work/muni" >"$work/init.out" 2>"$work/err"
	expect_rc "peil init on ISO 8601 dates" 0 $?
	local line
	for line in "date_format = jjjj-mm-ddTuu:mm:ss, jjjj-mm-dd uu:mm:ss" \
		    "field.registered = date required" "field.closed = date" \
		    "periods = 2018"; do
		expect_grep "proposed: $line" "$work/muni/peil.ini" "$line"
	done
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

