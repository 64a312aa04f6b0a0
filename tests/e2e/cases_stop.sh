# Sourced by cli.sh: scripts that never stop, and commands told to stop
# Times are measured and printed; the bounds are generous.

# loop_kpis: three KPIs (attack_kpi: cases_sandbox.sh) whose row
# functions never end on their own: a Lua loop inside pcall, a loop of
# string.find calls each under the pattern bound (~6e6 matcher steps,
# once charged as 7 instructions), a loop of table.sort of a million
# numbers (once one instruction).  Charged so, with a large budget, the last
# two ran for hours and the first as long.
loop_kpis() {
	mkdir -p "$work/scripts"
	attack_kpi lus_pcall.lua lus_pcall 'count(function() pcall(function() while true do end end) return true end)'
	attack_kpi lus_find.lua lus_find 'count(function() local s = string.rep("a", 100) while true do string.find(s, ".-.-b") end end)'
	attack_kpi lus_sort.lua lus_sort 'count(function() local t = {} for i = 1, 1000000 do t[i] = (i * 7919) % 1000003 end while true do table.sort(t) end end)'
}

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

# The wall clock stops each looping KPI at [limits] seconds, and the
# evaluation at run_seconds, whatever the instruction budget.
test_stop_scripts() {
	loop_kpis
	write_config "$src/tests/data/e2e/cases.csv" "$work/scripts"
	printf '[limits]\ninstructions = 1000000000000\nseconds = 2\n' >>"$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>&1
	t0=$(now)
	timeout 120 "$peil" eval --config "$work/peil.ini" --period 2018-01 >/dev/null 2>"$work/err"
	rc=$? took=$(since "$t0")
	expect_rc "looping KPIs fail, the evaluation ends (${took}s for 3 KPIs of 2 s)" 1 "$rc"
	for id in lus_pcall lus_find lus_sort; do
		expect_grep "$id stops at [limits] seconds" "$work/err" \
			"$id.lua:8: kpi '$id': time limit exceeded: [limits] seconds = 2 for one KPI"
	done
	[ "$(echo "$took < 30" | bc)" = 1 ] && ok "stopped in ${took}s (bound 30 s)" || fail "took ${took}s"
	sed -i 's/^seconds = 2$/seconds = 100\nrun_seconds = 2/' "$work/peil.ini"
	t0=$(now)
	timeout 120 "$peil" eval --config "$work/peil.ini" --period 2018-01 >/dev/null 2>"$work/err"
	rc=$? took=$(since "$t0")
	expect_rc "run_seconds ends the evaluation (${took}s)" 1 "$rc"
	expect_grep "the KPIs say run_seconds" "$work/err" "time limit exceeded: [limits] run_seconds = 2 for the whole evaluation"
	[ "$(echo "$took < 20" | bc)" = 1 ] && ok "stopped in ${took}s (bound 20 s)" || fail "took ${took}s"
}

# signalled SIGNAL RC NAME CMD...: CMD, sent SIGNAL after 1 s (or, with
# $wait_for set, once its log holds that text: a fast machine finishes a
# demo ingest within the second), ends with RC within 2 s (one is the
# aim; measured and printed).
signalled() {
	local sig=$1 want=$2 name=$3 t0 took
	shift 3
	"$@" >/dev/null 2>"$work/err" &
	pid=$!
	if [ -n "${wait_for:-}" ]; then
		for _ in $(seq 2000); do
			grep -q "$wait_for" "$work/err" 2>/dev/null && break
			sleep 0.005
		done
	else
		sleep 1
	fi
	t0=$(now)
	kill "-$sig" "$pid"
	wait "$pid"
	rc=$? took=$(since "$t0")
	expect_rc "$name stopped by SIG$sig" "$want" "$rc"
	[ "$(echo "$took < 2" | bc)" = 1 ] && ok "$name: SIG$sig to exit in ${took}s (bound 2 s)" ||
		fail "$name: SIG$sig to exit took ${took}s"
	expect_grep "$name: says so" "$work/err" "stopped by SIG$sig"
}

last_status() { sqlite3 "$work/peil.db" 'SELECT status FROM peil_run ORDER BY id DESC LIMIT 1'; }

# eval, report and run over looping scripts stop within a second of a
# signal and record the run interrupted; unchecked, the scripts ran on
# (the budget of 1e12 instructions, minutes).  ingest: the demo.
test_stop_signals() {
	loop_kpis
	write_config "$src/tests/data/e2e/cases.csv" "$work/scripts"
	printf '[limits]\ninstructions = 1000000000000\n' >>"$work/peil.ini"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>&1
	signalled TERM 143 "eval" "$peil" eval --config "$work/peil.ini" --period 2018-01
	s=$(last_status); [ "$s" = interrupted ] && ok "eval: recorded interrupted" || fail "eval: recorded '$s'"
	signalled INT 130 "report" "$peil" report --config "$work/peil.ini" --period 2018-02 --evaluate -o "$work/r.html"
	s=$(last_status); [ "$s" = interrupted ] && ok "report: recorded interrupted" || fail "report: recorded '$s'"
	[ -e "$work/r.html" ] && fail "report: a report was written" || ok "report: no report written"
	signalled TERM 143 "run" "$peil" run --config "$work/peil.ini"
	s=$(last_status); [ "$s" = interrupted ] && ok "run: recorded interrupted" || fail "run: recorded '$s'"
	demo_config 40000
	rm -f "$work"/peil.db*
	wait_for="rows stored in cases" signalled TERM 143 "ingest" "$peil" ingest --config "$work/demo.ini"
	if why=$(store_consistent); then ok "ingest: the store is consistent"; else fail "ingest" "$why"; fi
}

# A signal after the run was recorded ok: the exit code agrees with the
# record.  eval's figures (1.9 MB of CSV) go to a FIFO that is not read
# until the run is recorded, so the signal comes while they are written.
# Unsettled, the run recorded ok and exited 143.
test_late_signal() {
	demo_config 10000
	"$peil" ingest --config "$work/demo.ini" >/dev/null 2>&1
	mkfifo "$work/out.fifo"
	exec 3<>"$work/out.fifo"
	"$peil" eval --config "$work/demo.ini" --from 2016-01 --to 2018-12 --format csv \
		>"$work/out.fifo" 2>"$work/err" &
	pid=$!
	for _ in $(seq 600); do
		[ "$(last_status 2>/dev/null)" = ok ] && break
		sleep 0.1
	done
	s=$(last_status)
	[ "$s" = ok ] && ok "the run is recorded ok while its figures are written" || fail "run status '$s'"
	kill -TERM "$pid"
	sleep 0.2
	cat <&3 >"$work/out.csv" &
	drain=$!
	wait "$pid"
	rc=$?
	sleep 0.5
	kill "$drain" 2>/dev/null
	exec 3<&-
	expect_rc "a late SIGTERM: the exit code of the recorded ok" 0 "$rc"
	s=$(last_status); [ "$s" = ok ] && ok "still recorded ok" || fail "status '$s'"
	expect_grep "says the signal came late" "$work/err" "SIGTERM came after the run was recorded as complete"
	n=$(wc -c <"$work/out.csv")
	[ "$n" -gt 1000000 ] && ok "every figure was written ($n bytes)" || fail "only $n bytes of figures"
}
