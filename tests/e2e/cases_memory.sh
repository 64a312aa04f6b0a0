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
