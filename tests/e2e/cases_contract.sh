# The Participatieladder as the contract means it, and the follow-up
# backlog on the reference date, through the
# CLI on exports of the demo's format (calendar contract years).
#
#   traject  person  programme  start       end
#   T1       P1      Buurtbaan  01-02-2017  -
#   T2       P2      Geldzaken  15-01-2018  -
#   T3       P3      Geldzaken  31-12-2018  -
#
# T3 (no measurements, no neighbourhood job, in no figure) says the export
# reaches the end of 2018: without a start after T2's, the months after
# January 2018 would lie after the data and not be evaluated.
#
# Ladder: P1 rung 1 on 01-02-2017 (the start of T1), rung 3 on 01-09-2017
# (+2: T1 rises in 2017), rung 5 on 01-03-2018 (+4, but T1 was counted in
# 2017: not again in 2018).  P2 rung 1 on 01-06-2016 (before T2: not its
# start), rung 2 on 15-01-2018 (the start of T2), rung 3 on 01-10-2018:
# +1 in the trajectory, not risen (+2 from the first measurement ever).
#   ladder_gestegen 2017: Buurtbaan 1, Geldzaken 0, total 1; 2018: Buurtbaan 0,
#   Geldzaken 0, total 0.  (Before: a share, 100 % in 2017 and in 2018.)
#
# Visits of T1 (a neighbourhood job) are due 01-05-2017 (3 m), 01-11-2017
# (9 m), 01-05-2018 (15 m) and 01-12-2018 (22 m); only the 3-month visit
# was done (10-05-2017).  T2 is no neighbourhood job.
#   vervolgbezoeken_achterstallig on 31-12-2017: the 9-month visit = 1
#   (none fell due in December: before, 0); on 31-05-2018: the 9- and
#   15-month visits = 2 (before, 1: only May's).
# The demo's configuration over the trajectories and ladder measurements
# above, without small-cell suppression (a handful of persons).
ladder_fixture() {
	demo_setup 2017 2018 200
	sed -i 's/^min_count = 10/min_count = 0/' "$work/demo.ini"
	printf 'Trajectnummer;Persoonsnummer;Programma;Startdatum;Einddatum\r\n%s\r\n%s\r\n%s\r\n' \
		'T1;P1;Buurtbaan;01-02-2017;' 'T2;P2;Geldzaken;15-01-2018;' \
		'T3;P3;Geldzaken;31-12-2018;' >"$work/demo/export_trajecten.csv"
	{
		printf 'Metingnummer;Persoonsnummer;Datum;Instrument;Domein;Score\r\n'
		printf '%s\r\n' 'M1;P1;01-02-2017;Participatieladder;;1' \
			'M2;P1;01-09-2017;Participatieladder;;3' \
			'M3;P1;01-03-2018;Participatieladder;;5' \
			'M4;P2;01-06-2016;Participatieladder;;1' \
			'M5;P2;15-01-2018;Participatieladder;;2' \
			'M6;P2;01-10-2018;Participatieladder;;3'
	} >"$work/demo/export_metingen.csv"
}

test_ladder_backlog() {
	ladder_fixture
	printf 'Bezoeknummer;Trajectnummer;Maand;Datum bezoek\r\nB1;T1;3;10-05-2017\r\n' \
		>"$work/demo/export_bezoeken.csv"
	"$peil" ingest --config "$work/demo.ini" 2>"$work/err"
	expect_rc "ingest" 0 $?
	"$peil" eval --config "$work/demo.ini" --dry-run --kpi ladder_gestegen \
		--from 2017 --to 2018 --format csv >"$work/ladder.csv" 2>"$work/err"
	expect_rc "eval ladder_gestegen 2017-2018" 0 $?
	"$peil" eval --config "$work/demo.ini" --dry-run --kpi vervolgbezoeken_achterstallig \
		--from 2017-12 --to 2018-05 --format csv >"$work/visits.csv" 2>"$work/err"
	expect_rc "eval vervolgbezoeken_achterstallig" 0 $?
	{ csv_columns periode programme waarde <"$work/ladder.csv"
	  csv_columns periode waarde <"$work/visits.csv"; } >"$work/got"
	while IFS= read -r line; do
		if grep -qxF -- "$line" "$work/got"; then ok "$line"
		else fail "$line" "got: $(tr '\n' ' ' <"$work/got")"; fi
	done <<'EXPECTED'
2017;Buurtbaan;1
2017;Geldzaken;0
2017;Totaal;1
2018;Buurtbaan;0
2018;Geldzaken;0
2018;Totaal;0
2017-12;1
2018-05;2
EXPECTED
	"$peil" explain --config "$work/demo.ini" ladder_gestegen >"$work/explain" 2>"$work/err"
	expect_rc "explain ladder_gestegen" 0 $?
	expect_grep "explain shows the target on the risen" "$work/explain" "minimaal 750"
}

# overdue{} on its own, in a script of the test's:
# visits due 3 and 9 months after the start, a margin of 20 days, no
# stop field, every programme.
#
#   traject  start       visits done
#   T1       01-02-2017  3 m (due 01-05-2017) on 10-05-2017,
#                        9 m (due 01-11-2017) on 20-12-2017
#   T2       15-01-2018  none (3 m due 15-04-2018)
#   T3       31-05-2018  none due by 31-05-2018 (says the export reaches
#                        May: else the months after January 2018 would
#                        lie after the data, not evaluated)
#
#   30-11-2017: T1 9 m, 01-11 + 20 days = 21-11 before the reference
#     date, done only on 20-12 = 1 (T1 3 m was done on 10-05).
#   31-12-2017: 0 (the 9-month visit is done on 20-12).
#   30-04-2018: T2 3 m, 15-04 + 20 = 05-05, not before 30-04 = 0
#     (without the margin it would be 1).
#   31-05-2018: T2 3 m, 05-05 before 31-05, no visit = 1.
# A step field without a number fails the KPI; a script naming a lookup it
# does not declare, a negative margin, no months or a key overdue{} does
# not know, is refused naming the KPI; peil explain
# shows the shipped KPI's overdue{}.
test_overdue() {
	demo_setup 2017 2018 200
	sed -i 's/^min_count = 10/min_count = 0/' "$work/demo.ini"
	printf 'Trajectnummer;Persoonsnummer;Programma;Startdatum;Einddatum\r\n%s\r\n%s\r\n%s\r\n' \
		'T1;P1;Buurtbaan;01-02-2017;' 'T2;P2;Geldzaken;15-01-2018;' \
		'T3;P3;Geldzaken;31-05-2018;' >"$work/demo/export_trajecten.csv"
	printf 'Bezoeknummer;Trajectnummer;Maand;Datum bezoek\r\n%s\r\n%s\r\n' \
		'B1;T1;3;10-05-2017' 'B2;T1;9;20-12-2017' >"$work/demo/export_bezoeken.csv"
	"$peil" ingest --config "$work/demo.ini" 2>"$work/err"
	expect_rc "ingest" 0 $?
	"$peil" explain --config "$work/demo.ini" vervolgbezoeken_achterstallig \
		>"$work/explain" 2>"$work/err"
	expect_rc "explain vervolgbezoeken_achterstallig" 0 $?
	expect_grep "explain shows overdue{}" "$work/explain" \
		'sum(overdue { start = "start", stop = "end", months = { 3, 9, 15, 22 }, lookup = "visits", key = "trajectory_id", step = "month", done = "date", grace_days = param("grace_days") })'
	mkdir -p "$work/scripts"
	cat >"$work/scripts/achterstand.lua" <<'LUA'
kpi {
  id = "achterstand_test", title = "Achterstand", unit = "bezoeken",
  dataset = "trajectories", grain = "month",
  select = running_in("start", "end"),
  lookup = { visits = { dataset = "visits", by = "trajectory_id" } },
  rule = sum(overdue { start = "start", months = { 3, 9 }, lookup = "visits",
    key = "trajectory_id", step = "month", done = "date", grace_days = 20 }),
}
LUA
	sed -i "s|^script_dirs = .*|&, $work/scripts|" "$work/demo.ini"
	"$peil" eval --config "$work/demo.ini" --dry-run --kpi achterstand_test \
		--from 2017-11 --to 2018-05 --format csv >"$work/own.csv" 2>"$work/err"
	expect_rc "eval achterstand_test" 0 $?
	csv_columns periode waarde <"$work/own.csv" >"$work/got"
	while IFS= read -r line; do
		if grep -qxF -- "$line" "$work/got"; then ok "$line"
		else fail "$line" "got: $(tr '\n' ' ' <"$work/got")"; fi
	done <<'EXPECTED'
2017-11;1
2017-12;0
2018-01;0
2018-04;0
2018-05;1
EXPECTED
	overdue_refused "a step that is no number fails the KPI" \
		'step = "month"' 'step = "visit_id"' \
		"kpi 'achterstand_test': overdue{}: a row of lookup 'visits' has no number in 'visit_id'"
	overdue_refused "a negative margin is refused" \
		'grace_days = 20' 'grace_days = -5' \
		"overdue{}: grace_days must be a whole number of days from 0 to 36525"
	overdue_refused "an undeclared lookup is refused" \
		'lookup = "visits",' 'lookup = "bezoeken",' \
		"overdue{}: no lookup 'bezoeken'"
	overdue_refused "no months are refused" 'months = { 3, 9 }' 'months = { }' \
		"kpi 'achterstand_test': rule: sum(): overdue{} needs months"
	overdue_refused "an unknown key (a typo) is refused" \
		'grace_days = 20' 'grace_dayz = 20' \
		"kpi 'achterstand_test': rule: sum(): overdue{} has no key 'grace_dayz'"
}

# Script FILE (in $work/scripts) with text FROM replaced by TO: evaluating
# it in PERIOD (eval ARGS... added) fails with MESSAGE (WHAT names the
# check); then the script is restored.
edited_script_refused() { # FILE PERIOD WHAT FROM TO MESSAGE [ARGS...]
	local script="$work/scripts/$1" period=$2 what=$3 from=$4 to=$5 message=$6

	shift 6
	cp "$script" "$script.orig"
	python3 -c 'import sys; p, a, b = sys.argv[1:]; t = open(p).read(); assert a in t; open(p, "w").write(t.replace(a, b))' \
		"$script" "$from" "$to"
	"$peil" eval --config "$work/demo.ini" --dry-run "$@" --period "$period" \
		--format csv >"$work/own.csv" 2>"$work/err"
	expect_grep "$what" "$work/err" "$message"
	cp "$script.orig" "$script"
}

overdue_refused() { # WHAT FROM TO MESSAGE
	edited_script_refused achterstand.lua 2018-05 "$@" --kpi achterstand_test
}

# first_rise{} and in_period() (the ladder's rise made declarative): the
# fixture of test_ladder_backlog, a script of the test's without `to` and
# `order`, by month, and in_period() on a plain date field.
#
#   T1 (P1, from 01-02-2017): rung 1 on 01-02-2017, 3 on 01-09-2017 (+2:
#     the first rise), 5 on 01-03-2018 (+4, not the first).
#   T2 (P2, from 15-01-2018): rung 1 on 01-06-2016 (before T2), 2 on
#     15-01-2018 (the start), 3 on 01-10-2018 (+1: no rise of 2 rungs).
#   stijging_test (count(in_period(first_rise{...}))): 2017-08 0,
#     2017-09 1, 2018-03 0, 2018-10 0.  gestart_test
#     (count(in_period("start"))): 2017-09 0, 2018-01 1.
# peil explain shows the shipped KPI's rule written out; a lookup row
# without a number or date fails the KPI naming lookup and field; an
# undeclared lookup, a missing or unknown key, rungs out of range and
# in_period() on a number are refused naming the KPI and its file.
test_first_rise() {
	ladder_fixture
	"$peil" ingest --config "$work/demo.ini" 2>"$work/err"
	expect_rc "ingest" 0 $?
	"$peil" explain --config "$work/demo.ini" ladder_gestegen \
		>"$work/explain" 2>"$work/err"
	expect_rc "explain ladder_gestegen" 0 $?
	expect_grep "explain shows first_rise{} in in_period()" "$work/explain" \
		'where:       in_period(first_rise { lookup = "ladder", key = "person", date = "date", score = "score", from = "start", to = "end", rungs = param("rungs"), order = "measurement_id" })'
	mkdir -p "$work/scripts"
	cat >"$work/scripts/stijging.lua" <<'LUA'
kpi {
  id = "stijging_test", title = "Gestegen", unit = "trajecten",
  dataset = "trajectories", grain = "month",
  select = running_in("start", "end"),
  lookup = { ladder = { dataset = "measurements", by = "person" } },
  rule = count(in_period(first_rise { lookup = "ladder", key = "person",
    date = "date", score = "score", from = "start", rungs = 2 })),
}
kpi {
  id = "gestart_test", title = "Gestart", unit = "trajecten",
  dataset = "trajectories", grain = "month",
  select = running_in("start", "end"),
  rule = count(in_period("start")),
}
LUA
	sed -i "s|^script_dirs = .*|&, $work/scripts|" "$work/demo.ini"
	"$peil" eval --config "$work/demo.ini" --dry-run --kpi stijging_test \
		--from 2017-08 --to 2018-10 --format csv >"$work/own.csv" 2>"$work/err"
	expect_rc "eval stijging_test" 0 $?
	"$peil" eval --config "$work/demo.ini" --dry-run --kpi gestart_test \
		--from 2017-09 --to 2018-01 --format csv >"$work/start.csv" 2>"$work/err"
	expect_rc "eval gestart_test" 0 $?
	{ csv_columns kpi periode waarde <"$work/own.csv"
	  csv_columns kpi periode waarde <"$work/start.csv"; } >"$work/got"
	while IFS= read -r line; do
		if grep -qxF -- "$line" "$work/got"; then ok "$line"
		else fail "$line" "got: $(tr '\n' ' ' <"$work/got")"; fi
	done <<'EXPECTED'
stijging_test;2017-08;0
stijging_test;2017-09;1
stijging_test;2018-03;0
stijging_test;2018-10;0
gestart_test;2017-09;0
gestart_test;2018-01;1
EXPECTED
	local at="stijging.lua:1: kpi 'stijging_test'"
	first_rise_refused "a score that is no number fails the KPI" \
		'score = "score"' 'score = "instrument"' \
		"kpi 'stijging_test': first_rise{}: a row of lookup 'ladder' has no number in 'instrument'"
	first_rise_refused "a date that is no date fails the KPI" \
		'date = "date"' 'date = "domain"' \
		"kpi 'stijging_test': first_rise{}: a row of lookup 'ladder' has no date in 'domain'"
	first_rise_refused "a field not in the lookup's dataset is refused" \
		'score = "score"' 'score = "scores"' \
		"kpi 'stijging_test': first_rise{}: lookup 'ladder': no field 'scores' in dataset 'measurements'"
	first_rise_refused "an undeclared lookup is refused" \
		'lookup = "ladder", key' 'lookup = "metingen", key' \
		"$at: first_rise{}: no lookup 'metingen'"
	first_rise_refused "a missing score is refused" \
		'score = "score", ' '' \
		"$at: rule: count(): in_period(): first_rise{} needs score = a field name"
	first_rise_refused "an unknown key is refused" \
		'rungs = 2' 'rung = 2' \
		"$at: rule: count(): in_period(): first_rise{} has no key 'rung'"
	first_rise_refused "rungs of 0 are refused" 'rungs = 2' 'rungs = 0' \
		"$at: first_rise{}: rungs must be a whole number from 1 to 100"
	first_rise_refused "rungs of 101 are refused" 'rungs = 2' 'rungs = 101' \
		"$at: first_rise{}: rungs must be a whole number from 1 to 100"
	first_rise_refused "in_period() of a number is refused" \
		'count(in_period("start"))' 'count(in_period(days_between("start", "end")))' \
		"stijging.lua:9: kpi 'gestart_test': in_period() takes a date; the measure gives a number"
	first_rise_refused "in_period() of a text field is refused" \
		'count(in_period("start"))' 'count(in_period("programme"))' \
		"kpi 'gestart_test': in_period() takes a date; 'programme' is text"
}

first_rise_refused() { # WHAT FROM TO MESSAGE
	edited_script_refused stijging.lua 2017-09 "$@"
}

# score_change{} (the ZRM KPIs declarative): the
# three ZRM KPIs over the quarters of 2016 to 2018 of a generated demo,
# within the default Lua memory limit (before: each failed it, the lookup
# of every measurement and the groups held as Lua tables), with the
# figures of the Lua version they replace (its change() inlined here) run
# with a limit of 512 MiB.  Then refusals: an undeclared lookup, a key
# that is a date, a lookup score that is no number, a field of the row
# under per.
test_score_change() {
	demo_setup 2016 2018
	"$peil" ingest --config "$work/demo.ini" 2>"$work/err"
	expect_rc "ingest of the demo 2016-2018" 0 $?
	"$peil" eval --config "$work/demo.ini" --dry-run --kpi tag:zrm \
		--from 2016-Q1 --to 2018-Q4 --format csv >"$work/c.csv" 2>"$work/err"
	expect_rc "the ZRM KPIs over 2016-2018 within the memory limit" 0 $?
	"$peil" explain --config "$work/demo.ini" zrm_vooruit >"$work/explain" 2>&1
	expect_grep "explain shows score_change{}" "$work/explain" \
		'having:      is_set(score_change { lookup = "zrm", key = "person", date = "date", score = "score", by = "domain" })'
	mkdir -p "$work/lua"
	cat >"$work/lua/zrm_lua.lua" <<'LUA'
local function change(person, period, data)
  local domains, first, latest = {}, {}, {}
  for _, r in ipairs(person.rows) do domains[r.domain or ""] = true end
  for _, r in ipairs(data.zrm[person.key] or {}) do
    local d = r.domain or ""
    if domains[d] and r.date <= period.last then
      if not first[d] or r.date < first[d].date then first[d] = r end
      if not latest[d] or r.date > latest[d].date then latest[d] = r end
    end
  end
  local delta, counted = 0, false
  for d, f in pairs(first) do
    local l = latest[d]
    if l.date > f.date and l.date >= period.first then
      delta = delta + (l.score - f.score)
      counted = true
    end
  end
  if counted then return delta end
end
for _, dir in ipairs({ { "vooruit", function(d) return d > 0 end },
                       { "gelijk", function(d) return d == 0 end },
                       { "achteruit", function(d) return d < 0 end } }) do
  kpi { id = "lua_" .. dir[1], title = dir[1], unit = "personen",
    dataset = "measurements", tags = { "zrm_lua" }, grain = "quarter",
    breakdown = { "domain" }, select = started_in("date"),
    where = eq("instrument", "ZRM"), per = "person",
    lookup = { zrm = { dataset = "measurements", by = "person",
                       where = { instrument = "ZRM" } } },
    having = function(p, period, data) return change(p, period, data) ~= nil end,
    rule = count(function(p, period, data) return dir[2](change(p, period, data)) end) }
end
LUA
	sed "s|^script_dirs = .*|&, $work/lua|" "$work/demo.ini" >"$work/lua.ini"
	printf '\n[limits]\nmemory_mb = 512\n' >>"$work/lua.ini"
	"$peil" eval --config "$work/lua.ini" --dry-run --kpi tag:zrm_lua \
		--from 2016-Q1 --to 2018-Q4 --format csv >"$work/lua.csv" 2>"$work/err"
	expect_rc "the Lua version with 512 MiB" 0 $?
	csv_columns kpi periode domain waarde <"$work/c.csv" | sort >"$work/c.txt"
	csv_columns kpi periode domain waarde <"$work/lua.csv" |
		sed 's/^lua_/zrm_/' | sort >"$work/lua.txt"
	n=$(wc -l <"$work/c.txt")
	# 13 domains: the ladder's rows, without one, make no "(onbekend)"
	if [ "$n" = 504 ] && cmp -s "$work/c.txt" "$work/lua.txt"; then
		ok "504 figures (3 KPIs x 12 quarters x 13 domains and the total) equal the Lua version's"
	else
		fail "score_change{} differs from the Lua version ($n figures)" \
			"$(diff "$work/lua.txt" "$work/c.txt" | head -5)"
	fi
	mkdir -p "$work/scripts"
	cat >"$work/scripts/verandering.lua" <<'LUA'
kpi {
  id = "verandering_test", title = "Veranderd", unit = "personen",
  dataset = "measurements", grain = "quarter", select = started_in("date"),
  per = "person",
  lookup = { zrm = { dataset = "measurements", by = "person" } },
  having = is_set(score_change { lookup = "zrm", key = "person",
    date = "date", score = "score", by = "domain" }),
  rule = count(),
}
LUA
	sed -i "s|^script_dirs = .*|&, $work/scripts|" "$work/demo.ini"
	"$peil" eval --config "$work/demo.ini" --dry-run --kpi verandering_test \
		--period 2018-Q1 --format csv >"$work/own.csv" 2>"$work/err"
	expect_rc "eval verandering_test" 0 $?
	# Without per, score_change{} of each row (sum() of it), in 2018-Q2:
	#   P1 Financiën 2018-01-10 2, 2018-05-01 3, 2018-06-01 5: the rows of
	#     05-01 and 06-01 (in Q2) each see first 2 and latest 5: +3, +3.
	#   P2 Huisvesting 2018-04-10 4, its only one: empty, left out.
	#   P3 no domain 2018-02-01 1, 2018-04-05 2: +1 (an empty by is "").
	#   Sum 3 + 3 + 1 = 7.
	mkdir -p "$work/scripts/tests"
	cat >"$work/scripts/rij.lua" <<'LUA'
kpi {
  id = "verandering_rij_test", title = "Verandering", unit = "punten",
  dataset = "measurements", grain = "quarter", select = started_in("date"),
  lookup = { zrm = { dataset = "measurements", by = "person" } },
  rule = sum(score_change { lookup = "zrm", key = "person", date = "date",
    score = "score", by = "domain" }),
}
LUA
	cat >"$work/scripts/tests/rij_test.lua" <<'LUA'
local function m(id, person, date, domain, score)
  return { measurement_id = id, person = person, date = date,
           instrument = "ZRM", domain = domain, score = score }
end
test {
  name = "score_change{} per rij",
  period = "2018-Q2",
  data = { measurements = {
    m("1", "P1", "2018-01-10", "Financiën", 2),
    m("2", "P1", "2018-05-01", "Financiën", 3),
    m("3", "P1", "2018-06-01", "Financiën", 5),
    m("4", "P2", "2018-04-10", "Huisvesting", 4),
    m("5", "P3", "2018-02-01", nil, 1),
    m("6", "P3", "2018-04-05", nil, 2),
  } },
  expect = { { kpi = "verandering_rij_test", period = "2018-Q2", value = 7 } },
}
LUA
	"$peil" test --config "$work/demo.ini" "$work/scripts/tests/rij_test.lua" \
		>"$work/out" 2>&1
	expect_rc "score_change{} of each row: 7 in 2018-Q2" 0 $?
	expect_grep "... the test ran" "$work/out" "1 tests, 1 figures, 0 differ"
	rm "$work/scripts/rij.lua"
	local at="verandering.lua:1: kpi 'verandering_test'"
	score_change_refused "an undeclared lookup is refused" \
		'lookup = "zrm", key' 'lookup = "metingen", key' \
		"$at: score_change{}: no lookup 'metingen'"
	score_change_refused "a key that is a date is refused" \
		'key = "person"' 'key = "date"' \
		"kpi 'verandering_test': score_change{} key needs a text or integer field; 'date' is a date"
	score_change_refused "a lookup score that is no number is refused" \
		'score = "score"' 'score = "domain"' \
		"kpi 'verandering_test': score_change{}: lookup 'zrm': 'domain' must be a number"
	score_change_refused "a field of the row under per is refused" \
		'rule = count(),' 'rule = count(is_set("score")),' \
		"kpi 'verandering_test': with per, having and the rule take functions or score_change{} of the group"
}

# per's groups held in C: the shipped ZRM KPIs over
# 60 000 measurements in 2018-Q1, with [limits] memory_mb = 8 (before,
# their groups were every row as a Lua table: the limit was exceeded).
# Persons Q00001-Q30000, each measured in Financiën on 10 January and on
# 10 February: person i with i % 3 == 0 from 2 to 3, == 1 from 2 to 2,
# == 2 from 3 to 2.  So 10 000 each gestegen, gelijk and gedaald, in the
# cell Financiën and in the total.  A KPI with a function of the group
# gets each group as a table, made for that group alone: the persons with
# two rows, 30 000.
# A KPI whose lookup history or groups outgrow [limits] kpi_memory_mb
# fails alone, named, with what it had read; the other KPIs are
# evaluated and the run exits 1.  60 000 ZRM
# measurements of 30 000 persons: more than 1 MiB of history (56 bytes a
# row) for each of the three ZRM KPIs; the participation ladder reads
# none of them and stays within it.
test_kpi_memory_limit() {
	demo_setup 2018 2018 200
	awk 'BEGIN { print "Metingnummer;Persoonsnummer;Datum;Instrument;Domein;Score"
		for (i = 1; i <= 30000; i++) {
			printf("M%08d;Q%05d;10-01-2018;ZRM;Financiën;2\n", 2 * i - 1, i)
			printf("M%08d;Q%05d;10-02-2018;ZRM;Financiën;3\n", 2 * i, i) } }' \
		>"$work/demo/export_metingen.csv"
	# the 200 cases have no trajectory of a neighbourhood job
	sed -i "s|^kpis = .*|kpis = -tag:maatwerk, -tag:bezoeken|" "$work/demo.ini"
	printf '\n[limits]\nkpi_memory_mb = 1\n' >>"$work/demo.ini"
	"$peil" ingest --quiet --config "$work/demo.ini" 2>"$work/err"
	expect_rc "ingest of 60 000 measurements" 0 $?
	"$peil" eval --config "$work/demo.ini" --dry-run --period 2018 \
		--format csv >"$work/c.csv" 2>"$work/err"
	expect_rc "three KPIs past the limit" 1 $?
	for k in zrm_vooruit zrm_gelijk zrm_achteruit; do
		if grep -qE "kpi '$k': lookup 'zrm' needs more than \\[limits\\] kpi_memory_mb = 1 MiB \\([0-9]+ of its rows read so far\\)" "$work/err"; then
			ok "$k fails, named, with what it had read"
		else
			fail "$k fails, named" "$(cat "$work/err")"
		fi
	done
	n=$(grep -c "kpi_memory_mb" "$work/err")
	[ "$n" = 3 ] && ok "no other KPI fails" || fail "$n failures past the limit" "$(cat "$work/err")"
	csv_columns kpi waarde <"$work/c.csv" | grep -c '^casussen_gestart;' >"$work/n"
	[ "$(cat "$work/n")" -gt 0 ] && ok "the other KPIs have their figures" ||
		fail "no figures of casussen_gestart"
	if grep -q '^zrm_' "$work/c.csv"; then
		fail "a figure of a failed ZRM KPI" "$(grep '^zrm_' "$work/c.csv" | head -3)"
	else
		ok "no figure of the failed ZRM KPIs"
	fi
}

test_per_groups_memory() {
	demo_setup 2018 2018 200
	awk 'BEGIN { print "Metingnummer;Persoonsnummer;Datum;Instrument;Domein;Score"
		for (i = 1; i <= 30000; i++) {
			a = i % 3 == 2 ? 3 : 2; b = i % 3 == 0 ? 3 : 2
			printf("M%08d;Q%05d;10-01-2018;ZRM;Financiën;%d\n", 2 * i - 1, i, a)
			printf("M%08d;Q%05d;10-02-2018;ZRM;Financiën;%d\n", 2 * i, i, b) } }' \
		>"$work/demo/export_metingen.csv"
	mkdir -p "$work/scripts"
	cat >"$work/scripts/twee.lua" <<'LUA'
kpi {
  id = "twee_metingen_test", title = "Twee metingen", unit = "personen",
  dataset = "measurements", tags = { "zrm" }, grain = "quarter",
  select = started_in("date"), per = "person",
  rule = count(function(p) return #p.rows == 2 end),
}
LUA
	sed -i "s|^script_dirs = .*|&, $work/scripts|" "$work/demo.ini"
	printf '\n[limits]\nmemory_mb = 8\n' >>"$work/demo.ini"
	zrm_figures 2018-Q1 "ingest of 60 000 measurements" \
		"the ZRM KPIs within 8 MiB of Lua memory" "$work/c.txt"
	cat >"$work/want.txt" <<'EOF2'
twee_metingen_test;Totaal;30000
zrm_achteruit;Financiën;10000
zrm_achteruit;Totaal;10000
zrm_gelijk;Financiën;10000
zrm_gelijk;Totaal;10000
zrm_vooruit;Financiën;10000
zrm_vooruit;Totaal;10000
EOF2
	if cmp -s "$work/want.txt" "$work/c.txt"; then
		ok "10 000 gestegen, gelijk and gedaald; 30 000 with two rows"
	else
		fail "the figures differ" "$(diff "$work/want.txt" "$work/c.txt" | head -5)"
	fi
}

# The lookups of overdue{} and first_rise{} held in C (before, they were Lua
# tables: the limit was exceeded), with [limits]
# memory_mb = 8.  Trajectories T00001-T30000 of persons P00001-P30000,
# all from 1 January 2018.  Measurements on the Participatieladder, two a
# person: 1 on 10 January and, on 10 February, 3 for i % 3 == 0, 2 for
# i % 3 == 1 and 4 for i % 3 == 2; so a rise of 2 rungs on 10 February
# for 20 000 (stijging_mem_test: 2018-01 0, 2018-02 20000, 2018-03 0).
# Visits: month 3 on 1 April 2018 for all, month 1 on 15 February for
# even i.  The visit after 1 month is due on 1 February: overdue at the
# reference date of February and of March for the 15 000 odd i, not yet
# at that of January (achterstand_mem_test: 0, 15000, 15000).  T30001 of
# P30001, from 31 March, without measurements or visits due, says the
# export reaches March (else February and March would lie after the data,
# not evaluated).
test_lookup_memory() {
	demo_setup 2018 2018 200
	sed -i 's/^min_count = 10/min_count = 0/' "$work/demo.ini"
	awk 'BEGIN { print "Trajectnummer;Persoonsnummer;Programma;Startdatum;Einddatum"
		for (i = 1; i <= 30000; i++)
			printf("T%05d;P%05d;Buurtbaan;01-01-2018;\n", i, i)
		print "T30001;P30001;Geldzaken;31-03-2018;" }' \
		>"$work/demo/export_trajecten.csv"
	awk 'BEGIN { print "Metingnummer;Persoonsnummer;Datum;Instrument;Domein;Score"
		for (i = 1; i <= 30000; i++) {
			b = i % 3 == 0 ? 3 : i % 3 == 1 ? 2 : 4
			printf("M%08d;P%05d;10-01-2018;Participatieladder;;1\n", 2 * i - 1, i)
			printf("M%08d;P%05d;10-02-2018;Participatieladder;;%d\n", 2 * i, i, b) } }' \
		>"$work/demo/export_metingen.csv"
	awk 'BEGIN { print "Bezoeknummer;Trajectnummer;Maand;Datum bezoek"
		for (i = 1; i <= 30000; i++) {
			printf("B%05d3;T%05d;3;01-04-2018\n", i, i)
			if (i % 2 == 0)
				printf("B%05d1;T%05d;1;15-02-2018\n", i, i) } }' \
		>"$work/demo/export_bezoeken.csv"
	mkdir -p "$work/scripts"
	cat >"$work/scripts/lookup_mem.lua" <<'LUA'
kpi {
  id = "stijging_mem_test", title = "Gestegen", unit = "trajecten",
  dataset = "trajectories", grain = "month", tags = { "lookup_mem" },
  select = running_in("start", "end"),
  lookup = { ladder = { dataset = "measurements", by = "person",
                        where = { instrument = "Participatieladder" } } },
  rule = count(in_period(first_rise { lookup = "ladder", key = "person",
    date = "date", score = "score", from = "start", rungs = 2,
    order = "measurement_id" })),
}
kpi {
  id = "achterstand_mem_test", title = "Achterstand", unit = "bezoeken",
  dataset = "trajectories", grain = "month", tags = { "lookup_mem" },
  select = running_in("start", "end"),
  lookup = { visits = { dataset = "visits", by = "trajectory_id" } },
  rule = sum(overdue { start = "start", months = { 1 }, lookup = "visits",
    key = "trajectory_id", step = "month", done = "date", grace_days = 0 }),
}
LUA
	sed -i "s|^script_dirs = .*|&, $work/scripts|" "$work/demo.ini"
	printf '\n[limits]\nmemory_mb = 8\n' >>"$work/demo.ini"
	"$peil" ingest --quiet --config "$work/demo.ini" 2>"$work/err"
	expect_rc "ingest of 60 000 measurements and 45 000 visits" 0 $?
	"$peil" eval --config "$work/demo.ini" --dry-run \
		--kpi tag:lookup_mem \
		--from 2018-01 --to 2018-03 --format csv >"$work/c.csv" 2>"$work/err"
	expect_rc "first_rise{} and overdue{} within 8 MiB of Lua memory" 0 $?
	csv_columns kpi periode waarde <"$work/c.csv" | sort >"$work/c.txt"
	cat >"$work/want.txt" <<'EOF2'
achterstand_mem_test;2018-01;0
achterstand_mem_test;2018-02;15000
achterstand_mem_test;2018-03;15000
stijging_mem_test;2018-01;0
stijging_mem_test;2018-02;20000
stijging_mem_test;2018-03;0
EOF2
	if cmp -s "$work/want.txt" "$work/c.txt"; then
		ok "20 000 rose in February; 15 000 visits overdue from February"
	else
		fail "the figures differ" "$(diff "$work/want.txt" "$work/c.txt" | head -8)"
	fi
}

# ZRM measurements on one day (zrm.lua, score_change{}): the first and
# the latest measurement of a pair are, on one day, the first in the
# lookup's order, which is the store's: by key, not the order of the
# export.  Q2 2018, the export's rows in this order:
#   P1 Werk        M22 01-02 5, M21 01-02 1, M24 01-05 2, M23 01-05 4
#     by key M21 (1) is the first and M23 (4) the latest: +3, up (in
#     the export's order 5 to 2: down)
#   P2 Financien   M32 10-01 3, M34 15-04 5, M33 15-04 1
#     the latest is M33 (1): -2, down (in the export's order +2, up)
#   P3 Huisvesting M42 02-06 4, M41 02-06 2: first and latest on one
#     day, not counted
#   P4 Werk        M51 01-01 3, M52 03-04 3: 0, stayed
# Per domain: Werk up 1 (P1), stayed 1 (P4); Financien down 1 (P2);
# Huisvesting 0 in each (measured in Q2: the cell is there).  Total: up
# 1, stayed 1, down 1; P3 in none.
test_zrm_same_day() {
	demo_setup 2018 2018 200
	sed -i 's/^min_count = 10/min_count = 0/' "$work/demo.ini"
	{
		printf 'Metingnummer;Persoonsnummer;Datum;Instrument;Domein;Score\r\n'
		printf '%s\r\n' 'M22;P1;01-02-2018;ZRM;Werk;5' \
			'M21;P1;01-02-2018;ZRM;Werk;1' \
			'M24;P1;01-05-2018;ZRM;Werk;2' \
			'M23;P1;01-05-2018;ZRM;Werk;4' \
			'M32;P2;10-01-2018;ZRM;Financien;3' \
			'M34;P2;15-04-2018;ZRM;Financien;5' \
			'M33;P2;15-04-2018;ZRM;Financien;1' \
			'M42;P3;02-06-2018;ZRM;Huisvesting;4' \
			'M41;P3;02-06-2018;ZRM;Huisvesting;2' \
			'M51;P4;01-01-2018;ZRM;Werk;3' \
			'M52;P4;03-04-2018;ZRM;Werk;3'
	} >"$work/demo/export_metingen.csv"
	zrm_figures 2018-Q2 "ingest" "eval of the ZRM KPIs in 2018-Q2" \
		"$work/got"
	cat >"$work/want" <<'EXPECTED'
zrm_achteruit;Financien;1
zrm_achteruit;Huisvesting;0
zrm_achteruit;Totaal;1
zrm_achteruit;Werk;0
zrm_gelijk;Financien;0
zrm_gelijk;Huisvesting;0
zrm_gelijk;Totaal;1
zrm_gelijk;Werk;1
zrm_vooruit;Financien;0
zrm_vooruit;Huisvesting;0
zrm_vooruit;Totaal;1
zrm_vooruit;Werk;1
EXPECTED
	if cmp -s "$work/want" "$work/got"; then
		ok "same-day ZRM measurements: the first by key counts (up 1, stayed 1, down 1)"
	else
		fail "same-day ZRM measurements" "$(diff "$work/want" "$work/got" | head -12)"
	fi
}

# Two score_change{} of one group over two lookups (having over the ZRM,
# the rule over the ladder): a group's change is remembered for the slot
# and a person's key number per lookup, each for the first only; the
# second is worked out each time, never taken for the first.  2018-Q2,
# the KPI's rows the ZRM ones:
#   P1 ZRM Werk 10-01 2, 01-05 3: +1, having; ladder 01-02 1, 02-05 3: +2, hit
#   P2 ZRM Werk 10-01 3, 01-05 3: 0, having; ladder 01-03 4, 01-06 2: -2
#   P3 ZRM Werk 05-05 2 alone: no change, left out (its ladder +4)
#   P4 ZRM Werk 01-01 1, 02-04 2: +1, having; no ladder: empty
# count: 1 (P1).  (The ZRM change taken for the ladder's: 2, P1 and P4.)
test_score_change_two() {
	demo_setup 2018 2018 200
	mkdir -p "$work/scripts/tests"
	cat >"$work/scripts/twee.lua" <<'LUA'
kpi {
  id = "twee_test", title = "Twee", unit = "personen",
  dataset = "measurements", grain = "quarter", select = started_in("date"),
  where = eq("instrument", "ZRM"), per = "person",
  lookup = { zrm = { dataset = "measurements", by = "person",
                     where = { instrument = "ZRM" } },
             lad = { dataset = "measurements", by = "person",
                     where = { instrument = "Participatieladder" } } },
  having = is_set(score_change { lookup = "zrm", key = "person",
    date = "date", score = "score", by = "domain" }),
  rule = count(gt(score_change { lookup = "lad", key = "person",
    date = "date", score = "score" }, 0)),
}
LUA
	cat >"$work/scripts/tests/twee_test.lua" <<'LUA'
local function m(id, person, date, instrument, domain, score)
  return { measurement_id = id, person = person, date = date,
           instrument = instrument, domain = domain, score = score }
end
local Z, L = "ZRM", "Participatieladder"
test {
  name = "twee score_change{} in een groep",
  period = "2018-Q2",
  data = { measurements = {
    m("01", "P1", "2018-01-10", Z, "Werk", 2), m("02", "P1", "2018-05-01", Z, "Werk", 3),
    m("03", "P1", "2018-02-01", L, nil, 1), m("04", "P1", "2018-05-02", L, nil, 3),
    m("05", "P2", "2018-01-10", Z, "Werk", 3), m("06", "P2", "2018-05-01", Z, "Werk", 3),
    m("07", "P2", "2018-03-01", L, nil, 4), m("08", "P2", "2018-06-01", L, nil, 2),
    m("09", "P3", "2018-05-05", Z, "Werk", 2),
    m("10", "P3", "2018-01-01", L, nil, 1), m("11", "P3", "2018-04-01", L, nil, 5),
    m("12", "P4", "2018-01-01", Z, "Werk", 1), m("13", "P4", "2018-04-02", Z, "Werk", 2),
  } },
  expect = { { kpi = "twee_test", period = "2018-Q2", value = 1 } },
}
LUA
	sed -i "s|^script_dirs = .*|&, $work/scripts|" "$work/demo.ini"
	"$peil" test --config "$work/demo.ini" "$work/scripts/tests/twee_test.lua" \
		>"$work/out" 2>&1
	expect_rc "two score_change{} in one group: 1 in 2018-Q2" 0 $?
	expect_grep "... the test ran" "$work/out" "1 tests, 1 figures, 0 differ"
}

# Ingest the demo's sources, evaluate the KPIs tagged zrm in PERIOD and
# write their figures as "kpi;domain;value", sorted, to OUT.
zrm_figures() { # PERIOD WHAT-INGEST WHAT-EVAL OUT
	"$peil" ingest --quiet --config "$work/demo.ini" 2>"$work/err"
	expect_rc "$2" 0 $?
	"$peil" eval --config "$work/demo.ini" --dry-run --kpi tag:zrm \
		--period "$1" --format csv >"$work/zrm.csv" 2>"$work/err"
	expect_rc "$3" 0 $?
	csv_columns kpi domain waarde <"$work/zrm.csv" | sort >"$4"
}

score_change_refused() { # WHAT FROM TO MESSAGE
	edited_script_refused verandering.lua 2018-Q1 "$@" --kpi verandering_test
}
