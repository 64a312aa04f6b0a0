#!/usr/bin/env bash
# init.sh - peil init on exports shaped unlike the demo's: the proposed
# config, the KPIs it feeds, and a run on it whose
# figures were counted by hand from tests/data/init/Clienten export 2023.csv.
#
#   init.sh PEIL SOURCE_DIR
set -u
peil=$1 src=$2
work=$(mktemp -d --tmpdir peil-e2e-init-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
. "$(dirname "$0")/lib.sh"
export_csv="$src/tests/data/init/Clienten export 2023.csv"

# UTF-8 with a BOM, commas, ISO dates, a decimal point, quoted values
# with commas and quotes, a BSN column, and headers of another system:
# Casusnummer, Aanmelddatum, Afsluitdatum, Reden afsluiting, Wijk.
"$peil" init --from "$export_csv" --dir "$work/muni" >"$work/init.out" 2>"$work/init.err"
expect_rc "peil init --from an export --dir DIR" 0 $?
ini=$work/muni/peil.ini
for line in "encoding = utf-8" "separator = comma" "date_format = jjjj-mm-dd" \
	    "decimal = point" "periods = 2023" "[dataset cases]" \
	    "[source clienten_export]" "path = $export_csv" \
	    "field.case_id = text key" "field.registered = date required" \
	    "field.team = text required" "field.closed = date" \
	    "field.closure_reason = text" "field.district = text" \
	    "field.uren_begeleiding = real" "field.opmerking = text" \
	    "column.Casusnummer = case_id" "column.Aanmelddatum = registered" \
	    "column.Afsluitdatum = closed" "column.Reden afsluiting = closure_reason" \
	    "column.Wijk = district" "column.Uren begeleiding = uren_begeleiding" \
	    "; \"BSN\": left out: a citizen number needs type bsn" \
	    "script_dirs = $src/scripts" "path = peil.db"; do
	expect_grep "peil.ini: $line" "$ini" "$line"
done
expect_no_column() {
	if grep -q "^column.BSN" "$ini"; then fail "the BSN column is not mapped"; else ok "the BSN column is not mapped"; fi
}
expect_no_column
expect_grep "it names the KPIs it feeds" "$work/init.out" "  casussen_gestart               Gestarte casussen"
expect_grep "and why others not: a field" "$work/init.out" "  rapportcijfer_gemiddeld        field 'mark': unknown field 'mark' in dataset 'cases'"
expect_grep "and why others not: a dataset" "$work/init.out" "  personen_uniek                 unknown dataset 'case_members'"
expect_grep "how many" "$work/init.out" "13 of 43 shipped KPIs will have figures"

# An existing config is replaced only with --force.
cp "$ini" "$work/before.ini"
echo "; edited" >>"$ini"
"$peil" init --from "$export_csv" --dir "$work/muni" >/dev/null 2>"$work/again.err"
expect_rc "a second init without --force" 3 $?
expect_grep "it says why" "$work/again.err" "exists: peil init does not replace a config without --force"
expect_grep "the config is untouched" "$ini" "; edited"
"$peil" init --from "$export_csv" --dir "$work/muni" --force >/dev/null 2>&1
expect_rc "with --force" 0 $?
cmp -s "$ini" "$work/before.ini" && ok "--force writes the same config again" || fail "--force writes the same config again"

# From export to figures.  The fixture's cells hold 0-2 cases: its exact
# figures are the point here, so the small-cell rule is off (only here).
sed -i 's/^min_count = 10$/min_count = 0/' "$ini"
"$peil" run --config "$ini" >"$work/run.out" 2>"$work/run.err"
expect_rc "peil run on it: the KPIs it does not feed are not evaluated (exit 6)" 6 $?
expect_grep "13 KPIs have figures" "$work/run.err" "43 KPIs evaluated, 0 failed, 0 scripts did not load"
# 30 do not, and the 13 have none after March: the export ends there
# (C-008 registered 13 March, closed 27 March), and init proposed 2023
expect_grep "30 do not, 13 not after March, and the run says so" "$work/run.err" "run 1 is incomplete: 43 KPIs not evaluated"
expect_grep "after March: why" "$work/run.err" "KPI casussen_gestart not evaluated: dataset cases has no row with registered after 2023-03-13"
for k in casussen_gestart casussen_afgesloten; do
	# Run 1 is incomplete, so not published: read it by id.
	"$peil" show --config "$ini" --run 1 --kpi $k --format csv 2>/dev/null
done >"$work/show.csv"
# By hand: registered in Jan: C-001 C-002 (Noord), C-003 (Zuid); Feb:
# C-005 (Noord), C-004 C-006 (Zuid); Mar: C-007 (Noord), C-008 (Zuid).
# Closed in Jan: C-003 (Zuid); Feb: C-001 (Noord); Mar: C-005 (Noord),
# C-008 (Zuid).  April lies after the data: no 0, the reason.
for figure in "casussen_gestart;Gestarte casussen;casussen;2023-01;Noord;2;" \
	      "casussen_gestart;Gestarte casussen;casussen;2023-01;Zuid;1;" \
	      "casussen_gestart;Gestarte casussen;casussen;2023-02;Zuid;2;" \
	      "casussen_gestart;Gestarte casussen;casussen;2023-03;Totaal;2;" \
	      "casussen_gestart;Gestarte casussen;casussen;2023-04;Totaal;;;;;;niet berekend: dataset cases heeft geen rij met registered na 2023-03-13;" \
	      "casussen_afgesloten;Afgesloten casussen;casussen;2023-04;Totaal;;;;;;niet berekend: dataset cases heeft geen rij met closed na 2023-03-27;" \
	      "casussen_afgesloten;Afgesloten casussen;casussen;2023-01;Zuid;1;" \
	      "casussen_afgesloten;Afgesloten casussen;casussen;2023-02;Noord;1;" \
	      "casussen_afgesloten;Afgesloten casussen;casussen;2023-03;Totaal;2;"; do
	expect_grep "figure $figure" "$work/show.csv" "$figure"
done

# Windows-1252, semicolons, Dutch dates and decimal commas, the demo's
# headers in another order, an identifier with leading zeros, and a
# header that cannot be a config key.
printf 'Persoonsnummer;Datum aanmelding;Team;Reden be\xebindiging;Rapportcijfer;Score=totaal;Bedrag\r\n' >"$work/w.csv"
printf '000123;02-01-2018;Oost;Verhuisd;7;1;12,50\r\n' >>"$work/w.csv"
printf '000124;15-01-2018;West;;8;2;1.234,75\r\n' >>"$work/w.csv"
printf '000125;31-12-2019;Oost;;;3;\r\n' >>"$work/w.csv"
"$peil" init --from "$work/w.csv" --dir "$work/w" >"$work/w.out" 2>&1
expect_rc "peil init on a Windows-1252 export" 0 $?
for line in "encoding = windows-1252" "separator = semicolon" \
	    "date_format = dd-mm-jjjj" "decimal = comma" "periods = 2018..2019" \
	    "field.person = text key" "field.registered = date required" \
	    "field.mark = integer" "field.bedrag = real" \
	    "column.Reden beëindiging = closure_reason" \
	    "; \"Score=totaal\": left out: its header cannot be a config key"; do
	expect_grep "peil.ini: $line" "$work/w/peil.ini" "$line"
done
"$peil" check --config "$work/w/peil.ini" >"$work/wcheck.out" 2>&1
expect_grep "the config it wrote loads (only KPI problems)" "$work/wcheck.out" "peil.ini: "
if grep -q "peil.ini:[0-9]" "$work/wcheck.out"; then fail "no problem in the config itself" "$(grep "peil.ini:[0-9]" "$work/wcheck.out")"; else ok "no problem in the config itself"; fi

# What it refuses.
printf '\xff\xfeD\x00' >"$work/utf16.csv"
"$peil" init --from "$work/utf16.csv" --dir "$work/u" >/dev/null 2>"$work/u.err"
expect_rc "a UTF-16 export" 2 $?
expect_grep "it says what to do" "$work/u.err" "the export is UTF-16: save it as CSV UTF-8"
"$peil" init --from "$work/none.csv" --dir "$work/n" >/dev/null 2>"$work/n.err"
expect_rc "a missing export" 2 $?
[ ! -e "$work/n/peil.ini" ] && ok "no config for a missing export" || fail "no config for a missing export"
"$peil" init --dir "$work/n" >/dev/null 2>&1
expect_rc "init without --from" 64 $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
