# Sourced by cli.sh: the xlsx input plugin through the real host.  The
# fixture export is converted to .xlsx by LibreOffice (as a municipality's
# analyst would save it from Excel) and must give the same figures as the
# CSV; refused workbooks leave nothing in the store.

# soffice_convert CSV OUTDIR [CSV...]: semicolon-separated UTF-8 CSVs to .xlsx,
# read in the Dutch locale (1043), so 2-1-2018 is 2 January.  Fails the
# case when soffice is missing and CI=true; skips it otherwise.
soffice_convert() {
	if ! command -v soffice >/dev/null 2>&1; then
		if [ "${CI:-}" = true ]; then
			fail "soffice is missing (CI=true): .ci/install-deps installs libreoffice-calc-nogui"
		else
			echo "skip: soffice (libreoffice-calc-nogui) is not installed"
			exit 77
		fi
		return 1
	fi
	HOME="$work" soffice "-env:UserInstallation=file://$work/profile" --headless \
		--infilter=CSV:59,34,76,1,,1043 --convert-to xlsx --outdir "$2" "$1" "${@:3}" \
		>"$work/soffice.log" 2>&1
}

# xlsx_config FILE: the fixture's config, reading FILE with the xlsx plugin.
xlsx_config() {
	write_config "$src/tests/data/e2e/cases.csv"
	sed -i -e '/^\[source fixture\]/,$ { s/^plugin = csv/plugin = xlsx/; s#^path = .*#path = '"$1"'#; /^encoding = /d; /^separator = /d; }' "$work/peil.ini"
}

test_xlsx_same_figures() {
	mkdir -p "$work/csv" "$work/xlsx"
	iconv -f windows-1252 -t utf-8 "$src/tests/data/e2e/cases.csv" >"$work/csv/cases.csv"
	soffice_convert "$work/csv/cases.csv" "$work/xlsx" || return
	[ -f "$work/xlsx/cases.xlsx" ] && ok "LibreOffice wrote cases.xlsx" ||
		{ fail "LibreOffice did not convert" "$(cat "$work/soffice.log")"; return; }

	write_config "$src/tests/data/e2e/cases.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "ingest of the CSV" 0 $?
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --format csv \
		>"$work/from_csv" 2>"$work/err"
	expect_rc "eval from the CSV" 0 $?

	rm -f "$work"/peil.db*
	xlsx_config "$work/xlsx/cases.xlsx"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "ingest of the workbook" 0 $?
	rows=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases')
	[ "$rows" = 10 ] && ok "10 cases stored from the workbook" || fail "stored $rows cases"
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 --format csv \
		>"$work/from_xlsx" 2>"$work/err"
	expect_rc "eval from the workbook" 0 $?
	csv_columns kpi periode team waarde <"$work/from_csv" >"$work/figures_csv"
	csv_columns kpi periode team waarde <"$work/from_xlsx" >"$work/figures_xlsx"
	figures=$(grep -c . "$work/figures_csv")
	if [ "$figures" -lt 100 ]; then
		fail "the CSV gave only $figures figures"
	elif diff "$work/figures_csv" "$work/figures_xlsx" >"$work/diff"; then
		ok "the same $figures figures as from the CSV"
	else
		fail "figures differ" "$(head -5 "$work/diff")"
	fi
	# the same stored rows, field by field (dates from serials, numbers)
	sqlite3 "$work/peil.db" 'SELECT * FROM ds_cases ORDER BY case_id' >"$work/rows_xlsx"
	rm -f "$work"/peil.db*
	write_config "$src/tests/data/e2e/cases.csv"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	sqlite3 "$work/peil.db" 'SELECT * FROM ds_cases ORDER BY case_id' >"$work/rows_csv"
	if [ "$(grep -c . "$work/rows_csv")" != 10 ]; then
		fail "the CSV stored $(grep -c . "$work/rows_csv") rows, not 10"
	elif diff <(cut -d'|' -f1-14 "$work/rows_csv") <(cut -d'|' -f1-14 "$work/rows_xlsx") >"$work/diff"; then
		ok "the same 10 stored rows as from the CSV"
	else
		fail "stored rows differ" "$(head -6 "$work/diff")"
	fi
}

# A workbook refused whole: an .xls and a ZIP bomb leave the store empty.
test_xlsx_refusals() {
	printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' >"$work/old.xlsx"
	head -c 4000 /dev/zero >>"$work/old.xlsx"
	xlsx_config "$work/old.xlsx"
	peil_expect "an .xls is refused" 2 /dev/null ingest
	expect_grep "the message names the format" "$work/err" "old.xlsx: an Excel 97-2003 workbook (.xls, binary format)"
	n=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases' 2>/dev/null || echo 0)
	[ "$n" = 0 ] && ok ".xls: nothing stored" || fail ".xls: $n rows stored"

	# a 2 MiB sheet of white space behind a good header and row, with
	# max_unpacked_mb = 1
	mkdir -p "$work/bomb/xl/worksheets" "$work/bomb/_rels" "$work/bomb/xl/_rels"
	cat >"$work/bomb/_rels/.rels" <<'XML'
<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
XML
	cat >"$work/bomb/xl/workbook.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>
XML
	cat >"$work/bomb/xl/_rels/workbook.xml.rels" <<'XML'
<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>
XML
	{ printf '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
	  printf '<row r="1"><c t="inlineStr"><is><t>Dossiernummer</t></is></c><c t="inlineStr"><is><t>Team</t></is></c><c t="inlineStr"><is><t>Datum aanmelding</t></is></c></row>'
	  head -c 2097152 /dev/zero | tr '\0' ' '; } >"$work/bomb/xl/worksheets/sheet1.xml"
	(cd "$work/bomb" && python3 -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for p in ["_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"]:
        z.write(p)' "$work/bomb.xlsx")
	xlsx_config "$work/bomb.xlsx"
	sed -i 's/^plugin = xlsx/plugin = xlsx\nmax_unpacked_mb = 1/' "$work/peil.ini"
	peil_expect "a ZIP bomb is refused" 2 /dev/null ingest
	expect_grep "the message says why" "$work/err" "bomb.xlsx: sheet 'Blad1': part 'xl/worksheets/sheet1.xml' unpacks to 2097439 bytes, more than max_unpacked_mb allows (1048576 bytes): refused as a possible ZIP bomb"
	n=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases' 2>/dev/null || echo 0)
	[ "$n" = 0 ] && ok "ZIP bomb: nothing stored" || fail "ZIP bomb: $n rows stored"
	ls "$work/bomb.xlsx" -l | awk '{ print "  (the bomb is " $5 " bytes)" }'

	# the same sheet, its ZIP entry lying that it unpacks to 1000 bytes
	# (local header and central directory): refused when the counted
	# bytes pass the declared size, long before the limit (libzip itself
	# does not compare them)
	python3 - "$work/bomb.xlsx" "$work/liar.xlsx" <<'PY'
import struct, sys, zipfile
data = bytearray(open(sys.argv[1], "rb").read())
real = zipfile.ZipFile(sys.argv[1]).getinfo("xl/worksheets/sheet1.xml").file_size
old, at, n = struct.pack("<I", real), 0, 0
while (at := data.find(old, at)) >= 0:
    data[at:at + 4] = struct.pack("<I", 1000)
    n += 1
assert n == 2, n
open(sys.argv[2], "wb").write(data)
PY
	xlsx_config "$work/liar.xlsx"
	sed -i 's/^plugin = xlsx/plugin = xlsx\nmax_unpacked_mb = 1/' "$work/peil.ini"
	peil_expect "a ZIP bomb that lies about its size is refused" 2 /dev/null ingest
	expect_grep "the counted bytes refuse it" "$work/err" \
		"liar.xlsx: sheet 'Blad1': part 'xl/worksheets/sheet1.xml' unpacks to more than the 1000 bytes its container declares for it: refused as a damaged file or a possible ZIP bomb"
	n=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases' 2>/dev/null || echo 0)
	[ "$n" = 0 ] && ok "lying ZIP bomb: nothing stored" || fail "lying ZIP bomb: $n rows stored"
}

# peil list and peil check show each plugin's name, kind, version, plugin
# ABI version and file: list every plugin on the path, check the
# ones the configuration uses.
test_plugin_info() {
	xlsx_config "$work/cases.xlsx"
	peil_expect "peil list" 0 "$work/out" list
	expect_grep "list: xlsx with kind, version, ABI and file" "$work/out" \
		"  xlsx         input    0.1.0    ABI 1  $plugins/xlsx.so"
	expect_grep "list: csv likewise" "$work/out" \
		"  csv          input    0.1.0    ABI 1  $plugins/csv.so"
	expect_grep "list: the storage plugin" "$work/out" \
		"  sqlite       storage  0.1.0    ABI 1  $plugins/sqlite.so"
	expect_grep "list: its description below" "$work/out" \
		"    Excel workbooks (.xlsx, Office Open XML)"
	peil_expect "peil check" 0 "$work/out" check
	expect_grep "check: the store's plugin" "$work/out" \
		"storage: sqlite       storage  0.1.0    ABI 1  $plugins/sqlite.so"
	expect_grep "check: the source's plugin" "$work/out" \
		"source fixture: xlsx         input    0.1.0    ABI 1  $plugins/xlsx.so"
}

# peil-demo --xlsx writes the demo's exports as workbooks (every cell a
# text, dates typed as dd-mm-jjjj, as registration systems export them);
# read with the xlsx plugin they give the figures of the CSVs.
test_demo_xlsx() {
	demo_setup 2017 2018 1500
	"$peil" ingest --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of the demo's CSVs" 0 $?
	"$peil" eval --config "$work/demo.ini" --period 2018 --format csv \
		>"$work/from_csv" 2>"$work/err"
	expect_rc "eval from the CSVs" 0 $?

	rm -rf "$work/demo" "$work"/peil.db*
	"$demo" --out "$work/demo" --from-year 2017 --to-year 2018 \
		--cases-per-year 1500 --xlsx >/dev/null
	expect_rc "peil-demo --xlsx" 0 $?
	[ "$(ls "$work/demo" | grep -c '\.xlsx$')" = 8 ] && [ "$(ls "$work/demo" | grep -c '\.csv$')" = 0 ] &&
		ok "eight workbooks, no CSV left" || fail "demo files" "$(ls "$work/demo")"
	sed -i -e 's/^plugin = csv$/plugin = xlsx/' -e '/^path = /s/\.csv$/.xlsx/' \
		-e '/^encoding = /d' -e '/^separator = /d' "$work/demo.ini"
	"$peil" ingest --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of the demo's workbooks" 0 $?
	"$peil" eval --config "$work/demo.ini" --period 2018 --format csv \
		>"$work/from_xlsx" 2>"$work/err"
	expect_rc "eval from the workbooks" 0 $?
	lines=$(grep -c . "$work/from_csv")
	if [ "$lines" -lt 100 ]; then
		fail "the CSVs gave only $lines lines of figures"
	elif cmp -s "$work/from_csv" "$work/from_xlsx"; then
		ok "the same figures from the workbooks as from the CSVs ($lines lines)"
	else
		fail "figures differ" "$(diff "$work/from_csv" "$work/from_xlsx" | head -6)"
	fi
}

# write_book FILE ROWS_XML: a one-sheet workbook ("Blad1") around the rows
# of its <sheetData>, all cells inline strings.
write_book() {
	python3 - "$1" "$2" <<'PY'
import sys, zipfile
rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("_rels/.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{main}"><sheetData>{sys.argv[2]}</sheetData></worksheet>')
PY
}

# is: an inline-string cell
is() { printf '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' "$1" "$2"; }

# A bad cell through the real host: the error names file, row, header,
# sheet and cell; on_error = reject puts the row in the reject file as a
# CSV line under the sheet's header.
test_xlsx_cell_errors() {
	write_book "$work/bad.xlsx" "<row r=\"16\">$(is A16 Dossiernummer)$(is B16 Team)$(is C16 'Datum aanmelding')</row><row r=\"17\">$(is A17 D1)$(is B17 'Noord; oost')$(is C17 31-02-2018)</row><row r=\"18\">$(is A18 D2)$(is B18 Zuid)$(is C18 01-03-2018)</row>"
	xlsx_config "$work/bad.xlsx"
	sed -i '/^column\./{/^column\.\(Dossiernummer\|Team\|Datum aanmelding\) =/!d}' "$work/peil.ini"
	peil_expect "a bad date stops the workbook" 2 /dev/null ingest
	expect_grep "file, row, header, sheet and cell" "$work/err" \
		"bad.xlsx:17: column 'Datum aanmelding (sheet Blad1, cell C17)': '31-02-2018' is not a valid date"
	n=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases' 2>/dev/null || echo 0)
	[ "$n" = 0 ] && ok "nothing stored" || fail "$n rows stored"

	rm -f "$work"/peil.db*
	sed -i 's/^plugin = xlsx/plugin = xlsx\non_error = reject/' "$work/peil.ini"
	peil_expect "on_error = reject stores the rest (exit 2: rows rejected)" 2 /dev/null ingest
	rows=$(sqlite3 "$work/peil.db" 'SELECT case_id FROM ds_cases')
	[ "$rows" = D2 ] && ok "D2 stored" || fail "stored: $rows"
	reject=$(cat "$work"/rejects/* 2>/dev/null | tr -d '\r')
	expected=$'Dossiernummer;Team;Datum aanmelding\nD1;"Noord; oost";31-02-2018'
	[ "$reject" = "$expected" ] && ok "the reject file: the header and the row as CSV" ||
		fail "reject file" "got: $reject" "expected: $expected"
}

# book_config DATASET FIELD TYPE HEADER [LINE...]: $work/peil.ini that
# reads the workbook $work/DATASET.xlsx into DATASET: column Nummer is
# field id (text, the key), column HEADER field FIELD (TYPE, required);
# each LINE is a line of its source.  No scripts.
book_config() {
	local dataset=$1 field=$2 type=$3 header=$4
	shift 4
	cat >"$work/peil.ini" <<INI
$(peil_sections "$plugins" "$work/no_scripts")
[run]
periods = 2018
$(store_run_keys)
[dataset $dataset]
field.id = text key
field.$field = $type required
[source $dataset]
plugin = xlsx
dataset = $dataset
path = $work/$dataset.xlsx
$(printf '%s\n' "$@")
column.Nummer = id
column.$header = $field
INI
	mkdir -p "$work/no_scripts"
}

# A number that is none: a number cell holding NaN, or 1e999 (infinity
# once read), in a real field.  The host refuses the record, naming the
# file, row, cell, field and dataset, whichever the store (sqlite kept NaN as NULL,
# postgres as NaN); nothing of the workbook is stored, and with on_error
# = reject the other row is.  So does the plugin a number cell whose text
# is no number at all ("abc", "12 kg": read as 0 and 12 before).  Through
# peil only, so that it runs on both stores (tests/pg/CMakeLists.txt).
test_xlsx_non_finite() {
	local value said
	for value in NaN 1e999 -1e999 abc '12 kg'; do
		rm -rf "$work"/peil.db* "$work/rejects"
		write_book "$work/amounts.xlsx" "<row r=\"1\">$(is A1 Nummer)$(is B1 Bedrag)</row><row r=\"2\">$(is A2 B1)<c r=\"B2\"><v>12.5</v></c></row><row r=\"3\">$(is A3 B2)<c r=\"B3\"><v>$value</v></c></row>"
		book_config amounts amount real Bedrag
		case $value in
		NaN) said="NaN is not a finite number (field amount of dataset amounts, real)" ;;
		-1*) said="-infinity is not a finite number (field amount of dataset amounts, real)" ;;
		1*e*) said="infinity is not a finite number (field amount of dataset amounts, real)" ;;
		*) said="number cell '$value' is not a number (field amount, real)" ;;
		esac
		peil_expect "a real cell of $value stops the workbook" 2 /dev/null ingest
		expect_grep "naming file, row, cell and field ($value)" "$work/err" \
			"amounts.xlsx:3: column 'Bedrag (sheet Blad1, cell B3)': $said"
		peil_expect "and nothing of it was stored: the next ingest reads it again" 2 /dev/null ingest
		sed -i 's/^plugin = xlsx/plugin = xlsx\non_error = reject/' "$work/peil.ini"
		peil_expect "on_error = reject stores the other row (exit 2: a row rejected)" 2 /dev/null ingest
		expect_grep "one row stored, one rejected ($value)" "$work/err" "1 rows"
	done
}
