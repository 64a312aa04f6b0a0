# Sourced by cli.sh: trust of runs that confirm, a fifth round
# (cases_trust4.sh is the fourth).

# ------------------------------------------- a killed run
# A peil run killed (SIGKILL) before it closed the store left the note
# of how Peil left the file (PATH.stamp, cases_trust3.sh) as it was at
# the run before, and its run "running"; the next run recorded it as
# failed, compared with it ("run 2 published no figures") and with the
# stale note, and evaluated every KPI again.  Now the note is written
# again after each of Peil's commits and checkpoints, and a run that
# never ended (killed, or its peil lost the store) or was interrupted
# is no base: the next run confirms the last run that ended.
#
# Each kill point: a fresh store, run 1 (evaluates), then run 2 = peil
# run --full (evaluates although nothing changed) under strace, killed
# at the Nth call of one of the calls that write (each thread counts
# its own).  Then: peil show gives run 1's figures; the next run exits
# 0 and either evaluates or confirms a run that ended "ok"; peil show
# gives the same figures again.  By the state run 2 left: not begun,
# begun without figures, its figures committed without its end, or
# ended ok.  A kill between two of its writes leaves a note that holds:
# the next run confirms run 1 (run 2 when it ended).  A kill while it
# wrote (a commit or checkpoint half-way, before the note of it) leaves
# a file the note cannot vouch for: the next run evaluates, saying why.
# Which kill points fall where depends on its threads; a kill during
# the evaluation (at the first write of its figures, after the
# evaluation wrote nothing) and one at the close (after the last
# checkpoint) fall between two writes.

# trust5_fresh: a fresh store and run 1; its figures in $work/show1.csv.
# The store after run 1 is kept in $work/run1.db: trust5_fresh again
# puts it back, with a note of how Peil left it.
trust5_fresh() {
	rm -f "$work"/peil.db*
	if [ -f "$work/run1.db" ]; then
		cp "$work/run1.db" "$work/peil.db"
		trust3_forge_stamp
		return
	fi
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err" ||
		fail "run 1" "$(cat "$work/err")"
	"$peil" show --config "$work/peil.ini" --format csv >"$work/show1.csv" 2>"$work/err" ||
		fail "show after run 1" "$(cat "$work/err")"
	cp "$work/peil.db" "$work/run1.db"
}

# trust5_kill CALL N [ARG]: peil run [ARG] killed at the Nth CALL of a
# thread; 0 when it was killed, 1 when it ended.
# SQLite's temporary files of a killed peil stay in $work.
trust5_kill() {
	{ ( TMPDIR=$work exec strace -f -o /dev/null -e trace="$1" \
		-e inject="$1":signal=KILL:when="$2" \
		"$peil" run --config "$work/peil.ini" ${3:+"$3"} \
		>/dev/null 2>"$work/err.killed" ); } 2>/dev/null
	[ $? -ne 0 ]
}

# trust5_state: what the killed run left, read after the run after it:
# none (no run recorded: that run is run 2), begun (no figures), stored
# (figures without its end) or ended.
trust5_state() {
	sqlite3 "$work/peil.db" "SELECT CASE WHEN (SELECT count(*) FROM peil_run) = 2 THEN 'none' WHEN (SELECT status FROM peil_run WHERE id = 2) IN ('ok', 'unchanged') THEN 'ended' WHEN (SELECT count(*) FROM peil_figures WHERE run_id = 2) > 0 THEN 'stored' ELSE 'begun' END" 2>&1
}

# trust5_sweep [ARG]: each kill point of peil run [ARG].
trust5_sweep() {
	local call n kills=0 bad=0 state next runs
	declare -A confirmed evaluated
	local -n all_confirmed=trust5_confirmed
	for call in pwrite64 write fdatasync ftruncate unlink rename; do
		for n in $(seq 1 60); do
			trust5_fresh
			trust5_kill "$call" "$n" "${1:-}" || break
			kills=$((kills + 1))
			"$peil" show --config "$work/peil.ini" --format csv >"$work/show.csv" 2>"$work/err"
			if ! cmp -s "$work/show.csv" "$work/show1.csv"; then
				bad=$((bad + 1))
				fail "$call $n: peil show after the kill" "$(diff "$work/show1.csv" "$work/show.csv" | head -5; cat "$work/err")"
			fi
			"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err.next"
			if [ $? -ne 0 ]; then
				bad=$((bad + 1))
				fail "$call $n: the run after the kill" "$(cat "$work/err.next")"
			fi
			"$peil" show --config "$work/peil.ini" --format csv >"$work/show.csv" 2>"$work/err"
			if ! cmp -s "$work/show.csv" "$work/show1.csv"; then
				bad=$((bad + 1))
				fail "$call $n: peil show after the next run" "$(diff "$work/show1.csv" "$work/show.csv" | head -5)"
			fi
			# The run after the kill, and the run it confirms.
			next=$(sqlite3 "$work/peil.db" "SELECT r.status || ' ' || coalesce(b.id || ' ' || b.status, '-') FROM peil_run r LEFT JOIN peil_run b ON b.id = r.confirms ORDER BY r.id DESC LIMIT 1")
			state=$(trust5_state)
			runs=$(trust3_runs)
			case "$next" in
			"unchanged 1 ok" | "unchanged 2 ok" | "ok -") ;;
			*)	bad=$((bad + 1))
				fail "$call $n: what the next run did" "$next; runs $runs" ;;
			esac
			case "$state/$next" in
			none/"unchanged 1 ok" | begun/"unchanged 1 ok" | stored/"unchanged 1 ok" | ended/unchanged*)
				confirmed[$state]=$((${confirmed[$state]:-0} + 1))
				all_confirmed[$state]=$((${all_confirmed[$state]:-0} + 1)) ;;
			*)	evaluated[$state]=$((${evaluated[$state]:-0} + 1))
				grep -q "evaluating: " "$work/err.next" ||
					fail "$call $n: it says why it evaluates" "$(cat "$work/err.next")" ;;
			esac
			# Kept for the test of an edit after a kill.
			[ "$state/$next" = "begun/unchanged 1 ok" ] &&
				[ -z "${trust5_begun:-}" ] && trust5_begun="$call $n"
		done
	done
	echo "kills: $kills; confirmed: none ${confirmed[none]:-0}, begun ${confirmed[begun]:-0}, stored ${confirmed[stored]:-0}, ended ${confirmed[ended]:-0}; evaluated: none ${evaluated[none]:-0}, begun ${evaluated[begun]:-0}, stored ${evaluated[stored]:-0}, ended ${evaluated[ended]:-0}"
	[ "$kills" -gt 20 ] && ok "$kills kill points" || fail "kill points" "$kills"
	[ "$bad" = 0 ] && ok "every kill: run 1's figures shown, the next run exits 0 and confirms an ended run or evaluates" ||
		fail "kills with a wrong outcome" "$bad"
}

test_trust5_killed_run() {
	command -v strace >/dev/null || { echo "strace is missing: skipped"; exit 77; }
	write_config "$src/tests/data/e2e/cases.csv"
	trust5_fresh
	strace -f -o /dev/null -e inject=getpid:retval=1:when=65535 true 2>/dev/null ||
		{ echo "strace cannot trace here: skipped"; exit 77; }
	declare -gA trust5_confirmed=()
	trust5_sweep --full
	# A run that would confirm, killed.
	trust5_sweep
	# Which kill points fall between two writes depends on the threads
	# (the checkpointer's among them): of both sweeps together, at least
	# one kill before the figures were stored and one after the end.
	[ "${trust5_confirmed[begun]:-0}" -gt 0 ] && ok "killed before it stored figures: the next run confirms run 1" ||
		fail "killed before it stored figures: none confirmed run 1" "in either sweep"
	[ "${trust5_confirmed[ended]:-0}" -gt 0 ] && ok "killed after its end: the next run confirms it" ||
		fail "killed after its end: none confirmed the killed run" "in either sweep"

	# An edit by the sqlite3 shell after a run killed before it stored
	# its figures is seen: case D5 (Zuid, registered 15 January, cli.sh)
	# moved to Noord; the next run evaluates and Zuid's January cases
	# started fall from 1 to 0, Noord's rise from 2 to 3 (exit 5).
	if [ -z "${trust5_begun:-}" ]; then
		fail "a kill point before the figures were stored" "none"
		return
	fi
	# SQLite run as root gives the WAL its database's owner each time a
	# connection opens it (a scan of the evaluation, say): the WAL's
	# change time moves, nothing else.  A run killed before it stored its
	# figures, its WAL so touched (chown to its own owner, as any user
	# may): the next run exits 0 and, unless the kill fell in a
	# checkpoint (thread timing: up to 5 tries), confirms run 1.  When the
	# note kept the WAL's change time, every try evaluated ("not as Peil
	# left it").
	local try confirms=0 wal=0
	for try in 1 2 3 4 5; do
		trust5_fresh
		trust5_kill ${trust5_begun% *} ${trust5_begun#* } --full || fail "run 2 killed once more at $trust5_begun"
		[ -s "$work/peil.db-wal" ] || continue
		wal=$((wal + 1))
		chown "$(id -u):$(id -g)" "$work/peil.db-wal"
		"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err.chown" ||
			fail "the WAL's owner set again: the next run" "$(cat "$work/err.chown")"
		if grep -q "nothing changed since run 1, whose figures it confirms" "$work/err.chown"; then
			confirms=1
			break
		fi
	done
	[ "$wal" -gt 0 ] && ok "a WAL left by the killed run" || fail "a WAL left by the killed run" "none in 5 tries"
	[ "$confirms" = 1 ] && ok "the WAL's owner set again: the next run confirms run 1" ||
		fail "the WAL's owner set again: no try confirmed run 1" "$(cat "$work/err.chown")"

	trust5_fresh
	trust5_kill ${trust5_begun% *} ${trust5_begun#* } --full || fail "run 2 killed again at $trust5_begun"
	sqlite3 "$work/peil.db" "$trust3_move_d5"
	"$peil" run --config "$work/peil.ini" --format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "an edit after a kill: the next run" 5 $?
	expect_grep "it evaluates, saying why" "$work/err" \
		"evaluating: the store is not as Peil left it after run 1"
	trust3_moved_d5 "$work/err"
	# The killed run never ended: no table to show as if whole.
	expect_sql "run 2 never ended" \
		"SELECT status || ' ' || coalesce(ended, '-') FROM peil_run WHERE id = 2" "running -"
	peil_expect "peil show --run 2" 6 /dev/null show --run 2
	expect_grep "it says run 2 never ended" "$work/err" "run 2 has not ended"
}

# ------------------------------------------- a module required late
# A module first required inside a rule function (while the KPI
# evaluates, not while its script loads) was not in the KPI's
# definition hash, nor in the scripts' (it is no KPI script of a script
# directory): with only the module changed, the next run confirmed the
# old figures, exit 0.  Now every module under the script directories
# is part of the definition hash of each KPI with a Lua function: the
# run evaluates, saying which definition changed, and peil diff calls
# the figures that changed definitie.  By hand (cli.sh): January 2018 cases started, Noord D1 D3
# = 2, Zuid D5 = 1; the module counts Noord's, then Zuid's: 2, then 1.
test_trust5_late_module() {
	mkdir -p "$work/late/lib"
	started_kpi "$work/late/laat.lua" laat "Laat geladen" \
		'count(function(c) return require("lib.welk").telt(c) end)'
	printf 'return { telt = function(c) return c.team == "Buurtteam Noord" end }\n' \
		>"$work/late/lib/welk.lua"
	fixture_config "$src/tests/data/e2e/cases.csv" "$work/late" 2018-01
	peil_expect "the first run" 0 "$work/out.csv" run --format csv
	expect_grep "it evaluates" "$work/err" "run 1: 1 KPIs evaluated"
	trust5_laat "Noord: 2" 2
	sed -i 's/Noord/Zuid/' "$work/late/lib/welk.lua"
	peil_expect "a run after only the module changed: a final figure changed" 5 "$work/out.csv" run --format csv
	expect_grep "it evaluates, saying why" "$work/err" "evaluating: the definition of laat changed since run 1"
	expect_grep "it names the changed figure" "$work/err" "final figure changed: laat 2018-01 Totaal: 2 -> 1"
	expect_no_grep "it does not confirm run 1" "$work/err" "whose figures it confirms"
	trust5_laat "Zuid: 1" 1
	peil_expect "peil diff" 0 "$work/diff.out" diff
	expect_grep "the changed figure is a new definition" "$work/diff.out" \
		"laat 2018-01 Totaal         2     1       -1  definitief  definitie"
	peil_expect "the run after it" 0 /dev/null run
	expect_grep "which confirms it" "$work/err" "nothing changed since run 2, whose figures it confirms"
}

# trust5_laat NAME WANT: the January figure of KPI laat in $work/out.csv.
trust5_laat() {
	local got
	got=$(csv_columns kpi periode waarde <"$work/out.csv" | grep '^laat;2018-01;' | cut -d';' -f3)
	[ "$got" = "$2" ] && ok "$1" || fail "$1" "got '$got', expected '$2'"
}

# ------------------------------------------- an eval's CSV
# Output that is not the published figures says so (docs/output.md):
# peil report --run N of a peil eval's run closes its CSV with a '# '
# comment line, which a reader told that '#' starts a comment skips; a
# published run's has none.  peil eval's own output has none: its
# name says what it is, and its CSV is the machine interface that
# scripts and the benchmarks compare, whose notes (stale inputs, partly
# covered periods) are documented as its last line.
test_trust5_eval_marked() {
	local note="# let op: deze cijfers zijn op verzoek berekend, niet door een geplande run: het zijn niet de gepubliceerde cijfers"
	write_config "$src/tests/data/e2e/cases.csv"
	peil_expect "the run" 0 /dev/null run
	peil_expect "peil eval --format csv" 0 "$work/eval.csv" eval --period 2018-01 --format csv
	expect_no_grep "peil eval's own CSV has no note" "$work/eval.csv" "op verzoek"
	peil_expect "peil report --run 2 --format csv" 0 "$work/report.csv" report --run 2 --period 2018-01 --format csv
	[ "$(tail -n 1 "$work/report.csv" | tr -d '\r')" = "$note" ] &&
		ok "report --run 2 closes with the note" ||
		fail "report --run 2 closes with the note" "$(tail -n 1 "$work/report.csv")"
	# The documented rules: BOM, ';', CRLF, '#' lines are comments.
	got=$(grep -v '^#' "$work/report.csv" | csv_columns kpi periode team waarde |
		grep '^casussen_gestart;2018-01;' | sort | tr '\n' ' ')
	[ "$got" = "casussen_gestart;2018-01;Buurtteam Noord;2 casussen_gestart;2018-01;Buurtteam Zuid;1 casussen_gestart;2018-01;Totaal;3 " ] &&
		ok "the CSV read by its rules: January's cases started" ||
		fail "the CSV read by its rules" "got: $got"
	python3 - "$work/report.csv" <<'PY' && ok "every line but the note has the header's cells" || fail "the CSV parses"
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = [r for r in csv.reader(f, delimiter=";") if r and not r[0].startswith("#")]
sys.exit(0 if len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows) else 1)
PY
	peil_expect "peil report --run 1 --format csv" 0 "$work/report1.csv" report --run 1 --period 2018-01 --format csv
	expect_no_grep "the published run's has none" "$work/report1.csv" "op verzoek"
}
