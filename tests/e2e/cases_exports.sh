# Sourced by cli.sh: exports that Excel and registration systems mangle.
# Each is refused with file, line and column, or accepted as documented
# in docs/security.md; a refused file leaves nothing in the store.

# export_config FILE ENCODING [DECIMAL]
export_config() {
	{ store_sections "$plugins" "$src/scripts"; cat; } >"$work/peil.ini" <<INI
[dataset payments]
field.id = text key
field.day = date required
field.amount = real
field.name = text
[source payments]
plugin = csv
dataset = payments
path = $1
encoding = $2
decimal = ${3:-comma}
separator = semicolon
date_format = dd-mm-jjjj, jjjj-mm-dd
column.Id = id
column.Datum = day
column.Bedrag = amount
column.Naam = name
INI
}

# try NAME EXPECTED_RC MESSAGE ENCODING [DECIMAL]: ingest $work/x.csv into
# a fresh store; refused files must leave it empty.
try_export() {
	rm -f "$work"/peil.db*
	export_config "$work/$1.csv" "$4" "${5:-comma}"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	local rc=$?
	expect_rc "$1" "$2" "$rc"
	[ -n "$3" ] && expect_grep "$1: $3" "$work/err" "$3"
	if [ "$2" != 0 ]; then
		local n
		n=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_payments' 2>/dev/null || echo 0)
		[ "$n" = 0 ] && ok "$1: nothing stored" || fail "$1: $n rows stored from a refused file"
	fi
}

rows_stored() { sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_payments'; }

test_bad_exports() {
	head='Id;Datum;Bedrag;Naam'
	printf '\xef\xbb\xbf%s\r\n1;31-01-2017;1,50;Jos\xc3\xa9\r\n' "$head" >"$work/bom.csv"
	try_export bom 0 "" utf-8
	printf '%s\r\n1;31-01-2017;1,50;Jos\xc3\xa9\r\n' "$head" >"$work/no_bom.csv"
	try_export no_bom 0 "" utf-8
	[ "$(sqlite3 "$work/peil.db" 'SELECT name FROM ds_payments')" = "José" ] && ok "no_bom: text is UTF-8" || fail "no_bom: name"
	printf '%s\r\n1;31-01-2017;1,50;Jos\xe9\r\n' "$head" >"$work/cp1252_as_utf8.csv"
	try_export cp1252_as_utf8 2 "cp1252_as_utf8.csv:2: column 'Naam': invalid UTF-8: byte 0xE9" utf-8
	printf '%s\r\n1;31-01-2017;1,50;Jos\xe9\x81\r\n' "$head" >"$work/cp1252_undefined.csv"
	try_export cp1252_undefined 2 "cp1252_undefined.csv:2: column 'Naam': byte 0x81" windows-1252
	# UTF-8 under encoding = windows-1252 read as mojibake ("JosÃ©")
	# before; now refused where the accent starts (byte 43: 22 of the header line, 21 before it).
	printf '%s\r\n1;31-01-2017;1,50;Jos\xc3\xa9\r\n' "$head" >"$work/utf8_as_cp1252.csv"
	try_export utf8_as_cp1252 2 "utf8_as_cp1252.csv:2: column 'Naam': bytes 0xC3 0xA9 at byte offset 43 are UTF-8 for 'é'" windows-1252
	printf '\xef\xbb\xbf%s\r\n' "$head" >"$work/utf8_bom_as_cp1252.csv"
	try_export utf8_bom_as_cp1252 2 "utf8_bom_as_cp1252.csv" windows-1252
	printf '\xff\xfeI\x00d\x00\r\x00\n\x00' >"$work/utf16.csv"
	try_export utf16 2 "UTF-16" utf-8
	printf '%s\r\n1;31-02-2017;1,50;A\r\n' "$head" >"$work/feb31.csv"
	try_export feb31 2 "feb31.csv:2: column 'Datum': '31-02-2017' is not a valid date" utf-8
	printf '%s\r\n1;2017-13-01;1,50;A\r\n' "$head" >"$work/month13.csv"
	try_export month13 2 "month13.csv:2: column 'Datum': '2017-13-01' is not a valid date" utf-8
	printf '%s\r\n1;;1,50;A\r\n' "$head" >"$work/empty_date.csv"
	try_export empty_date 2 "empty_date.csv:2: column 'Datum': is empty, but field 'day' is required" utf-8
	printf '%s\r\n1;31-01-2017;1.234,56;A\r\n' "$head" >"$work/thousands_comma.csv"
	try_export thousands_comma 0 "" utf-8 comma
	[ "$(sqlite3 "$work/peil.db" 'SELECT amount FROM ds_payments')" = "1234.56" ] && ok "1.234,56 with decimal = comma is 1234.56" || fail "1.234,56"
	cp "$work/thousands_comma.csv" "$work/comma_as_point.csv"
	try_export comma_as_point 2 "comma_as_point.csv:2: column 'Bedrag': '1.234,56' is not a number with a decimal point" utf-8 point
	printf '%s\r\n1;31-01-2017;1,234.56;A\r\n' "$head" >"$work/point_as_comma.csv"
	try_export point_as_comma 2 "point_as_comma.csv:2: column 'Bedrag': '1,234.56' is not a number with a decimal comma" utf-8 comma
	printf '%s\r\n1;31-01-2017\r\n' "$head" >"$work/short_row.csv"
	try_export short_row 2 "short_row.csv:2: row has 2 columns, the header has 4" utf-8
	printf '%s\r\n1;31-01-2017;1;A;extra\r\n' "$head" >"$work/long_row.csv"
	try_export long_row 2 "long_row.csv:2: row has 5 columns, the header has 4" utf-8
	printf '%s;Datum\r\n1;31-01-2017;1;A;31-01-2017\r\n' "$head" >"$work/dup_header.csv"
	try_export dup_header 2 "dup_header.csv:1: column 'Datum': column 'Datum' (mapped to field day) is in the header twice" utf-8
	printf 'Id;Dag;Bedrag;Naam\r\n1;31-01-2017;1;A\r\n' >"$work/missing_header.csv"
	try_export missing_header 2 "missing_header.csv:1: column 'Datum': column 'Datum' (mapped to field day) is not in the header" utf-8
	: >"$work/empty.csv"
	try_export empty 2 "empty.csv: no header line" utf-8
	printf '%s\r\n' "$head" >"$work/header_only.csv"
	try_export header_only 0 "" utf-8
	expect_grep "header_only: 0 rows are reported" "$work/err" "0 rows (header only)"
	printf '%s\r\n1;31-01-2017;1;"A\r\n2;31-01-2017;1;B\r\n' "$head" >"$work/unclosed.csv"
	try_export unclosed 2 "unclosed.csv:2: column 'Naam': " utf-8
	expect_grep "unclosed: says the quote is open" "$work/err" "quote"
	printf '%s\r\n1;31-01-2017;1;A\r\n2;31-01-2' "$head" >"$work/truncated.csv"
	try_export truncated 2 "truncated.csv:3: column 'Datum': '31-01-2' is not a valid date" utf-8
	printf '%s\r\n1;31-01-2017;1;A\x00B\r\n' "$head" >"$work/nul.csv"
	try_export nul 2 "nul.csv:2: column 'Naam': NUL byte at byte offset" utf-8
	{ printf '%s\r\n1;31-01-2017;1;' "$head"; head -c 10485760 /dev/zero | tr '\0' 'x'; printf '\r\n'; } >"$work/big_field.csv"
	try_export big_field 0 "" utf-8
	[ "$(sqlite3 "$work/peil.db" 'SELECT length(name) FROM ds_payments')" = 10485760 ] && ok "a 10 MB field is stored whole" || fail "10 MB field"
	# A totals row: refused like any row that does not fit (documented).
	printf '%s\r\n1;31-01-2017;1,50;A\r\nTotaal;;1,50;\r\n' "$head" >"$work/totals.csv"
	try_export totals 2 "totals.csv:3: column 'Datum': is empty, but field 'day' is required" utf-8
	# The same file twice, and the same content under another name.
	printf '%s\r\n1;31-01-2017;1;A\r\n' "$head" >"$work/twice.csv"
	try_export twice 0 "" utf-8
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "the same file again" 0 $?
	expect_grep "is skipped" "$work/err" "skipped, [source payments] read it before and its size, modification time and inode are the same"
	cp "$work/twice.csv" "$work/other_name.csv"
	export_config "$work/other_name.csv" utf-8
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_grep "the same content under another name is skipped" "$work/err" "other_name.csv: skipped"
	[ "$(rows_stored)" = 1 ] && ok "still one row" || fail "$(rows_stored) rows"
}
