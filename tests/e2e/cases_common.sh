# Sourced by cli.sh: what the cases_*.sh files share.

# store_sections PLUGIN_DIRS SCRIPT_DIRS: the [peil] and [storage]
# sections of a test config over $work/peil.db (sqlite also under
# PEIL_TEST_PG).
store_sections() { peil_sections "$1" "$2" sqlite; }

# kpi_totals CSV KPI [BREAKDOWN]: the totals of KPI in the CSV of a run,
# "PERIOD=VALUE ..." in order; BREAKDOWN names the column of its total
# ("Totaal"), none for a KPI without.
kpi_totals() {
	if [ -n "${3:-}" ]; then
		csv_columns kpi periode "$3" waarde <"$1" |
			awk -F';' -v k="$2" '$1 == k && $3 == "Totaal" { printf "%s=%s ", $2, $4 }'
	else
		csv_columns kpi periode waarde <"$1" |
			awk -F';' -v k="$2" '$1 == k { printf "%s=%s ", $2, $3 }'
	fi
}

# expect_kpi_totals NAME CSV KPI WANT [BREAKDOWN]: kpi_totals gives WANT.
expect_kpi_totals() {
	local got

	got=$(kpi_totals "$2" "$3" "${5:-}")
	if [ "$got" = "$4" ]; then ok "$1"; else fail "$1" "got:  $got" "want: $4"; fi
}

# expect_kpi_alone KPI FROM TO WANT RUN_CSV COLUMN...: peil eval of KPI
# alone, FROM to TO, exits WANT and gives KPI's rows of RUN_CSV, the CSV
# of the whole set, compared on the COLUMNs (kpi first).
expect_kpi_alone() {
	"$peil" eval --config "$work/peil.ini" --from "$2" --to "$3" --kpi "$1" \
		--format csv >"$work/alone.csv" 2>"$work/err"
	expect_rc "$1 alone" "$4" $?
	if diff <(csv_columns "${@:6}" <"$work/alone.csv") \
		<(csv_columns "${@:6}" <"$5" | grep "^$1;") >"$work/diff"; then
		ok "$1 alone equals it within the set"
	else fail "$1 alone differs from the set" "$(head -5 "$work/diff")"; fi
}
