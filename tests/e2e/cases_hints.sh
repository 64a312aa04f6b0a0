# Sourced by cli.sh: messages that suggest the fix.
# Uses export_config and try_export of cases_exports.sh ([source
# payments], separator = semicolon, columns Id, Datum, Bedrag, Naam).
#
# At commit 66e7cc8 a comma-separated export read with
# separator = semicolon said only "column 'Id' (mapped to field id) is
# not in the header".

test_hints() {
	printf 'Id,Datum,Bedrag,Naam\r\n1,02-01-2017,"12,50",Piet\r\n' >"$work/commas.csv"
	try_export commas 2 "commas.csv:1: column 'Id': column 'Id' (mapped to field id) is not in the header; the header was split on ';' into 1 column, and column 'Id,Datum,Bedrag,Naam' holds ',': is the file separated by ','? (separator = comma)" utf-8

	# Tabs read as ';': the same hint, naming the tab.
	printf 'Id\tDatum\tBedrag\tNaam\r\n1\t02-01-2017\t12,50\tPiet\r\n' >"$work/tabs.csv"
	# the log shows each tab as its picture (base/visible.h)
	try_export tabs 2 "column 'Id␉Datum␉Bedrag␉Naam' holds a tab: is the file separated by a tab? (separator = tab)" utf-8

	# A column that is simply missing gets no separator hint.
	printf 'Id;Datum;Naam\r\n1;02-01-2017;Piet\r\n' >"$work/missing.csv"
	try_export missing 2 "missing.csv:1: column 'Bedrag': column 'Bedrag' (mapped to field amount) is not in the header" utf-8
	if grep -q "separated by" "$work/err"; then fail "a missing column is blamed on the separator" "$(cat "$work/err")"
	else ok "a missing column gets no separator hint"; fi

	# A wrong value type names the value found (already so before the
	# other hints; kept here with them).
	printf 'Id;Datum;Bedrag;Naam\r\n1;02-01-2017;abc;Piet\r\n' >"$work/abc.csv"
	try_export abc 2 "abc.csv:2: column 'Bedrag': 'abc' is not a number with a decimal comma" utf-8
}
