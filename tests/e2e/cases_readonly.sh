# Sourced by cli.sh: a store that this process cannot write.  Readers open it
# read-only and give the same figures; a
# writer says "read-only"; a -wal file with changes not yet in the store
# is refused, naming it, rather than read past.
#
# As root (CI) the store lies on a tmpfs remounted read-only, and a failed
# mount fails the case; elsewhere the directory and file lose their write
# permission.

readonly_dir=""
store_readonly() {
	if [ "$(id -u)" = 0 ]; then mount -o remount,ro "$readonly_dir"
	else chmod a-w "$readonly_dir" "$readonly_dir/peil.db"; fi
}
store_writable() {
	if [ "$(id -u)" = 0 ]; then mount -o remount,rw "$readonly_dir"
	else chmod u+w "$readonly_dir" "$readonly_dir/peil.db"; fi
}

# $work/ro, where store_readonly can take the store's writes away: 0, or
# 1 (the case failed) when the tmpfs does not mount.
readonly_setup() {
	readonly_dir=$work/ro
	mkdir -p "$readonly_dir"
	if [ "$(id -u)" = 0 ]; then
		if ! mount -t tmpfs -o size=64m tmpfs "$readonly_dir"; then
			fail "mount a tmpfs as root"
			return 1
		fi
		trap 'umount "$work/ro" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
	else
		trap 'chmod -R u+w "$work"; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
	fi
}

test_store_readonly() {
	readonly_setup || return
	demo_setup 2018 2018 1000
	sed -i "s|^path = $work/peil.db|path = $readonly_dir/peil.db|" "$work/demo.ini"
	"$peil" run --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "run" 0 $?
	"$peil" show --config "$work/demo.ini" --format csv >"$work/rw.csv" 2>"$work/err"
	expect_rc "show, writable" 0 $?
	"$peil" report --config "$work/demo.ini" --period 2018 --format json \
		-o "$work/rw.json" 2>"$work/err"
	expect_rc "report, writable" 0 $?
	[ ! -e "$readonly_dir/peil.db-wal" ] && ok "no -wal is left after a clean close" ||
		fail "a -wal of $(stat -c %s "$readonly_dir/peil.db-wal") bytes is left"

	store_readonly
	"$peil" show --config "$work/demo.ini" --format csv >"$work/ro.csv" 2>"$work/err"
	expect_rc "show of a read-only store" 0 $?
	expect_grep "it says it reads only" "$work/err" "$readonly_dir/peil.db: read-only here"
	[ "$(wc -l <"$work/ro.csv")" -gt 100 ] && cmp -s "$work/rw.csv" "$work/ro.csv" &&
		ok "the same $(wc -l <"$work/ro.csv") lines of figures" ||
		fail "the figures differ" "$(diff "$work/rw.csv" "$work/ro.csv" | head -5)"
	"$peil" report --config "$work/demo.ini" --period 2018 --format json \
		-o "$work/ro.json" 2>"$work/err"
	expect_rc "report of a read-only store" 0 $?
	check "its JSON parses" json "$work/ro.json"
	cmp -s "$work/rw.json" "$work/ro.json" && ok "the same report" ||
		fail "the reports differ"
	"$peil" runs --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "runs of a read-only store" 0 $?

	# Writers: ingest (the lock file beside the store is the first
	# write), and a report that must evaluate and record a run (under
	# the lock, as peil eval).
	"$peil" ingest --config "$work/demo.ini" >/dev/null 2>"$work/err"
	rc=$?
	[ "$rc" != 0 ] && ok "ingest of a read-only store fails (exit $rc)" || fail "ingest exit 0"
	if grep -qi "read-only" "$work/err"; then ok "ingest says read-only"
	else fail "ingest does not say read-only" "$(cat "$work/err")"; fi
	"$peil" report --config "$work/demo.ini" --period 2017 --evaluate --format csv \
		>/dev/null 2>"$work/err"
	expect_rc "a report that must record a run" 3 $?
	expect_grep "says the store is read-only" "$work/err" \
		"peil.db.lock: cannot open the lock file: Read-only file system"

	# A store of schema version 7 (before cases runs kept what they
	# listed), read-only: read as it is, its runs without listings.
	store_writable
	"$peil" cases casussen_gestart --config "$work/demo.ini" --period 2018-01 \
		>/dev/null 2>"$work/err"
	expect_rc "a cases run" 0 $?
	python3 - "$readonly_dir/peil.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("ALTER TABLE peil_run DROP COLUMN listing; PRAGMA user_version = 7")
db.close()
PY
	expect_rc "the store taken back to version 7" 0 $?
	store_readonly
	"$peil" runs --config "$work/demo.ini" >"$work/runs.txt" 2>"$work/err"
	expect_rc "runs of a read-only store of version 7" 0 $?
	expect_grep "it shows the cases run" "$work/runs.txt" "  cases  "
	if grep -q "listed" "$work/runs.txt"; then
		fail "without a listing" "$(grep listed "$work/runs.txt")"
	else ok "without a listing"; fi
	[ "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect("file:" + sys.argv[1] + "?immutable=1", uri=True).execute("PRAGMA user_version").fetchone()[0])' "$readonly_dir/peil.db")" = 7 ] &&
		ok "and left at version 7" || fail "the read-only store was changed"

	# Committed changes left in a -wal by a writer that died: an
	# immutable open would not see them.  Refused, naming the -wal.
	store_writable
	python3 - "$readonly_dir/peil.db" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA wal_autocheckpoint = 0")
db.execute("DELETE FROM peil_figures WHERE kpi = (SELECT min(kpi) FROM peil_figures)")
os._exit(0)	# no close: the change stays in the -wal
PY
	[ -s "$readonly_dir/peil.db-wal" ] && ok "a -wal with a committed change" ||
		fail "no -wal was left"
	store_readonly
	"$peil" show --config "$work/demo.ini" --format csv >"$work/ro.csv" 2>"$work/err"
	expect_rc "show with a -wal beside a read-only store" 4 $?
	expect_grep "it names the -wal" "$work/err" \
		"$readonly_dir/peil.db-wal holds $(stat -c %s "$readonly_dir/peil.db-wal") bytes of changes not yet in it"
	[ ! -s "$work/ro.csv" ] && ok "and prints no figures" || fail "it printed figures without the change"
	store_writable
}

# Schema version 10 packs a run's figures, a row per (run, KPI, period).
# A store of version 9 (each figure a row of peil_result, as Peil left it
# before: tests/e2e/store_v9.py unpacks a store so) reads the same bytes:
# read-only as it is, writable migrated when first opened.  show, diff,
# runs and a report of both runs, and prune, against the same store that
# never left version 10.
figures_v9_outputs() {
	local out=$1 cfg=$2
	"$peil" show --config "$cfg" --format csv >"$out.show" 2>>"$work/err" &&
		"$peil" show --config "$cfg" --run 1 --format csv >"$out.show1" 2>>"$work/err" &&
		"$peil" show --config "$cfg" --run 2 --kpi casussen_gestart >"$out.show2" 2>>"$work/err" &&
		"$peil" diff --config "$cfg" 1 2 >"$out.diff" 2>>"$work/err" &&
		"$peil" runs --config "$cfg" >"$out.runs" 2>>"$work/err" &&
		"$peil" report --config "$cfg" --period 2018 --format json \
			-o "$out.json" 2>>"$work/err"
}
figures_v9_same() {
	local f differ=""
	for f in show show1 show2 diff runs json; do
		cmp -s "$work/v10.$f" "$work/$1.$f" || differ="$differ $f"
	done
	[ -z "$differ" ] && ok "$2: the same bytes ($(wc -l <"$work/$1.show") lines of figures)" ||
		fail "$2: differ in$differ" "$(diff "$work/v10.show" "$work/$1.show" | head -5)"
}
test_store_figures_v9() {
	local got
	readonly_setup || return
	demo_setup 2017 2018 1000
	sed "s|^path = $work/peil.db|path = $readonly_dir/peil.db|" "$work/demo.ini" >"$work/v9.ini"
	sed -i "s|^periods = .*|periods = 2017-01..2018-12|" "$work/v9.ini"
	"$peil" run --config "$work/v9.ini" >/dev/null 2>"$work/err"
	# Incomplete (exit 6): the trajectories begin after 2017-01.
	expect_rc "run 1" 6 $?
	sed -i "s|^periods = .*|periods = 2018-01..2018-12|" "$work/v9.ini"
	"$peil" eval --config "$work/v9.ini" --period 2018-Q2 >/dev/null 2>"$work/err"
	expect_rc "run 2, an eval" 0 $?
	sed "s|^path = .*peil.db$|path = $work/v10.db|" "$work/v9.ini" >"$work/v10.ini"
	cp "$readonly_dir/peil.db" "$work/v10.db"
	: >"$work/err"
	figures_v9_outputs "$work/v10" "$work/v10.ini"
	expect_rc "the outputs of the store of version 10" 0 $?
	got=$(python3 "$src/tests/e2e/store_v9.py" "$readonly_dir/peil.db" 2>&1)
	expect_rc "the store taken back to version 9" 0 $?
	[ "$got" -gt 1000 ] 2>/dev/null && ok "$got figures, a row each" || fail "unpacked: $got"
	store_readonly
	figures_v9_outputs "$work/ro" "$work/v9.ini"
	expect_rc "the outputs of a read-only store of version 9" 0 $?
	figures_v9_same ro "read-only, version 9"
	store_writable
	figures_v9_outputs "$work/mig" "$work/v9.ini"
	expect_rc "the outputs of the store migrated" 0 $?
	figures_v9_same mig "migrated to the current version"
	got=$(sqlite3 "$readonly_dir/peil.db" "PRAGMA user_version; SELECT count(*) FROM sqlite_master WHERE name = 'peil_result'; SELECT sum(figures) FROM peil_figures" | tr '\n' ' ')
	[ "$got" = "11 0 $(sqlite3 "$work/v10.db" "SELECT sum(figures) FROM peil_figures") " ] &&
		ok "version 11, no peil_result, every figure packed" || fail "after the migration: $got"
	"$peil" prune --config "$work/v9.ini" --keep 1 2>"$work/prune.mig"
	expect_rc "prune of the migrated store" 0 $?
	"$peil" prune --config "$work/v10.ini" --keep 1 2>"$work/prune.v10"
	expect_rc "prune of the store of version 10" 0 $?
	expect_grep "prune deletes figures" "$work/prune.v10" "figures deleted"
	cmp -s "$work/prune.v10" "$work/prune.mig" && ok "prune says the same" ||
		fail "prune differs" "$(cat "$work/prune.v10" "$work/prune.mig")"
	"$peil" show --config "$work/v9.ini" --run 1 --format csv >"$work/mig.pruned" 2>"$work/err"
	"$peil" show --config "$work/v10.ini" --run 1 --format csv >"$work/v10.pruned" 2>"$work/err"
	cmp -s "$work/v10.pruned" "$work/mig.pruned" && [ -s "$work/v10.pruned" ] &&
		ok "and keeps the same $(wc -l <"$work/v10.pruned") lines of run 1" ||
		fail "the pruned figures differ"
}
