# Sourced by cli.sh: exports of shapes that cases_shapes.sh and
# cases_shapes2.sh leave out (tests/e2e/shapes/gen_shapes3.py: the minimum
# columns of every dataset; the calendars of 2025 to 2030; other
# spellings of headers, dates, answers, teams, codes and citizen numbers;
# workbooks of both of Excel's date systems; thousands of teams with very
# small cells), their figures worked out again in Python from
# docs/domain.md (shapes/check_shapes3.py, with check_shapes.py's second
# computation) and compared one by one, small cells with them.

# shapes3_gen SHAPE [DIR]: generate SHAPE into DIR (default $work/SHAPE),
# with the build's plugins; sets d, from and to.
shapes3_gen() {
	d=${2:-$work/$1}
	python3 "$src/tests/e2e/shapes/gen_shapes3.py" "$1" "$d" "$src/scripts" || { fail "$1: generate"; return 1; }
	sed -i "1a plugin_dirs = $plugins" "$d/peil.ini"
	read -r from to < <(python3 -c 'import json, sys; print(*json.load(open(sys.argv[1]))["range"])' "$d/truth.json")
}

# shapes3_case SHAPE EVAL_EXIT: generate, ingest (exit 0), evaluate the
# truth's range (EVAL_EXIT) and compare every figure.
shapes3_case() {
	local d from to
	shapes3_gen "$1" || return
	"$peil" ingest --config "$d/peil.ini" >/dev/null 2>"$d/err"
	expect_rc "$1: ingest" 0 $?
	"$peil" eval --config "$d/peil.ini" --from "$from" --to "$to" --dry-run --format json \
		>"$d/peil.json" 2>"$d/err"
	expect_rc "$1: eval" "$2" $?
	shapes3_check "$1" "$d/truth.json" "$d/peil.json"
}

# shapes3_check NAME ARGS...: check_shapes3.py ARGS, one check
shapes3_check() {
	local name=$1
	shift
	python3 "$src/tests/e2e/shapes/check_shapes3.py" "$@" >"$work/check" &&
		ok "$(head -1 "$work/check")" || fail "$name: figures differ" "$(cat "$work/check")"
}

# shapes3_mutants NAME ARGS... -- SED...: the check of ARGS again with
# check_shapes.py mutated by each SED expression (a rule of
# docs/domain.md or docs/output.md worked out wrongly on purpose), which
# must then find differences: the check can fail.
shapes3_mutants() {
	local name=$1 args=() e n=0
	shift
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	mkdir -p "$work/mutant"
	cp "$src/tests/e2e/shapes/check_shapes3.py" "$work/mutant/"
	for e in "$@"; do
		n=$((n + 1))
		sed "$e" "$src/tests/e2e/shapes/check_shapes.py" >"$work/mutant/check_shapes.py"
		if cmp -s "$work/mutant/check_shapes.py" "$src/tests/e2e/shapes/check_shapes.py"; then
			fail "$name: mutant $n changes nothing: $e"
		elif PYTHONPATH=$src/tests/oracle python3 "$work/mutant/check_shapes3.py" "${args[@]}" >"$work/check"; then
			fail "$name: mutant $n ($e) passes" "$(head -1 "$work/check")"
		else ok "$name: mutant $n ($e) caught: $(head -1 "$work/check" | sed 's/.*, //')"; fi
	done
}

# ------------------------------------------------------- shapes3_minimal
# Every dataset with only the columns it cannot do without: the KPIs that
# need another (closed, first_meeting, referrer, the trajectories' end,
# the referrals' care_started, ...) are not evaluated, naming the dataset
# and the field, never 0 (exit 6); started cases and referrals exact.
test_shapes3_minimal() {
	shapes3_case minimal 6
	shapes3_mutants minimal "$work/minimal/truth.json" "$work/minimal/peil.json" -- \
		'/read |= {("cases", f.split/d' \
		's/p\["first"\] <= s <= p\["last"\]/p["first"] < s <= p["last"]/'
}

# ----------------------------------------------------- shapes3_spellings
# Headers in capitals, lower case, with accents, a trailing space and
# '(J/N)'; one column's dates in dd-mm-jjjj, d-m-jjjj, jjjj-mm-dd and
# jjjj-m-d, 31-12-9999 for an open case; J/N; teams spelled in other case
# and spaces (fold.team); codes with leading zeros; citizen numbers of 9
# and of 8 digits for one person: every figure as worked out, and no
# citizen number in the store in the clear.  A date of two-digit year
# (d-m-jj, which date_format cannot declare) is refused, naming the file,
# line, column and value, and nothing of the file is stored.
test_shapes3_spellings() {
	local d from to n
	shapes3_case spellings 0
	d=$work/spellings
	n=$(sed 1d "$d/leden.csv" | cut -d';' -f3 | grep -c . | tr -d ' ')
	if sed 1d "$d/leden.csv" | cut -d';' -f3 | grep . | sort -u | grep -qaFf - "$d"/peil.db*; then
		fail "a citizen number in the clear in the store"
	else ok "none of the $n citizen numbers (8 and 9 digits) in the store in the clear"; fi
	# line 5's registration as d-m-jj
	awk -F';' -v OFS=';' 'NR == 5 { n = split($6, a, "-"); if (length(a[1]) == 4) { y = a[1]; a[1] = a[3]; a[3] = y }
		$6 = (a[1] + 0) "-" (a[2] + 0) "-" substr(a[3], 3) } { print }' "$d/casussen.csv" >"$d/jj.csv" &&
		mv "$d/jj.csv" "$d/casussen.csv"
	rm -f "$d"/peil.db*
	"$peil" ingest --config "$d/peil.ini" >/dev/null 2>"$d/err"
	expect_rc "spellings: a two-digit year refuses the file" 2 $?
	expect_grep "spellings: the file, line, column and value named" "$d/err" \
		"casussen.csv:5: column 'Datum aanmelding': '$(sed -n '5p' "$d/casussen.csv" | cut -d';' -f6)' is not a valid date"
	expect_grep "spellings: nothing of the file stored" "$d/err" "casussen.csv: nothing of this file was stored"
}

# ---------------------------------------------------------- shapes3_xlsx
# Workbooks of Excel's 1900 and 1904 date systems, dates as serial
# numbers (some with a time of day), the leap day 29 February 2024,
# citizen numbers as number cells (8 digits where the zero was dropped):
# every figure as worked out.
test_shapes3_xlsx() {
	shapes3_case xlsx 0
	# A citizen number of 7 digits in a cell of format 000000000 (which
	# shows 001234567) is refused as from any export: the host alone pads
	# an 8-digit one, the cell's format adds no zeros.
	(cd "$src/tests/e2e/shapes" && python3 -c 'import sys; from gen_shapes3 import write_book
write_book(sys.argv[1], ["Lidnummer", "Dossiernummer", "BSN"], [["L1", "C00001", ("000000000", 1234567)]])' \
		"$work/xlsx/leden.xlsx")
	rm -f "$work"/xlsx/peil.db*
	"$peil" ingest --config "$work/xlsx/peil.ini" >/dev/null 2>"$work/xlsx/err"
	expect_rc "xlsx: 7 digits in a cell of format 000000000" 2 $?
	expect_grep "xlsx: the citizen number refused, masked" "$work/xlsx/err" \
		"leden.xlsx:2: column 'BSN (sheet Blad1, cell C2)': '123****' has too few digits for a citizen number (8 or 9)"
}

# ------------------------------------------------------ shapes3_calendar
# 2025 to 2030: Easter from 28 March (2027) to 21 April (2030),
# Koningsdag on Sunday 27 April 2025 kept on the 26th, the leap day 2028,
# Bevrijdingsdag in the lustrum years only and no Goede Vrijdag; [run]
# periods a range from April, grains from months to contract years, run
# by peil run.  The exports are dated as read on 15 January 2031 (their
# ingest log; what Peil takes as the newest input), the run as of that
# day (PEIL_TODAY).
test_shapes3_calendar() {
	local d from to
	shapes3_gen calendar || return
	"$peil" ingest --config "$d/peil.ini" >/dev/null 2>"$d/err"
	expect_rc "calendar: ingest" 0 $?
	sqlite3 "$d/peil.db" "UPDATE peil_ingest SET at = CAST(strftime('%s', '2031-01-15 12:00:00') AS INTEGER)"
	PEIL_TODAY=2031-01-15 "$peil" run --config "$d/peil.ini" >/dev/null 2>"$d/err"
	expect_rc "calendar: run" 0 $?
	"$peil" runs --config "$d/peil.ini" >"$d/runs" 2>&1
	expect_grep "calendar: the run covers the range of [run] periods" "$d/runs" "periods 2025-04-01 .. 2030-06-30"
	PEIL_TODAY=2031-01-15 "$peil" show --config "$d/peil.ini" --format json >"$d/show.json" 2>"$d/err"
	shapes3_check calendar "$d/truth.json" "$d/show.json"
	shapes3_mutants calendar "$d/truth.json" "$d/show.json" -- \
		's/return out | {day(s) for s in t\["extra"\]}/return out/' \
		's/e + dt.timedelta(days=39)/e + dt.timedelta(days=40)/' \
		's/if t\["liberation_day"\]:/if True:/'
}

# --------------------------------------------------------- shapes3_teams
# SHAPES_TEAMS teams (1 000 here, 5 000 by hand), most with one to three
# cases; names that differ only in case or inner spaces are other teams,
# a trailing space is trimmed.  [privacy] min_count 5, min_denominator 8;
# [privacy public] 8 and 12.  Every figure of the run (peil show), of the
# report of 2024-Q2 (its JSON) and of its public report (three public
# KPIs) against the truth and the small-cell rules worked out in Python;
# the report's CSV and HTML read back (shapes/check_formats.py).
test_shapes3_teams() {
	local d from to
	SHAPES_TEAMS=${SHAPES_TEAMS:-1000} shapes3_gen teams || return
	"$peil" ingest --config "$d/peil.ini" >/dev/null 2>"$d/err"
	expect_rc "teams: ingest" 0 $?
	"$peil" run --config "$d/peil.ini" >/dev/null 2>"$d/err"
	expect_rc "teams: run" 0 $?
	"$peil" show --config "$d/peil.ini" --format json >"$d/show.json" 2>"$d/err"
	shapes3_check teams "$d/truth.json" "$d/show.json"
	for f in json csv html; do
		"$peil" report --config "$d/peil.ini" --period 2024-Q2 --format $f -o "$d/verslag.$f" 2>"$d/err"
		expect_rc "teams: report ($f)" 0 $?
	done
	shapes3_check "teams report" --report "$d/truth.json" "$d/verslag.json"
	"$peil" report --config "$d/peil.ini" --period 2024-Q2 --public --format json -o "$d/openbaar.json" 2>"$d/err"
	expect_rc "teams: public report" 0 $?
	shapes3_check "teams public report" --report "$d/truth.json" "$d/openbaar.json" --public
	shapes3_mutants teams "$d/truth.json" "$d/show.json" -- \
		's/t.get("min_denominator", min_count)) if/min_count) if/' \
		's/if 0 < size < min_count or/if 0 < size <= min_count or/'
	python3 "$src/tests/e2e/shapes/check_formats.py" "$d/verslag.json" "$d/verslag.csv" \
		"$d/verslag.html" >"$d/formats" &&
		ok "teams: $(head -1 "$d/formats")" || fail "teams: report formats differ" "$(cat "$d/formats")"
	# 300 teams: a share and a mean of 2024-09 whose one hidden cell the
	# total would give away (the cells add up to the total), hidden as
	# derivable with another
	SHAPES_TEAMS=300 shapes3_gen teams "$work/teams300" || return
	"$peil" ingest --config "$d/peil.ini" >/dev/null 2>"$d/err"
	"$peil" eval --config "$d/peil.ini" --from "$from" --to "$to" --dry-run --format json \
		>"$d/peil.json" 2>"$d/err"
	expect_rc "300 teams: eval" 0 $?
	shapes3_check "300 teams" "$d/truth.json" "$d/peil.json"
	shapes3_mutants "300 teams" "$d/truth.json" "$d/peil.json" -- \
		's/^\( *\)enough = .*/\1enough = min_count/' \
		's/^\( *\)enough = .*/&\n\1if K[kid]["rule"] != "count": continue/'
}
