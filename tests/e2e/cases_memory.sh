# Sourced by cli.sh: memory a script can reach through the host, and
# require's files.

# Eight KPIs with a 20 MiB param each: the text kpi{} copies into the
# host counts against [limits] memory_mb (64), so the script fails to
# load.  Uncounted, it loaded (exit 0), 160 MiB of host memory
# beside a 64 MiB state (60 such KPIs took the host to 1.26 GB).
test_script_memory() {
	mkdir -p "$work/scripts/lib"
	{
		echo 'local big = string.rep("x", 20 * 2^20)'
		for i in 1 2 3 4 5 6 7 8; do
			cat <<LUA
kpi { id = "groot_$i", title = "Groot $i", unit = "casussen", dataset = "cases",
  grain = "month", select = started_in("registered"),
  params = { tekst = big }, rule = count(function() return true end) }
LUA
		done
	} >"$work/scripts/groot.lua"
	write_config "$src/tests/data/e2e/cases.csv" "$work/scripts"
	timeout 60 "$peil" check --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "params past the memory cap fail the script" 3 $?
	expect_grep "... at the memory limit" "$work/err" "groot.lua"
	if grep -qE "memory" "$work/err"; then ok "the message says memory"; else fail "no memory message" "$(cat "$work/err")"; fi
	rm "$work/scripts/groot.lua"

	# require: a FIFO is refused at once (before: peil check hung).
	mkfifo "$work/scripts/lib/fifo.lua"
	printf 'local f = require("lib.fifo")\n' >"$work/scripts/a.lua"
	t0=$(date +%s)
	timeout 20 "$peil" check --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "require of a FIFO is refused" 3 $?
	[ $(($(date +%s) - t0)) -lt 10 ] && ok "... without waiting" || fail "require of a FIFO waited"
	expect_grep "... naming it" "$work/err" "require: $work/scripts/lib/fifo.lua: not a regular file"
	rm "$work/scripts/lib/fifo.lua"

	# require: a module larger than the memory limit is not read.
	{ echo 'return {}'; head -c 2000000 /dev/zero | tr '\0' '-'; } >"$work/scripts/lib/huge.lua"
	printf 'local h = require("lib.huge")\n' >"$work/scripts/a.lua"
	printf '[limits]\nmemory_mb = 1\n' >>"$work/peil.ini"
	peil_expect "require of a module past the size cap" 3 /dev/null check
	expect_grep "... naming it" "$work/err" "require: $work/scripts/lib/huge.lua: larger than the script memory limit"
	rm "$work/scripts/lib/huge.lua"
	sed -i '/^memory_mb = 1$/d' "$work/peil.ini"

	# An error inside a required module names the module's file and line,
	# the whole path also where it is longer than Lua's 60 characters of
	# a source (LUA_IDSIZE), which it shortens to "...its end".
	long=lib/een_map_met_een_naam_van_ruim_zestig_tekens_lang_genoeg_voor_lua
	mkdir -p "$work/scripts/$long"
	printf 'local M = {}\nlocal x = nil\nM.v = x.field\nreturn M\n' >"$work/scripts/$long/helpers.lua"
	printf 'local h = require("%s.helpers")\n' "${long//\//.}" >"$work/scripts/a.lua"
	peil_expect "an error inside a module" 3 /dev/null check
	expect_grep "... names the module's file and line" "$work/err" "$work/scripts/$long/helpers.lua:3: attempt to index a nil value"
}

# count_distinct past [limits] distinct_memory_mb:
# the demo of 2017-2018 with 20 000 cases a year holds some 13 000
# persons in 2018, past half of 1 MiB in the set of unique persons, so
# the rest go to temporary files and are counted after the scan.  The
# figures of every shipped KPI are those of the set held whole (the
# default, 16 MiB); with TMPDIR a directory that does not exist the spill
# cannot be written and the KPI fails, naming the directory, rather than
# give a count short of the spilled values, while the default (nothing
# spilled) does not touch TMPDIR.
test_distinct_spill() {
	demo_setup 2017 2018 20000
	"$peil" ingest --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of the demo" 0 $?
	"$peil" eval --config "$work/demo.ini" --period 2018 --format csv >"$work/whole.csv" 2>"$work/err"
	expect_rc "eval with the set held whole" 0 $?
	cp "$work/demo.ini" "$work/spill.ini"
	printf '\n[limits]\ndistinct_memory_mb = 1\n' >>"$work/spill.ini"
	"$peil" eval --config "$work/spill.ini" --period 2018 --format csv >"$work/spill.csv" 2>"$work/err"
	expect_rc "eval with 1 MiB for the set" 0 $?
	lines=$(grep -c '^personen_uniek;' "$work/spill.csv")
	[ "$lines" = 192 ] && ok "unique persons: 192 figures (12 months, 15 teams and the total, ...)" ||
		fail "unique persons: $lines figures"
	cmp -s "$work/whole.csv" "$work/spill.csv" && ok "... every figure as with the set held whole" ||
		fail "figures differ past the budget" "$(diff "$work/whole.csv" "$work/spill.csv" | head -5)"
	TMPDIR="$work/none" "$peil" eval --config "$work/spill.ini" --period 2018 --kpi personen_uniek --format csv >"$work/out" 2>"$work/err"
	expect_rc "a spill that cannot be written fails the KPI" 1 $?
	expect_grep "... naming the KPI, the setting and the directory" "$work/err" \
		"KPI personen_uniek failed: count_distinct: its values past [limits] distinct_memory_mb to a temporary file in $work/none: No such file or directory"
	TMPDIR="$work/none" "$peil" eval --config "$work/demo.ini" --period 2018 --kpi personen_uniek --format csv >"$work/out" 2>"$work/err"
	expect_rc "within the budget no temporary file" 0 $?
}

# The evaluation's peak memory does not grow with the rows: a KPI that joins
# members to their cases and counts unique
# persons holds, past a first few MB, only what its budgets allow:
#   - the unique persons: [limits] distinct_memory_mb, default 16 MiB,
#     taking new values until they hold half of it.  N cases of one team
#     registered on 2 January 2018, ids zero-padded (D0001000 ..), one
#     member each with a person of its own: 20 000 against 600 000
#     persons.  With a 64 MiB budget (new values until 32 MiB) 580 000
#     more persons took 50 MB more.  Now at most 16 MiB, new values
#     until 8: under 16 MB more.
#   - the join's chunks parked for a later run (kpi_join.c): the 99 000
#     cases D1000 .. D99999, whose ids outgrow four digits, in byte order
#     (D1000 D10000 .. D10009 D1001 ..), the members in number order: the
#     members of D1000 .. D9999 look up one row in eleven of the chunks
#     they read, which are parked for the members of D10000 .. (see
#     test_kpi_links, digits_store).  The KPI reads the case's referrer,
#     a text of 200 bytes of its own, so a chunk holds some 1.8 MB: nine
#     parked in memory took some 16 MB (under 64 MiB), then at most 4
#     MiB; now they lie on a temporary file (test_join_spill): under 8
#     MB more than the same cases with zero-padded ids, whose chunks are
#     never parked.
#   - the join's chunks at all: the 390 000 cases D10000 .. D399999, the
#     members in number order: D10000 .. D39999 are each followed by ten
#     longer ids (D100000 .. D100009 after D10000), so their members
#     read eleven rows for one looked up over 330 000 rows.  At more than
#     4 rows a row (past 16 chunks) the merge took that for keys in no
#     order and held all the cases (some 90 MB more than zero-padded
#     ids: the referrers); now only past 16 a row: under 8 MB more.
# Figures by hand: every case registered in January 2018, one member a
# case, a person each and a referrer each: uniek = met_melder = N.  The
# peak is GNU time's maximum resident set, skipped under ASan (as in
# inputs.sh: test_key_memory); the figures are checked either way.
eval_memory_data() { # eval_memory_data FIRST LAST PADDED WIDE: cases.csv and members.csv
	awk -v first="$1" -v last="$2" -v padded="$3" -v wide="$4" -v cases="$work/cases.csv" -v members="$work/members.csv" 'BEGIN {
		print "Dossiernummer;Team;Organisatie;Wijkcode;Buurtcode;Datum aanmelding;Datum eerste kennismaking;Datum afsluiting;Melder;Reden beëindiging;Zelfredzaam bij afsluiting;Rapportcijfer;Persoonsnummer;Datum invoer;" >cases
		print "Lidnummer;Dossiernummer;Persoonsnummer;Rol" >members
		for (k = first; k <= last; k++) {
			id = padded ? sprintf("D%07d", k) : sprintf("D%d", k)
			referrer = wide ? sprintf("Huisarts %0190d", k) : "Huisarts"
			printf("%s;Oost;W;WK999901;BU99990101;02-01-2018;;;%s;;;;P%d;02-01-2018;\n", id, referrer, k) >cases
			printf("L%07d;%s;P%d;Aanvrager\n", k, id, k) >members
		} }'
	iconv -f utf-8 -t windows-1252 "$work/cases.csv" >"$work/cases.tmp" && mv "$work/cases.tmp" "$work/cases.csv"
}
# eval_memory FIRST LAST PADDED WIDE: the store of those cases, evaluated,
# the figures checked; the peak in KiB in $kib (0 under ASan).
eval_memory() {
	local n=$(($2 - $1 + 1))
	kib=0
	rm -f "$work/peil.db"*
	eval_memory_data "$@"
	[ -z "${PEIL_TEST_PG:-}" ] || psql -XAtq "$PEIL_TEST_PG" -c "DROP SCHEMA IF EXISTS t$(printf %s "$work" | md5sum | cut -c1-16) CASCADE" >/dev/null 2>&1
	fixture_config "$work/cases.csv" "$work/kpis" 2018-01
	sed -n '/^\[source demo_members\]/,/^$/p' "$src/conf/peil.ini" |
		sed "s|^path = .*|path = $work/members.csv|" >>"$work/peil.ini"
	[ -n "${PEIL_TEST_PG:-}" ] || sed -i '/^\[storage\]/a cache_size_mib = 1' "$work/peil.ini"
	"$peil" ingest --quiet --config "$work/peil.ini" >/dev/null 2>"$work/err" ||
		{ fail "ingest of $n cases" "$(cat "$work/err")"; return; }
	if [ -z "${PEIL_TEST_SANITIZED:-}" ] && [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$work/peak" "$peil" eval --config "$work/peil.ini" --period 2018-01 --format csv >"$work/out.csv" 2>"$work/err"
		kib=$(tail -1 "$work/peak")
	else
		"$peil" eval --config "$work/peil.ini" --period 2018-01 --format csv >"$work/out.csv" 2>"$work/err"
	fi
	got=$(csv_columns kpi waarde <"$work/out.csv" | sort | tr '\n' ' ')
	[ "$got" = "met_melder;$n uniek;$n " ] && ok "$n cases (ids $([ "$3" = 1 ] && echo zero-padded || echo outgrowing their digits)): uniek and met_melder $n" ||
		fail "$n cases: figures" "got: $got" "$(head -3 "$work/err")"
}
# eval_memory_more ARGS ARGS: $more, the KiB the second eval_memory's
# peak is above the first's.
eval_memory_more() {
	local first
	eval_memory "$1" "$2" "$3" "$4"
	first=$kib
	eval_memory "$5" "$6" "$7" "$8"
	more=$((kib - first))
}
# expect_under NAME KIB MB: KIB under MB MiB.
expect_under() {
	[ "$2" -lt $(($3 * 1024)) ] && ok "$1: $(($2 / 1024)) MB more (under $3)" ||
		fail "$1: $(($2 / 1024)) MB more (at least $3)"
}
# eval_memory_kpis: the two KPIs of eval_memory in $work/kpis.
eval_memory_kpis() {
	mkdir -p "$work/kpis"
	cat >"$work/kpis/m.lua" <<'LUA'
kpi { id = "uniek", title = "Unieke personen", unit = "personen",
  dataset = "case_members", join = { case = { dataset = "cases", on = "case_id" } },
  grain = "month", select = started_in("case.registered"), rule = count_distinct("person") }
kpi { id = "met_melder", title = "Leden met melder", unit = "leden",
  dataset = "case_members", join = { case = { dataset = "cases", on = "case_id" } },
  grain = "month", select = started_in("case.registered"), where = is_set("case.referrer"),
  rule = count() }
LUA
}
test_eval_memory() {
	local parked
	eval_memory_kpis
	eval_memory_more 1000 99999 1 1 1000 99999 0 1
	parked=$more
	if [ -z "${PEIL_TEST_SANITIZED:-}" ] && [ -x /usr/bin/time ]; then
		eval_memory_more 1000 20999 1 0 1000 600999 1 0
		expect_under "580 000 more persons" "$more" 16
		expect_under "chunks parked for ids that outgrow their digits" "$parked" 8
		eval_memory_more 10000 399999 1 1 10000 399999 0 1
		expect_under "390 000 cases whose ids outgrow five digits, merged, not held" "$more" 8
	fi
}

# The join's chunks parked for a later run lie on an unlinked temporary
# file (kpi_join.c): the 99 000 cases D1000 .. D99999 of eval_memory,
# whose ids outgrow four digits, each with a referrer of 200 bytes of its
# own and one member, in number order: the members of D1000 .. D9999
# park the chunks of which they look up one row in eleven (some 1.8 MB
# each), and the members of D10000 .. read them back.  Figures by hand:
# every case registered in January 2018, one member a case with a person
# of its own and a referrer: uniek = met_melder = 99 000.  A file that
# cannot be written fails the evaluation, naming the join, the dataset,
# the directory and the error, and gives no figure (rather than a count
# short of the parked rows): a file size limit of 1 MiB (ulimit -f,
# SIGXFSZ ignored: the write fails as on a full disk) that the first
# parked chunk passes, and a TMPDIR that does not exist.
test_join_spill() {
	eval_memory_kpis
	eval_memory 1000 99999 0 1
	local tmp=${TMPDIR:-/tmp}
	(trap '' XFSZ; ulimit -f 1024
	 exec "$peil" eval --dry-run --config "$work/peil.ini" --period 2018-01 --format csv) >"$work/out.csv" 2>"$work/err"
	expect_rc "parked chunks past the file size limit fail the evaluation (exit 4: a full disk)" 4 $?
	expect_grep "... naming the join, the dataset, the directory and the error" "$work/err" \
		"join 'case': rows of dataset 'cases' parked on a temporary file in ${tmp%/}: written: File too large"
	grep -q '^uniek\|^met_melder' "$work/out.csv" && fail "... yet figures were given" "$(head -3 "$work/out.csv")" ||
		ok "... and gives no figure"
	TMPDIR="$work/none" "$peil" eval --dry-run --config "$work/peil.ini" --period 2018-01 --format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "parked chunks without a temporary directory fail the evaluation" 4 $?
	expect_grep "... naming it" "$work/err" \
		"join 'case': rows of dataset 'cases' parked on a temporary file in $work/none: made: No such file or directory"
	grep -q '^uniek\|^met_melder' "$work/out.csv" && fail "... yet figures were given" "$(head -3 "$work/out.csv")" ||
		ok "... and gives no figure"
}
