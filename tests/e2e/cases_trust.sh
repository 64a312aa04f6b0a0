# Sourced by cli.sh: figures that would be quietly wrong on exports of
# other shapes, configs written from docs/configuration.md alone, and a
# bad day.  Each is either read right or refused loudly.  Uses
# export_config and try_export of cases_exports.sh.

# ------------------------------------------------------ implausible years
# A registration date in year 0017 or 9999 is a typo, never a date of
# the social domain: refused at ingest with file, line, column and value
# (before: stored as it was, and counted in no period or in one far
# away).  1900 and 2199 are the ends of the window, both in.  31-12-9999
# alone is what registration systems write for "no date" (an end not
# reached): read as empty, refused only where the field is required.
test_implausible_years() {
	local bad
	for bad in 1-3-0017 01-01-9999 31-12-1899 01-01-2200; do
		printf 'Id;Datum;Bedrag;Naam\r\n1;02-01-2017;1,00;Piet\r\n2;%s;2,00;Jan\r\n' \
			"$bad" >"$work/year.csv"
		try_export year 2 "year.csv:3: column 'Datum': '$bad' has year" utf-8
		expect_grep "$bad: the window is named" "$work/err" \
			"outside 1900..2199, the years Peil reads as a date (field day)"
	done
	expect_grep "the placeholder's recode is named" "$work/err" \
		"recode.day.01-01-2200 = in the [source]"
	printf 'Id;Datum;Bedrag;Naam\r\n1;01-01-1900;1,00;Piet\r\n2;31-12-2199;2,00;Jan\r\n' \
		>"$work/ends.csv"
	try_export ends 0 "" utf-8
	[ "$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_payments' 2>&1)" = 2 ] &&
		ok "1900 and 2199 are stored" || fail "1900 and 2199 are stored"
	# 31-12-9999 in a required field: refused, saying what it stands for.
	printf 'Id;Datum;Bedrag;Naam\r\n1;02-01-2017;1,00;Piet\r\n2;31-12-9999;2,00;Jan\r\n' \
		>"$work/placeholder.csv"
	try_export placeholder 2 "placeholder.csv:3: column 'Datum': '31-12-9999' stands for 'no date', but field 'day' is required" utf-8
	# In a field that may be empty it is stored empty, with no recode.
	export_config "$work/placeholder.csv" utf-8
	sed -i 's/^field.day = date required/field.day = date/' "$work/peil.ini"
	rm -f "$work"/peil.db*
	peil_expect "the placeholder in a field that may be empty" 0 /dev/null ingest
	[ "$(sqlite3 "$work/peil.db" "SELECT group_concat(id || '=' || ifnull(day, 'leeg'), ' ') FROM ds_payments" 2>&1)" = "1=17168 2=leeg" ] &&
		ok "the placeholder is stored empty" ||
		fail "the placeholder is stored empty" "$(sqlite3 "$work/peil.db" 'SELECT * FROM ds_payments' 2>&1)"
}

# ------------------------------------------------------- empty holidays
# [calendar] dates replaces the Dutch holidays; written empty it would
# make Nieuwjaarsdag and Easter working days and shift every figure in
# working days (before: accepted without a word; in the fixture, case
# D6 of Zuid, registered on 29 March 2018 and met on 3 April, waited 3
# working days instead of 1, Goede Vrijdag and Tweede Paasdag counted).  Refused by every command
# that reads the config, naming the line.
test_empty_holidays() {
	local cmd
	write_config "$src/tests/data/e2e/cases.csv"
	printf '[calendar]\ndates =\n' >>"$work/peil.ini"
	local line
	line=$(grep -n '^dates =$' "$work/peil.ini" | cut -d: -f1)
	for cmd in check ingest "eval --period 2018-01"; do
		# shellcheck disable=SC2086
		"$peil" $cmd --config "$work/peil.ini" >/dev/null 2>"$work/err"
		expect_rc "$cmd with an empty holiday list" 3 $?
		expect_grep "$cmd: the line is named" "$work/err" \
			"peil.ini:$line: dates is empty: it replaces the Dutch holidays"
	done
	# A list that is not empty replaces the rules as documented: the
	# three holidays of the fixture's quarter give its figures.
	sed -i "s/^dates =\$/dates = 2018-01-01, 2018-03-30, 2018-04-02/" "$work/peil.ini"
	peil_expect "ingest with a holiday list" 0 /dev/null ingest
	"$peil" eval --config "$work/peil.ini" --period 2018-03 --kpi wachttijd_gemiddeld \
		--format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "eval with a holiday list" 0 $?
	expect_grep "Zuid's March mean wait is 1 (cli.sh, figures)" "$work/out.csv" ";2018-03;Buurtteam Zuid;1;"
}

# ------------------------------------------------------ Excel's sep= line
# Excel writes "sep=;" as the first line of a CSV when asked to: it
# declares the separator.  Read with it when it agrees with the source
# (or the source says auto), refused loudly when it contradicts it
# (before: "column 'Id' (mapped to field id) is not in the header", with
# no hint).  The header is then line 2, and a value's line counts the
# sep= line.
test_excel_sep() {
	printf 'sep=;\r\nId;Datum;Bedrag;Naam\r\n1;02-01-2017;"12,50";Piet\r\n2;03-01-2017;7,25;Jan\r\n' \
		>"$work/sep.csv"
	try_export sep 0 "" utf-8
	[ "$(sqlite3 "$work/peil.db" 'SELECT group_concat(id || "=" || amount, " ") FROM (SELECT * FROM ds_payments ORDER BY id)')" = "1=12.5 2=7.25" ] &&
		ok "sep=; read: both rows, amounts 12.5 and 7.25" ||
		fail "sep=; read" "$(sqlite3 "$work/peil.db" 'SELECT * FROM ds_payments' 2>&1)"
	# separator = auto takes the declared one, although commas outnumber
	# semicolons in the header
	printf 'sep=;\nId,x;Datum,y;Bedrag,z;Naam\n1;02-01-2017;1,00;Piet\n' >"$work/auto.csv"
	export_config "$work/auto.csv" utf-8
	sed -i 's/^separator = semicolon/separator = auto/; s/^column.Id = id/column.Id,x = id/; s/^column.Datum = day/column.Datum,y = day/; s/^column.Bedrag = amount/column.Bedrag,z = amount/' "$work/peil.ini"
	rm -f "$work"/peil.db*
	peil_expect "sep=; with separator = auto" 0 /dev/null ingest
	# a contradiction is refused, naming the file and the line
	printf 'sep=,\r\nId;Datum;Bedrag;Naam\r\n1;02-01-2017;1,00;Piet\r\n' >"$work/contra.csv"
	try_export contra 2 "contra.csv:1: the first line, Excel's sep=, declares ',' (separator = comma), but the source says ';' (separator = semicolon): which is right?" utf-8
	# a separator that Peil does not read
	printf 'sep=|\r\nId|Datum|Bedrag|Naam\r\n' >"$work/pipe.csv"
	try_export pipe 2 "pipe.csv:1: the first line, 'sep=|', declares a separator that Peil does not read" utf-8
	# line numbers count the sep= line
	printf 'sep=;\r\nId;Datum;Bedrag;Naam\r\n1;02-01-2017;1,00;Piet\r\n2;32-01-2017;1,00;Jan\r\n' >"$work/line.csv"
	try_export line 2 "line.csv:4: column 'Datum'" utf-8
	# skip_lines skips it unread, as before
	export_config "$work/sep.csv" utf-8
	echo "skip_lines = 1" >>"$work/peil.ini"
	rm -f "$work"/peil.db*
	peil_expect "sep=; with skip_lines = 1" 0 /dev/null ingest
}

# ------------------------------------------------- peil init: date and time
# Database exports write a date as "2018-03-01 00:00:00", Dutch Excel as
# "1-4-2018 0:00"; this one also starts with Excel's sep= line.  peil init
# proposes such columns as dates with their time in the format (before:
# as text, and the KPIs reading them were not evaluated; the sep= line
# was taken for the header).  By hand: registered in March C1, C2
# (Noord), in April C3 (Zuid); closed in April C1 (Noord, "01-04-2018
# 00:00") and C3 (Zuid, "3-4-2018 9:15").
test_init_times() {
	printf 'sep=;\r\nCasusnummer;Team;Aanmelddatum;Afsluitdatum\r\nC1;Noord;2018-03-01 00:00:00;01-04-2018 00:00\r\nC2;Noord;2018-03-15 13:30:00;\r\nC3;Zuid;2018-04-02 00:00:00;3-4-2018 9:15\r\n' \
		>"$work/Export tijd.csv"
	init_proposes "dates with a time" "Export tijd.csv" \
		"separator = semicolon" \
		"date_format = jjjj-mm-dd uu:mm:ss, dd-mm-jjjj uu:mm" \
		"field.registered = date required" "field.closed = date" \
		"column.Aanmelddatum = registered" "column.Afsluitdatum = closed" \
		"periods = 2018"
	init_figures
}

# init_proposes WHAT CSV LINE...: peil init on $work/CSV proposes each
# LINE in $work/muni/peil.ini.
init_proposes() {
	local what=$1 csv=$2 line
	shift 2
	"$peil" init --from "$work/$csv" --dir "$work/muni" >"$work/init.out" 2>"$work/err"
	expect_rc "peil init on $what" 0 $?
	for line in "$@"; do
		expect_grep "proposed: $line" "$work/muni/peil.ini" "$line"
	done
}

# Ingest with the config peil init proposed in $work/muni and check the
# figures of an export of three cases: registered in March C1 and C2 of
# Noord, in April C3 of Zuid; closed in April C1 (Noord) and C3 (Zuid).
init_figures() {
	sed -i 's/^min_count = 10$/min_count = 0/' "$work/muni/peil.ini"
	"$peil" ingest --config "$work/muni/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest with the proposed config" 0 $?
	local want kpi period got
	for want in "casussen_gestart 2018-03 Noord;2 Totaal;2 Zuid;0 " \
		    "casussen_gestart 2018-04 Noord;0 Totaal;1 Zuid;1 " \
		    "casussen_afgesloten 2018-04 Noord;1 Totaal;2 Zuid;1 "; do
		read -r kpi period _ <<<"$want"
		"$peil" eval --config "$work/muni/peil.ini" --period "$period" --kpi "$kpi" \
			--format csv >"$work/out.csv" 2>"$work/err"
		got=$(csv_columns team waarde <"$work/out.csv" | sort | tr '\n' ' ')
		[ "$got" = "${want#* * }" ] && ok "$kpi $period: $got" ||
			fail "$kpi $period" "got: $got" "$(cat "$work/err")"
	done
}

# ----------------------------------------------- check: what runs evaluate
# A municipality without iWmo messages declares no dataset allocations
# and leaves the maatwerk KPIs out with [run] kpis: peil check judges
# what a run evaluates, and only mentions the KPIs left out (before: exit
# 3, "4 problems", while peil eval and run worked).  A KPI that runs
# evaluate, on a missing dataset, stays a problem.
test_check_chosen() {
	write_config "$src/tests/data/e2e/cases.csv"
	sed -i '/^\[dataset allocations\]/,/^\[/{/^\[dataset allocations\]/d;/^field\./d}' "$work/peil.ini"
	peil_expect "check without allocations, maatwerk left out" 0 "$work/out" check
	expect_grep "the KPIs left out are mentioned" "$work/err" \
		"maatwerk.lua:42: kpi 'maatwerk_toewijzingen': unknown dataset 'allocations'; no run evaluates it ([run] kpis leaves it out), so this is no problem"
	expect_grep "the summary counts them apart" "$work/out" \
		"KPIs are fine (4 more, which runs leave out, do not fit the datasets)"
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>&1
	peil_expect "eval on that config" 0 /dev/null eval --period 2018-01
	# enabled = no leaves a KPI out as well
	sed -i 's/, -tag:maatwerk$//' "$work/peil.ini"
	printf '[kpi %s]\nenabled = no\n' maatwerk_toewijzingen maatwerk_zonder_start \
		maatwerk_start_binnen_termijn maatwerk_doorlooptijd_verzoek >>"$work/peil.ini"
	peil_expect "check with the maatwerk KPIs disabled" 0 "$work/out" check
	expect_grep "enabled = no is named" "$work/err" \
		"unknown dataset 'allocations'; no run evaluates it (enabled = no leaves it out)"
	# a KPI that runs evaluate, on a dataset that is not there, is a
	# problem: one of them is enabled again
	sed -i '0,/^enabled = no$/s//enabled = yes/' "$work/peil.ini"
	peil_expect "check with a chosen KPI on a missing dataset" 3 "$work/out" check
	expect_grep "it is an error" "$work/err" \
		"peil: error: $src/scripts/maatwerk.lua:42: kpi 'maatwerk_toewijzingen': unknown dataset 'allocations'"
	expect_grep "one problem" "$work/out" "peil.ini: 1 problem"
}

# ------------------------------------------------- -o onto a device or FIFO
# -o writes a temporary file and renames it over the path, so that a
# reader sees the old file or the new one.  A path that is a device or a
# named pipe was replaced that way by a regular file (before: as root,
# report -o /dev/full exited 0 and left /dev/full a 450 KB file, and -o
# /dev/null would have done the same to /dev/null).  Such a path is
# written in place: a FIFO's reader gets the whole output, a full device
# is exit 4 naming it and the cause, and the node stays what it was.
test_outputs_devices() {
	local cmd
	demo_setup 2017 2017 1000
	demo_run_periods 2017
	"$peil" report --config "$work/demo.ini" --period 2017 --format json \
		-o "$work/whole.json" 2>"$work/err"
	expect_rc "report -o a regular file" 0 $?
	mkfifo "$work/fifo"
	timeout 60 cat "$work/fifo" >"$work/got.json" &
	local reader=$!
	"$peil" report --config "$work/demo.ini" --period 2017 --format json \
		-o "$work/fifo" 2>"$work/err"
	expect_rc "report -o a FIFO" 0 $?
	wait "$reader"
	expect_rc "the FIFO's reader got its end" 0 $?
	[ -p "$work/fifo" ] && ok "the FIFO is still a FIFO" ||
		fail "the FIFO was replaced" "$(ls -l "$work/fifo")"
	cmp -s "$work/got.json" "$work/whole.json" &&
		ok "the reader got the whole report ($(stat -c %s "$work/got.json") bytes)" ||
		fail "the reader got $(stat -c %s "$work/got.json") of $(stat -c %s "$work/whole.json") bytes"
	# A full device of this test's own (the node of /dev/full): root only.
	[ "$(id -u)" = 0 ] || return 0
	mknod -m 666 "$work/full" c 1 7 || { fail "mknod of a full device"; return; }
	for cmd in "report --period 2017 --format json" "report --period 2017" "export"; do
		# shellcheck disable=SC2086
		"$peil" $cmd --config "$work/demo.ini" -o "$work/full" 2>"$work/err"
		expect_rc "$cmd -o a full device" 4 $?
		expect_grep "$cmd names the device and the cause" "$work/err" \
			"cannot write $work/full: No space left on device"
		[ -c "$work/full" ] && ok "$cmd: the device is still a device" ||
			fail "$cmd: the device was replaced" "$(ls -l "$work/full")"
	done
	[ "$(ls "$work" | grep -c 'full.tmp')" = 0 ] && ok "no temporary file is left" ||
		fail "temporary files left" "$(ls "$work")"
}

# ------------------------------------------------------- a run killed -9
# A run killed with SIGKILL keeps its record "running", with some of its
# figures or none.  show, report and diff of it said nothing of that
# (before: show --run N exited 0 with an empty table, "Geen cijfers in
# deze periode", and a note that its figures were computed on request).
# Now exit 6 with why; peil status and peil runs call it killed (runs
# said "running" before), both by whether a peil holds the run lock; the
# next run completes with the figures of a run that was never stopped.
test_killed_run() {
	demo_config 3000
	start_endless_run
	# While it holds the run lock, peil runs and peil status say running.
	"$peil" runs --config "$work/demo.ini" >"$work/runs" 2>"$work/err"
	expect_rc "runs while a run holds the lock" 0 $?
	expect_grep "runs: under way, running" "$work/runs" "not ended  running"
	"$peil" status --config "$work/demo.ini" >"$work/out" 2>&1
	expect_rc "status while a run holds the lock" 0 $?
	expect_grep "status: under way, running" "$work/out" "is running"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	sed -i "s|, $work/slow||" "$work/demo.ini"
	if [ -z "$id" ] || [ "$(sqlite3 "$work/peil.db" "SELECT status FROM peil_run WHERE id = $id")" != running ]; then
		fail "the run was killed while running" "run '$id'"
		return
	fi
	ok "run $id killed while running"
	"$peil" show --config "$work/demo.ini" --run "$id" >"$work/out" 2>"$work/err"
	expect_rc "show --run of the killed run" 6 $?
	expect_grep "show says why" "$work/err" "run $id has not ended: it is still running, or was stopped (killed"
	"$peil" report --config "$work/demo.ini" --run "$id" --period 2017 -o "$work/killed.html" 2>"$work/err"
	expect_rc "report --run of the killed run" 6 $?
	[ -e "$work/killed.html" ] && fail "a report of the killed run was written" || ok "no report of the killed run"
	"$peil" status --config "$work/demo.ini" >"$work/out" 2>&1
	expect_rc "peil status after the kill" 2 $?
	expect_grep "status calls it killed" "$work/out" "run $id never ended and no peil holds the lock: it was killed"
	# peil runs says so by the same test (before: "running").
	"$peil" runs --config "$work/demo.ini" >"$work/runs" 2>"$work/err"
	expect_rc "runs after the kill" 0 $?
	grep -qE "^Run $id  run  .*  not ended  killed\$" "$work/runs" && ok "runs calls it killed" ||
		fail "runs calls it killed" "$(cat "$work/runs")"
	grep -q "  running\$" "$work/runs" && fail "runs still lists a run as running" "$(cat "$work/runs")" ||
		ok "runs lists no run as running"
	if why=$(store_consistent); then ok "the store is consistent"; else fail "after the kill" "$why"; fi
	"$peil" run --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "the next run" 0 $?
	"$peil" show --config "$work/demo.ini" --format csv >"$work/after.csv" 2>"$work/err"
	expect_rc "show of the next run" 0 $?
	# the same figures as a run in a store that never saw a kill
	sed -i "s|^path = $work/peil.db|path = $work/clean.db|" "$work/demo.ini"
	"$peil" run --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "a run in a clean store" 0 $?
	"$peil" show --config "$work/demo.ini" --format csv >"$work/clean.csv" 2>"$work/err"
	cmp -s "$work/after.csv" "$work/clean.csv" &&
		ok "the run after the kill has the figures of a clean one ($(wc -l <"$work/clean.csv") lines)" ||
		fail "the run after the kill differs from a clean one" "$(diff "$work/after.csv" "$work/clean.csv" | head -5)"
}

# Ingest $work/demo.ini's exports and start a peil run in the background
# that a KPI that never ends keeps running, however fast the machine (the
# shipped ones alone may end first): $pid is its process, $id its run
# once recorded (empty when not within 60 s).
start_endless_run() {
	local i
	"$peil" ingest --config "$work/demo.ini" >/dev/null 2>&1
	mkdir -p "$work/slow"
	started_kpi "$work/slow/langzaam.lua" langzaam Langzaam \
		'count(function() while true do end end)'
	sed -i "s|^script_dirs = .*|&, $work/slow|" "$work/demo.ini"
	# killed by the tests: SQLite's temporary files of a killed peil stay
	# in $work
	TMPDIR=$work "$peil" run --config "$work/demo.ini" >/dev/null 2>"$work/err" &
	pid=$!
	id=
	for i in $(seq 600); do	# until the run is recorded, 60 s at most
		id=$(sqlite3 "$work/peil.db" "SELECT id FROM peil_run WHERE status = 'running'" 2>/dev/null)
		[ -n "$id" ] && break
		sleep 0.1
	done
}

# ------------------------------------------------ an export that is not there
# A source whose path matches no file: ingest refuses it (exit 2) naming
# the config line and the path, and stores nothing; peil check warns the
# same (before: check said only that all was fine).  A directory as the
# path is refused naming it and the cause.
test_missing_export() {
	write_config "$work/nothere*.csv"
	local line
	line=$(grep -n "^path = $work/nothere" "$work/peil.ini" | cut -d: -f1)
	peil_expect "check with a missing export" 0 "$work/out" check
	expect_grep "check warns, naming the line and the path" "$work/err" \
		"peil: warning: $work/peil.ini:$line: [source fixture]: no file matches $work/nothere*.csv (yet)"
	expect_grep "and counts it" "$work/out" "KPIs are fine; 1 source matches no file"
	peil_expect "ingest of a missing export" 2 /dev/null ingest
	expect_grep "ingest names the line and the path" "$work/err" \
		"peil.ini:$line: [source fixture]: no file matches $work/nothere*.csv"
	peil_expect "eval without data: not evaluated" 6 "$work/out" eval --period 2018-01 --kpi casussen_gestart
	mkdir -p "$work/adir"
	write_config "$work/adir"
	peil_expect "ingest of a directory as the export" 2 /dev/null ingest
	expect_grep "it names the path and the cause" "$work/err" "$work/adir: cannot read: Is a directory"
	[ "$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases')" = 0 ] &&
		ok "nothing stored" || fail "rows stored"
}

# ------------------------------------------------- check: implausible dates
# 1917 is a year ingest accepts (a birth date may lie in it), but a
# registration in 1917 among those of 2017 and 2018 is a typo, and it
# counts in the figures of 1917.  peil check warns of a year of a date
# field that lies more than 10 years from every other stored date of it
# and holds fewer of them than the rest; and of stored dates outside
# 1900..2199 (stored before ingest refused them).  Before: no word.
test_check_dates() {
	cp "$src/tests/data/e2e/cases.csv" "$work/cases.csv"
	printf 'D11;Buurtteam Zuid;Welzijn Zuid;WK999902;BU99990201;01-03-1917;;;Huisarts;;;;P000011;01-03-2018;\r\n' \
		>>"$work/cases.csv"
	write_config "$work/cases.csv"
	peil_expect "ingest with a registration in 1917" 0 /dev/null ingest
	peil_expect "check warns, exit 0" 0 "$work/out" check
	expect_grep "the year, the field and the first date are named" "$work/err" \
		"peil: warning: dataset cases: 1 of its stored registered dates lie in 1917 (the first: 1917-03-01), 100 years from every other one (the nearest in 2017)"
	if grep "lie in" "$work/err" | grep -qv "registered dates lie in 1917"; then
		fail "only 1917 is warned of" "$(grep "lie in" "$work/err")"
	else ok "only 1917 is warned of"; fi
	# the fixture alone: no such warning
	write_config "$src/tests/data/e2e/cases.csv"
	rm -f "$work"/peil.db*
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	peil_expect "check of the fixture" 0 "$work/out" check
	if grep -q "lie in\|lie outside" "$work/err"; then fail "the fixture's dates are warned of" "$(cat "$work/err")"
	else ok "the fixture's dates are not warned of"; fi
	# a date of year 0017 stored by an earlier Peil (-713259: 1 March 17)
	sqlite3 "$work/peil.db" "UPDATE ds_cases SET closed = -713259 WHERE case_id = 'D1'"
	peil_expect "check of a stored year 0017" 0 "$work/out" check
	expect_grep "the stored 0017 is named" "$work/err" \
		"dataset cases: 1 of its stored closed dates lie outside the years 1900..2199 (the first: 0017-03-01), stored before ingest refused them"
	# One read of each dataset serves all of check's warnings of stored
	# values, in their order: the KPIs' literals, then each dataset's
	# declared rules (field order), then its dates.  D1 now also has
	# 'Ja' for 'ja', D3 a first meeting before its registration, and D1's
	# closed (0017) lies before its registration too.
	sqlite3 "$work/peil.db" "UPDATE ds_cases SET self_reliant = 'Ja' WHERE case_id = 'D1';
		UPDATE ds_cases SET first_meeting = registered - 5 WHERE case_id = 'D3'"
	peil_expect "check of a literal, two rules and a date" 0 "$work/out" check
	order=$(grep -o "spell it otherwise\|have first_meeting before registered\|have closed before registered\|lie outside the years" \
		"$work/err" | tr '\n' '|')
	[ "$order" = "spell it otherwise|have first_meeting before registered|have closed before registered|lie outside the years|" ] &&
		ok "literal, rules and dates warned of in that order" ||
		fail "literal, rules and dates warned of in that order" "$order"
}
