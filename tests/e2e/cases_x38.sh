# Sourced by cli.sh: exports and settings shaped unlike the demo's, run as
# an outside user would, with figures worked out by hand.

# ------------------------------------------- a holiday list of other years
# [calendar] dates replaces the Dutch holidays by an explicit list.  A
# contract's list written for 2017 alone, with 2018 evaluated, gave 2018
# no holiday at all: Goede Vrijdag and Tweede Paasdag 2018 counted as
# working days and the waiting times of 2018 came out longer, exit 0 and
# no word.  Now a working-day count over a day of a year the list holds
# no date of fails its KPI, naming both dates, the year and what to do
# (exit 1); the other KPIs are evaluated.
test_x38_calendar_years() {
	local line
	mkdir -p "$work/lua"
	cat >"$work/lua/wacht_lua.lua" <<'LUA'
kpi {
  id = "wacht_lua",
  title = "Wachttijd via Lua",
  unit = "werkdagen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = started_in("registered"),
  rule = sum(function(case)
    return case.first_meeting and date.workdays(case.registered, case.first_meeting) or 0
  end),
}
LUA
	write_config "$src/tests/data/e2e/cases.csv" "$src/scripts, $work/lua"
	printf '[calendar]\ndates = 2017-04-14, 2017-04-17, 2017-12-25, 2017-12-26\n' \
		>>"$work/peil.ini"
	# peil check says it before any evaluation: [run] periods = 2018-Q1.
	peil_expect "check with a list of 2017 and periods of 2018: a warning" 0 "$work/out" check
	expect_grep "check: the year named" "$work/err" \
		"[run] periods: [calendar] dates lists no holiday in 2018, so its holidays are unknown"
	expect_grep "check: what it means" "$work/err" "a KPI that counts working days in them fails"
	expect_grep "check: in its summary" "$work/out" "[calendar] dates does not cover [run] periods"
	peil_expect "ingest" 0 /dev/null ingest
	peil_expect "eval of 2018 with a list of 2017: KPIs fail" 1 "$work/out.csv" \
		eval --period 2018-Q1 --format csv
	# D1 is the first case of 2018 the scan meets with a first meeting.
	expect_grep "the declared rule fails, naming the dates and the year" "$work/err" \
		"KPI wachttijd_gemiddeld failed: working days from 2018-01-02 to 2018-01-04: [calendar] dates lists no holiday in 2018, so its holidays are unknown and every weekday of it would count as a working day: list the holidays of 2018 too (a weekend day when it has none), or leave dates out for the built-in rules"
	expect_grep "so does the share within the norm" "$work/err" \
		"KPI wachttijd_binnen_norm failed: working days from"
	expect_grep "and date.workdays() in a Lua rule" "$work/err" \
		"date.workdays: [calendar] dates lists no holiday in 2018"
	if csv_columns kpi waarde <"$work/out.csv" |
		grep -qE '^(wachttijd_gemiddeld|wachttijd_binnen_norm|wacht_lua);[0-9]'; then
		fail "no waiting time published" "$(grep wacht "$work/out.csv" | head -3)"
	else ok "no waiting time published"; fi
	# The other KPIs stand: started in Q1, by hand D1 D3 D4 D5 D6 D7 D8 D10.
	expect_kpi_totals "the started cases are evaluated" "$work/out.csv" \
		casussen_gestart "2018-01=3 2018-02=3 2018-03=2 " team

	# The list with the holidays of 2018 that the quarter holds: D6,
	# Thursday 29 March to Tuesday 3 April, waits 1 working day (30 March
	# Goede Vrijdag, 2 April Tweede Paasdag); without them it was 3.
	line=$(grep -n '^dates = ' "$work/peil.ini" | cut -d: -f1)
	sed -i "${line}s/\$/, 2018-01-01, 2018-03-30, 2018-04-02/" "$work/peil.ini"
	peil_expect "eval of 2018 with the holidays of 2018 listed" 0 "$work/out.csv" \
		eval --period 2018-Q1 --format csv
	peil_expect "check with 2018 listed" 0 "$work/out" check
	expect_no_grep "check: no warning" "$work/err" "lists no holiday"
	expect_no_grep "check: a clean summary" "$work/out" "does not cover"
	got=$(csv_columns kpi periode team waarde <"$work/out.csv" |
		awk -F';' '$1 ~ /^wacht(tijd_gemiddeld|_lua)$/ && $2 == "2018-03" && $3 == "Buurtteam Zuid" { printf "%s=%s ", $1, $4 }')
	[ "$got" = "wacht_lua=1 wachttijd_gemiddeld=1 " ] &&
		ok "D6 waits 1 working day, both ways" || fail "D6 waits 1 working day" "got: $got"
	# A list of 2018 alone: D2 (29 December 2017 to 3 January 2018) is
	# not counted, as it started in 2017; a case of 2018 whose first
	# meeting lies in 2019 is.
	sed -i "${line}s/.*/dates = 2018-01-01, 2018-03-30, 2018-04-02, 2018-12-25, 2018-12-26/" "$work/peil.ini"
	peil_expect "a list of 2018 alone: 2018-Q1 evaluated" 0 /dev/null \
		eval --period 2018-Q1 --kpi wachttijd_gemiddeld --dry-run
	cp "$src/tests/data/e2e/cases.csv" "$work/late.csv"
	printf 'D11;Buurtteam Zuid;Welzijn Zuid;WK999902;BU99990201;28-12-2018;02-01-2019;;Huisarts;;;;P000011;28-12-2018;\r\n' \
		>>"$work/late.csv"
	sed -i "s|^path = $src/tests/data/e2e/cases.csv\$|path = $work/late.csv|" "$work/peil.ini"
	peil_expect "ingest of a case met in 2019" 0 /dev/null ingest
	peil_expect "its waiting time fails" 1 /dev/null \
		eval --period 2018-12 --kpi wachttijd_gemiddeld --dry-run
	expect_grep "naming 2019" "$work/err" \
		"working days from 2018-12-28 to 2019-01-02: [calendar] dates lists no holiday in 2019"
}

# ------------------------------------------ a list continued on a new line
# The config's lines are at most 197 characters; a longer value continues
# on indented lines (conf/peil.ini, docs/configuration.md).  [run] kpis,
# withdrawn and [kpi ID] grains so continued were refused (exit 3,
# "'␊caseload' is no KPI id or tag"): a line break did not separate their
# entries as it does those of the other lists ([calendar] dates).
test_x38_list_lines() {
	write_config "$src/tests/data/e2e/cases.csv" "$src/scripts"
	sed -i 's/^kpis = .*/kpis = casussen_gestart\n  caseload/' "$work/peil.ini"
	printf '[kpi caseload]\ngrains = month,\n  quarter\n' >>"$work/peil.ini"
	peil_expect "ingest" 0 /dev/null ingest
	peil_expect "eval with lists on two lines" 0 "$work/out.csv" \
		eval --period 2018-Q1 --format csv
	got=$(csv_columns kpi <"$work/out.csv" | sort -u | tr '\n' ' ')
	[ "$got" = "caseload casussen_gestart " ] && ok "the two KPIs listed, no other" ||
		fail "the two KPIs listed, no other" "got: $got"
	expect_kpi_totals "started by hand (D1 D3 D5; D4 D7 D8; D6 D10)" "$work/out.csv" \
		casussen_gestart "2018-01=3 2018-02=3 2018-03=2 " team
	# On 31 January D1, D2, D3 and D5 (closed that day); on 28 February
	# D2, D3, D4, D7 (closed that day) and D8; on 31 March, the quarter's
	# reference date too, D2, D4, D6, D8 and D10.
	expect_kpi_totals "caseload by month and quarter" "$work/out.csv" \
		caseload "2018-01=4 2018-02=5 2018-03=5 2018-Q1=5 " team
}

# ---------------------------------------------- a quote left open in a row
# A cell that starts with a quote runs to the next lone quote, line breaks
# and separators included (RFC 4180).  A stray opening quote in one row
# (Melder '"Zelfmelder' of D2) and a stray closing one in the same column
# of a later row ('Familie of netwerk"' of D3) made one record of the two
# with the header's number of cells: D3 vanished into D2's Melder and D2
# took D3's closure reason, "9 rows stored", exit 0.  Now a quoted cell
# whose lines hold exactly the separators of the rows it took in (the
# rest of D2, 6, and D3 up to column 9, 8: the 14 of a row of 15 cells)
# is a row that does not fit, naming where the quote opens and closes; a
# note whose lines do not add up to rows is read as before.
test_x38_quote_rows() {
	local f=$work/quote.csv
	sed '3s/;Zelfmelder;/;"Zelfmelder;/; 4s/"Welzijn; Noord"/Welzijn Noord/; 4s/;Familie of netwerk;/;Familie of netwerk";/' \
		"$src/tests/data/e2e/cases.csv" >"$f"
	write_config "$f"
	peil_expect "a quote left open in D2's Melder: refused" 2 /dev/null ingest
	expect_grep "naming where it opens and closes" "$work/err" \
		"quote.csv:3: column 'Melder': the quote that opens column 9 on line 3 closes only on line 4, and a line within it holds 8 separators, as a row up to column 9 would: rows taken into one cell by a quote not closed on line 3?"
	expect_sql "nothing of the file stored" 'SELECT count(*) FROM ds_cases' 0
	# on_error = reject: the record of lines 3 and 4 set aside, the 8
	# others stored.
	rm -rf "$work"/peil.db* "$work/rejects"
	printf 'on_error = reject\n' >>"$work/peil.ini"
	peil_expect "with on_error = reject" 2 /dev/null ingest
	expect_sql "the 8 other rows stored" \
		"SELECT group_concat(case_id, ' ') FROM (SELECT case_id FROM ds_cases ORDER BY 0 + substr(case_id, 2))" \
		"D1 D4 D5 D6 D7 D8 D9 D10"
	expect_grep "D3's line in the reject file" "$(echo "$work"/rejects/*quote.csv.rejected)" \
		"D3;Buurtteam Noord;Welzijn Noord;WK999901"
	# A note over two lines whose second line holds 2 separators, in
	# column 9: fewer than the 8 cells before it, read as it is.
	sed '3s/;Zelfmelder;/;"Zelfmelder\r\nvia buurthuis; wijkagent; huisarts";/' \
		"$src/tests/data/e2e/cases.csv" >"$f"
	rm -rf "$work"/peil.db* "$work/rejects"
	write_config "$f"
	peil_expect "a cell over two lines, few separators: read" 0 /dev/null ingest
	expect_sql "all 10 rows stored" 'SELECT count(*) FROM ds_cases' 10
	expect_sql "D2's Melder holds both lines" \
		"SELECT referrer = 'Zelfmelder' || char(13, 10) || 'via buurthuis; wijkagent; huisarts' FROM ds_cases WHERE case_id = 'D2'" 1
	# A quote left open in D2's Melder that takes in D3 whole and closes
	# at a stray quote in D4's Melder: D2's rest (6 separators), D3 (14,
	# the header's 15 cells) and D4 up to column 9 (8) in one cell.
	sed '3s/;Zelfmelder;/;"Zelfmelder;/; 4s/"Welzijn; Noord"/Welzijn Noord/; 5s/;;;;;;;P000001;/;;;Onbekend";;;;P000001;/' \
		"$src/tests/data/e2e/cases.csv" >"$f"
	rm -rf "$work"/peil.db* "$work/rejects"
	write_config "$f"
	peil_expect "a quote left open over a whole row: refused" 2 /dev/null ingest
	expect_grep "naming where it opens and closes, two lines on" "$work/err" \
		"quote.csv:3: column 'Melder': the quote that opens column 9 on line 3 closes only on line 5, and a line within it holds 8 separators"
	expect_sql "nothing of that file stored" 'SELECT count(*) FROM ds_cases' 0
	# A note over two lines in column 3 whose second line holds 2
	# separators, as many as the cells before it, but whose lines do not
	# add up to a row (0 + 2 of the 14 separators of a row): read as it
	# is.
	sed '2s/;Welzijn Noord;/;"Welzijn Noord\r\nvia buurthuis; wijkagent; huisarts";/' \
		"$src/tests/data/e2e/cases.csv" >"$f"
	rm -rf "$work"/peil.db* "$work/rejects"
	peil_expect "a note in column 3, 2 separators on its second line: read" 0 /dev/null ingest
	expect_sql "all 10 rows stored, D1 among them" 'SELECT count(*) FROM ds_cases' 10
	expect_sql "D1's organisation holds both lines" \
		"SELECT organisation = 'Welzijn Noord' || char(13, 10) || 'via buurthuis; wijkagent; huisarts' FROM ds_cases WHERE case_id = 'D1'" 1
	# A quote left open that closes in D3's '"Welzijn; Noord"': the quote
	# is named, not the value it shifted into Rapportcijfer (before:
	# "column 'Rapportcijfer': 'BU99990102' is not a whole number").
	sed '3s/;Zelfmelder;/;"Zelfmelder;/' "$src/tests/data/e2e/cases.csv" >"$f"
	rm -rf "$work"/peil.db*
	peil_expect "a quote left open up to another quote: refused" 2 /dev/null ingest
	expect_grep "the quote is named" "$work/err" \
		"quote.csv:3: column 'Melder': text after the closing quote in column 9"
}

# ------------------------------------------------- numbers of the config
# [kpi ID] param.NAME, target.min/max and margin were read by strtod:
# 'nan', 'inf', '1e400' and '0x10' were numbers.  param.norm = nan made
# every wait "within the norm" (January 100 % where it is 2 of 3),
# target.min = nan gave status gehaald against no target, 0x10 was 16, all
# exit 0.  Now such a value is a configuration error naming the line
# (exit 3), as is a hexadecimal end of a field's range; decimal numbers
# with a point or an exponent are read as before.
test_x38_config_numbers() {
	local v line
	write_config "$src/tests/data/e2e/cases.csv"
	peil_expect "ingest" 0 /dev/null ingest
	cp "$work/peil.ini" "$work/base.ini"
	for v in "param.norm = nan" "param.norm = inf" "param.norm = 0x10" \
		 "target.min = nan" "target.max = 1e400" "margin = inf" "margin = nan%"; do
		sed '/^\[kpi wachttijd_binnen_norm\]/,$d' "$work/base.ini" >"$work/peil.ini"
		printf '[kpi wachttijd_binnen_norm]\n%s\n' "$v" >>"$work/peil.ini"
		line=$(wc -l <"$work/peil.ini")
		peil_expect "$v: refused" 3 /dev/null eval --period 2018-01 --dry-run
		expect_grep "$v: the line is named" "$work/err" \
			"peil.ini:$line: [kpi wachttijd_binnen_norm] $v: expected a number"
	done
	sed 's/^field.mark = integer 1..10$/field.mark = integer 1..0xA/' "$work/base.ini" >"$work/peil.ini"
	peil_expect "a hexadecimal end of a range: refused" 3 /dev/null check
	expect_grep "naming it" "$work/err" "field.mark = integer 1..0xA: '1..0xA' is not a range"
	# January by hand: D1 waits 2 working days, D3 7, D5 0.
	for v in "5.5=66,66666667" "1e1=100"; do
		sed '/^\[kpi wachttijd_binnen_norm\]/,$d' "$work/base.ini" >"$work/peil.ini"
		printf '[kpi wachttijd_binnen_norm]\nparam.norm = %s\n' "${v%%=*}" >>"$work/peil.ini"
		peil_expect "param.norm = ${v%%=*}: read" 0 "$work/out.csv" \
			eval --period 2018-01 --kpi wachttijd_binnen_norm --format csv
		expect_kpi_totals "param.norm = ${v%%=*}: ${v#*=} % within it" "$work/out.csv" \
			wachttijd_binnen_norm "2018-01=${v#*=} " team
	done
}

# ------------------------------------------------- numbers of a script
# The same in a KPI script: params = { norm = 0/0 } made every wait within
# the norm (100 %), target = { min = 0/0 } gave gehaald against no target,
# target = { max = math.huge } printed "inf", and at_most(..., 1/0)
# compared with infinity, all exit 0.  Now each is a mistake of the
# script that names the entry: the script does not load (exit 1), and
# the other scripts' KPIs are evaluated.
test_x38_script_numbers() {
	local entry
	mkdir -p "$work/lua"
	for entry in "params = { norm = 0/0 }|share(at_most(workdays(\"registered\", \"first_meeting\"), param(\"norm\")))|params: norm must be a finite number" \
		     "target = { min = 0/0 }|count()|target: min must be a finite number" \
		     "target = { max = math.huge }|count()|target: max must be a finite number" \
		     "target = { margin = -(1/0) }|count()|target: margin must be a finite number" \
		     "params = { norm = 5 }|share(at_most(workdays(\"registered\", \"first_meeting\"), 1/0))|cannot compare with inf, not a finite number"; do
		IFS='|' read -r decl rule want <<<"$entry"
		started_kpi "$work/lua/getal.lua" getal Getal \
			"$rule, where = is_set(\"first_meeting\"), $decl"
		write_config "$src/tests/data/e2e/cases.csv" "$src/scripts, $work/lua"
		[ -f "$work/peil.db" ] || peil_expect "ingest" 0 /dev/null ingest
		peil_expect "$decl / ${rule:0:30}: the script does not load" 1 "$work/out.csv" \
			eval --period 2018-01 --format csv
		expect_grep "$decl: named" "$work/err" "$want"
		expect_kpi_totals "$decl: the shipped KPIs evaluated" "$work/out.csv" \
			casussen_gestart "2018-01=3 " team
	done
	# Finite numbers are read: 2 of January's 3 waits (2, 7, 0) within 5.
	sed -i 's/1\/0))/param("norm"))), target = { min = 60, max = 1e2 }/' "$work/lua/getal.lua"
	peil_expect "finite numbers: read" 0 "$work/out.csv" eval --period 2018-01 --kpi getal --format csv
	got=$(csv_columns kpi waarde doel_min doel_max status <"$work/out.csv" | grep '^getal;')
	[ "$got" = "getal;66,66666667;60;100;gehaald" ] && ok "2 of 3 within 5, target 60..100 met" ||
		fail "2 of 3 within 5" "got: $got" "$(cat "$work/lua/getal.lua")"
}
