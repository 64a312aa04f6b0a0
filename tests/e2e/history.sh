#!/usr/bin/env bash
# End-to-end tests of unattended runs and their history: the lock, peil
# runs, peil diff, snapshots, provisional and final figures, the delay for
# late data, backup and prune, and the systemd units.
#
#   history.sh CASE PEIL SOURCE_DIR PLUGIN_DIR
#
# Each case prints one line per check and closes with "N passed, M failed";
# it exits nonzero when a check failed.
set -u
case_name=$1 peil=$2 src=$3 plugins=$4
work=$(mktemp -d --tmpdir peil-e2e-history-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C	# the fixture is Windows-1252: grep and sed take bytes
. "$(dirname "$0")/lib.sh"

expect_no_grep() { # expect_no_grep NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then fail "$1" "unexpected '$3' in:" "$(grep -F -- "$3" "$2" | head -5)"; else ok "$1"; fi
}

# The seven case KPIs whose January figures cli.sh worked out by hand;
# the other shipped KPIs would only add figures to count.
mkdir -p "$work/kpis"
cp "$src/scripts/caseload.lua" "$src/scripts/casussen.lua" "$src/scripts/wachttijd.lua" "$work/kpis/"

# A config over one export; $1 = the file, $2 = [run] periods, $3 = more
# [run] keys, $4 = the source's mode, $5 = script dirs.
write_config() {
	fixture_config "$1" "${5:-$work/kpis}" "$2" "${3:-}" "mode = ${4:-increment}"
}

# The January export: the cases of tests/data/e2e/cases.csv that exist by
# the end of January 2018 (D1 D2 D3 D5, and D9 closed in 2017).
january_export() {
	grep -aE '^(Dossiernummer|D1;|D2;|D3;|D5;|D9;)' "$src/tests/data/e2e/cases.csv" >"$work/jan.csv"
}

# The corrected export: D5 is reopened (its closure date, reason, answer
# and mark are emptied) and D3's registration date is corrected from
# 31-01-2018 to 01-02-2018.
corrected_export() {
	sed 's/^D5;\(.*\);15-01-2018;15-01-2018;31-01-2018;Veilig Thuis;[^;]*;n\.v\.t\.;7;/D5;\1;15-01-2018;15-01-2018;;Veilig Thuis;;;;/
	     s/^D3;\(.*\);31-01-2018;09-02-2018;/D3;\1;01-02-2018;09-02-2018;/' "$work/jan.csv" >"$work/jan2.csv"
}

# The lines of peil diff with their blanks squeezed.
squeeze() { awk '{ $1 = $1; print }' "$1"; }

# The figure lines of January 2018 in $work/diff.sq are exactly those of
# $work/expected.
expect_diff_lines() { # expect_diff_lines NAME
	grep -E '^[a-z_]+ 2018-01 ' "$work/diff.sq" >"$work/got"
	if diff -u "$work/expected" "$work/got" >"$work/d"; then ok "$1"
	else fail "$1" "$(cat "$work/d")"; fi
}

# ------------------------------------------------------------------- diff
# Periods = 2018-01: the seven monthly KPIs, per team and in total, for
# January only.  Run 1 over the January export gives the January figures
# of cli.sh (the cases added later start after January).  The corrected
# export then changes, by hand (cli.sh's definitions; 1 Jan is a holiday):
#
# D5 (Zuid) reopened: it was closed on 31 January, so
#   casussen_afgesloten Zuid 1 -> 0, Totaal 1 -> 0.
#   Still running in January and in the caseload on 31 January (a case
#   closed on the reference date counts), waiting for nothing, started on
#   15 January as before: no other figure moves.
# D3 (Noord) registered 1 February instead of 31 January, so it no longer
#   starts, runs, or is in the caseload in January:
#   casussen_gestart Noord 2 -> 1 (D1), Totaal 3 -> 2;
#   casussen_lopend Noord 3 -> 2 (D1 D2), Totaal 4 -> 3;
#   caseload Noord 3 -> 2, Totaal 4 -> 3;
#   wachttijd_gemiddeld Noord (2 + 7) / 2 = 4.5 -> D1 alone 2; Totaal
#     (2 + 7 + 0) / 3 = 3 -> (2 + 0) / 2 = 1;
#   wachttijd_binnen_norm Noord 1 of 2 = 50 -> 1 of 1 = 100; Totaal 2 of 3
#     = 66.6667 -> 2 of 2 = 100;
#   wachtend_op_peildatum Noord 1 (D3 had no meeting on 31 January) -> 0,
#     Totaal 1 -> 0.
# Zuid's other figures do not move.  14 figures in all, each of January
# 2018, which is final (final_after_months = 3 passed long ago): run 2
# exits 5.  The inputs: D3 and D5 changed, nothing added or removed.
test_diff() {
	january_export
	corrected_export
	write_config "$work/jan.csv" 2018-01
	peil_expect "run 1 over the January export" 0 /dev/null run
	write_config "$work/jan2.csv" 2018-01
	peil_expect "run 2 changes final figures: exit 5" 5 /dev/null run
	expect_grep "the run names a changed final figure" "$work/err" \
		"final figure changed: casussen_gestart 2018-01 Buurtteam Noord: 2 -> 1"
	expect_grep "the run's summary counts them" "$work/err" \
		"run 2: 14 final figures changed since run 1 (see peil diff 1 2)"

	peil_expect "peil diff of the last two runs" 0 "$work/diff" diff
	squeeze "$work/diff" >"$work/diff.sq"
	cat >"$work/expected" <<'EOF'
caseload 2018-01 Buurtteam Noord 3 2 -1 definitief invoer
caseload 2018-01 Totaal 4 3 -1 definitief invoer
casussen_afgesloten 2018-01 Buurtteam Zuid 1 0 -1 definitief invoer
casussen_afgesloten 2018-01 Totaal 1 0 -1 definitief invoer
casussen_gestart 2018-01 Buurtteam Noord 2 1 -1 definitief invoer
casussen_gestart 2018-01 Totaal 3 2 -1 definitief invoer
casussen_lopend 2018-01 Buurtteam Noord 3 2 -1 definitief invoer
casussen_lopend 2018-01 Totaal 4 3 -1 definitief invoer
wachtend_op_peildatum 2018-01 Buurtteam Noord 1 0 -1 definitief invoer
wachtend_op_peildatum 2018-01 Totaal 1 0 -1 definitief invoer
wachttijd_binnen_norm 2018-01 Buurtteam Noord 50,0 100,0 +50,0 definitief invoer
wachttijd_binnen_norm 2018-01 Totaal 66,7 100,0 +33,3 definitief invoer
wachttijd_gemiddeld 2018-01 Buurtteam Noord 4,5 2,0 -2,5 definitief invoer
wachttijd_gemiddeld 2018-01 Totaal 3,0 1,0 -2,0 definitief invoer
EOF
	expect_diff_lines "the diff is exactly the 14 figures worked out by hand"
	expect_grep "the diff says D3 changed" "$work/diff.sq" "cases changed D3"
	expect_grep "the diff says D5 changed" "$work/diff.sq" "cases changed D5"
	expect_grep "and nothing else" "$work/diff.sq" "0 added, 2 changed, 0 removed"

	"$peil" diff --config "$work/peil.ini" 2 1 >"$work/back" 2>&1
	expect_rc "peil diff 2 1" 0 $?
	expect_grep "backwards the signs turn" "$work/back" "+1"
	peil_expect "diff with an unknown run" 64 /dev/null diff 1 7
	expect_grep "names the run" "$work/err" "no run 7"

	peil_expect "peil runs" 0 "$work/runs" runs
	expect_grep "runs lists run 2 with its status" "$work/runs" "Run 2  run"
	expect_grep "run 2's input is the corrected export" "$work/runs" \
		"input #2 fixture (cases): $work/jan2.csv"
	expect_grep "with its row count" "$work/runs" "5 rows"
	expect_grep "and the KPIs evaluated" "$work/runs" "7 KPIs evaluated, 0 failed"
	"$peil" show --config "$work/peil.ini" --run 1 --kpi casussen_gestart \
		--format csv >"$work/show" 2>"$work/err"
	expect_rc "show --run 1 still has the old figures" 0 $?
	expect_grep "run 1: Noord started 2 in January, final" "$work/show" \
		"casussen_gestart;Gestarte casussen;casussen;2018-01;Buurtteam Noord;2;2;;;;;;definitief"
}

# ------------------------------------------------------------ diff cause
# A corrected export that gives a key twice (repeated_keys = keep_last):
# the corrected export of test_diff with D5's January line again after
# its reopened one, so that the file changes D5 and changes it back.  The
# change log tells what the file did as a whole: D3 changed, D5 did not
# (nor do its figures: casussen_afgesloten Zuid stays 1, the other 12
# figures of test_diff move as there).
test_diff_keep_last() {
	january_export
	corrected_export
	{ cat "$work/jan2.csv"; grep -a '^D5;' "$work/jan.csv"; } >"$work/jan3.csv"
	fixture_config "$work/jan.csv" "$work/kpis" 2018-01 "" "repeated_keys = keep_last"
	peil_expect "run 1 over the January export" 0 /dev/null run
	fixture_config "$work/jan3.csv" "$work/kpis" 2018-01 "" "repeated_keys = keep_last"
	peil_expect "run 2 over the export that gives D5 twice: exit 5" 5 /dev/null run
	expect_grep "the later D5 replaced the earlier" "$work/err" "1 rows of cases were replaced"
	peil_expect "peil diff of the two runs" 0 "$work/diff" diff
	squeeze "$work/diff" >"$work/diff.sq"
	expect_grep "the diff says D3 changed" "$work/diff.sq" "cases changed D3"
	expect_no_grep "not D5, changed and changed back" "$work/diff.sq" "D5"
	expect_grep "and nothing else" "$work/diff.sq" "0 added, 1 changed, 0 removed"
	expect_grep "12 figures move" "$work/diff.sq" "casussen_gestart 2018-01 Totaal 3 2 -1 definitief invoer"
	expect_no_grep "D5's closure stands" "$work/diff.sq" "casussen_afgesloten"
}

# peil diff says why a KPI's figures changed: its definition (the hash
# each run records of its script, its [kpi ID] settings, [contract] and
# the group files) or only the inputs.  Run 1 over the January export;
# run 2 over the same export with [kpi wachttijd_binnen_norm] param.norm
# = 1 instead of the script's 5: a definition change in peil.ini alone.
# By hand (test_diff's waits: Noord D1 2 and D3 7 workdays, Zuid D5 0):
#   Noord within 1 workday: none of 2 = 0 (was 1 of 2 = 50);
#   Totaal: D5 alone, 1 of 3 = 33.3 (was D1 and D5, 2 of 3 = 66.7);
#   Zuid 1 of 1 = 100 as before; no other KPI moves.
# Run 3 over the corrected export with the same norm: test_diff's changes
# of the other KPIs, by the inputs; wachttijd_binnen_norm Noord 0 of 1 =
# 0 stays, Totaal D5 alone of D1 D5 = 50 (was 33.3), by the inputs too.
test_diff_cause() {
	january_export
	corrected_export
	write_config "$work/jan.csv" 2018-01
	peil_expect "run 1 over the January export" 0 /dev/null run
	printf '[kpi wachttijd_binnen_norm]\nparam.norm = 1\n' >>"$work/peil.ini"
	peil_expect "run 2 with another norm changes final figures: exit 5" 5 /dev/null run
	peil_expect "peil diff 1 2" 0 "$work/diff" diff
	squeeze "$work/diff" >"$work/diff.sq"
	cat >"$work/expected" <<'EOF'
wachttijd_binnen_norm 2018-01 Buurtteam Noord 50,0 0,0 -50,0 definitief definitie
wachttijd_binnen_norm 2018-01 Totaal 66,7 33,3 -33,3 definitief definitie
EOF
	expect_diff_lines "the diff names the definition as the cause, figures by hand"
	"$peil" show --config "$work/peil.ini" --run 1 \
		--kpi wachttijd_binnen_norm >/dev/null 2>"$work/err"
	expect_grep "show --run 1 warns that the definition changed" "$work/err" \
		"the definition of KPI wachttijd_binnen_norm"
	# peil explain --run N: the definition each run recorded.
	"$peil" explain --config "$work/peil.ini" --run 1 \
		wachttijd_binnen_norm >"$work/ex1" 2>"$work/err"
	expect_rc "explain --run 1" 0 $?
	expect_grep "run 1's definition, not the one now" "$work/ex1" \
		"Definition of KPI wachttijd_binnen_norm in force in run 1"
	expect_grep "says it changed since" "$work/ex1" "changed since"
	# Its parameters (the lines "  norm = N" after "parameters:").
	if grep -qx '  norm = 5' "$work/ex1" && ! grep -qx '  norm = 1' "$work/ex1"
	then ok "with the norm of run 1: the script's 5"
	else fail "run 1's norm" "$(cat "$work/ex1")"; fi
	"$peil" explain --config "$work/peil.ini" --run 2 \
		wachttijd_binnen_norm >"$work/ex2" 2>"$work/err"
	expect_rc "explain --run 2" 0 $?
	if grep -qx '  norm = 1' "$work/ex2"; then ok "run 2's norm: 1, from peil.ini"
	else fail "run 2's norm" "$(cat "$work/ex2")"; fi
	expect_grep "the same as now" "$work/ex2" "the same as now"
	"$peil" explain --config "$work/peil.ini" \
		wachttijd_binnen_norm >"$work/ex" 2>"$work/err"
	tail -n +3 "$work/ex2" >"$work/ex2.body"
	if diff -q "$work/ex" "$work/ex2.body" >/dev/null; then
		ok "run 2 recorded what peil explain prints now"
	else fail "run 2's definition differs from peil explain" "$(diff "$work/ex" "$work/ex2.body")"; fi
	"$peil" explain --config "$work/peil.ini" --run 9 \
		wachttijd_binnen_norm >/dev/null 2>"$work/err"
	expect_rc "explain --run of an unknown run" 64 $?
	expect_grep "names the run" "$work/err" "no run 9"
	"$peil" explain --config "$work/peil.ini" --run 1 \
		wachttijd >/dev/null 2>"$work/err"
	expect_rc "explain --run of a KPI the run did not evaluate" 64 $?
	expect_grep "names the KPI" "$work/err" \
		"run 1 did not evaluate KPI 'wachttijd'"

	sed -i "s|^path = $work/jan.csv|path = $work/jan2.csv|" "$work/peil.ini"
	peil_expect "run 3 over the corrected export: exit 5" 5 /dev/null run
	peil_expect "peil diff 2 3" 0 "$work/diff" diff 2 3
	squeeze "$work/diff" >"$work/diff.sq"
	expect_grep "the norm's total moves by the inputs" "$work/diff.sq" \
		"wachttijd_binnen_norm 2018-01 Totaal 33,3 50,0 +16,7 definitief invoer"
	expect_grep "as does the caseload" "$work/diff.sq" \
		"caseload 2018-01 Totaal 4 3 -1 definitief invoer"
	expect_no_grep "no definition changed from run 2 to 3" "$work/diff.sq" \
		"definitief definitie"
}

# ------------------------------------------------------------ commentary
# A note on a KPI and period in commentary.txt next to the scripts: the
# report prints it beside the figure (HTML by the KPI's figures, JSON on
# the KPI's total of the period, CSV as a closing comment line).  Run 1
# over the January export (test_diff): wachttijd_binnen_norm 2018-01
# Totaal 2 of 3 = 66.7 %, its note printed with it; a note on a period
# the report does not show (2018-02) is left out.  A line in error fails
# the report, naming the file, line, field and value.
test_commentary() {
	january_export
	write_config "$work/jan.csv" 2018-01
	peil_expect "run 1 over the January export" 0 /dev/null run
	cat >"$work/kpis/commentary.txt" <<'EOF'
# Toelichting per KPI en periode
wachttijd_binnen_norm 2018-01 Twee consulenten ziek; <herstel> in februari.
wachttijd_binnen_norm 2018-02   Weer op sterkte.
EOF
	"$peil" report --config "$work/peil.ini" --period 2018-01 \
		-o "$work/r.html" 2>"$work/err"
	expect_rc "report with a note" 0 $?
	expect_grep "the HTML prints the note, escaped" "$work/r.html" \
		'<p class="commentary"><strong>Toelichting <span class="period">2018-01</span>:</strong> Twee consulenten ziek; &lt;herstel&gt; in februari.</p>'
	expect_no_grep "not the note of a period not shown" "$work/r.html" \
		"Weer op sterkte"
	"$peil" report --config "$work/peil.ini" --period 2018-01 \
		--format json --kpi wachttijd_binnen_norm >"$work/r.json" 2>"$work/err"
	expect_rc "report --format json" 0 $?
	python3 - "$work/r.json" >"$work/got" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if "commentary" in r:
        print(r["kpi"], r["period"], r["breakdown"], round(r["value"], 1),
              r["commentary"])
PY
	echo "wachttijd_binnen_norm 2018-01 {} 66.7 Twee consulenten ziek; <herstel> in februari." >"$work/expected"
	if diff -u "$work/expected" "$work/got" >"$work/d"; then
		ok "JSON: the note on the total of 2018-01 (2 of 3), nowhere else"
	else fail "JSON's note" "$(cat "$work/d")"; fi
	"$peil" report --config "$work/peil.ini" --period 2018-01 \
		--format csv --kpi wachttijd_binnen_norm >"$work/r.csv" 2>"$work/err"
	expect_rc "report --format csv" 0 $?
	expect_grep "CSV: a closing comment line" "$work/r.csv" \
		"# Toelichting: wachttijd_binnen_norm 2018-01: Twee consulenten ziek"

	printf 'wachttijd_binnen_norm 2018-Q1 Kwartaal.\n' >>"$work/kpis/commentary.txt"
	"$peil" report --config "$work/peil.ini" --period 2018-01 \
		-o "$work/r2.html" 2>"$work/err"
	expect_rc "a period of another grain: exit 3" 3 $?
	expect_grep "names file, line, field and value" "$work/err" \
		"$work/kpis/commentary.txt:4: column 'period': '2018-Q1': KPI wachttijd_binnen_norm has no figures of grain quarter"
	printf 'wachttijd_gemidd 2018-01 Tikfout.\n' >"$work/kpis/commentary.txt"
	"$peil" report --config "$work/peil.ini" --period 2018-01 \
		-o "$work/r2.html" 2>"$work/err"
	expect_rc "an unknown KPI: exit 3" 3 $?
	expect_grep "names the KPI" "$work/err" \
		"commentary.txt:1: column 'kpi': no KPI 'wachttijd_gemidd'"
	peil_expect "peil check finds it first: exit 3" 3 /dev/null check
	expect_grep "check names it" "$work/err" \
		"commentary.txt:1: column 'kpi': no KPI 'wachttijd_gemidd'"
	printf 'caseload 2018-01 Een.\ncaseload 2018-01 Twee.\ncaseload 2018-13 Drie.\n' >"$work/kpis/commentary.txt"
	"$peil" report --config "$work/peil.ini" --period 2018-01 \
		-o "$work/r2.html" 2>"$work/err"
	expect_grep "a second note on one figure" "$work/err" \
		"commentary.txt:2: column 'period': '2018-01': KPI caseload has a note on it already"
	printf 'caseload 2018-13 Drie.\ncaseload 2018-01\n' >"$work/kpis/commentary.txt"
	"$peil" report --config "$work/peil.ini" --period 2018-01 \
		-o "$work/r2.html" 2>"$work/err"
	expect_grep "no such month" "$work/err" \
		"commentary.txt:1: column 'period': '2018-13' is no period"
	printf 'caseload 2018-01\n' >"$work/kpis/commentary.txt"
	"$peil" report --config "$work/peil.ini" --period 2018-01 \
		-o "$work/r2.html" 2>"$work/err"
	expect_grep "a note without text" "$work/err" \
		"commentary.txt:1: column 'text': no text for KPI caseload, period 2018-01"
	[ -e "$work/r2.html" ] && fail "no report written on a bad note" || ok "no report written on a bad note"
}

# ----------------------------------------------------------- diff columns
# peil diff prints figures as the tables do: each KPI's decimals (shares
# and means 1, counts 0; test_diff's hand figures) with the decimal mark
# of --locale (nl comma, en point).  And its columns stay aligned in
# characters with a long team name with an accent: Noord is renamed
# "Buurtteam Noord-Ëiland en Oostelijke Havens" (43 characters; the
# fixture is Windows-1252, Ë = 0xCB), which is cut to 39 characters and
# an ellipsis (40), so that one long name does not push every line.
test_diff_columns() {
	january_export
	corrected_export
	for f in jan jan2; do
		sed $'s/Buurtteam Noord/Buurtteam Noord-\xcbiland en Oostelijke Havens/' \
			"$work/$f.csv" >"$work/$f.long.csv"
	done
	write_config "$work/jan.long.csv" 2018-01
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	write_config "$work/jan2.long.csv" 2018-01
	peil_expect "run 2 changes final figures: exit 5" 5 /dev/null run
	peil_expect "peil diff" 0 "$work/diff" diff
	squeeze "$work/diff" >"$work/diff.sq"
	long='Buurtteam Noord-Ëiland en Oostelijke Ha…'
	expect_grep "a count without decimals, the long name cut" "$work/diff.sq" \
		"caseload 2018-01 $long 3 2 -1 definitief"
	expect_grep "a share with one decimal, comma" "$work/diff.sq" \
		"wachttijd_binnen_norm 2018-01 Totaal 66,7 100,0 +33,3 definitief"
	expect_grep "a whole share keeps its decimal" "$work/diff.sq" \
		"wachttijd_binnen_norm 2018-01 $long 50,0 100,0 +50,0 definitief"
	expect_grep "a mean with one decimal" "$work/diff.sq" \
		"wachttijd_gemiddeld 2018-01 Totaal 3,0 1,0 -2,0 definitief"
	# The columns, parsed: every line of the table (the header and the
	# 14 changes) as long as the others in characters, and its second
	# and third column starting where the header's do.
	if python3 - "$work/diff" >"$work/why" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = next(i for i, l in enumerate(lines) if l.split()[:1] == ["kpi"])
table = [lines[start]] + [l for l in lines[start + 1:start + 17]
                          if " 2018-01 " in l]
tail = "  definitief  invoer"	# the last run's finality, the cause
table = [l[:-len(tail)] if l.endswith(tail) else l for l in table]
head = table[0]
cols = (head.index("periode"), head.index("uitsplitsing"))
bad = [l for l in table[1:] if len(l) != len(head)
       or l[cols[0]:cols[0] + 7] != "2018-01"
       or l[cols[1] - 1] != " " or l[cols[1]] == " "]
if len(table) != 15 or bad:
    print(len(table), "lines;", "not aligned:", bad)
    sys.exit(1)
PY
	then ok "the 14 lines line up with the header, in characters"
	else fail "the columns of peil diff do not line up" "$(cat "$work/why")"; fi

	peil_expect "peil diff --locale en" 0 "$work/diff_en" diff --locale en
	squeeze "$work/diff_en" >"$work/diff_en.sq"
	expect_grep "--locale en: a decimal point" "$work/diff_en.sq" \
		"wachttijd_gemiddeld 2018-01 $long 4.5 2.0 -2.5 definitief"
}

# --------------------------------------------------------------- snapshot
# The corrected export without D9 (closed 31-12-2017): as an increment D9
# stays; as a snapshot it is removed, and reported.  D9 was not running in
# January 2018, so no January figure changes.
test_snapshot() {
	january_export
	grep -av '^D9;' "$work/jan.csv" >"$work/no_d9.csv"
	write_config "$work/jan.csv" 2018-01
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	write_config "$work/no_d9.csv" 2018-01 "" increment
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "an increment without D9" 0 $?
	rows=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases')
	[ "$rows" = 5 ] && ok "an increment removes nothing (5 rows)" || fail "increment left $rows rows"

	cp "$work/no_d9.csv" "$work/snap.csv"
	echo >>"$work/snap.csv"	# other content, so it is not skipped as seen
	write_config "$work/snap.csv" 2018-01 "" snapshot
	peil_expect "a run with a snapshot without D9" 0 /dev/null run
	expect_grep "the removal is reported" "$work/err" "1 rows that it no longer has were removed"
	rows=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases WHERE case_id = '"'D9'")
	[ "$rows" = 0 ] && ok "D9 is gone" || fail "D9 still stored"
	"$peil" diff --config "$work/peil.ini" >"$work/diff" 2>"$work/err"
	squeeze "$work/diff" >"$work/diff.sq"
	expect_grep "the diff shows D9 removed" "$work/diff.sq" "cases removed D9"
	expect_grep "no figure changed" "$work/diff.sq" "(none)"
	expect_grep "counted" "$work/diff.sq" "0 added, 0 changed, 1 removed"

	# A snapshot that came out empty (its header only) removes the 4
	# stored rows as any snapshot would, but says so loudly: a warning
	# naming the file and the count, exit 2 (before: info, exit 0).
	head -1 "$work/snap.csv" >"$work/empty.csv"
	write_config "$work/empty.csv" 2018-01 "" snapshot
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "an empty snapshot" 2 $?
	expect_grep "warns naming the file and the rows removed" "$work/err" \
		"warning: $work/empty.csv: a snapshot of cases without rows: all 4 stored rows were removed"
	rows=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases')
	[ "$rows" = 0 ] && ok "the empty snapshot is stored (0 rows)" ||
		fail "the empty snapshot left $rows rows"
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "read before: skipped, no warning again" 0 $?

	write_config "$work/snap.csv" 2018-01 "" sometimes
	"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
	expect_rc "an unknown mode" 3 $?
	expect_grep "is named with its line" "$work/err" "mode = sometimes: expected increment or snapshot"
}

# ------------------------------------------------ provisional, late data
# Dates relative to today: a case registered on the 15th six months ago
# and one on the 15th of last month.  With final_after_months = 2, the
# month six months ago is final (it ended more than 2 whole months ago)
# and last month is provisional.  With delay_days = 40, last month (ended
# at most 31 days ago) is not evaluated, the month six months ago is.
test_provisional() {
	old=$(date -d "$(date +%Y-%m-15) -6 months" +%Y-%m)
	last=$(date -d "$(date +%Y-%m-15) -1 month" +%Y-%m)
	head -1 "$src/tests/data/e2e/cases.csv" >"$work/rel.csv"
	for m in "$old" "$last"; do
		d="15-${m#*-}-${m%-*}"
		printf 'R%s;Buurtteam Noord;W;WK1;BU1;%s;%s;;;;;;P1;%s;\r\n' \
			"${m#*-}" "$d" "$d" "$d" >>"$work/rel.csv"
	done
	write_config "$work/rel.csv" "$old..$last" "final_after_months = 2"
	peil_expect "a run up to last month" 0 "$work/out" run --format csv
	expect_grep "the month six months ago is final" "$work/out" \
		"casussen_gestart;Gestarte casussen;casussen;$old;Totaal;1;1;;;;;;definitief"
	expect_grep "last month is provisional" "$work/out" \
		"casussen_gestart;Gestarte casussen;casussen;$last;Totaal;1;1;;;;;;voorlopig"
	"$peil" show --config "$work/peil.ini" --kpi casussen_gestart >"$work/show" 2>"$work/err"
	expect_grep "show marks provisional figures" "$work/show" "~ = voorlopig"
	"$peil" show --config "$work/peil.ini" --format json >"$work/json" 2>"$work/err"
	expect_grep "json says which are final" "$work/json" '"final": true'

	rm -f "$work/peil.db"*
	write_config "$work/rel.csv" "$old..$last" "delay_days = 40"
	peil_expect "a run with delay_days = 40" 0 "$work/out" run --format csv
	expect_grep "it says what waits" "$work/err" "wait for late registrations (delay_days = 40)"
	expect_grep "the old month is evaluated" "$work/out" "casussen_gestart;Gestarte casussen;casussen;$old;Totaal;1"
	expect_no_grep "last month is not published yet" "$work/out" ";$last;"

	write_config "$work/rel.csv" "$old..$last" "delay_days = soon"
	peil_expect "a bad delay_days" 3 /dev/null run
	expect_grep "is named with its line" "$work/err" "delay_days = soon: expected a whole number"
}

# ---------------------------------------------------------------- rolling
# [run] periods relative to the run date (PEIL_TODAY stands in for the
# clock).  Registrations by month (cases.csv): 2017-12 D2 = 1; 2018-01
# D1 D3 D5 = 3; 2018-02 D4 D7 D8 = 3; 2018-03 D6 D10 = 2.
# On 2018-03-05 with delay_days = 3 the cutoff is 2018-03-01: February is
# the latest complete month, so "last 2 months" is 2018-01..2018-02, and
# with the fixed 2017-12 the run covers 2017-12-01 .. 2018-02-28.
# On 2018-04-02 with delay_days = 0 the cutoff is 2018-04-01: "current
# year" is 2018, evaluated up to the cutoff: January to March.
test_rolling() {
	write_config "$src/tests/data/e2e/cases.csv" "2017-12, last 2 months" "delay_days = 3"
	PEIL_TODAY=2018-03-05 "$peil" check --config "$work/peil.ini" >"$work/out" 2>"$work/err"
	expect_rc "check with a rolling period" 0 $?
	expect_grep "check says what it resolves to" "$work/out" \
		"[run] periods: last 2 months is 2018-01-01 .. 2018-02-28 on 2018-03-05 (delay_days = 3)"
	PEIL_TODAY=2018-03-05 "$peil" run --config "$work/peil.ini" --format csv >"$work/out" 2>"$work/err"
	expect_rc "a run of the last 2 months and 2017-12" 0 $?
	expect_grep "2017-12: D2" "$work/out" "casussen_gestart;Gestarte casussen;casussen;2017-12;Totaal;1;"
	expect_grep "2018-01: D1 D3 D5" "$work/out" "casussen_gestart;Gestarte casussen;casussen;2018-01;Totaal;3;"
	expect_grep "2018-02: D4 D7 D8" "$work/out" "casussen_gestart;Gestarte casussen;casussen;2018-02;Totaal;3;"
	expect_no_grep "not 2018-03" "$work/out" ";2018-03;"
	expect_no_grep "not 2017-11" "$work/out" ";2017-11;"
	"$peil" runs --config "$work/peil.ini" >"$work/runs" 2>"$work/err"
	expect_grep "the run record keeps the resolved periods" "$work/runs" "periods 2017-12-01 .. 2018-02-28"

	rm -f "$work/peil.db"*
	write_config "$src/tests/data/e2e/cases.csv" "current year"
	PEIL_TODAY=2018-04-02 "$peil" run --config "$work/peil.ini" --format csv >"$work/out" 2>"$work/err"
	expect_rc "a run of the current year" 0 $?
	expect_grep "2018-01" "$work/out" "casussen_gestart;Gestarte casussen;casussen;2018-01;Totaal;3;"
	expect_grep "2018-03: D6 D10" "$work/out" "casussen_gestart;Gestarte casussen;casussen;2018-03;Totaal;2;"
	expect_no_grep "not 2017-12" "$work/out" ";2017-12;"
	expect_no_grep "not 2018-04, which has not ended" "$work/out" ";2018-04;"

	write_config "$src/tests/data/e2e/cases.csv" "last 13 weeks"
	peil_expect "an unknown rolling period" 3 "$work/out" check
	expect_grep "is named" "$work/err" "periods = last 13 weeks: expected periods such as"
	PEIL_TODAY=tomorrow "$peil" check --config "$work/peil.ini" >"$work/out" 2>"$work/err"
	expect_rc "a bad PEIL_TODAY" 64 $?
	expect_grep "is refused" "$work/err" "PEIL_TODAY = tomorrow: expected a date as jjjj-mm-dd"
}

# ------------------------------------------------------------------- lock
# Two real processes.  flock(1) holds the lock as a second peil would (the
# same flock(2) on the same file); then a peil whose KPI takes a while
# holds it against another peil.  The holders hold until the test lets
# them go (release), and the test waits for states, not for times: on a
# loaded machine each step only comes later.

# hold CMD...: run CMD under the lock (flock), in the background, until
# release; wait until the lock is held.  CMD waits for $work/release.
hold() {
	rm -f "$work/release"
	flock "$work/peil.db.lock" "$@" &
	holder=$!
	while flock -n "$work/peil.db.lock" true; do sleep 0.05; done
}
wait_released='while [ ! -e "$0" ]; do sleep 0.05; done'
release() { touch "$work/release"; wait "$holder"; }
# until_waiting PID: until process PID has the lock file open, which peil
# opens just before it tries the lock, and holds while it waits.
until_waiting() {
	until ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'peil\.db\.lock$'; do
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.02
	done
}

test_lock() {
	january_export
	write_config "$work/jan.csv" 2018-01 "lock_wait = 0"
	hold sh -c "$wait_released" "$work/release"
	# With the lock held until release, a run that waited for it would
	# not end: ending at all, refused, it did not wait (timeout: a bound
	# far above what load causes).
	timeout 60 "$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "a run while the lock is held, lock_wait = 0: refused without waiting" 75 $?
	expect_grep "says who holds it" "$work/err" "holds the lock; gave up after 0 s"
	write_config "$work/jan.csv" 2018-01 "lock_wait = 30"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err" &
	run=$!
	until_waiting "$run" && ok "with lock_wait = 30 it waits for the holder" ||
		fail "the run did not wait for the lock"
	release
	wait "$run"
	expect_rc "and runs when the holder lets go" 0 $?

	# An ingest of large files keeps the store to itself (a rollback
	# journal and an exclusive lock) while it holds the run lock: a run
	# started meanwhile waits for the run lock (lock_wait), not for the
	# store (busy_timeout_ms, short here), and then runs.
	sed -i "s|^path = $work/peil.db\$|&\nbusy_timeout_ms = 100|" "$work/peil.ini"
	rm -f "$work/taken"
	printf 'touch "%s"\n%s\n' "$work/taken" "${wait_released//\$0/$work/release}" >"$work/hold.sh"
	hold sqlite3 "$work/peil.db" \
		"PRAGMA journal_mode = DELETE;" "BEGIN EXCLUSIVE;" \
		".shell sh $work/hold.sh" "COMMIT;" "PRAGMA journal_mode = WAL;" >/dev/null
	until [ -e "$work/taken" ]; do sleep 0.02; done	# the store taken too
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err" &
	run=$!
	until_waiting "$run" || fail "the run did not wait for the lock"
	release
	wait "$run"
	expect_rc "a run while a large ingest keeps the store waits for it, then runs" 0 $?

	# A slow KPI: a loop in its rule, for each of the 4 January cases.
	mkdir -p "$work/scripts"
	cat >"$work/scripts/slow.lua" <<'LUA'
kpi {
  id = "traag",
  title = "Een trage KPI",
  description = "Telt de casussen, langzaam.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  select = started_in("registered"),
  rule = count(function(case, period)
    local x = 0
    for i = 1, 50000000 do x = x + i end
    return x > 0
  end),
}
LUA
	# The first waits (the probe below takes the lock for an instant),
	# the second does not.
	write_config "$work/jan.csv" 2018-01 "lock_wait = 30" "" "$work/scripts"
	mv "$work/peil.ini" "$work/slow.ini"
	write_config "$work/jan.csv" 2018-01 "lock_wait = 0" "" "$work/scripts"
	"$peil" eval --config "$work/slow.ini" --period 2018-01 >/dev/null 2>"$work/err1" &
	first=$!
	while kill -0 "$first" 2>/dev/null && flock -n "$work/peil.db.lock" true; do sleep 0.02; done
	if kill -0 "$first" 2>/dev/null; then
		"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
		expect_rc "a second peil while the first evaluates" 75 $?
		expect_grep "names the lock file" "$work/err" "peil.db.lock"
	else fail "the slow peil ended before the second one started"; fi
	wait "$first"
	expect_rc "the first peil finishes" 0 $?
}

# ------------------------------------------------------------ housekeeping
# Run 1 evaluates 2017-12 alone (an eval), runs 2 and 3 evaluate 2018-01
# over the January export (21 figures each: 7 KPIs x Noord, Zuid, Totaal),
# run 4 over the corrected one (21 figures).  prune --keep 1 picks runs 1
# to 3.  Both months are final.  Each January figure of runs 2 and 3 has a
# later one in run 4, so all 2 x 21 = 42 go, and runs 2 and 3 with them;
# December's figures are in run 1 only, so they are kept, and run 1 too.
test_housekeeping() {
	january_export
	corrected_export
	write_config "$work/jan.csv" 2018-01
	# Only ingest and run create the store: eval needs one.
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>&1
	"$peil" eval --config "$work/peil.ini" --period 2017-12 >/dev/null 2>&1
	"$peil" run --config "$work/peil.ini" >/dev/null 2>&1
	# --full: nothing changed, and without it the run would only confirm
	# run 2 and store no figures (output.md, "Runs that change nothing").
	"$peil" run --full --config "$work/peil.ini" >/dev/null 2>&1
	write_config "$work/jan2.csv" 2018-01
	"$peil" run --config "$work/peil.ini" >/dev/null 2>&1
	dec=$(sqlite3 "$work/peil.db" "SELECT coalesce(sum(figures), 0) FROM peil_figures WHERE run_id = 1")
	"$peil" backup --config "$work/peil.ini" "$work/backup.db" 2>"$work/err"
	expect_rc "peil backup" 0 $?
	got=$(sqlite3 "$work/backup.db" "SELECT count(*) FROM peil_run")
	[ "$got" = 4 ] && ok "the backup has the 4 runs" || fail "backup has $got runs"
	"$peil" backup --config "$work/peil.ini" "$work/backup.db" 2>"$work/err"
	expect_rc "a backup over an existing file" 4 $?
	expect_grep "is refused" "$work/err" "exists already"

	"$peil" prune --config "$work/peil.ini" --keep 1 2>"$work/err"
	expect_rc "peil prune --keep 1" 0 $?
	got=$(sqlite3 "$work/peil.db" "SELECT group_concat(id) FROM (SELECT id FROM peil_run ORDER BY id)")
	[ "$got" = "1,4" ] && ok "runs 2 and 3 are gone; run 1 keeps December" || fail "runs left: $got"
	got=$(sqlite3 "$work/peil.db" "SELECT coalesce(sum(figures), 0) FROM peil_figures WHERE run_id = 1")
	[ "$got" = "$dec" ] && [ "$dec" -gt 0 ] && ok "December's $dec final figures are kept" ||
		fail "run 1 has $got of its $dec figures"
	expect_grep "prune says what went" "$work/err" "3 runs picked, 2 deleted, 42 figures deleted"
	"$peil" prune --config "$work/peil.ini" 2>"$work/err"
	expect_rc "prune without --keep or --older-than" 64 $?
}

# ---------------------------------------------------------------- systemd
test_systemd() {
	for f in peil.service.in peil.timer; do
		[ -f "$src/conf/systemd/$f" ] && ok "conf/systemd/$f exists" || fail "no conf/systemd/$f"
	done
	expect_grep "the service is a oneshot" "$src/conf/systemd/peil.service.in" "Type=oneshot"
	expect_grep "with NoNewPrivileges" "$src/conf/systemd/peil.service.in" "NoNewPrivileges=yes"
	expect_grep "ProtectSystem=strict" "$src/conf/systemd/peil.service.in" "ProtectSystem=strict"
	expect_grep "the store's directory writable" "$src/conf/systemd/peil.service.in" "ReadWritePaths=@PEIL_STATE_DIR@"
	expect_grep "a private /tmp" "$src/conf/systemd/peil.service.in" "PrivateTmp=yes"
	expect_grep "a dedicated user" "$src/conf/systemd/peil.service.in" "User=peil"
	expect_grep "the timer catches up" "$src/conf/systemd/peil.timer" "Persistent=true"
	expect_grep "the cron example runs peil" "$src/conf/cron/peil.in" "peil run"
	if ! command -v systemd-analyze >/dev/null 2>&1; then
		echo "skip systemd-analyze verify: not installed"
	else
		# verify wants the ExecStart binary to exist: point it at ours.
		mkdir -p "$work/units"
		abs=$(cd "$(dirname "$peil")" && pwd)/$(basename "$peil")
		sed "s|@CMAKE_INSTALL_FULL_BINDIR@/peil|$abs|g; s|@CMAKE_INSTALL_FULL_SYSCONFDIR@|/etc|g; s|@PEIL_STATE_DIR@|/var/lib/peil|g" "$src/conf/systemd/peil.service.in" >"$work/units/peil.service"
		cp "$src/conf/systemd/peil.timer" "$work/units/"
		if systemd-analyze verify "$work/units/peil.service" "$work/units/peil.timer" >"$work/verify" 2>&1; then
			ok "systemd-analyze verify"
		elif grep -qiE 'No medium|Failed to (connect|initialize|setup)|not been booted|System has not' "$work/verify"; then
			echo "skip systemd-analyze verify: $(head -1 "$work/verify")"
		else fail "systemd-analyze verify" "$(cat "$work/verify")"; fi
	fi
}

"test_$case_name"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
