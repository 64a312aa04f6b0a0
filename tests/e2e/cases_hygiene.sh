# Sourced by cli.sh: messages and exit codes that said less than they
# should.

# A syntax error in a required module names the module's whole path,
# also where it is longer than Lua's 60 characters of a source
# (LUA_IDSIZE).  An error raised inside a module did (cases_memory.sh);
# one of compiling it still showed "...its end", a file that could not
# be found: the position comes from the compiler, with no function of
# the module on the stack to take the path from.
test_module_syntax_long_path() {
	local long=lib/een_map_met_een_naam_van_ruim_zestig_tekens_lang_genoeg_voor_lua
	mkdir -p "$work/scripts/$long"
	write_config "$src/tests/data/e2e/cases.csv" "$work/scripts"
	printf 'local M = {}\nM.v = = 1\nreturn M\n' >"$work/scripts/$long/helpers.lua"
	printf 'local h = require("%s.helpers")\n' "${long//\//.}" >"$work/scripts/a.lua"
	peil_expect "a syntax error in a module" 3 /dev/null check
	expect_grep "... names the module's whole path and line" "$work/err" \
		"$work/scripts/$long/helpers.lua:2: unexpected symbol near '='"
	if grep -qF '...' "$work/err"; then
		fail "... without a shortened path" "$(cat "$work/err")"
	else
		ok "... without a shortened path"
	fi
}

# Memory that runs out while peil report writes its output is exit 4,
# "the store or an output could not be written (... out of memory)" of
# the exit codes (README.md, peil(1)), not 3, a configuration error.
# tests/plugins/nomem.c, preloaded, fails every allocation once -o's
# file is opened: the figures are read, the writing starves.
test_report_out_of_memory() {
	local nomem=${PEIL_TEST_PRELOAD_DIR:-}/nomem.so
	if [ -n "${PEIL_TEST_SANITIZED:-}" ]; then
		echo "skipped: the sanitizers' allocator comes before a preload"
		exit 77
	fi
	write_config "$src/tests/data/e2e/cases.csv"
	peil_expect "a run of the fixture" 0 /dev/null run
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 -o /dev/null 2>"$work/err"
	expect_rc "the report without the preload" 0 $?
	LD_PRELOAD=$nomem PEIL_NOMEM_AFTER_OPEN=/dev/null \
		"$peil" report --config "$work/peil.ini" --period 2018-Q1 -o /dev/null 2>"$work/err"
	expect_rc "HTML report out of memory: exit 4" 4 $?
	expect_grep "... saying so" "$work/err" "out of memory writing the HTML report"
	LD_PRELOAD=$nomem PEIL_NOMEM_AFTER_OPEN=/dev/null \
		"$peil" report --config "$work/peil.ini" --period 2018-Q1 --format csv -o /dev/null 2>"$work/err"
	expect_rc "CSV report out of memory: exit 4" 4 $?
	expect_grep "... saying so" "$work/err" "out of memory"
}

# A command that takes no arguments refuses one, naming itself (one
# check in main.c for all of them); those that say more themselves
# (status, init, prune) keep their own words.
test_no_arguments() {
	local c
	write_config "$src/tests/data/e2e/cases.csv"
	for c in run eval show check list catalogue report export runs; do
		peil_expect "$c with an argument" 64 /dev/null "$c" extra
		expect_grep "... says $c takes none" "$work/err" "$c takes no arguments"
	done
	peil_expect "status with an argument" 3 "$work/out" status extra
	expect_grep "... in its own words" "$work/out" "PEIL UNKNOWN - usage: peil status"
}
