# Sourced by cli.sh: a plugin that crashes, fails without a word, or was
# cut short names itself.  Uses plugin_config and
# plugin_refused of cases_runs.sh.
#
# At commit 66e7cc8: the NULL write ended peil with exit
# 139 and no line at all, even with -v; the mute error was "unknown
# error"; the truncated csv.so died of SIGBUS (exit 135) inside dlopen,
# silent.

test_plugin_faults() {
	local size
	mkdir -p "$work/plugdir"
	cp "$plugins/../test-plugins/crashes.so" "$plugins/csv.so" "$work/plugdir/"
	printf 'crash\n' >"$work/crash.csv"
	printf 'mute\n' >"$work/mute.csv"
	printf 'thread\n' >"$work/thread.csv"

	# The NULL write: the guard's line, then death by the same signal.
	# ASan's own SEGV handler would print its report instead: off here.
	rm -f "$work/peil.db"*
	plugin_config crashes "$work/crash.csv"
	(ulimit -c 0
	 ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0 \
		exec "$peil" ingest -v --config "$work/peil.ini" >/dev/null 2>"$work/err")
	expect_rc "a plugin's NULL write still dies of SIGSEGV" 139 $?
	expect_grep "it names the plugin, its file and the file read" "$work/err" \
		"peil: crashed in plugin crashes ($work/plugdir/crashes.so) while reading $work/crash.csv"
	expect_grep "-v logged the read before it started" "$work/err" \
		"[source things]: plugin crashes ($work/plugdir/crashes.so) reads $work/crash.csv"
	[ "$(grep -c 'crashed in plugin' "$work/err")" = 1 ] && ok "one crash line" ||
		fail "crash lines: $(grep -c 'crashed in plugin' "$work/err")"
	n=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM peil_ingest' 2>/dev/null || echo 0)
	[ "$n" = 0 ] && ok "nothing logged as ingested" || fail "$n files logged as ingested"

	# The NULL write in a thread the plugin started during read: the same
	# line, the same signal.  Before: exit 139, no line.
	rm -f "$work/peil.db"*
	plugin_config crashes "$work/thread.csv"
	(ulimit -c 0
	 ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0 \
		exec "$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err")
	expect_rc "a NULL write in the plugin's own thread dies of SIGSEGV" 139 $?
	expect_grep "it names the plugin, in its own thread too" "$work/err" \
		"peil: crashed in plugin crashes ($work/plugdir/crashes.so) while reading $work/thread.csv"
	[ "$(grep -c 'crashed in plugin' "$work/err")" = 1 ] && ok "one crash line (thread)" ||
		fail "crash lines (thread): $(grep -c 'crashed in plugin' "$work/err")"

	rm -f "$work/peil.db"*
	# An error without a message names the plugin, not "unknown error".
	plugin_config crashes "$work/mute.csv"
	peil_expect "an error without a message refuses the file" 2 /dev/null ingest
	expect_grep "it names the plugin" "$work/err" \
		"$work/mute.csv: plugin crashes ($work/plugdir/crashes.so) failed without saying why"
	expect_grep "the summary line names source and plugin" "$work/err" \
		"$work/mute.csv: nothing of this file was stored ([source things], plugin crashes)"
	if grep -q "unknown error" "$work/err"; then fail "it still says unknown error"
	else ok "no 'unknown error'"; fi

	# A plugin file cut short (a copy onto a full disk): refused before
	# dlopen maps it, with the sizes its ELF headers give.
	size=$(stat -c %s "$work/plugdir/csv.so")
	head -c $(( size / 2 )) "$plugins/csv.so" >"$work/plugdir/csv.so"
	plugin_refused "a truncated plugin file" csv 3 \
		"$work/plugdir/csv.so: plugin file is truncated: its ELF headers describe $size bytes, the file has $(( size / 2 ))"
	head -c 4000 "$plugins/csv.so" >"$work/plugdir/csv.so"
	plugin_refused "a plugin file cut after its first page" csv 3 \
		"$work/plugdir/csv.so: plugin file is truncated: its ELF headers describe $size bytes, the file has 4000"
}
