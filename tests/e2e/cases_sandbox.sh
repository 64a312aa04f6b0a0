# Sourced by cli.sh: KPI scripts that attack the sandbox, through peil eval.

# attack_kpi FILE ID RULE: a KPI over the fixture whose rule is RULE.
attack_kpi() { started_kpi "$work/scripts/$1" "$2" "Aanval $2" "$3"; }

# Every attack fails its own KPI, fast, with file and line; the shipped
# KPIs still give their figures.
test_sandbox_attacks() {
	mkdir -p "$work/scripts"
	cp -r "$src"/scripts/. "$work/scripts/"
	attack_kpi x_require.lua x_require 'count(function() return require("os") ~= nil end)'
	attack_kpi x_global.lua x_global 'count(function() return _G.io.open("/etc/passwd") end)'
	attack_kpi x_strmeta.lua x_strmeta 'count(function() return getmetatable("").__index.dump ~= nil end)'
	attack_kpi x_load.lua x_load 'count(function() return load("\27Lua") ~= nil end)'
	attack_kpi x_pcall_loop.lua x_pcall_loop 'count(function() pcall(function() while true do end end) return true end)'
	attack_kpi x_coroutine.lua x_coroutine 'count(function() local co = coroutine.wrap(function() while true do end end) pcall(co) return true end)'
	attack_kpi x_tostring.lua x_tostring 'count(function() return pcall(tostring, setmetatable({}, { __tostring = function() while true do end end })) end)'
	attack_kpi x_gc.lua x_gc 'count(function() setmetatable({}, { __gc = function() while true do end end }) return true end)'
	attack_kpi x_pattern.lua x_pattern 'count(function() return string.find(string.rep("a", 30000), ".-.-.-.-.-b") ~= nil end)'
	attack_kpi x_gsub.lua x_gsub 'count(function() return (("a"):rep(30000):gsub("(a*)*b", "")) ~= "" end)'
	attack_kpi x_rep.lua x_rep 'sum(function() return #string.rep("x", 2^40) end)'
	attack_kpi x_double.lua x_double 'sum(function() local s = "x" while true do s = s .. s end end)'
	attack_kpi x_table.lua x_table 'sum(function() local t = {} while true do t[#t + 1] = {} end end)'
	attack_kpi x_recursion.lua x_recursion 'sum(function() local function f() return 1 + f() end return f() end)'
	attack_kpi x_unpack.lua x_unpack 'sum(function() return select("#", table.unpack({}, 1, 1e8)) end)'
	attack_kpi x_nan.lua x_nan 'sum(function() return 0/0 end)'
	attack_kpi x_inf.lua x_inf 'mean(function() return math.huge end)'
	attack_kpi x_function.lua x_function 'sum(function() return function() end end)'
	attack_kpi x_cycle.lua x_cycle 'sum(function() local t = {} t.t = t return t end)'
	attack_kpi x_condition.lua x_condition 'count(function() return "ja" end)'
	# A script whose loading already fails: none of its KPIs exists.
	printf 'local f = load(string.dump(print))\n' >"$work/scripts/x_load_time.lua"
	write_config "$src/tests/data/e2e/cases.csv" "$work/scripts"
	cat >>"$work/peil.ini" <<INI
[limits]
memory_mb = 16
instructions = 20000000
INI
	"$peil" ingest --config "$work/peil.ini" 2>/dev/null
	start=$(date +%s)
	"$peil" eval --config "$work/peil.ini" --period 2018-01 --format csv \
		>"$work/out.csv" 2>"$work/err"
	expect_rc "the attacks fail their KPIs" 1 $?
	took=$(($(date +%s) - start))
	[ "$took" -lt 60 ] && ok "all attacks stopped in ${took}s" || fail "the attacks took ${took}s"
	for id in require global strmeta load pcall_loop coroutine tostring gc \
		pattern gsub rep double table recursion unpack nan inf function cycle condition; do
		if grep -q "x_$id.lua:[0-9]*: kpi 'x_$id'" "$work/err"; then ok "x_$id fails, named with file and line"
		else fail "x_$id" "$(grep "x_$id" "$work/err" | head -2)"; fi
		if grep -q "^x_$id;" "$work/out.csv"; then fail "x_$id has figures"; fi
	done
	expect_grep "a budget spent in pcall is reported" "$work/err" "x_pcall_loop': instruction budget of 20000000 instructions exceeded"
	expect_grep "the pattern is refused before it runs" "$work/err" "x_pattern': string.find: the pattern '.-.-.-.-.-b' could take up to"
	expect_grep "a memory bomb hits the cap" "$work/err" "x_double': memory limit of 16777216 bytes exceeded"
	# With 16 MiB the Lua stack (1e6 slots) reaches the cap first.
	if grep -Eq "x_recursion': (stack overflow|memory limit)" "$work/err"; then ok "deep recursion stops clearly"
	else fail "deep recursion" "$(grep x_recursion "$work/err")"; fi
	expect_grep "NaN is refused" "$work/err" "x_nan': the measure function (line 8) returned"
	expect_grep "a function result is refused" "$work/err" "returned function; expected a finite number or nil"
	expect_grep "a cyclic table is refused" "$work/err" "returned table; expected a finite number or nil"
	expect_grep "a script that fails to load is named" "$work/err" "x_load_time.lua:1:"
	expect_grep "the shipped KPIs still give figures" "$work/out.csv" "casussen_gestart;"
	expect_grep "the caseload too" "$work/out.csv" "caseload;"
}

# The same scripts on the same data, ten processes: byte-identical
# figures, also from a script that walks a row with pairs and prints
# tables with tostring.
test_sandbox_deterministic() {
	mkdir -p "$work/scripts"
	cp -r "$src"/scripts/. "$work/scripts/"
	attack_kpi y_order.lua y_order 'sum(function(case) local n = 0 for k, v in pairs(case) do n = (n * 31 + #k + #tostring(v) + #tostring({})) % 1000003 end return n end)'
	write_config "$src/tests/data/e2e/cases.csv" "$work/scripts"
	"$peil" ingest --config "$work/peil.ini" 2>/dev/null
	for i in 1 2 3 4 5 6 7 8 9 10; do
		peil_expect "eval number $i" 0 "$work/run$i.csv" eval --period 2018-Q1 --format csv
	done
	n=$(md5sum "$work"/run*.csv | awk '{ print $1 }' | sort -u | wc -l)
	[ "$n" = 1 ] && ok "ten runs, byte-identical figures" || fail "$n different outputs"
	expect_grep "the pairs-walking KPI has figures" "$work/run1.csv" "y_order;"
}
