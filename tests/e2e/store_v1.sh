#!/usr/bin/env bash
# Every peil command against a storage plugin whose ops table ends at
# version 1 of peil_storage_ops (tests/plugins/store_v1.c: the sqlite
# store without change tracking, snapshots, housekeeping, bulk storing,
# loads or the lock file).  Each command either works or refuses with a
# clear message and the exit code documented here; none may crash (an
# exit of 128 or more, a signal, fails the check whatever was expected).
#
#   store_v1.sh PEIL SOURCE_DIR PLUGIN_DIR TEST_PLUGIN_DIR
set -u
peil=$1 src=$2 plugins=$3 test_plugins=$4
work=$(mktemp -d --tmpdir peil-e2e-store-v1-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
. "$(dirname "$0")/lib.sh"

# try NAME EXPECTED_EXIT TEXT_IN_OUTPUT ARGS...: peil ARGS, its stdout and
# stderr in $work/out.
try() {
	local name=$1 want=$2 text=$3 rc
	shift 3
	"$peil" "$@" >"$work/out" 2>&1
	rc=$?
	if [ "$rc" -ge 128 ]; then
		fail "$name" "crashed: exit $rc" "$(tail -5 "$work/out")"
		return
	fi
	expect_rc "$name" "$want" "$rc"
	[ "$rc" = "$want" ] || sed 's/^/  | /' "$work/out" | head -8
	[ -n "$text" ] && expect_grep "$name: says so" "$work/out" "$text"
}

mkdir -p "$work/kpis"
cp "$src/scripts/caseload.lua" "$src/scripts/casussen.lua" "$src/scripts/wachttijd.lua" "$work/kpis/"
grep -aE '^(Dossiernummer|D1;|D2;|D3;|D5;|D9;)' "$src/tests/data/e2e/cases.csv" >"$work/jan.csv"
fixture_config "$work/jan.csv" "$work/kpis" 2018-01 "lock_file = $work/peil.lock"
sed -i "s|^storage = sqlite\$|storage = sqlite_v1|; s|^plugin_dirs = .*|plugin_dirs = $test_plugins, $plugins|" "$work/peil.ini"
c="--config $work/peil.ini"

# Without [run] lock_file the store must suggest one (version 5): this
# one cannot, so the commands that write refuse, naming the key.
sed '/^lock_file = /d' "$work/peil.ini" >"$work/nolock.ini"
try "run without [run] lock_file" 3 "lock_file" run --config "$work/nolock.ini"
try "ingest without [run] lock_file" 3 "lock_file" ingest --config "$work/nolock.ini"
try "check without [run] lock_file" 3 "lock_file" check --config "$work/nolock.ini"

# What works as with any store: bulk storing falls back to record_put,
# loads to nothing.
try "run" 0 "" run $c
try "ingest (the files were read before)" 0 "skipped" ingest $c
try "ingest --force" 0 "" ingest --force $c
try "eval" 0 "" eval $c --period 2018-01
try "show" 0 "casussen_gestart" show $c
try "report" 0 "does not record reports (version 8 of peil_storage_ops)" report $c --period 2018-01 -o "$work/report.html"
# Without version 8 no report is recorded, and the report says that its
# revisions cannot be shown, in each format.
expect_grep "report: the notice says revisions cannot be shown" "$work/report.html" \
	'<p class="notice" role="alert">let op: herzieningen kunnen niet worden getoond: storage plugin'
try "report --format json" 0 "" report $c --period 2018-01 --format json -o "$work/report.json"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert "version 8" in d["revisions_unknown"] and "revised" not in d' \
	"$work/report.json" && ok "json: revisions_unknown, no revised list" || fail "json: revisions not said unknown"
try "runs lists no reports" 0 "" runs $c
grep -q "report #" "$work/out" && fail "runs lists a report of a store without version 8" || ok "runs lists no report"
try "export" 0 "peil_" export $c
try "check" 0 "" check $c
try "list" 0 "sqlite_v1" list $c
try "explain" 0 "" explain $c caseload
try "test" 0 "" test $c "$src/scripts/tests/casussen_test.lua"
try "catalogue" 0 "caseload" catalogue $c
# runs: without run_last_ingest (version 2) no run knows its new inputs.
try "runs" 0 "no new inputs since the run before" runs $c
# diff: the figures, and no input changes without the change log.
try "diff" 0 "the storage plugin does not track changes" diff $c

# What needs version 2 is refused with exit 3 (configuration: the
# storage plugin chosen cannot do it), naming the plugin and the version.
try "backup" 3 "version 2 of peil_storage_ops" backup $c "$work/backup.db"
try "prune" 3 "version 2 of peil_storage_ops" prune $c --keep 1
# The config ends in [source fixture].
{ cat "$work/peil.ini"; echo "mode = snapshot"; } >"$work/snapshot.ini"
try "ingest of a snapshot source" 3 "snapshot" ingest --force --config "$work/snapshot.ini"

# A table three callbacks short of version 1 (ending at results_scan) is
# refused when the store is opened, with exit 3: a plugin this host
# cannot use.  The commands that do not open the store do not load it.
sed "s|^storage = sqlite_v1\$|storage = sqlite_short|; s|peil.db\$|short.db|" "$work/peil.ini" >"$work/short.ini"
s="--config $work/short.ini"
short="no complete storage callbacks"
try "short table: run" 3 "$short" run $s
try "short table: ingest" 3 "$short" ingest $s
try "short table: eval" 3 "$short" eval $s --period 2018-01
try "short table: show" 3 "$short" show $s
try "short table: report" 3 "$short" report $s --period 2018-01 -o "$work/short.html"
try "short table: export" 3 "$short" export $s
try "short table: check" 3 "$short" check $s
try "short table: list" 0 "$short" list $s
try "short table: explain" 0 "" explain $s caseload
try "short table: test" 0 "" test $s "$src/scripts/tests/casussen_test.lua"
try "short table: catalogue" 0 "" catalogue $s
try "short table: runs" 3 "$short" runs $s
try "short table: diff" 3 "$short" diff $s
try "short table: backup" 3 "$short" backup $s "$work/short-backup.db"
try "short table: prune" 3 "$short" prune $s --keep 1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
