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

# ------------------------------------------------------- empty holidays
# [calendar] dates replaces the Dutch holidays; written empty it would
# make Nieuwjaarsdag and Easter working days and shift every figure in
# working days (before: accepted without a word; in the fixture, case
# D6 of Zuid, registered on 29 March 2018 and met on 3 April, waited 3
# working days instead of 1, Goede Vrijdag and Tweede Paasdag counted).  Refused by every command
# that reads the config, naming the line.
test_empty_holidays() {
	local cmd
	write_config "$src/tests/data/e2e/cases.csv"
	printf '[calendar]\ndates =\n' >>"$work/peil.ini"
	local line
	line=$(grep -n '^dates =$' "$work/peil.ini" | cut -d: -f1)
	for cmd in check ingest "eval --period 2018-01"; do
		# shellcheck disable=SC2086
		"$peil" $cmd --config "$work/peil.ini" >/dev/null 2>"$work/err"
		expect_rc "$cmd with an empty holiday list" 3 $?
		expect_grep "$cmd: the line is named" "$work/err" \
			"peil.ini:$line: dates is empty: it replaces the Dutch holidays"
	done
	# A list that is not empty replaces the rules as documented: the
	# three holidays of the fixture's quarter give its figures.
	sed -i "s/^dates =\$/dates = 2018-01-01, 2018-03-30, 2018-04-02/" "$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest with a holiday list" 0 $?
	"$peil" eval --config "$work/peil.ini" --period 2018-03 --kpi wachttijd_gemiddeld \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "eval with a holiday list" 0 $?
	expect_grep "Zuid's March mean wait is 1 (cli.sh, figures)" "$work/out.csv" ";2018-03;Buurtteam Zuid;1;"
}
