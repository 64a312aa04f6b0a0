# Sourced by cli.sh: trust of stored values and of what a run hashes, a
# sixth round (cases_trust5.sh is the fifth).

# ------------------------------------------- allowed lists of typed fields
# allowed.FIELD of an integer or date field declared after the rows were
# stored (with on_unknown = refuse, cases_hostile4.sh) was not held
# against the stored rows: only text fields were, and peil run exited 0.
# The ingest holds the export's text against the list and stores the
# listed item, read as the field's type; so a stored value is listed when
# some item of the list, read with the source's date_format and decimal,
# is that value.  By hand: the scores stored are S1 5, S2 3, S3 04 (= 4),
# S4 6, S5 3, S6 6; the list "04, 5, 6" holds 4, 5 and 6: S2 and S5 (3)
# are not listed, S2 the first.  The dates are 1..6 March 2018; the list
# "1-3-2018, 02-03-2018, 03-03-2018, 5-3-2018, 06-03-2018" lacks 4 March
# (S4).  An item that is no value of the field's type ('vijf' in an
# integer list, 31-02-2018 in a date list) would only turn away the rows
# it was meant to let in: refused as a config error (exit 3) by check,
# run and ingest alike, naming the item, the list and the type.
test_trust6_stored_allowed_typed() {
	local score="allowed.score = 04, 5, 6"
	local date="allowed.date = 1-3-2018, 02-03-2018, 03-03-2018, 5-3-2018, 06-03-2018"
	mkdir -p "$work/exports"
	printf 'Id;Datum;Instrument;Score;Cijfer\r\nS1;01-03-2018;ZRM;5;7\r\nS2;02-03-2018;ZRM;3;8\r\nS3;03-03-2018;Ladder;04;7\r\nS4;04-03-2018;ZRM;6;6\r\nS5;05-03-2018;ZRM;3;6\r\n' \
		>"$work/exports/1.csv"
	hostile4_allowed_config
	peil_expect "stored without a list" 0 /dev/null ingest
	rm "$work/exports/1.csv"
	printf 'Id;Datum;Instrument;Score;Cijfer\r\nS6;06-03-2018;ZRM;6;7\r\n' >"$work/exports/2.csv"
	hostile4_allowed_config "$score" "$date" "on_unknown = refuse"
	peil_expect "check: warnings about stored values" 0 "$work/out" check
	expect_grep "check: two warnings" "$work/out" "2 warnings about the stored values"
	expect_grep "check: the scores outside the list, the first by its key" "$work/err" \
		"dataset scores: 2 of its 5 stored rows hold a score that allowed.score of its sources does not list (the first: '3') in the row of id 'S2', stored before the list was declared: peil ingest --force"
	expect_grep "check: the date outside the list, by its key" "$work/err" \
		"dataset scores: 1 of its 5 stored rows hold a date that allowed.date of its sources does not list (the first: '2018-03-04') in the row of id 'S4', stored before the list was declared"
	peil_expect "run: the rows counted, said, exit 2" 2 "$work/out" run --format csv
	expect_grep "run: the score list named" "$work/err" \
		"2 of its 6 stored rows hold a score that allowed.score of its sources does not list (the first: '3') in the row of id 'S2'"
	expect_grep "run: the date list named" "$work/err" \
		"1 of its 6 stored rows hold a date that allowed.date of its sources does not list (the first: '2018-03-04') in the row of id 'S4'"
	expect_grep "run: what it means" "$work/err" \
		"the figures count stored rows that break 2 rules of the datasets (above)"
	expect_grep "run: the figures still evaluated" "$work/out" "scores;Scores;scores;2018-03;6;"
	peil_expect "run again (confirms): still exit 2" 2 /dev/null run
	expect_grep "which confirms" "$work/err" "whose figures it confirms"
	expect_grep "and warns again" "$work/err" "break 2 rules of the datasets"
	hostile4_allowed_config "$score" "$date"
	peil_expect "the lists under on_unknown = warn: exit 0" 0 /dev/null run
	expect_no_grep "under warn: no warning about stored values" "$work/err" "does not list"
	hostile4_allowed_config "allowed.score = 3, 04, 5, 6" "$date, 4-3-2018" "on_unknown = refuse"
	peil_expect "run with every stored value listed: exit 0" 0 /dev/null run
	expect_no_grep "listed: no warning" "$work/err" "does not list"
	hostile4_allowed_config "allowed.score = 3, 4, vijf, 6" "$date, 4-3-2018" "on_unknown = refuse"
	peil_expect "check with 'vijf' for 5 in an integer list: refused" 3 /dev/null check
	expect_grep "check: the item, the list and the type named" "$work/err" \
		"allowed.score: 'vijf' is not a whole number, as field score is integer"
	expect_grep "check: at its config line" "$work/err" "peil.ini:"
	peil_expect "run with 'vijf': refused before it evaluates" 3 /dev/null run
	expect_grep "run: the item named" "$work/err" "allowed.score: 'vijf' is not a whole number"
	expect_no_grep "run: no figures evaluated" "$work/err" "whose figures it confirms"
	peil_expect "ingest with 'vijf': refused, nothing read" 3 /dev/null ingest
	expect_grep "ingest: the item named" "$work/err" "allowed.score: 'vijf' is not a whole number"
	hostile4_allowed_config "allowed.score = 3, 04, 5, 6" "$date, 4-3-2018, 31-02-2018" "on_unknown = refuse"
	peil_expect "check with 31-02-2018 in a date list: refused" 3 /dev/null check
	expect_grep "check: the date named" "$work/err" \
		"allowed.date: '31-02-2018' is not a date in the declared format, as field date is date"
}

# ------------------------------------------- modules at any depth
# A module nine directories below a script directory was not hashed
# (only eight levels were walked): with only that module changed, the
# next run confirmed the old figures, exit 0.  Now every module under the
# script directories is hashed, at any depth.  By hand (cli.sh): January
# 2018 cases started, Noord D1 D3 = 2, Zuid D5 = 1; the module counts
# Noord's, then Zuid's: 2, then 1.
test_trust6_deep_module() {
	local deep="$work/deep/a/b/c/d/e/f/g/h/i"
	mkdir -p "$deep"
	started_kpi "$work/deep/laat.lua" laat "Laat geladen" \
		'count(function(c) return require("a.b.c.d.e.f.g.h.i.welk").telt(c) end)'
	printf 'return { telt = function(c) return c.team == "Buurtteam Noord" end }\n' \
		>"$deep/welk.lua"
	fixture_config "$src/tests/data/e2e/cases.csv" "$work/deep" 2018-01
	peil_expect "the first run" 0 "$work/out.csv" run --format csv
	trust5_laat "Noord: 2" 2
	sed -i 's/Noord/Zuid/' "$deep/welk.lua"
	peil_expect "a run after only the deep module changed: a final figure changed" 5 "$work/out.csv" run --format csv
	expect_grep "it evaluates, saying why" "$work/err" "evaluating: the definition of laat changed since run 1"
	expect_no_grep "it does not confirm run 1" "$work/err" "whose figures it confirms"
	trust5_laat "Zuid: 1" 1
	peil_expect "the run after it" 0 /dev/null run
	expect_grep "which confirms it" "$work/err" "nothing changed since run 2, whose figures it confirms"
}

# ------------------------------------------- directory links in a loop
# Directory links that lead back up (lib/l0 .. lib/l9 -> lib, lib/up ->
# the script directory) made the walk of the modules visit every path
# through them up to its depth bound: ten links back, 10^8 paths, a run
# that never ended.  Now each directory is walked once: the run ends
# (bounded by timeout here, not timed), gives the figures (Noord 2, then
# Zuid 1) and still sees a change of the module that a KPI requires
# through a link (lib.l3.l7.welk is lib/welk.lua).
test_trust6_module_link_loop() {
	mkdir -p "$work/loop/lib"
	for i in 0 1 2 3 4 5 6 7 8 9; do ln -s . "$work/loop/lib/l$i"; done
	ln -s .. "$work/loop/lib/up"
	started_kpi "$work/loop/laat.lua" laat "Laat geladen" \
		'count(function(c) return require("lib.l3.l7.welk").telt(c) end)'
	printf 'return { telt = function(c) return c.team == "Buurtteam Noord" end }\n' \
		>"$work/loop/lib/welk.lua"
	fixture_config "$src/tests/data/e2e/cases.csv" "$work/loop" 2018-01
	timeout -s KILL 300 "$peil" run --config "$work/peil.ini" --format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "the first run ends" 0 $?
	trust5_laat "Noord: 2" 2
	sed -i 's/Noord/Zuid/' "$work/loop/lib/welk.lua"
	timeout -s KILL 300 "$peil" run --config "$work/peil.ini" --format csv >"$work/out.csv" 2>"$work/err"
	expect_rc "a run after the module changed: a final figure changed" 5 $?
	expect_grep "it evaluates, saying why" "$work/err" "evaluating: the definition of laat changed since run 1"
	trust5_laat "Zuid: 1" 1
	timeout -s KILL 300 "$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "the run after it" 0 $?
	expect_grep "which confirms it" "$work/err" "nothing changed since run 2, whose figures it confirms"
}

# ------------------------------------------- a note left half-written
# The sqlite store writes its note of how Peil left the file
# (PATH.stamp, cases_trust3.sh) as PATH.stamp.part and renames it over
# the note; a Peil killed between the two left the .part beside the store
# for ever.  Now the next open removes it, by that exact name (a file
# named otherwise stays), and never reads it as the note: with the note
# gone and a .part that would vouch for the file, the run evaluates.  A
# link at the .part is not Peil's: it is not removed, nor written
# through (the file it names keeps its text).
test_trust6_stamp_part() {
	trust3_run_twice
	cp "$work/peil.db.stamp" "$work/peil.db.stamp.part"
	echo keep >"$work/peil.db.stamp.partial"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "a run with a stale .part beside the store" 0 $?
	expect_grep "it confirms run 1 (as run 2 did): the note holds" "$work/err" \
		"nothing changed since run 1, whose figures it confirms"
	[ ! -e "$work/peil.db.stamp.part" ] && ok "the .part is gone" ||
		fail "the .part is gone" "$(ls -l "$work")"
	expect_grep "it says so" "$work/err" \
		"removed $work/peil.db.stamp.part, a note of how Peil left the store that a Peil stopped while it wrote it"
	[ "$(cat "$work/peil.db.stamp.partial")" = keep ] &&
		ok "a file of another name stays" || fail "a file of another name stays"
	mv "$work/peil.db.stamp" "$work/peil.db.stamp.part"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	expect_rc "a run with the note only as .part" 0 $?
	expect_grep "the .part is no note: it evaluates" "$work/err" \
		"evaluating: the store is not as Peil left it after run"
	[ -e "$work/peil.db.stamp" ] && [ ! -e "$work/peil.db.stamp.part" ] &&
		ok "a new note, no .part" || fail "a new note, no .part" "$(ls -l "$work")"
	echo victim >"$work/victim"
	ln -s "$work/victim" "$work/peil.db.stamp.part"
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	[ "$(cat "$work/victim")" = victim ] && [ -L "$work/peil.db.stamp.part" ] &&
		ok "a link at the .part: not removed, not written through" ||
		fail "a link at the .part" "$(cat "$work/victim")" "$(ls -l "$work")"
	expect_grep "the note cannot be written: said" "$work/err" \
		"cannot write $work/peil.db.stamp: the next run evaluates"
}
