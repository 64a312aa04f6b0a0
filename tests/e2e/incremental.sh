#!/usr/bin/env bash
# End-to-end tests of incremental runs: a run that
# finds nothing changed confirms the figures of the run before instead of
# evaluating them again, and its figures are always those of a full
# evaluation of the same inputs.
#
#   incremental.sh CASE PEIL SOURCE_DIR PLUGIN_DIR DEMO
#
# Each case prints one line per check and closes with "N passed, M failed";
# it exits nonzero when a check failed.
set -u
case_name=$1 peil=$2 src=$3 plugins=$4 demo=$5
work=$(mktemp -d --tmpdir peil-e2e-incremental-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C	# the demo's exports are Windows-1252: awk takes bytes
. "$(dirname "$0")/lib.sh"

# The demo's exports of 2016 to 2018 (600 cases a year), every shipped
# KPI, [run] periods over two years.  The cases come in one export that
# is the whole dataset each month (mode = snapshot: a row it lacks is
# deleted); the other exports lie in $work/in too.  $1 = the config file,
# $2 = its store.
make_demo() {
	"$demo" --out "$work/demo" --from-year 2016 --to-year 2018 --cases-per-year 600 >/dev/null
	mkdir -p "$work/in"
	cp "$work"/demo/export_*.csv "$work/in/"
	rm "$work"/in/export_casussen_*.csv
}
demo_ini() {
	sed "s|^path = ../var/demo/export_casussen_\*.csv|path = $work/in/export_casussen.csv|; s|^mode = increment|mode = snapshot|; s|^path = ../var/demo/|path = $work/in/|; s|^path = ../var/peil.db|path = $2|; s|^script_dirs = ../scripts|script_dirs = $src/scripts\nplugin_dirs = $plugins|; s|^reject_dir = .*|reject_dir = $work/rejects|; s|^periods = .*|periods = 2017-01..2018-12|" \
		"$src/conf/peil.ini" >"$1"
}

# The cases export of month $1 of 2018: every case of 2016 and 2017, the
# cases of 2018 up to month $1 (in the order registered, twelfth by
# twelfth), a retroactive correction of the mark and closure of some
# earlier cases and the deletion of a few others (other ones each month).
cases_of_month() {
	local m=$1 n
	n=$(($(wc -l <"$work/demo/export_casussen_2018.csv") - 1))
	{
		cat "$work/demo/export_casussen_2016.csv"
		tail -n +2 "$work/demo/export_casussen_2017.csv"
		tail -n +2 "$work/demo/export_casussen_2018.csv" | head -n $((n * m / 12))
	} | awk -F';' -v OFS=';' -v m="$m" '
		NR > 1 && NR % 101 == m { next }	# deleted
		NR > 1 && NR % 37 == m { $12 = 7; if (NR % 2) $8 = "" }
		{ print }' >"$work/in/export_casussen.csv"
}

# A run into the store of inc.ini (incremental, as scheduled), then the same
# inputs into a fresh store with --full; the figures of both, as peil
# show prints them, must be the same bytes.  $1 names the month.
compare_with_full() {
	local rc_inc rc_full
	"$peil" run --config "$work/inc.ini" --format csv >/dev/null 2>"$work/inc.log"
	rc_inc=$?
	rm -f "$work"/full.db*
	"$peil" run --full --config "$work/full.ini" --format csv >/dev/null 2>"$work/full.log"
	rc_full=$?
	"$peil" show --config "$work/inc.ini" --format csv >"$work/inc.csv" 2>&1
	"$peil" show --config "$work/full.ini" --format csv >"$work/full.csv" 2>&1
	# A retroactive change moves final figures: exit 5 for the
	# incremental run, which a fresh store has nothing to compare with.
	[ "$rc_inc" = 5 ] && [ "$rc_full" = 0 ] && rc_full=5
	if [ "$rc_inc" = "$rc_full" ] && [ -s "$work/full.csv" ] &&
		cmp -s "$work/inc.csv" "$work/full.csv"; then
		ok "$1: the incremental run's figures are a full run's ($(wc -l <"$work/inc.csv") lines, exit $rc_inc)"
	else
		fail "$1: the incremental run's figures differ from a full run's" \
			"exit $rc_inc, full $rc_full" "$(diff "$work/inc.csv" "$work/full.csv" | head -10)" "$(tail -5 "$work/full.log")"
	fi
}

# A scripted year of monthly exports with retroactive changes: after every
# month's incremental run, the figures equal a full run's.  Month 6 brings
# nothing new (the run confirms month 5's), month 8 changes only a lookup
# dataset (visits of the follow-up KPIs done later), month 10 only the
# configuration (a holiday: the waiting times in working days move).
test_year() {
	make_demo
	demo_ini "$work/inc.ini" "$work/inc.db"
	demo_ini "$work/full.ini" "$work/full.db"
	# 2017, which every month's export holds whole: the months of 2018
	# after month m lie after its data and are not evaluated (the run
	# would be incomplete, and never confirmed or kept); the monthly
	# corrections and deletions reach 2016 and 2017 too
	sed -i 's|^periods = .*|periods = 2017-01..2017-12|' "$work/inc.ini" "$work/full.ini"
	for m in 1 2 3 4 5 6 7 8 9 10 11 12; do
		case $m in
		6) ;;	# nothing changed
		8) awk -F';' -v OFS=';' 'NR > 1 && NR % 7 == 2 { $4 = "28-12-2018" } { print }' \
			"$work/demo/export_bezoeken.csv" >"$work/in/export_bezoeken.csv" ;;
		10) for ini in inc full; do
			sed -i 's|^;extra = 2018-12-24, 2018-12-31|extra = 2017-03-14, 2017-11-02|' "$work/$ini.ini"
		    done ;;
		*) cases_of_month "$m" ;;
		esac
		compare_with_full "month $m"
		if [ "$m" = 6 ]; then
			expect_grep "month 6: nothing changed, the run says so" "$work/inc.log" "nothing changed since run 5, whose figures it confirms"
			"$peil" runs --config "$work/inc.ini" >"$work/runs" 2>&1
			expect_grep "month 6: peil runs names the run it confirms" "$work/runs" "confirms run 5, whose figures stand"
		else
			# Run m evaluates what changed and keeps the rest
			# from the run before: the 10 KPIs over no cases
			# (trajectories, visits, measurements, referrals)
			# when only cases changed; all but the 3 follow-up
			# KPIs over visits in month 8; nothing after the
			# configuration changed in month 10.
			# Run 6 confirmed run 5: run 7 builds on run 5.
			b=$((m == 7 ? 5 : m - 1))
			case $m in
			1 | 10) want="run $m: 38 KPIs evaluated" ;;
			8) want="run $m: 38 KPIs: 3 evaluated, 35 kept from run $b" ;;
			*) want="run $m: 38 KPIs: 28 evaluated, 10 kept from run $b" ;;
			esac
			expect_grep "month $m: $want" "$work/inc.log" "$want"
		fi
	done
}

# A run that finds nothing changed: what it records and prints, what show,
# status and prune make of it, and what makes the next run evaluate.
test_unchanged() {
	make_demo
	cases_of_month 12
	demo_ini "$work/inc.ini" "$work/inc.db"
	ini=$work/inc.ini
	"$peil" run --config "$ini" --format csv >"$work/run1.csv" 2>"$work/run1.log"
	expect_rc "the first run evaluates" 0 $?
	"$peil" show --config "$ini" --format csv >"$work/show1.csv" 2>&1
	"$peil" run --config "$ini" --format csv >"$work/run2.csv" 2>"$work/run2.log"
	expect_rc "a second run with nothing new" 0 $?
	expect_grep "it says that nothing changed" "$work/run2.log" "run 2: nothing changed since run 1, whose figures it confirms: 0 KPIs evaluated, all kept from run 1"
	if cmp -s "$work/run1.csv" "$work/run2.csv"; then ok "it prints run 1's figures, as run 1 did"; else fail "it prints other figures" "$(diff "$work/run1.csv" "$work/run2.csv" | head -5)"; fi
	"$peil" show --config "$ini" --format csv >"$work/show2.csv" 2>&1
	if cmp -s "$work/show1.csv" "$work/show2.csv"; then ok "show serves run 1's figures, unchanged"; else fail "show serves other figures" "$(diff "$work/show1.csv" "$work/show2.csv" | head -5)"; fi
	"$peil" show --config "$ini" >"$work/show2.txt" 2>&1
	expect_grep "show names run 1" "$work/show2.txt" "Run 1"
	"$peil" runs --config "$ini" >"$work/runs" 2>&1
	expect_grep "peil runs: run 2 is unchanged" "$work/runs" "Run 2  run"
	expect_grep "peil runs: run 2 confirms run 1" "$work/runs" "nothing changed: confirms run 1, whose figures stand"
	n=$(sqlite3 "$work/inc.db" "SELECT coalesce(sum(figures), 0) FROM peil_figures WHERE run_id = 2")
	expect_rc "run 2 stores no figures of its own" 0 "$n"
	"$peil" status --config "$ini" >"$work/status" 2>&1
	expect_rc "peil status: an unchanged run is as good as ok" 0 $?
	"$peil" run --full --config "$ini" --format csv >/dev/null 2>"$work/run3.log"
	expect_grep "--full evaluates though nothing changed" "$work/run3.log" "run 3: 38 KPIs evaluated"
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run4.log"
	expect_grep "the next run confirms the full one" "$work/run4.log" "nothing changed since run 3"
	"$peil" prune --keep 1 --config "$ini" >/dev/null 2>&1
	"$peil" show --config "$ini" --format csv >"$work/show4.csv" 2>&1
	if cmp -s "$work/show1.csv" "$work/show4.csv"; then ok "prune --keep 1 keeps the run that run 4 confirms"; else fail "prune took the confirmed run" "$(head -3 "$work/show4.csv")"; fi
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run5.log"
	expect_grep "after prune, the run still confirms run 3" "$work/run5.log" "nothing changed since run 3"
	# What makes a run evaluate again.
	sed -i 's|^periods = .*|periods = 2018|' "$ini"
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run6.log"
	expect_grep "other [run] periods: the run evaluates" "$work/run6.log" "evaluating: run 3 evaluated 2017-01-01 .. 2018-12-31, this one 2018-01-01 .. 2018-12-31"
	echo "; a comment" >>"$ini"
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run7.log"
	expect_grep "a changed configuration: the run evaluates" "$work/run7.log" "evaluating: the configuration changed since run 6"
	# a new export that still reaches December (month 11's would not:
	# December would lie after its data, the run incomplete)
	sed -i '0,/;8;P/s//;7;P/' "$work/in/export_casussen.csv"
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run8.log"
	expect_grep "a new export: the run evaluates" "$work/run8.log" "evaluating: inputs changed since run 7"
	cp -r "$src/scripts" "$work/scripts"
	sed -i "s|^script_dirs = .*|script_dirs = $work/scripts|" "$ini"
	"$peil" run --config "$ini" --format csv >/dev/null 2>&1	# the config changed
	sed -i 's|title = "|title = "Gewijzigd: |' "$work/scripts/wachttijd.lua"
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run10.log"
	expect_grep "a changed script: the run evaluates" "$work/run10.log" "evaluating: the scripts changed since run 9"
	"$peil" run --config "$ini" --format csv >/dev/null 2>&1
	"$peil" runs --config "$ini" >"$work/runs" 2>&1
	expect_grep "and the run after confirms it" "$work/runs" "confirms run 10"
	# 2015 has no cases yet: its figures are not evaluated, the run is
	# incomplete (exit 6), and the next one says so again.
	sed -i 's|^periods = .*|periods = 2015-01..2018-12|' "$ini"
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run12.log"
	expect_rc "a run with periods before the data is incomplete" 6 $?
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run13.log"
	expect_rc "the next run is incomplete again" 6 $?
	expect_grep "it does not confirm an incomplete run" "$work/run13.log" "evaluating: run 12 is incomplete"
}

# An input unchanged in size, modification time and inode is not hashed
# again; one with a new time is (and found the same); one changed in place
# with its size and time kept is taken as unchanged, until --full hashes
# every file.
test_unhashed() {
	make_demo
	cases_of_month 12
	demo_ini "$work/inc.ini" "$work/inc.db"
	ini=$work/inc.ini
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run1.log"
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run2.log"
	n=$(grep -c "its size, modification time and inode are the same" "$work/run2.log")
	expect_rc "run 2 hashes none of the 7 files" 7 "$n"
	expect_grep "and confirms run 1" "$work/run2.log" "nothing changed since run 1"
	# A mark 8 becomes 7 in place: the same size, inode and (restored)
	# time.
	touch -r "$work/in/export_casussen.csv" "$work/time_ref"
	python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    data = f.read(); i = data.index(b";8;P"); f.seek(i + 1); f.write(b"7")' "$work/in/export_casussen.csv"
	touch -r "$work/time_ref" "$work/in/export_casussen.csv"
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run3.log"
	expect_grep "changed in place with size and time kept: taken as unchanged" "$work/run3.log" "nothing changed since run 1"
	"$peil" run --full --config "$ini" --format csv >/dev/null 2>"$work/run4.log"
	expect_grep "--full hashes it and reads the change" "$work/run4.log" "export_casussen.csv: 1802 rows stored in cases"
	expect_grep "and evaluates" "$work/run4.log" "run 4: 38 KPIs evaluated"
	touch -d '2030-01-01 12:00' "$work/in/export_casussen.csv"
	"$peil" run --config "$ini" --format csv >/dev/null 2>"$work/run5.log"
	expect_grep "a file with a new time is hashed" "$work/run5.log" "export_casussen.csv: skipped, [source demo_cases] read this content before"
	expect_grep "and found the same: run 5 confirms run 4" "$work/run5.log" "nothing changed since run 4"
}

"test_$case_name"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
