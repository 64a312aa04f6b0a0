# Sourced by cli.sh: a hostile environment (files that are not files,
# dates past the calendar, a full disk under the store and the log,
# a process killed at any point); each case gives the right figure, or
# says loudly why not.

# hostile_kpi DIR FILE ID RULE: a KPI over the fixture's started cases.
hostile_kpi() {
	mkdir -p "$1"
	started_kpi "$1/$2" "$3" "Vijandig $3" "$4"
}

# hostile_eval DIR FORMAT: the fixture ingested under a config over the
# KPIs of DIR, then eval of January 2018 into $work/out.FORMAT; its exit
# code is eval's.
hostile_eval() {
	write_config "$src/tests/data/e2e/cases.csv" "$1"
	peil_expect "ingest" 0 /dev/null ingest
	"$peil" eval --config "$work/peil.ini" --period 2018-01 --format "$2" \
		>"$work/out.$2" 2>"$work/err"
}

# ------------------------------------------- dates past the year 9999
# date.add_days and add_months wrote a day outside the years 1..9999 as
# "0000-00-00" (year 0 as "0000-12-31"), which compares before every date
# as text: a script counting the cases whose date 3 000 000 days on lies
# after 2018 counted none, exit 0.  Now the KPI fails naming the function;
# the others keep their figures.  By hand: January 2018 has three started
# cases of the fixture (D1, D3, D5), each a day before its next day.
test_hostile_dates() {
	local hs=$work/hs id
	hostile_kpi "$hs" d_far.lua d_far 'count(function(c) return date.add_days(c.registered, 3000000) > "2018" end)'
	hostile_kpi "$hs" d_months.lua d_months 'count(function(c) return date.add_months(c.registered, 3000000) > "2018" end)'
	hostile_kpi "$hs" d_past.lua d_past 'count(function(c) return date.add_days(c.registered, -3000000) < "2018" end)'
	hostile_kpi "$hs" d_zero.lua d_zero 'count(function(c) return date.add_days("0001-01-01", -1) < c.registered end)'
	hostile_kpi "$hs" d_ok.lua d_ok 'count(function(c) return date.add_days(c.registered, 1) > c.registered end)'
	hostile_eval "$hs" csv
	expect_rc "eval with dates past the calendar" 1 $?
	for id in d_far:add_days d_months:add_months d_past:add_days d_zero:add_days; do
		expect_grep "${id%%:*}: the message" "$work/err" \
			"$hs/${id%%:*}.lua:8: kpi '${id%%:*}': date.${id#*:}: the result lies outside the years 0001 to 9999"
		if grep -q "^${id%%:*};" "$work/out.csv"; then
			fail "${id%%:*} has a figure" "$(grep "^${id%%:*};" "$work/out.csv")"
		else ok "${id%%:*} has no figure"; fi
	done
	[ "$(csv_columns kpi waarde <"$work/out.csv" | grep '^d_ok;')" = "d_ok;3" ] &&
		ok "the other KPI keeps its figure: 3" ||
		fail "d_ok" "$(csv_columns kpi waarde <"$work/out.csv")"
	# peil runs lists a run's KPIs that were not evaluated after a colon
	# also when none failed (before: "0 failedd_gone (not evaluated)").
	sed 's/"cases"/"members"/; s/d_ok/d_gone/g' "$hs/d_ok.lua" >"$hs/d_gone.lua"
	"$peil" eval --config "$work/peil.ini" --period 2018-01 --kpi d_gone \
		>/dev/null 2>"$work/err"
	peil_expect "peil runs" 0 "$work/out" runs
	expect_grep "runs names the KPI not evaluated after a colon" "$work/out" \
		"    1 KPIs evaluated, 0 failed: d_gone (not evaluated)"
}

# ------------------------------------------- exports that are not files
# A named pipe matched by a source's glob was opened to be hashed: the
# open waited for a writer for ever, and SIGTERM did not end it (the
# open is restarted).  A link to /dev/zero was read without end.  Now
# neither is opened: each is refused naming the path and what it is, the
# regular file beside it is stored, exit 2.
test_hostile_inputs() {
	mkdir -p "$work/ex"
	cp "$src/tests/data/e2e/cases.csv" "$work/ex/a.csv"
	mkfifo "$work/ex/pipe.csv"
	ln -s /dev/zero "$work/ex/zero.csv"
	ln -s loop.csv "$work/ex/loop.csv"
	write_config "$work/ex/*.csv" "$work/no_scripts"
	mkdir -p "$work/no_scripts"
	timeout -s KILL 60 "$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "ingest of a pipe, a device and a link loop beside a file" 2 $?
	expect_grep "the pipe is named" "$work/err" "$work/ex/pipe.csv: not read: it is a named pipe, not a regular file"
	expect_grep "the device is named" "$work/err" "$work/ex/zero.csv: not read: it is a device, not a regular file"
	expect_grep "the link loop is named" "$work/err" "$work/ex/loop.csv: cannot read: Too many levels of symbolic links"
	[ "$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases' 2>&1)" = 10 ] &&
		ok "the regular file's ten cases are stored" ||
		fail "rows stored" "$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases' 2>&1)"
}

# ------------------------------------------- text that is not UTF-8
# Every output is UTF-8 and copies the text it is given.  Text that came
# from somewhere other than an export went out as it came: a KPI title
# "\xff" (a Lua escape in an ASCII script) made peil show --format json
# write a file no JSON reader accepts, and a recode in Windows-1252 put
# its byte into the store and from there into every report, exit 0.  Now
# the config, a recode file, a note in commentary.txt and a script's
# text are refused where they come in, naming the file, the line and
# the byte.
test_hostile_utf8() {
	local hs=$work/hs line
	hostile_kpi "$hs" t_ok.lua t_ok 'count()'
	hostile_kpi "$hs" t_bad.lua t_bad 'count()'
	sed -i 's/title = "Vijandig t_bad"/title = "Vijandig \\xff"/' "$hs/t_bad.lua"
	# A NUL is UTF-8, but every output copies the title as a C string:
	# "Vijandig \0t_nul" went out as "Vijandig ", exit 0.
	hostile_kpi "$hs" t_nul.lua t_nul 'count()'
	sed -i 's/unit = "[^"]*"/unit = "per\\0cent"/' "$hs/t_nul.lua"
	hostile_eval "$hs" json
	expect_rc "eval with a title that is not UTF-8" 1 $?
	expect_grep "the script, line and byte are named" "$work/err" \
		"$hs/t_bad.lua:1: kpi 't_bad': title is not UTF-8 text: byte 0xFF at byte 10"
	expect_grep "a NUL is named with its field and byte" "$work/err" \
		"$hs/t_nul.lua:1: kpi 't_nul': unit holds a NUL byte at byte 4"
	rm -f "$hs/t_nul.lua"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1], encoding="utf-8")); sys.exit(0 if {k["id"] for k in d["kpis"]} == {"t_ok"} else 1)' \
		"$work/out.json" && ok "the JSON is valid UTF-8 and holds t_ok alone" ||
		fail "the JSON" "$(head -c 400 "$work/out.json")"

	# A note in commentary.txt in Windows-1252, that the report prints.
	rm -f "$hs/t_bad.lua"
	printf 't_ok 2018-01 Zie \xe9\xe9n team.\n' >"$hs/commentary.txt"
	"$peil" report --config "$work/peil.ini" --period 2018-01 -o "$work/r.html" 2>"$work/err"
	expect_rc "a note in Windows-1252" 3 $?
	expect_grep "the note's line and byte are named" "$work/err" \
		"$hs/commentary.txt:1: column 'text': invalid UTF-8: byte 0xE9 at byte 18 of the line (save the file as UTF-8)"
	[ -e "$work/r.html" ] && fail "a report was written" || ok "no report written"
	rm -f "$hs/commentary.txt"

	# A recode written in Windows-1252 in the config, then in a recode file.
	cp "$work/peil.ini" "$work/good.ini"
	sed -i 's/^column.Team = team$/&\nrecode.team.Buurtteam Zuid = Zu\xefd/' "$work/peil.ini"
	line=$(grep -an '^recode.team.Buurtteam Zuid' "$work/peil.ini" | cut -d: -f1)
	peil_expect "a config line in Windows-1252" 3 /dev/null check
	expect_grep "the config's line and byte are named" "$work/err" \
		"$work/peil.ini:$line: invalid UTF-8: byte 0xEF at byte 32 of the line (save the file as UTF-8)"
	printf 'field;from;to\nteam;Buurtteam Zuid;Zu\xefd\n' >"$work/recodes.csv"
	sed 's|^column.Team = team$|&\nrecode_file = '"$work"'/recodes.csv|' "$work/good.ini" >"$work/peil.ini"
	rm -f "$work"/peil.db*
	peil_expect "ingest with a recode file in Windows-1252" 3 /dev/null ingest
	expect_grep "the recode file's line and byte are named" "$work/err" \
		"$work/recodes.csv:2: the recode file is not UTF-8 text: byte 0xEF (save it as UTF-8)"
	[ "$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_cases WHERE team LIKE 'Zu%'" 2>/dev/null || echo 0)" = 0 ] &&
		ok "no team of the recode stored" || fail "the recode reached the store"
}
