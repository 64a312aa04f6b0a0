# Sourced by cli.sh: plugins that cannot be loaded or fail, ingests killed
# with SIGKILL, runs stopped with SIGTERM / SIGINT, and two runs at once.

# plugin_config PLUGIN PATH: a [source things] read by PLUGIN.
plugin_config() {
	{ store_sections "$work/plugdir" "$src/scripts"; cat; } >"$work/peil.ini" <<INI
[dataset things]
field.id = text key
[source things]
plugin = $1
dataset = things
path = ${2:-$src/tests/data/e2e/cases.csv}
INI
}

# refused NAME PLUGIN RC TEXT: ingest with PLUGIN fails with TEXT, and
# the store holds no row.
plugin_refused() {
	plugin_config "$2"
	peil_expect "$1" "$3" /dev/null ingest
	expect_grep "$1: the message" "$work/err" "$4"
	local n
	n=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_things' 2>/dev/null || echo 0)
	[ "$n" = 0 ] && ok "$1: the store is unchanged" || fail "$1: $n rows stored"
}

test_plugin_refusals() {
	mkdir -p "$work/plugdir"
	cp "$plugins/../test-plugins/"*.so "$plugins/csv.so" "$work/plugdir/"
	plugin_refused "a missing plugin" nothere 3 "plugin 'nothere' not found: no nothere.so in $work/plugdir"
	for i in $(seq 100); do echo "not an ELF file"; done >"$work/plugdir/text.so"
	plugin_refused "a file that is not a shared object" text 3 "$work/plugdir/text.so: cannot load plugin: $work/plugdir/text.so: invalid ELF header"
	plugin_refused "a missing dependency" missing_dep 3 "missing_dep.so: cannot load plugin: libpeil_gone.so: cannot open shared object file"
	plugin_refused "a wrong ABI version" wrong_abi 3 "plugin was built for Peil plugin ABI version"
	plugin_refused "no entry symbol" no_entry 3 "no_entry.so: not a Peil plugin: no symbol peil_plugin_entry"
	plugin_refused "an error in the middle of a file" fails_midway 2 "cases.csv:3: the export's connection went away after 2 rows"
	expect_grep "the whole file is rolled back" "$work/err" "nothing of this file was stored"
	chmod o+w "$work/plugdir/csv.so"
	plugin_refused "a plugin file writable by others" csv 3 "plugin file is writable by others (mode"
	chmod o-w "$work/plugdir/csv.so"
	chmod o+w "$work/plugdir"
	plugin_refused "a plugin directory writable by others" csv 3 "plugin directory $work/plugdir is writable by others"
	chmod o-w "$work/plugdir"
	"$peil" list --config "$work/peil.ini" >"$work/out" 2>&1
	expect_grep "peil list names the loader's message" "$work/out" "libpeil_gone.so"
}

# The demo in $work/demo-N, N cases a year over 2016-2018 (40 000: the
# case exports are ~20 MB, ~120 000 rows).
demo_config() {
	[ -d "$work/demo-$1" ] || "$demo" --out "$work/demo-$1" --from-year 2016 --to-year 2018 --cases-per-year "$1" >/dev/null
	sed "s|^path = ../var/demo/|path = $work/demo-$1/|; s|^path = ../var/peil.db|path = $work/peil.db|; s|^script_dirs = ../scripts|script_dirs = $src/scripts\nplugin_dirs = $plugins|; s|^reject_dir = .*|reject_dir = $work/rejects|" \
		"$src/conf/peil.ini" >"$work/demo.ini"
}

# Every committed case export whole, nothing of the others: the cases
# stored equal the rows the ingest log says were stored (case ids are
# unique across the demo's exports).
store_consistent() {
	local check
	check=$(sqlite3 "$work/peil.db" 'PRAGMA integrity_check' 2>&1)
	[ "$check" = ok ] || { echo "integrity_check: $check"; return 1; }
	check=$(sqlite3 "$work/peil.db" "SELECT (SELECT count(*) FROM ds_cases) = (SELECT coalesce(sum(rows), 0) FROM peil_ingest WHERE dataset = 'cases')" 2>/dev/null || echo 1)
	[ "$check" = 1 ] || { echo "cases do not match the ingest log"; return 1; }
}

test_killed_ingest() {
	demo_config 40000
	total=$(cat "$work"/demo-40000/export_casussen_*.csv | tr -d '\r' | LC_ALL=C grep -ac '^D[0-9]')
	for delay in 0.02 0.05 0.08 0.11 0.15 0.2 0.25 0.3 0.4 0.5 0.7 1.0; do
		rm -f "$work"/peil.db*
		# SQLite's temporary files of a killed peil stay in $work.
		TMPDIR=$work "$peil" ingest --config "$work/demo.ini" demo_cases >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		files=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM peil_ingest WHERE dataset = 'cases'" 2>/dev/null || echo "no store")
		if why=$(store_consistent); then ok "killed after ${delay}s: integrity ok, whole files only ($files of 3)"
		else fail "killed after ${delay}s" "$why"; fi
	done
	"$peil" ingest --config "$work/demo.ini" demo_cases >/dev/null 2>"$work/err"
	expect_rc "a rerun after the last kill completes" 0 $?
	n=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases')
	[ "$n" = "$total" ] && ok "every row is there ($n)" || fail "$n of $total rows"
}

# stopped SIGNAL RC: peil run stopped by SIGNAL is recorded as interrupted.
stopped_run() {
	rm -f "$work"/peil.db*
	"$peil" run --config "$work/demo.ini" >/dev/null 2>"$work/err" &
	pid=$!
	sleep 0.15
	kill "-$1" "$pid"
	wait "$pid"
	expect_rc "peil run stopped by SIG$1" "$2" $?
	expect_grep "SIG$1: says so" "$work/err" "stopped by SIG$1"
	status=$(sqlite3 "$work/peil.db" 'SELECT status FROM peil_run ORDER BY id DESC LIMIT 1')
	[ "$status" = interrupted ] && ok "SIG$1: the run is recorded as interrupted" || fail "SIG$1: run status '$status'"
	if why=$(store_consistent); then ok "SIG$1: the store is consistent"; else fail "SIG$1" "$why"; fi
}

test_signals() {
	demo_config 10000
	stopped_run TERM 143
	stopped_run INT 130
	"$peil" run --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "a run after the interrupted ones completes" 0 $?
}

# Two peil run at once never interleave.  This checks only what must
# hold whatever the run lock does: the second
# waits (both succeed, each run has all its figures) or refuses with a
# message that says another run holds the store.
test_concurrent_runs() {
	demo_config 10000
	"$peil" ingest --config "$work/demo.ini" >/dev/null 2>&1
	"$peil" run --config "$work/demo.ini" >"$work/out.a" 2>"$work/err.a" &
	a=$!
	"$peil" run --config "$work/demo.ini" >"$work/out.b" 2>"$work/err.b" &
	b=$!
	wait "$a"; rc_a=$?
	wait "$b"; rc_b=$?
	for x in a b; do
		eval "rc=\$rc_$x"
		if [ "$rc" = 0 ]; then ok "run $x completed"
		elif grep -qiE "lock|another run|busy" "$work/err.$x"; then ok "run $x refused: $(grep -iE 'lock|another run|busy' "$work/err.$x" | head -1)"
		else fail "run $x: exit $rc" "$(tail -3 "$work/err.$x")"; fi
	done
	counts=$(sqlite3 "$work/peil.db" "SELECT DISTINCT (SELECT count(*) FROM peil_result r WHERE r.run_id = u.id) FROM peil_run u WHERE status = 'ok'")
	[ "$(echo "$counts" | wc -l)" = 1 ] && ok "every recorded run has all its figures ($counts)" || fail "runs with different figure counts: $counts"
	if why=$(store_consistent); then ok "the store is consistent"; else fail "after two runs" "$why"; fi
}
