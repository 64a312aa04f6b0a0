# Sourced by cli.sh: figures that would be quietly wrong on exports of
# other shapes, configs written from docs/configuration.md alone, and a
# bad day.  Each is either read right or refused loudly.  Uses
# export_config and try_export of cases_exports.sh.

# ------------------------------------------------------ implausible years
# A registration date in year 0017 or 9999 is a typo or a placeholder for
# "no date", never a date of the social domain: refused at ingest with
# file, line, column and value (before: stored as it was, and counted in
# no period or in one far away).  1900 and 2199 are the ends of the
# window, both in.
test_implausible_years() {
	local bad
	for bad in 1-3-0017 31-12-9999 31-12-1899 01-01-2200; do
		printf 'Id;Datum;Bedrag;Naam\r\n1;02-01-2017;1,00;Piet\r\n2;%s;2,00;Jan\r\n' \
			"$bad" >"$work/year.csv"
		try_export year 2 "year.csv:3: column 'Datum': '$bad' has year" utf-8
		expect_grep "$bad: the window is named" "$work/err" \
			"outside 1900..2199, the years Peil reads as a date (field day)"
	done
	expect_grep "the placeholder's recode is named" "$work/err" \
		"recode.day.01-01-2200 = in the [source]"
	printf 'Id;Datum;Bedrag;Naam\r\n1;01-01-1900;1,00;Piet\r\n2;31-12-2199;2,00;Jan\r\n' \
		>"$work/ends.csv"
	try_export ends 0 "" utf-8
	[ "$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_payments' 2>&1)" = 2 ] &&
		ok "1900 and 2199 are stored" || fail "1900 and 2199 are stored"
	# The recode that the message names stores the placeholder empty.
	printf 'Id;Datum;Bedrag;Naam\r\n1;02-01-2017;1,00;Piet\r\n2;31-12-9999;2,00;Jan\r\n' \
		>"$work/placeholder.csv"
	export_config "$work/placeholder.csv" utf-8
	sed -i 's/^field.day = date required/field.day = date/' "$work/peil.ini"
	echo "recode.day.31-12-9999 =" >>"$work/peil.ini"
	rm -f "$work"/peil.db*
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "the placeholder recoded to empty" 0 $?
	[ "$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_payments WHERE day IS NULL' 2>&1)" = 1 ] &&
		ok "the placeholder is stored empty" ||
		fail "the placeholder is stored empty" "$(sqlite3 "$work/peil.db" 'SELECT * FROM ds_payments' 2>&1)"
}
