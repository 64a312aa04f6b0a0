# Sourced by cli.sh: the store under a command, as an operator (or a full
# disk) treats it (issue 14).

# The demo config with the store at $1 and a page cache of 1 MiB, so that
# the store writes pages while a file is read, not only at its commit.
store_at() {
	demo_config 40000
	sed -i "s|^path = $work/peil.db|path = $1\ncache_size_mib = 1|" "$work/demo.ini"
}

# A full disk while a file is stored is a storage failure: exit 4 naming
# the store and the cause, the ingest stops, nothing of the file is kept.
# Before issue 14 the first case export (6.8 MB, ~40 000 rows) failed at
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
