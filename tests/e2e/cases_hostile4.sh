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

# ------------------------------------------- names longer than Peil's limits
# hostile4_names DATASET FIELD SOURCE KPI [DATASET_LINE]: $work/peil.ini
# and a script of KPI over DATASET (FIELD its key) read by SOURCE, with a
# [kpi KPI] section (decimals = 1; none for an id too long for a line)
# and DATASET_LINE in the dataset, on the line after its header (8).
hostile4_names() {
	mkdir -p "$work/name_scripts"
	rm -f "$work"/name_scripts/*
	printf 'Id;Datum\r\nA;01-03-2018\r\n' >"$work/names.csv"
	printf 'kpi { id = "%s", title = "T", unit = "u", dataset = "%s",\n  grain = "month", select = started_in("date"), rule = count() }\n' \
		"$4" "$1" >"$work/name_scripts/k.lua"
	{
		peil_sections "$plugins" "$work/name_scripts" sqlite
		printf '[dataset %s]\nfield.%s = text key\nfield.date = date\n%s\n' "$1" "$2" "${5:-}"
		printf '[source %s]\nplugin = csv\ndataset = %s\npath = %s\n' "$3" "$1" "$work/names.csv"
		printf 'separator = semicolon\ndate_format = dd-mm-jjjj\ncolumn.Id = %s\ncolumn.Datum = date\n' "$2"
		[ ${#4} -gt 150 ] || printf '[kpi %s]\ndecimals = 1\n' "$4"
	} >"$work/peil.ini"
}

# Names of datasets, fields, sources and KPIs of 63, 64 and more
# characters.  inih kept 49 bytes of a [section] name: a dataset of 63
# was "not declared by a [dataset ...] section", a source's name was
# cut (two sources to one), [kpi ID] of a long id named an unknown KPI.
# A dataset's or field's name of 64 was "not a-z, 0-9 and _"; a KPI's id
# was cut to 127 characters, silently, in the figures; a not_before of
# 64 characters was cut to a declared field of 63 and checked against
# it.  Now each is read whole or refused naming the limit, the file, the
# line and the name.
test_hostile4_long_names() {
	local d63 d64 d200 k127 k128 k200 s100
	d63=$(printf 'd%.0s' $(seq 63)); d64=${d63}d; d200=$(printf 'd%.0s' $(seq 200))
	k127=$(printf 'k%.0s' $(seq 127)); k128=${k127}k; k200=$(printf 'k%.0s' $(seq 200))
	s100=$(printf 's%.0s' $(seq 100))
	hostile4_names "$d63" id "$s100" "$k127"
	peil_expect "a dataset of 63, a source of 100, a KPI of 127: fine" 0 "$work/out" check
	expect_grep "the source's name whole" "$work/out" "source $s100: csv"
	peil_expect "they ingest" 0 /dev/null ingest
	peil_expect "and evaluate" 0 /dev/null eval --from 2018-03 --to 2018-03
	expect_sql "the ingest log has the source's name whole" \
		"SELECT length(source) FROM peil_ingest" 100
	expect_sql "the dataset's rows in its table" \
		"SELECT count(*) FROM ds_$d63" 1
	expect_sql "the figure has the KPI's id whole" \
		"SELECT DISTINCT length(kpi) FROM peil_figures" 127
	hostile4_names "$d64" id src k
	peil_expect "a dataset of 64: refused" 3 /dev/null check
	expect_grep "the limit, file, line and name" "$work/err" \
		"peil.ini:8: dataset name '$d64' is 64 characters long: at most 63"
	hostile4_names ds "$d63" src k
	peil_expect "a field of 63: fine" 0 /dev/null check
	hostile4_names ds "$d64" src k
	peil_expect "a field of 64: refused" 3 /dev/null check
	expect_grep "the field: limit, line and name" "$work/err" \
		"peil.ini:9: field name '$d64' is 64 characters long: at most 63"
	hostile4_names ds id src k "field.$d63 = date
field.later = date not_before $d64"
	peil_expect "not_before a field of 64: refused" 3 /dev/null check
	expect_grep "not_before: limit, line and name" "$work/err" \
		"peil.ini:12: field name '$d64' is 64 characters long: at most 63"
	hostile4_names ds id src "$k128"
	peil_expect "a KPI id of 128: refused" 3 /dev/null check
	expect_grep "the KPI: its script, limit and id" "$work/err" \
		"k.lua:1: kpi: id '$k128' is 128 characters long: at most 127"
	hostile4_names ds id src "$k200"
	peil_expect "a KPI id of 200: refused" 3 /dev/null check
	expect_grep "the KPI of 200: limit and id" "$work/err" \
		"kpi: id '$k200' is 200 characters long: at most 127"
	hostile4_names "$d200" id src k
	peil_expect "a dataset of 200: refused" 3 /dev/null check
	expect_grep "a line that long: the limit and line" "$work/err" \
		"peil.ini:8: line is longer than 197 characters"
}

# ------------------------------------------ figures no number can carry
# A KPI whose measure sums 1e308 over the fixture's 10 cases of 2018-Q1
# (8 started in it) reached infinity: CSV wrote "inf", JSON null (no
# value), exit 0; so did a ratio over a sum of 1e-308s.  A measure
# function that returned 9007199254740993 (2^53 + 1) counted as
# 9007199254740992, silently.  Now each fails its KPI, naming why (exit
# 1), and the other KPIs' figures stand.  -0 is written 0.
test_hostile4_non_finite() {
	local spec id
	mkdir -p "$work/nf"
	for spec in "big:sum(function(r) return 1e308 end)" \
		    "tiny:ratio(count(), sum(function(r) return 1e-320 end))" \
		    "over53:sum(function(r) return 9007199254740993 end)" \
		    "at53:sum(function(r) return 9007199254740992 // 8 end)" \
		    "negzero:sum(function(r) return -0.0 end)"; do
		id=${spec%%:*}
		printf 'kpi { id = "%s", title = "T", unit = "u", dataset = "cases",\n  grain = "quarter", select = started_in("registered"), rule = %s }\n' \
			"$id" "${spec#*:}" >"$work/nf/$id.lua"
	done
	fixture_config "$src/tests/data/e2e/cases.csv" "$work/nf" 2018-Q1
	peil_expect "stored" 0 /dev/null ingest
	peil_expect "eval: the KPIs beyond the numbers fail" 1 "$work/out" \
		eval --from 2018-Q1 --to 2018-Q1 --format csv
	expect_grep "a sum of 1e308s: failed, named" "$work/err" \
		"KPI big failed: the value of period 2018-Q1 is not a finite number"
	expect_grep "a ratio over 1e-320s: failed" "$work/err" \
		"KPI tiny failed: the value of period 2018-Q1 is not a finite number"
	expect_grep "2^53 + 1: failed with its line" "$work/err" \
		"the measure function (line 2) returned 9007199254740993; expected a finite number or nil, an integer within 2^53"
	expect_grep "2^53 / 8 summed over 8 cases: 2^53 (CSV: ten digits)" "$work/out" "at53;T;u;2018-Q1;9,007199255e+15;"
	expect_grep "-0 written 0" "$work/out" "negzero;T;u;2018-Q1;0;"
	if grep -q "inf\|^big;\|^tiny;\|^over53;" "$work/out"; then
		fail "no figure of a failed KPI" "$(cat "$work/out")"
	else ok "no figure of a failed KPI"; fi
}

# ------------------------------- allowed values declared after rows were stored
# An allowed.FIELD list declared (or narrowed) after the rows were
# stored from an export that has gone since (exports come and go; a run
# reads again only those still there): check and run said nothing and
# the figures counted the rows, exit 0.  Now they are counted as the
# rows that break a declared range are: check warns (the field, how many
# rows, the first by its key and value), run warns the same and exits 2,
# its figures still evaluated.  By hand: 1.csv's S2 and S4 hold
# 'Zelfredzaamheid', outside 'ZRM, Ladder'; S5's empty instrument is
# not checked (as ingest does not); 2.csv adds S6 of 'ZRM'; March counts
# all 6 rows (check, which ingests nothing, sees 5).  With fold.instrument = case and the list 'zrm, Ladder,
# Zelfredzaamheid', ingest stores 'zrm' (S6, read again under the new
# settings): S1's 'ZRM' is spelled otherwise, 1 row.  A second source
# of the dataset without a list could have stored any value: the field
# is not checked then.  Nor is it under on_unknown = warn, which admits
# an unlisted value with the ingest's warning (a run after the list is
# declared without refuse exits 0: the rows are as the settings admit).
hostile4_allowed_config() { # hostile4_allowed_config [SOURCE_LINES...]
	local line
	hostile4_scores_config "field.mark = integer"
	sed -i "s|^path = $work/scores.csv\$|path = $work/exports/*.csv|" "$work/peil.ini"
	for line; do printf '%s\n' "$line"; done >>"$work/peil.ini"	# [source scores] is last
}
test_hostile4_stored_allowed() {
	mkdir -p "$work/exports"
	printf 'Id;Datum;Instrument;Score;Cijfer\r\nS1;01-03-2018;ZRM;5;7\r\nS2;02-03-2018;Zelfredzaamheid;4;8\r\nS3;03-03-2018;Ladder;6;7\r\nS4;04-03-2018;Zelfredzaamheid;3;6\r\nS5;05-03-2018;;2;6\r\n' \
		>"$work/exports/1.csv"
	hostile4_allowed_config
	peil_expect "stored without a list" 0 /dev/null ingest
	rm "$work/exports/1.csv"
	printf 'Id;Datum;Instrument;Score;Cijfer\r\nS6;06-03-2018;ZRM;5;7\r\n' >"$work/exports/2.csv"
	hostile4_allowed_config "allowed.instrument = ZRM, Ladder" "on_unknown = refuse"
	peil_expect "check: a warning about stored values" 0 "$work/out" check
	expect_grep "check: one warning" "$work/out" "1 warning about the stored values"
	expect_grep "check: the rows outside the list, the first by its key" "$work/err" \
		"dataset scores: 2 of its 5 stored rows hold a instrument that allowed.instrument of its sources does not list (the first: 'Zelfredzaamheid') in the row of id 'S2', stored before the list was declared: peil ingest --force"
	peil_expect "run: the rows counted, said, exit 2" 2 "$work/out" run --format csv
	expect_grep "run: the list named" "$work/err" \
		"2 of its 6 stored rows hold a instrument that allowed.instrument of its sources does not list (the first: 'Zelfredzaamheid') in the row of id 'S2'"
	expect_grep "run: what it means" "$work/err" \
		"the figures count stored rows that break 1 rule of the datasets (above)"
	expect_grep "run: the figures still evaluated" "$work/out" "scores;Scores;scores;2018-03;6;"
	peil_expect "run again (confirms): still exit 2" 2 /dev/null run
	hostile4_allowed_config "allowed.instrument = ZRM, Ladder"
	peil_expect "the list under on_unknown = warn: exit 0" 0 "$work/out" run --format csv
	if grep -q "does not list" "$work/err"; then
		fail "under warn: no warning about stored values" "$(cat "$work/err")"
	else ok "under warn: no warning about stored values"; fi
	expect_grep "under warn: the same figures" "$work/out" "scores;Scores;scores;2018-03;6;"
	hostile4_allowed_config "allowed.instrument = ZRM, Ladder, Zelfredzaamheid" "on_unknown = refuse"
	peil_expect "run with every stored value listed: exit 0" 0 /dev/null run
	hostile4_allowed_config "fold.instrument = case" "allowed.instrument = zrm, Ladder, Zelfredzaamheid" "on_unknown = refuse"
	peil_expect "run with 'zrm' listed: exit 2" 2 /dev/null run
	expect_grep "run: 'ZRM' is not the list's spelling" "$work/err" \
		"1 of its 6 stored rows hold a instrument that allowed.instrument of its sources does not list (the first: 'ZRM') in the row of id 'S1'"
	printf 'Id;Datum;Instrument;Score;Cijfer\r\n' >"$work/more.csv"
	hostile4_allowed_config "fold.instrument = case" "allowed.instrument = zrm, Ladder, Zelfredzaamheid" \
		"on_unknown = refuse" "[source more]" "plugin = csv" "dataset = scores" "path = $work/more.csv" "separator = semicolon" \
		"date_format = dd-mm-jjjj" "column.Id = id" "column.Datum = date" "column.Instrument = instrument" \
		"column.Score = score" "column.Cijfer = mark"
	peil_expect "a second source without a list: not checked, exit 0" 0 /dev/null run
}

# ------------------------------- two long dataset names sharing a prefix
# Two datasets of 63 characters that differ in the last one only, with a
# field of 63: on postgres, whose identifiers hold 63 bytes, "ds_" +
# name and "peil_stage_" + name were cut (a dataset of more than 56 was
# refused, and the staging tables of two sharing their first 52 were
# one).  Each dataset keeps its own rows on either store: by hand, run 1
# counts 3 rows of A and 2 of B in March; run 2 reads a2.csv (A1's
# note changed, A4 added) and b2.csv (B3 added) through the staging
# tables: 4 and 3 (figures of a final month changed: exit 5), and peil
# diff lists each change under its dataset's
# whole name (2 added, 1 changed).
test_hostile4_long_dataset_pair() {
	local p62 a b f63 d
	p62=$(printf 'x%.0s' $(seq 62)); a=${p62}a; b=${p62}b
	f63=$(printf 'f%.0s' $(seq 63))
	mkdir -p "$work/pair_scripts" "$work/pair"
	for d in a b; do
		printf 'kpi { id = "k%s", title = "Rijen", unit = "rijen", dataset = "%s",\n  grain = "month", select = started_in("date"), rule = count() }\n' \
			"$d" "$p62$d" >"$work/pair_scripts/k$d.lua"
	done
	{
		peil_sections "$plugins" "$work/pair_scripts"
		printf '[run]\nperiods = 2018-03\n'; store_run_keys
		printf '[privacy]\nmin_count = 0\n'
		for d in a b; do
			printf '[dataset %s]\nfield.id = text key\nfield.date = date\nfield.%s = text\n' "$p62$d" "$f63"
			printf '[source %s]\nplugin = csv\ndataset = %s\npath = %s\n' "src_$d" "$p62$d" "$work/pair/${d}*.csv"
			printf 'separator = semicolon\ndate_format = dd-mm-jjjj\ncolumn.Id = id\ncolumn.Datum = date\ncolumn.Notitie = %s\n' "$f63"
		done
	} >"$work/peil.ini"
	printf 'Id;Datum;Notitie\r\nA1;01-03-2018;een\r\nA2;02-03-2018;twee\r\nA3;03-03-2018;drie\r\n' >"$work/pair/a1.csv"
	printf 'Id;Datum;Notitie\r\nB1;01-03-2018;een\r\nB2;02-03-2018;twee\r\n' >"$work/pair/b1.csv"
	peil_expect "run 1 over two datasets of 63 sharing 62" 0 "$work/out" run --format csv
	expect_grep "run 1: 3 rows of A" "$work/out" "ka;Rijen;rijen;2018-03;3;"
	expect_grep "run 1: 2 rows of B" "$work/out" "kb;Rijen;rijen;2018-03;2;"
	printf 'Id;Datum;Notitie\r\nA1;01-03-2018;anders\r\nA4;04-03-2018;vier\r\n' >"$work/pair/a2.csv"
	printf 'Id;Datum;Notitie\r\nB3;03-03-2018;drie\r\n' >"$work/pair/b2.csv"
	peil_expect "run 2 through the staging tables: final figures changed" 5 "$work/out" run --format csv
	expect_grep "run 2: 4 rows of A" "$work/out" "ka;Rijen;rijen;2018-03;4;"
	expect_grep "run 2: 3 rows of B" "$work/out" "kb;Rijen;rijen;2018-03;3;"
	peil_expect "peil diff 1 2" 0 "$work/diff" diff 1 2
	expect_grep "A1 changed, in A" "$work/diff" "$(printf '  %-12s %-8s %s' "$a" changed A1)"
	expect_grep "A4 added, in A" "$work/diff" "$(printf '  %-12s %-8s %s' "$a" added A4)"
	expect_grep "B3 added, in B" "$work/diff" "$(printf '  %-12s %-8s %s' "$b" added B3)"
	expect_grep "nothing else" "$work/diff" "2 added, 1 changed, 0 removed"
	[ -n "${PEIL_TEST_PG:-}" ] || return 0
	# On postgres: two tables of 63 bytes; A's commented as B's (a
	# hash's collision) is refused, naming both.
	local schema table pg_sql
	schema=t$(printf %s "$work" | md5sum | cut -c1-16)
	pg_sql="SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$schema' AND c.relkind = 'r' AND c.relname LIKE 'ds\_%' ORDER BY 1"
	psql "$PEIL_TEST_PG" -XAtq -c "SELECT count(*) FROM ($pg_sql) t WHERE length(relname) = 63" >"$work/tables" 2>&1
	expect_grep "two tables of 63 bytes" "$work/tables" 2
	table=$(psql "$PEIL_TEST_PG" -XAtq -c "$pg_sql LIMIT 1")
	psql "$PEIL_TEST_PG" -XAtq -c "COMMENT ON TABLE $schema.\"$table\" IS 'peil dataset $b'"
	peil_expect "a table that names another dataset: refused" 4 /dev/null run
	expect_grep "the table and both datasets named" "$work/err" \
		"dataset $a: table $table holds peil dataset $b, not this dataset"
}
