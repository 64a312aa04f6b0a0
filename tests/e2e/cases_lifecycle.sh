# Sourced by cli.sh: the life of unattended runs: what peil status says
# after a run that could not write, was killed or ran beside another.

# lifecycle_config DIR: a config over the fixture with one KPI in
# $work/lk, its store and lock in DIR.
lifecycle_config() {
	hostile_kpi "$work/lk" gestart.lua gestart 'count()'
	fixture_config "$src/tests/data/e2e/cases.csv" "$work/lk" 2018-Q1
	sed -i "s|^path = $work/peil.db|path = $1/peil.db|" "$work/peil.ini"
}

lifecycle_status() { # lifecycle_status NAME EXPECTED_EXIT EXPECTED_LINE_START
	"$peil" status --config "$work/peil.ini" >"$work/status.out" 2>&1
	expect_rc "$1" "$2" $?
	expect_grep "$1: the line" "$work/status.out" "$3"
}

# --------------------------------------------- a full disk, then status
# peil run kept its exit code in a new file renamed over the old one.  On
# a full disk the new file could not be written, the old one stood, and
# peil status said "OK - run 1 ok, exit 0" after a run that failed with
# a storage error.  Now the file is written in place (a full disk does
# not refuse bytes the file already has), "running" first; when it
# cannot be written at all it is removed and status says UNKNOWN.  As
# root on a full tmpfs; otherwise in a directory made read-only, which
# refuses the store's journal and a new file as a full disk does.
test_status_full_disk() {
	local dir=$work/full
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then
		if ! mount -t tmpfs -o size=16m tmpfs "$dir"; then
			fail "mount a 16 MiB tmpfs as root"
			return
		fi
		trap 'umount "$work/full" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
	fi
	lifecycle_config "$dir"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>&1
	expect_rc "run 1 on a disk with room" 0 $?
	lifecycle_status "after run 1: OK" 0 "PEIL OK - run 1 ok, exit 0 (ok)"
	if [ "$(id -u)" = 0 ]; then
		dd if=/dev/zero of="$dir/fill" bs=4k >/dev/null 2>&1
		[ "$(df --output=avail "$dir" | tail -1 | tr -d ' ')" = 0 ] &&
			ok "the tmpfs is full" || fail "the tmpfs is full" "$(df "$dir")"
	else
		chmod 555 "$dir"
	fi
	peil_expect "run 2 on a full disk: a storage error" 4 /dev/null run --full
	grep -q '^0 4 [0-9]' "$dir/peil.db.lock.status" && ok "its exit code is kept" ||
		fail "its exit code is kept" "$(cat "$dir/peil.db.lock.status")"
	# On the full disk the check may not even open the store: never OK.
	"$peil" status --config "$work/peil.ini" >"$work/status.out" 2>&1
	[ $? != 0 ] && ok "status on the full disk is not OK: $(cut -c1-60 "$work/status.out")" ||
		fail "status on the full disk says OK" "$(cat "$work/status.out")"
	[ "$(id -u)" = 0 ] && rm -f "$dir/fill" || chmod 755 "$dir"
	lifecycle_status "after the failed run: CRITICAL" 2 \
		"PEIL CRITICAL - the last peil run exited 4 (storage error) without recording a run"

	# A status file that cannot be written at all (a directory in its
	# place): the run says so, and status does not vouch for the run.
	rm -f "$dir/peil.db.lock.status"
	mkdir "$dir/peil.db.lock.status"
	peil_expect "run 2 whose exit code cannot be kept" 0 /dev/null run --full
	expect_grep "the run says it cannot keep its exit code" "$work/err" \
		"$dir/peil.db.lock.status: cannot write the run's exit code: Is a directory"
	lifecycle_status "no exit code kept: UNKNOWN" 3 \
		"PEIL UNKNOWN - run 2 ok, but its exit code was not kept beside the lock"
	rmdir "$dir/peil.db.lock.status"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>&1
	lifecycle_status "the next run keeps it again: OK" 0 "PEIL OK - run 3 unchanged, exit 0 (ok)"
}

# ---------------------------------------- killed, or two runs at once
# A run killed before it recorded a run left the file of the run before:
# status said OK.  The file says "running" from the moment the lock is
# taken.  A second run that finds the lock held writes nothing.
test_status_killed_run() {
	lifecycle_config "$work"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>&1
	expect_rc "run 1" 0 $?
	mkdir -p "$work/slow"
	hostile_kpi "$work/slow" langzaam.lua langzaam 'count(function() while true do end end)'
	sed -i "s|^script_dirs = .*|&, $work/slow|; s|^\[run\]|&\nlock_wait = 0|" "$work/peil.ini"
	printf '[limits]\ninstructions = 1000000000000\nseconds = 600\nrun_seconds = 600\n' >>"$work/peil.ini"
	# killed below: SQLite's temporary files of a killed peil stay in $work
	TMPDIR=$work "$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err.a" &
	local pid=$! id= i
	for i in $(seq 600); do
		id=$(sqlite3 "$work/peil.db" "SELECT id FROM peil_run WHERE status = 'running'" 2>/dev/null)
		[ -n "$id" ] && break
		sleep 0.1
	done
	[ "$id" = 2 ] && ok "run 2 is under way" || fail "run 2 is under way" "id '$id'"
	grep -q '^running [0-9]' "$work/peil.db.lock.status" && ok "the file says running" ||
		fail "the file says running" "$(cat "$work/peil.db.lock.status")"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err.b"
	expect_rc "a second run at once finds the lock held" 75 $?
	lifecycle_status "two runs at once: the first is running" 0 "PEIL OK - run 2 is running"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	lifecycle_status "killed after its record" 2 \
		"PEIL CRITICAL - run 2 never ended and no peil holds the lock: it was killed"
	# As killed before it recorded run 2: the store's newest is run 1.
	sqlite3 "$work/peil.db" "DELETE FROM peil_run_kpi WHERE run_id = 2; DELETE FROM peil_run WHERE id = 2"
	lifecycle_status "killed before its record" 2 \
		"PEIL CRITICAL - the last peil run never kept its exit code and no peil holds the lock"
}

# ------------------------------------------- an upgrade evaluates again
# A run that found no new input, configuration, script or period
# confirmed the run before without evaluating; after an upgrade that
# corrected the evaluation it confirmed the old figures, exit 0.  The
# build (a digest of the peil binary and of the storage plugin) is kept
# with each run: another build evaluates, the same one confirms.  Two
# builds here: the binary and the plugin with a byte appended (an ELF
# file runs the same with it; its digest is another).
test_upgrade_evaluates() {
	mkdir -p "$work/bin" "$work/plugins"
	cp "$peil" "$work/bin/peil"
	cp "$plugins/sqlite.so" "$plugins/csv.so" "$work/plugins/"
	lifecycle_config "$work"
	sed -i "s|^plugin_dirs = .*|plugin_dirs = $work/plugins|" "$work/peil.ini"
	local p=$work/bin/peil
	"$p" run --config "$work/peil.ini" >"$work/out.1" 2>"$work/err"
	expect_rc "run 1" 0 $?
	"$p" run --config "$work/peil.ini" >"$work/out.2" 2>"$work/err"
	expect_grep "the same build confirms" "$work/err" "run 2: nothing changed since run 1, whose figures it confirms"
	printf 'x' >>"$work/bin/peil"
	"$p" run --config "$work/peil.ini" >"$work/out.3" 2>"$work/err"
	expect_rc "run 3 by another peil binary" 0 $?
	expect_grep "it says why it evaluates" "$work/err" "evaluating: Peil is another build than run 1's"
	expect_grep "and evaluates" "$work/err" "run 3: 1 KPIs evaluated"
	cmp -s "$work/out.1" "$work/out.3" && ok "the same figures" ||
		fail "the same figures" "$(diff "$work/out.1" "$work/out.3" | head -5)"
	"$p" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_grep "then that build confirms" "$work/err" "run 4: nothing changed since run 3, whose figures it confirms"
	printf 'x' >>"$work/plugins/sqlite.so"
	"$p" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "run 5 by another storage plugin" 0 $?
	expect_grep "another plugin is another build" "$work/err" "evaluating: Peil is another build than run 3's"
	# An input plugin reads exports, not the store: not part of it.
	printf 'x' >>"$work/plugins/csv.so"
	"$p" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_grep "another input plugin confirms" "$work/err" "run 6: nothing changed since run 5, whose figures it confirms"
	[ "$(sqlite3 "$work/peil.db" "SELECT count(DISTINCT build_sha256) FROM peil_run")" = 3 ] &&
		ok "three builds recorded" || fail "builds recorded" "$(sqlite3 "$work/peil.db" "SELECT id, build_sha256 FROM peil_run")"
}

# ------------------------------------------------- a KPI script removed
# With every script of the directory run, a script removed took its
# KPI's published figures out of the next run without a word, exit 0.
# Now the run names it and is incomplete (exit 6), and so is every run
# after it, until [run] withdrawn states the removal; a script that does
# not load is a failed KPI (exit 1), not a withdrawn one.
test_withdrawn_kpi() {
	lifecycle_config "$work"
	hostile_kpi "$work/lk" weg.lua weg 'count()'
	peil_expect "run 1 of two KPIs" 0 /dev/null run
	rm "$work/lk/weg.lua"
	peil_expect "run 2 without weg's script: incomplete" 6 /dev/null run
	expect_grep "the run names the KPI and the run that published it" "$work/err" \
		"KPI weg, published in run 1, is no longer defined (its script $work/lk/weg.lua is gone or no longer defines it)"
	[ "$(sqlite3 "$work/peil.db" "SELECT status || '|' || message FROM peil_run_kpi WHERE run_id = 2 AND kpi = 'weg'")" = "not evaluated|withdrawn: published in run 1" ] &&
		ok "run 2 records weg as withdrawn" ||
		fail "run 2's row of weg" "$(sqlite3 "$work/peil.db" "SELECT * FROM peil_run_kpi WHERE run_id = 2")"
	"$peil" show --config "$work/peil.ini" --run 2 >"$work/show" 2>&1
	expect_grep "peil show lists it" "$work/show" \
		"KPI weg (Vijandig weg) is withdrawn in run 2: withdrawn: published in run 1, and no longer defined"
	"$peil" diff --config "$work/peil.ini" 1 2 >"$work/diff" 2>&1
	expect_grep "peil diff lists it" "$work/diff" "KPIs withdrawn in run 2 (no longer defined, their figures gone):"
	expect_grep "... by id and title" "$work/diff" "  weg  Vijandig weg (withdrawn: published in run 1)"
	peil_expect "run 3, nothing else changed: incomplete still" 6 /dev/null run
	expect_grep "it names the run that published it still" "$work/err" "KPI weg, published in run 1, is no longer defined"
	sed -i 's/^\[run\]/&\nwithdrawn = weg, gestart/' "$work/peil.ini"
	peil_expect "run 4, the removal stated" 0 /dev/null run
	expect_grep "it says so" "$work/err" "KPI weg, published in run 1, is withdrawn ([run] withdrawn)"
	expect_grep "a stated KPI still defined is said" "$work/err" \
		"[run] withdrawn names KPI gestart, which a script defines: it is evaluated"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_grep "then runs confirm again" "$work/err" "run 5: nothing changed since run 4, whose figures it confirms"

	# A script that does not load: its KPI failed, it is not withdrawn.
	hostile_kpi "$work/lk" kapot.lua kapot 'count()'
	peil_expect "run 6 with kapot" 0 /dev/null run
	echo 'syntax error(' >>"$work/lk/kapot.lua"
	peil_expect "run 7, kapot's script does not load: a failed KPI" 1 /dev/null run
	expect_grep "kapot is not taken as withdrawn" "$work/err" \
		"KPI kapot, published in run 6, is not defined now, and its script $work/lk/kapot.lua is there: a script that did not load is a failed KPI"
	if grep -q "KPI kapot, published in run 6, is no longer defined" "$work/err"; then
		fail "kapot called withdrawn"; else ok "kapot not called withdrawn"; fi
}
