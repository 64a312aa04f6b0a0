# Sourced by cli.sh: exports for the KPIs that cases_shapes.sh leaves
# out, their figures worked out again in Python from docs/domain.md and
# docs/kpis.md (tests/e2e/shapes/gen_shapes2.py writes the exports and
# their truth, shapes/check_shapes2.py the second computation): the
# self-sufficiency matrix (ZRM, quarters and years, per domain), the
# follow-up visits of neighbourhood jobs (months, quarters and years),
# and customised care from iWmo and iJw messages, the same facts also as
# CSV exports (the figures of both the same, and as worked out); the ZRM
# and visit exports also as workbooks (xlsx).

# shapes2_case SHAPE [CONFIG_DIR]: generate SHAPE (once), ingest and
# evaluate the config in CONFIG_DIR (default the shape's own), and compare
# the figures; the JSON is left in CONFIG_DIR/peil.json.
shapes2_case() {
	local shape=$1 d=$work/$1 c=${2:-$work/$1} from to
	[ -f "$d/truth.json" ] || python3 "$src/tests/e2e/shapes/gen_shapes2.py" "$shape" "$d" "$src/scripts" ||
		{ fail "$shape: generate"; return 1; }
	sed -i "1a plugin_dirs = $plugins" "$c/peil.ini"
	read -r from to < <(python3 -c 'import json, sys; print(*json.load(open(sys.argv[1]))["range"])' "$d/truth.json")
	"$peil" ingest --config "$c/peil.ini" >/dev/null 2>"$c/err"
	expect_rc "$shape ($(basename "$c")): ingest" 0 $?
	"$peil" eval --config "$c/peil.ini" --from "$from" --to "$to" --dry-run --format json \
		>"$c/peil.json" 2>"$c/err"
	expect_rc "$shape ($(basename "$c")): eval" 0 $?
	python3 "$src/tests/e2e/shapes/check_shapes2.py" "$d/truth.json" "$c/peil.json" >"$c/check" &&
		ok "$shape ($(basename "$c")): $(head -1 "$c/check")" ||
		fail "$shape ($(basename "$c")): figures differ" "$(cat "$c/check")"
}

# shapes2_xlsx SHAPE: the shape's CSV exports saved as workbooks by
# LibreOffice (cases_xlsx.sh's soffice_convert: dd-mm-jjjj read in the
# Dutch locale, so the dates become date cells) and read with the xlsx
# plugin: the same figures as from the CSV, and as worked out.
shapes2_xlsx() {
	local d=$work/$1 csvs
	mkdir -p "$d/xlsx"
	csvs=("$d"/*.csv)
	soffice_convert "${csvs[0]}" "$d/xlsx" "${csvs[@]:1}" || return
	sed -e 's/^plugin = csv$/plugin = xlsx/' -e '/^path = /s/\.csv$/.xlsx/' -e '/^separator = /d' \
		-e '/^plugin_dirs = /d' "$d/peil.ini" >"$d/xlsx/peil.ini"
	shapes2_case "$1" "$d/xlsx"
	python3 "$src/tests/e2e/shapes/check_shapes2.py" --same "$d/peil.json" "$d/xlsx/peil.json" >"$work/same" &&
		ok "$1: workbooks and CSV: $(head -1 "$work/same")" ||
		fail "$1: workbooks and CSV differ" "$(cat "$work/same")"
}
test_shapes2_zrm() { shapes2_case zrm; shapes2_xlsx zrm; }
test_shapes2_visits() { shapes2_case visits; shapes2_xlsx visits; }
test_shapes2_iwmo() {
	shapes2_case iwmo
	shapes2_case iwmo "$work/iwmo/csv"
	python3 "$src/tests/e2e/shapes/check_shapes2.py" --same "$work/iwmo/peil.json" \
		"$work/iwmo/csv/peil.json" >"$work/same" &&
		ok "iwmo: messages and CSV: $(head -1 "$work/same")" ||
		fail "iwmo: messages and CSV differ" "$(cat "$work/same")"
}

# ----------------------------------------------------- shapes2_zrm_scores
# A score outside the instruments' scales (the ZRM 1 to 5, the ladder 1 to
# 6; docs/domain.md) is an error of the export, refused at ingest with its
# line, as the shipped declaration field.score = integer required 1..6
# says.  Before, such rows were stored and counted: Z1 from 3 to 9 and Z2
# from 0 to 2 were two persons whose Financiën "rose" in 2018-Q1, and a
# ladder score of 7 a rung no ladder has.  With the file refused nothing
# is stored, and the file with the scores put right gives Z1 3 -> 5 up,
# Z2 1 -> 2 up, Z3 4 -> 4 the same: 2 up, 1 the same, 0 down.
test_shapes2_zrm_scores() {
	mkdir -p "$work/scores"
	cat >"$work/scores/peil.ini" <<INI
[peil]
plugin_dirs = $plugins
script_dirs = $src/scripts
[storage]
path = $work/scores/peil.db
[run]
kpis = tag:zrm
[privacy]
min_count = 0
$(sed -n '/^\[dataset measurements\]/,/^$/p' "$src/conf/peil.ini")
$(csv_source metingen measurements "$work/scores/metingen.csv" semicolon Meting=measurement_id \
	Client=person Datum=date Instrument=instrument Domein=domain Score=score)
INI
	printf '%s\r\n' "Meting;Client;Datum;Instrument;Domein;Score" \
		"M1;Z1;01-02-2018;ZRM;Financiën;3" "M2;Z1;01-03-2018;ZRM;Financiën;9" \
		"M3;Z2;01-02-2018;ZRM;Financiën;0" "M4;Z2;01-03-2018;ZRM;Financiën;2" \
		"M5;Z3;01-02-2018;ZRM;Financiën;4" "M6;Z3;02-03-2018;ZRM;Financiën;4" \
		"M7;Z4;01-02-2018;Participatieladder;;7" >"$work/scores/metingen.csv"
	"$peil" ingest --config "$work/scores/peil.ini" >/dev/null 2>"$work/scores/err"
	expect_rc "a score outside 1..6 refuses the file" 2 $?
	expect_grep "the first bad score named with its line and column" "$work/scores/err" \
		"metingen.csv:3: column 'Score': 9 is outside 1..6"
	sed -i 's/;9\r$/;5\r/; s/;0\r$/;1\r/; s/;7\r$/;6\r/' "$work/scores/metingen.csv"
	"$peil" ingest --config "$work/scores/peil.ini" >/dev/null 2>"$work/scores/err"
	expect_rc "the scores put right go in" 0 $?
	"$peil" eval --config "$work/scores/peil.ini" --period 2018-Q1 --dry-run --format csv \
		>"$work/scores/out" 2>"$work/scores/err"
	expect_rc "eval" 0 $?
	csv_columns kpi periode domain waarde <"$work/scores/out" | grep -v '^kpi;' |
		grep -v ';(onbekend);' >"$work/scores/figures"
	expect_lines "2 up, 1 the same, 0 down" "$work/scores/figures" < <(printf '%s\n' \
		"zrm_achteruit;2018-Q1;Financiën;0" "zrm_achteruit;2018-Q1;Totaal;0" \
		"zrm_gelijk;2018-Q1;Financiën;1" "zrm_gelijk;2018-Q1;Totaal;1" \
		"zrm_vooruit;2018-Q1;Financiën;2" "zrm_vooruit;2018-Q1;Totaal;2")
}

# ------------------------------------------------------- shapes2_history
# Deliveries over time (gen_shapes2.py history): Welzijn Noord's monthly
# snapshots (cases reopened, deleted, their registration moved) and
# Welzijn Zuid's overlapping monthly exports and a corrected January,
# each delivery ingested and run.  After each, the published figures are
# those of the whole history worked out again, and peil diff lists
# exactly the figures that changed, as the report of 2018-02 its revised
# ones (since the report of the delivery before).  With final_after_months = 3 every
# figure is final (2018 ended long ago): the later runs exit 5, naming
# each changed figure on the log, and peil diff marks them definitief;
# with 1200 all are provisional: exit 0, none named, none definitief.
history_case() {
	local months=$1 d=$work/history$1 k want
	python3 "$src/tests/e2e/shapes/gen_shapes2.py" history "$d" "$src/scripts" || { fail "history: generate"; return; }
	sed -i -e "1a plugin_dirs = $plugins" -e "/^\[run\]/a final_after_months = $months" "$d/peil.ini"
	mkdir -p "$d/exports"
	for k in 1 2 3; do
		cp "$d/d$k/"*.csv "$d/exports/"
		"$peil" ingest --config "$d/peil.ini" >/dev/null 2>"$d/ingest$k"
		expect_rc "final after $months months, delivery $k: ingest" 0 $?
		[ $k != 1 ] && [ "$months" = 3 ] && want=5 || want=0
		"$peil" run --config "$d/peil.ini" >/dev/null 2>"$d/run$k"
		expect_rc "final after $months months, delivery $k: run" $want $?
		"$peil" show --config "$d/peil.ini" --format json >"$d/show$k.json" 2>"$d/err"
		"$peil" diff --config "$d/peil.ini" 2>"$d/err" | tr -s ' ' >"$d/diff$k"
		"$peil" report --config "$d/peil.ini" --period 2018-02 --format json -o "$d/report$k.json" 2>"$d/err"
		expect_rc "final after $months months, delivery $k: report" 0 $?
		python3 "$src/tests/e2e/shapes/check_shapes2.py" --history "$d/truth.json" $k "$d/show$k.json" \
			"$d/diff$k" "$d/run$k" "$months" "$d/report$k.json" >"$d/check" &&
			ok "final after $months months, $(head -1 "$d/check")" ||
			fail "final after $months months: delivery $k differs" "$(cat "$d/check")"
	done
	expect_grep "delivery 2: the snapshot removed Noord's deleted cases" "$d/ingest2" \
		"exports/noord_2.csv: a snapshot of cases where organisation = 'Welzijn Noord': 4 rows that it no longer has were removed"
}
test_shapes2_history() { history_case 3; history_case 1200; }
