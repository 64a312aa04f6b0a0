# Sourced by cli.sh: memory a script can reach through the host, and
# require's files (issue 14).

# Eight KPIs with a 20 MiB param each: the text kpi{} copies into the
# host counts against [limits] memory_mb (64), so the script fails to
# load.  Before issue 14 it loaded (exit 0), 160 MiB of host memory
# beside a 64 MiB state (60 such KPIs took the host to 1.26 GB).
test_script_memory() {
	mkdir -p "$work/scripts/lib"
	{
		echo 'local big = string.rep("x", 20 * 2^20)'
		for i in 1 2 3 4 5 6 7 8; do
			cat <<LUA
kpi { id = "groot_$i", title = "Groot $i", unit = "casussen", dataset = "cases",
  grain = "month", select = started_in("registered"),
  params = { tekst = big }, rule = count(function() return true end) }
LUA
		done
	} >"$work/scripts/groot.lua"
	write_config "$src/tests/data/e2e/cases.csv" "$work/scripts"
	timeout 60 "$peil" check --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "params past the memory cap fail the script" 3 $?
	expect_grep "... at the memory limit" "$work/err" "groot.lua"
	if grep -qE "memory" "$work/err"; then ok "the message says memory"; else fail "no memory message" "$(cat "$work/err")"; fi
	rm "$work/scripts/groot.lua"

	# require: a FIFO is refused at once (before: peil check hung).
	mkfifo "$work/scripts/lib/fifo.lua"
	printf 'local f = require("lib.fifo")\n' >"$work/scripts/a.lua"
	t0=$(date +%s)
	timeout 20 "$peil" check --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "require of a FIFO is refused" 3 $?
	[ $(($(date +%s) - t0)) -lt 10 ] && ok "... without waiting" || fail "require of a FIFO waited"
	expect_grep "... naming it" "$work/err" "require: $work/scripts/lib/fifo.lua: not a regular file"
	rm "$work/scripts/lib/fifo.lua"

	# require: a module larger than the memory limit is not read.
	{ echo 'return {}'; head -c 2000000 /dev/zero | tr '\0' '-'; } >"$work/scripts/lib/huge.lua"
	printf 'local h = require("lib.huge")\n' >"$work/scripts/a.lua"
	printf '[limits]\nmemory_mb = 1\n' >>"$work/peil.ini"
	"$peil" check --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "require of a module past the size cap" 3 $?
	expect_grep "... naming it" "$work/err" "require: $work/scripts/lib/huge.lua: larger than the script memory limit"
	rm "$work/scripts/lib/huge.lua"
	sed -i '/^memory_mb = 1$/d' "$work/peil.ini"

	# An error inside a required module names the module's file and line.
	printf 'local M = {}\nlocal x = nil\nM.v = x.field\nreturn M\n' >"$work/scripts/lib/helpers.lua"
	printf 'local h = require("lib.helpers")\n' >"$work/scripts/a.lua"
	"$peil" check --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "an error inside a module" 3 $?
	expect_grep "... names the module's file and line" "$work/err" "$work/scripts/lib/helpers.lua:3: attempt to index a nil value"
}

# count_distinct past [limits] distinct_memory_mb (issue 22, item 3):
# the demo of 2017-2018 with 20 000 cases a year holds some 13 000
# persons in 2018, past half of 1 MiB in the set of unique persons, so
# the rest go to temporary files and are counted after the scan.  The
# figures of every shipped KPI are those of the set held whole (the
# default, 64 MiB); with TMPDIR a directory that does not exist the spill
# cannot be written and the KPI fails, naming the directory, rather than
# give a count short of the spilled values, while the default (nothing
# spilled) does not touch TMPDIR.
test_distinct_spill() {
	demo_setup 2017 2018 20000
	"$peil" ingest --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of the demo" 0 $?
	"$peil" eval --config "$work/demo.ini" --period 2018 --format csv >"$work/whole.csv" 2>"$work/err"
	expect_rc "eval with the set held whole" 0 $?
	cp "$work/demo.ini" "$work/spill.ini"
	printf '\n[limits]\ndistinct_memory_mb = 1\n' >>"$work/spill.ini"
	"$peil" eval --config "$work/spill.ini" --period 2018 --format csv >"$work/spill.csv" 2>"$work/err"
	expect_rc "eval with 1 MiB for the set" 0 $?
	lines=$(grep -c '^personen_uniek;' "$work/spill.csv")
	[ "$lines" = 192 ] && ok "unique persons: 192 figures (12 months, 15 teams and the total, ...)" ||
		fail "unique persons: $lines figures"
	cmp -s "$work/whole.csv" "$work/spill.csv" && ok "... every figure as with the set held whole" ||
		fail "figures differ past the budget" "$(diff "$work/whole.csv" "$work/spill.csv" | head -5)"
	TMPDIR="$work/none" "$peil" eval --config "$work/spill.ini" --period 2018 --kpi personen_uniek --format csv >"$work/out" 2>"$work/err"
	expect_rc "a spill that cannot be written fails the KPI" 1 $?
	expect_grep "... naming the KPI, the setting and the directory" "$work/err" \
		"KPI personen_uniek failed: count_distinct: its values past [limits] distinct_memory_mb to a temporary file in $work/none: No such file or directory"
	TMPDIR="$work/none" "$peil" eval --config "$work/demo.ini" --period 2018 --kpi personen_uniek --format csv >"$work/out" 2>"$work/err"
	expect_rc "within the budget no temporary file" 0 $?
}
