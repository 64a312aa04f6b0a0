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
	peil_expect "the same file again" 0 /dev/null ingest
	expect_grep "is skipped" "$work/err" "skipped, [source payments] read it before and its size, modification time and inode are the same"
	cp "$work/twice.csv" "$work/other_name.csv"
	export_config "$work/other_name.csv" utf-8
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_grep "the same content under another name is skipped" "$work/err" "other_name.csv: skipped"
	[ "$(rows_stored)" = 1 ] && ok "still one row" || fail "$(rows_stored) rows"
}

# ---------------------------------------------------------- declared_rules
# A field's declared range and date order (docs/configuration.md,
# [dataset]): a value against them is a row that does not fit, refused
# naming file, line, column (for a range), field and value; nothing of the
# file is stored; on_error = reject sets the row aside.  Worked by hand:
#   id 1: visited 31-01-2017, reported 31-01-2017 (same day: fits), mark 1
#   id 2: visited 01-02-2017, reported empty (no order to check), mark 10
#   id 3: visited 02-02-2017, reported 01-02-2017 (a day before: refused)
#   id 4: mark 75 (outside 1..10: refused)
#   id 5: amount -0,01 (outside 0..: refused)
rules_config() { # rules_config FILE [ON_ERROR] [FIELD LINES...]
	local file=$1 on_error=${2:-stop} extra=${3:-}
	mkdir -p "$work/visit_scripts"
	printf 'kpi { id = "bezoeken", title = "Bezoeken", unit = "bezoeken",\n  dataset = "visits", grain = "month",\n  select = started_in("visited"), rule = count() }\n' \
		>"$work/visit_scripts/bezoeken.lua"
	{ store_sections "$plugins" "$work/visit_scripts"; cat; } >"$work/peil.ini" <<INI
[dataset visits]
field.id = text key
field.visited = date required
field.reported = date not_before visited
field.mark = integer 1..10
field.amount = real 0..
$extra
[source visits]
plugin = csv
dataset = visits
path = $file
encoding = utf-8
decimal = comma
separator = semicolon
date_format = dd-mm-jjjj
on_error = $on_error
column.Id = id
column.Bezoek = visited
column.Verslag = reported
column.Cijfer = mark
column.Bedrag = amount
INI
}

test_declared_rules() {
	local ok_rows=$'Id;Bezoek;Verslag;Cijfer;Bedrag\r\n1;31-01-2017;31-01-2017;1;0\r\n2;01-02-2017;;10;2,50'
	printf '%s\r\n' "$ok_rows" >"$work/fits.csv"
	rm -f "$work"/peil.db*
	rules_config "$work/fits.csv"
	peil_expect "rows on the bounds and on the same day fit" 0 /dev/null ingest
	[ "$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_visits')" = 2 ] && ok "2 rows stored" || fail "rows stored" "$(cat "$work/err")"
	for c in "before;3;02-02-2017;01-02-2017;5;1:4:field reported (2017-02-01) is before field visited (2017-02-02), which dataset visits declares it may not precede (not_before visited)" \
		 "mark;4;02-02-2017;;75;1:4:column 'Cijfer': 75 is outside 1..10, the range that field mark of dataset visits declares" \
		 "mark0;4;02-02-2017;;0;1:4:column 'Cijfer': 0 is outside 1..10" \
		 "amount;5;02-02-2017;;7;-0,01:4:column 'Bedrag': -0.01 is outside 0.., the range that field amount of dataset visits declares"; do
		IFS=';' read -r name id visited reported rest <<<"$c"
		mark=${rest%%;*}; rest=${rest#*;}
		amount=${rest%%:*}; rest=${rest#*:}
		line=${rest%%:*}; msg=${rest#*:}
		printf '%s\r\n%s;%s;%s;%s\r\n' "$ok_rows" "$id;$visited" "$reported" "$mark" "$amount" >"$work/$name.csv"
		rm -f "$work"/peil.db*
		rules_config "$work/$name.csv"
		peil_expect "$name: refused" 2 /dev/null ingest
		expect_grep "$name: file, line and why" "$work/err" "$name.csv:$line: $msg"
		[ "$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_visits' 2>/dev/null || echo 0)" = 0 ] && ok "$name: nothing stored" || fail "$name: rows stored from a refused file"
	done
	# on_error = reject: the row set aside, the others stored
	rm -rf "$work"/peil.db* "$work/rejects"
	rules_config "$work/mark.csv" reject
	peil_expect "mark with on_error = reject" 2 /dev/null ingest
	[ "$(sqlite3 "$work/peil.db" 'SELECT group_concat(id) FROM ds_visits')" = "1,2" ] && ok "reject: rows 1 and 2 stored" || fail "reject: stored"
	expect_grep "reject: the row in the reject file" "$(echo "$work"/rejects/*_mark.csv.rejected)" "4;02-02-2017;;75;1"
	# rows stored before the rules were declared: peil check names them
	rm -rf "$work"/peil.db* "$work/rejects"
	printf '%s\r\n3;02-02-2017;01-02-2017;75;1\r\n4;03-02-2017;;0;1\r\n' "$ok_rows" >"$work/earlier.csv"
	rules_config "$work/earlier.csv"
	sed -i 's/^field.reported = date not_before visited/field.reported = date/; s/^field.mark = integer 1..10/field.mark = integer/' "$work/peil.ini"
	peil_expect "without the rules the rows are stored" 0 /dev/null ingest
	rules_config "$work/earlier.csv"
	peil_expect "check: warnings, as for other stored values" 0 "$work/out" check
	expect_grep "check: two warnings" "$work/out" "KPIs are fine; 2 warnings about the stored values"
	expect_grep "check: marks outside the range" "$work/err" \
		"dataset visits: 2 of its 4 stored rows hold a mark outside 1..10, the range that field.mark declares (the first: 75)"
	expect_grep "check: a date before its other date" "$work/err" \
		"dataset visits: 1 of its 4 stored rows have reported before visited (the first: 2017-02-01 before 2017-02-02)"
	if grep -q "amount" "$work/err"; then fail "check: no amount warning" "$(cat "$work/err")"; else ok "check: the amounts fit"; fi
	# declarations that cannot hold: configuration errors (exit 3)
	for c in "text 1..10:field.name = text 1..10:a range (1..10) needs an integer, real or date field" \
		 "open:field.n = integer ..:'..' is not a range" \
		 "reversed:field.n = integer 10..1:'10..1' is not a range" \
		 "date_number:field.d = date 1..2:'1..2' is not a range" \
		 "unknown:field.d = date not_before nothing:field.d: not_before nothing needs a date field and another date field of [dataset visits]" \
		 "not_date:field.n = integer not_before visited:field.n: not_before visited needs a date field" \
		 "dangling:field.d = date not_before:not_before names no field"; do
		name=${c%%:*}; rest=${c#*:}
		decl=${rest%%:*}; msg=${rest#*:}
		rules_config "$work/fits.csv" stop "$decl"
		peil_expect "declaration $name: a configuration error" 3 /dev/null ingest
		expect_grep "declaration $name: says why" "$work/err" "$msg"
	done
}
