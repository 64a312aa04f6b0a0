# Sourced by cli.sh: the store under a command, as an operator (or a full
# disk) treats it.

# The demo config with the store at $1 and a page cache of 1 MiB, so that
# the store writes pages while a file is read, not only at its commit.
store_at() {
	demo_config 40000
	sed -i "s|^path = $work/peil.db|path = $1\ncache_size_mib = 1|" "$work/demo.ini"
}

# A full disk while a file is stored is a storage failure: exit 4 naming
# the store and the cause, the ingest stops, nothing of the file is kept.
# Once, the first case export (6.8 MB, ~40 000 rows) failed at
# its row 22722 on a 4 MiB tmpfs with exit 2, "the store refused this
# record", and the ingest went on to the next file.  As root (CI) the
# tmpfs must mount; elsewhere ulimit -f stands in for it.
test_storage_full() {
	local db
	if [ "$(id -u)" = 0 ]; then
		mkdir -p "$work/full"
		if ! mount -t tmpfs -o size=4m tmpfs "$work/full"; then
			fail "mount a 4 MiB tmpfs as root"
			return
		fi
		trap 'umount "$work/full" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
		db=$work/full/peil.db
		store_at "$db"
		"$peil" ingest --config "$work/demo.ini" demo_cases >/dev/null 2>"$work/err"
		rc=$?
		cause="database or disk is full"
	else
		db=$work/peil.db
		store_at "$db"
		(trap '' XFSZ; ulimit -f 4096
		 exec "$peil" ingest --config "$work/demo.ini" demo_cases >/dev/null 2>"$work/err")
		rc=$?
		cause="disk I/O error"
	fi
	expect_rc "a full disk while storing a file is a storage error" 4 "$rc"
	expect_grep "the error names the store and the cause" "$work/err" "$db: "
	expect_grep "... and the cause" "$work/err" "$cause"
	if grep -q "refused this record" "$work/err"; then
		fail "the log blames the export" "$(head -5 "$work/err")"
	else ok "the log does not blame the export"; fi
	if grep -q "export_casussen_2017" "$work/err"; then
		fail "the ingest went on after the store failed" "$(cat "$work/err")"
	else ok "the ingest stops at the first storage failure"; fi
	n=$(sqlite3 "$db" "SELECT count(*) FROM peil_ingest" 2>/dev/null || echo 0)
	[ "$n" = 0 ] && ok "nothing of the file is logged as stored" || fail "$n files logged"
}

# Only ingest and run create a store, and say so; every other command
# refuses a missing, empty or schema-less one, naming it, and leaves no
# file behind.  Once, show on a missing path created an empty
# store (exit 0), eval on a store truncated to 0 bytes evaluated an empty
# store (exit 0).
test_store_missing() {
	write_config "$src/tests/data/e2e/cases.csv"
	for cmd in "show" "eval --period 2018-Q1" "report --period 2018-Q1 -o $work/r.html" "runs"; do
		# shellcheck disable=SC2086
		"$peil" $cmd --config "$work/peil.ini" >/dev/null 2>"$work/err"
		expect_rc "peil ${cmd%% *} on a missing store" 4 $?
		expect_grep "peil ${cmd%% *} names it" "$work/err" "no store at $work/peil.db"
		[ -e "$work/peil.db" ] && fail "peil ${cmd%% *} created $work/peil.db" || ok "peil ${cmd%% *} created nothing"
	done
	: >"$work/peil.db"
	peil_expect "eval on an empty (0-byte) store" 4 /dev/null eval --period 2018-Q1
	expect_grep "says it is empty" "$work/err" "the store $work/peil.db is empty (0 bytes)"
	rm -f "$work/peil.db"
	sqlite3 "$work/peil.db" 'CREATE TABLE other (a)'
	peil_expect "show on a database without Peil's schema" 4 /dev/null show
	expect_grep "says it holds no store" "$work/err" "$work/peil.db holds no Peil store"
	rm -f "$work/peil.db"
	peil_expect "ingest creates the store" 0 /dev/null ingest
	expect_grep "... and says so" "$work/err" "$work/peil.db: created a new, empty store"
	peil_expect "then eval works" 0 /dev/null eval --period 2018-Q1
	if grep -q "created a new" "$work/err"; then fail "eval says it created a store"; else ok "eval creates nothing"; fi
	rm -f "$work"/peil.db*
	peil_expect "run creates the store" 0 /dev/null run
	expect_grep "... and says so" "$work/err" "$work/peil.db: created a new, empty store"
}

# A KPI that spends seconds of Lua per evaluation of the fixture (8 cases
# started in 2018-Q1 x 30 000 000 additions, ~1e9 instructions), so that
# a test can act on the store while the evaluation runs (attack_kpi:
# cases_sandbox.sh).
slow_kpi() {
	mkdir -p "$work/scripts"
	attack_kpi traag.lua traag 'count(function() local x = 0 for i = 1, 30000000 do x = x + i end return x > 0 end)'
	write_config "$src/tests/data/e2e/cases.csv" "$work/scripts"
	printf '[limits]\ninstructions = 100000000000\n' >>"$work/peil.ini"
}

# store_swapped WHAT CMD: the store is removed (rm) or replaced by
# another store (mv) 0.3 s into an evaluation: exit 4 naming it, and
# the file now at the path is as it was.  Once, the removed
# case said ok (exit 0) for a run that existed nowhere.
store_swapped() {
	local t0 t1 alive
	rm -f "$work"/peil.db* "$work/other.db"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>&1
	"$peil" backup --config "$work/peil.ini" "$work/other.db" 2>/dev/null
	t0=$(date +%s.%N)
	"$peil" eval --config "$work/peil.ini" --period 2018-Q1 >/dev/null 2>"$work/err" &
	pid=$!
	sleep 0.3
	kill -0 "$pid" 2>/dev/null && alive=1 || alive=0
	if [ "$1" = removed ]; then rm -f "$work/peil.db"
	else mv "$work/other.db" "$work/peil.db"; fi
	wait "$pid"
	rc=$?
	t1=$(date +%s.%N)
	[ "$alive" = 1 ] && ok "$1: the evaluation was running when the store was $1 (it took $(echo "$t1 - $t0" | bc)s)" ||
		fail "$1: the evaluation ended before the store was $1"
	expect_rc "$1 store under an evaluation" 4 "$rc"
	expect_grep "$1: says so, naming it" "$work/err" "the store $work/peil.db was $1"
	if [ "$1" = replaced ]; then
		check=$(sqlite3 "$work/peil.db" 'PRAGMA integrity_check; SELECT count(*) FROM peil_run' | tr '\n' ' ')
		[ "$check" = "ok 0 " ] && ok "replaced: the new file is intact and got no run" || fail "replaced: $check"
	fi
}

test_store_replaced() {
	slow_kpi
	store_swapped removed
	store_swapped replaced
}
