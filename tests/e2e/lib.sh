# lib.sh - what the end-to-end test scripts share: counting checks, and the
# config over the fixture export.  Source it after setting work, src and
# plugins; the script prints "$passed passed, $failed failed" at its end.
. "$(dirname "${BASH_SOURCE[0]}")/../exit_on_signal.sh"
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '  %s\n' "${@:2}"; }
expect_rc() { # expect_rc NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1 (exit $3)"; else fail "$1" "exit $3, expected $2"; fi
}
expect_grep() { # expect_grep NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok "$1"; else fail "$1" "no '$3' in:" "$(head -20 "$2")"; fi
}

# peil_expect NAME WANT OUT COMMAND [ARGS...]: peil COMMAND --config
# $work/peil.ini ARGS, its output into OUT (/dev/null: none) and its log
# into $work/err, checked to exit WANT: the run-and-check of every test.
peil_expect() {
	local name=$1 want=$2 out=$3
	shift 3
	"$peil" "$1" --config "$work/peil.ini" "${@:2}" >"$out" 2>"$work/err"
	expect_rc "$name" "$want" $?
}

# expect_sql NAME SQL WANT: SQL over the sqlite store $work/peil.db gives
# WANT (sqlite3's text, rows by newlines, columns by '|').
expect_sql() {
	local got
	got=$(sqlite3 "$work/peil.db" "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$1"; else
		fail "$1" "got '$got', expected '$3'"
	fi
}

# started_kpi FILE ID TITLE RULE: a KPI script over the cases started in
# each month whose rule is RULE, into FILE.
started_kpi() {
	cat >"$1" <<LUA
kpi {
  id = "$2",
  title = "$3",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  select = started_in("registered"),
  rule = $4,
}
LUA
}

# csv_source NAME DATASET FILE SEPARATOR [HEADER=FIELD ...]: a [source
# NAME] section of the csv plugin that reads FILE into DATASET, with
# separator = SEPARATOR (none when empty) and column.HEADER = FIELD for
# each pair; other keys of the section may follow it.
csv_source() {
	local pair
	printf '[source %s]\nplugin = csv\ndataset = %s\npath = %s\n' "$1" "$2" "$3"
	[ -z "$4" ] || printf 'separator = %s\n' "$4"
	for pair in "${@:5}"; do
		printf 'column.%s = %s\n' "${pair%%=*}" "${pair#*=}"
	done
}

# The store of the tests: sqlite in $work/peil.db, or, with PEIL_TEST_PG
# set to a libpq connection string (tests/pg/CMakeLists.txt), postgres in
# a schema of this test's own, with the lock file where sqlite's would be
# (the postgres store suggests none).  store_config sqlite: sqlite always.
store_config() {
	if [ -n "${PEIL_TEST_PG:-}" ] && [ "${1:-}" != sqlite ]; then
		printf 'storage = postgres\n[storage]\nconninfo = %s\nschema = t%s\n' \
			"$PEIL_TEST_PG" "$(printf %s "$work" | md5sum | cut -c1-16)"
	else
		printf 'storage = sqlite\n[storage]\npath = %s\n' "$work/peil.db"
	fi
}
store_run_keys() {
	[ -z "${PEIL_TEST_PG:-}" ] || printf 'lock_file = %s\n' "$work/peil.db.lock"
}

# peil_sections PLUGIN_DIRS SCRIPT_DIRS [sqlite]: the [peil] section of a
# test config, rejects in $work/rejects, and its store (store_config).
peil_sections() {
	printf '[peil]\nplugin_dirs = %s\nscript_dirs = %s\nreject_dir = %s\n' \
		"$1" "$2" "$work/rejects"
	store_config "${3:-}"
}

# shipped_datasets [NAME...]: the [dataset] sections of conf/peil.ini;
# with NAMEs, the sections of those datasets alone.
shipped_datasets() {
	if [ $# -eq 0 ]; then
		awk '/^\[dataset /{p=1} /^\[(source|kpi|contract) /{p=0} p' "$src/conf/peil.ini"
		return
	fi
	awk -v names=" $* " '/^\[/ { n = $2; sub(/\]$/, "", n)
		p = $1 == "[dataset" && index(names, " " n " ") > 0 } p' "$src/conf/peil.ini"
}

# shipped_source NAME FILE: the [source NAME] section of conf/peil.ini,
# to the blank line that ends it, reading FILE.
shipped_source() {
	sed -n "/^\[source $1\]/,/^\$/p" "$src/conf/peil.ini" | sed "s|^path = .*|path = $2|"
}

# $work/peil.ini over one export of the fixture's shape:
#   fixture_config FILE SCRIPT_DIRS PERIODS [RUN_KEYS [SOURCE_KEYS]]
# with the datasets of conf/peil.ini and the column mapping of its
# [source demo_cases].
fixture_config() {
	cat >"$work/peil.ini" <<INI
$(peil_sections "$plugins" "$2")
[run]
periods = $3
$(store_run_keys)
${4:-}
[privacy]
; The fixture has 1-4 cases per cell: its exact figures are the point of
; these tests, so the small-cell rules are off here (and only here).
min_count = 0
$(shipped_datasets)
[source fixture]
plugin = csv
dataset = cases
path = $1
${5:-}
encoding = windows-1252
separator = semicolon
date_format = dd-mm-jjjj
$(sed -n '/^\[source demo_cases\]/,/^$/p' "$src/conf/peil.ini" | grep '^column\.')
INI
}
