# Sourced by cli.sh: hostile round four, on checks, settings and outputs:
# rules declared after their rows were stored, names longer than Peil's
# limits, and what a changed config, the environment and odd output paths
# do to the figures.

# hostile4_scores_config [DATASET_LINES...]: $work/peil.ini over
# $work/scores.csv, a dataset scores (id, date, instrument, score of 1..6,
# mark) with the lines given added to its section, and a KPI that counts
# its rows per month of date; [run] periods = 2018-03, no small cells.
hostile4_scores_config() {
	local line
	mkdir -p "$work/score_scripts"
	printf 'kpi { id = "scores", title = "Scores", unit = "scores",\n  dataset = "scores", grain = "month",\n  select = started_in("date"), rule = count() }\n' \
		>"$work/score_scripts/scores.lua"
	{
		peil_sections "$plugins" "$work/score_scripts" sqlite
		printf '[run]\nperiods = 2018-03\n[privacy]\nmin_count = 0\n'
		printf '[dataset scores]\nfield.id = text key\nfield.date = date required\n'
		printf 'field.instrument = text\nfield.score = integer 1..6\n'
		for line; do printf '%s\n' "$line"; done
		printf '[source scores]\nplugin = csv\ndataset = scores\npath = %s\n' "$work/scores.csv"
		printf 'separator = semicolon\ndate_format = dd-mm-jjjj\n'
		printf 'column.Id = id\ncolumn.Datum = date\ncolumn.Instrument = instrument\n'
		printf 'column.Score = score\ncolumn.Cijfer = mark\n'
	} >"$work/peil.ini"
}

# ----------------------------------- rules declared after rows were stored
# A range for some rows (range.score.instrument.ZRM) declared after the
# rows were stored: peil check did not count the rows that break it, and
# peil run published figures that counted them, exit 0.  Now check warns
# per rule (the dataset, the field, the rule, how many rows and the first
# by its key and value), as for a field's own range, and run warns the
# same and exits 2, as for rows an ingest rejects; the figures are still
# evaluated (the count of March is 4: every stored row).  By hand: S2
# and S4 are ZRM scores of 6 (outside 1..5), S3's 6 is a ladder's;
# S3's mark of 75 breaks 1..10.
test_hostile4_stored_rules() {
	printf 'Id;Datum;Instrument;Score;Cijfer\r\nS1;01-03-2018;ZRM;5;7\r\nS2;02-03-2018;ZRM;6;8\r\nS3;03-03-2018;Ladder;6;75\r\nS4;04-03-2018;ZRM;6;6\r\n' \
		>"$work/scores.csv"
	hostile4_scores_config "field.mark = integer"
	peil_expect "stored without the rules" 0 /dev/null ingest
	hostile4_scores_config "field.mark = integer 1..10" "range.score.instrument.ZRM = 1..5"
	peil_expect "check: warnings about stored values" 0 "$work/out" check
	expect_grep "check: two warnings" "$work/out" "2 warnings about the stored values"
	expect_grep "check: the ZRM scores outside 1..5, the first by its key" "$work/err" \
		"dataset scores: 2 of its 4 stored rows hold a score outside 1..5 where instrument is 'ZRM', the range that range.score.instrument.ZRM declares (the first: 6) in the row of id 'S2', stored before it was declared"
	expect_grep "check: the mark outside 1..10, its row by its key" "$work/err" \
		"dataset scores: 1 of its 4 stored rows hold a mark outside 1..10, the range that field.mark declares (the first: 75) in the row of id 'S3'"
	peil_expect "run: the rows counted, said, exit 2" 2 "$work/out" run --format csv
	expect_grep "run: the ZRM rule named" "$work/err" \
		"2 of its 4 stored rows hold a score outside 1..5 where instrument is 'ZRM'"
	expect_grep "run: what it means" "$work/err" \
		"the figures count stored rows that break 2 rules of the datasets (above)"
	expect_grep "run: the figures still evaluated" "$work/out" "scores;Scores;scores;2018-03;4;"
	peil_expect "run again (confirms): still exit 2" 2 /dev/null run
	peil_expect "ingest --force refuses the file" 2 /dev/null ingest --force
	expect_grep "ingest --force names the line" "$work/err" "scores.csv:3:"
}
