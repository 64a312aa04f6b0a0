# Sourced by cli.sh: recodes, folding and allowed values of a source
# (plugin/value_map.h, docs/configuration.md).
#
# Eight cases of one team, all registered on 2 January and closed on 15
# February 2018, as an export spells them (Utrecht says "Ja" and
# "Beeindigd"; the shipped KPIs compare with "ja" and "Beëindigd volgens
# plan"):
#
#  case self_reliant  stored    closure reason                  stored
#  E1   Ja            ja        Beeindigd volgens plan          plan (file)
#  E2   ' ja '        ja        Beëindigd volgens plan          plan (as is)
#  E3   JA            ja        Eenzijdig beëindigd door cliënt as is
#  E4   nee           nee       Afgesloten: plan = gehaald      plan (file)
#  E5   n.v.t.        n.v.t.    Voortijdig beëindigd in overleg as is
#  E6   NVT           n.v.t.    BEEINDIGD  VOLGENS PLAN         plan (folded)
#  E7   misschien     misschien Eenzijdig beëindigd door cliënt as is
#  E8   misschien     misschien Beëindigd volgens plan          plan (as is)
#
# with fold.self_reliant = case, space; allowed.self_reliant = ja, nee,
# n.v.t.; recode.self_reliant.nvt = n.v.t.; and a recode file of two rows
# for closure_reason under fold.closure_reason = all ("plan" above is
# "Beëindigd volgens plan").
#
# zelfredzaam_bij_afsluiting, February: the cases with ja or nee are
#   E1-E4, three of them ja: 3/4 = 75%.  Before the recodes only E2 ('ja'
#   once trimmed) and E4 counted: 1/2 = 50%.
# afgesloten_volgens_plan, February: 5 of the 8 closed cases (E1 E2 E4 E6
#   E8) = 62.5%.  Before: E2 and E8 only, 2/8 = 25%.
# Unknown values: 'misschien' twice, a warning and exit 2 (a ninth row
#   with 'misschien' and no valid date, rejected, is not counted); with
#   on_unknown = refuse the file is refused and nothing stored.
#
# peil check over a store of three Utrecht cases (Ja, Nee, Ja; closure
# reasons 'Beeindigd volgens plan' twice and 'Eenzijdig beëindigd door
# cliënt' once) warns three times: zelfredzaam_bij_afsluiting compares
# self_reliant with 'ja' and 'nee', afgesloten_volgens_plan closure_reason
# with 'Beëindigd volgens plan', and none of them is stored.  With the
# recodes and the file read again, none.

values_export() {
	{
		printf 'Dossiernummer;Team;Organisatie;Wijkcode;Buurtcode;Datum aanmelding;Datum eerste kennismaking;Datum afsluiting;Melder;Reden beëindiging;Zelfredzaam bij afsluiting;Rapportcijfer;Persoonsnummer;Datum invoer;\r\n'
		while IFS='|' read -r id self reason; do
			printf '%s;Buurtteam Noord;Welzijn Noord;WK999901;BU99990101;02-01-2018;04-01-2018;15-02-2018;Huisarts;%s;%s;8;P%s;03-01-2018;\r\n' \
				"$id" "$reason" "$self" "$id"
		done <<'ROWS'
E1|Ja|Beeindigd volgens plan
E2| ja |Beëindigd volgens plan
E3|JA|Eenzijdig beëindigd door cliënt
E4|nee|Afgesloten: plan = gehaald
E5|n.v.t.|Voortijdig beëindigd in overleg
E6|NVT|BEEINDIGD  VOLGENS PLAN
E7|misschien|Eenzijdig beëindigd door cliënt
E8|misschien|Beëindigd volgens plan
ROWS
	} | iconv -f utf-8 -t windows-1252 >"$work/values.csv"
}

# values_config [SOURCE_KEYS]: the fixture config over values.csv; with
# the recodes unless SOURCE_KEYS is "none".
values_config() {
	local keys="fold.self_reliant = case, space
allowed.self_reliant = ja, nee, n.v.t.
recode.self_reliant.nvt = n.v.t.
fold.closure_reason = all
recode_file = recodes.csv
${1:-}"
	[ "${1:-}" = none ] && keys=
	fixture_config "$work/values.csv" "$src/scripts" 2018-02 "" "$keys"
	rm -f "$work"/peil.db*
}

# The February figure of KPI $1 for the team, from eval's CSV.
values_figure() {
	"$peil" eval --config "$work/peil.ini" --period 2018-02 --kpi "$1" \
		--format csv 2>>"$work/err" | csv_columns kpi periode team waarde |
		grep -F "$1;2018-02;Buurtteam Noord;" | cut -d';' -f4
}

test_values() {
	values_export
	# The general form: any characters, ';' quoted, '=' and ':' as they are.
	printf 'field;from;to\n# Utrecht spells it without the trema\nclosure_reason;Beeindigd volgens plan;Beëindigd volgens plan\nclosure_reason;"Afgesloten: plan = gehaald";"Beëindigd volgens plan"\n' \
		>"$work/recodes.csv"

	# Without value handling: the figures that were silently wrong.
	values_config none
	peil_expect "ingest without recodes" 0 /dev/null ingest
	got=$(values_figure zelfredzaam_bij_afsluiting)
	[ "$got" = 50 ] && ok "without recodes: zelfredzaam 50 (1 of 2)" ||
		fail "without recodes: zelfredzaam" "got '$got', expected 50"
	got=$(values_figure afgesloten_volgens_plan)
	[ "$got" = 25 ] && ok "without recodes: volgens plan 25 (2 of 8)" ||
		fail "without recodes: volgens plan" "got '$got', expected 25"

	values_config
	peil_expect "check accepts the recodes" 0 "$work/out" check
	peil_expect "unknown values are a warning: exit 2" 2 /dev/null ingest
	expect_grep "the warning counts each unknown value" "$work/err" \
		"values.csv: field self_reliant: 2 values not in allowed.self_reliant, stored as they came: 'misschien' 2x"
	got=$(sqlite3 "$work/peil.db" "SELECT group_concat(case_id || '=' || self_reliant, ' ') FROM (SELECT * FROM ds_cases ORDER BY case_id)")
	[ "$got" = "E1=ja E2=ja E3=ja E4=nee E5=n.v.t. E6=n.v.t. E7=misschien E8=misschien" ] &&
		ok "stored self_reliant values" || fail "stored self_reliant values" "got $got"
	got=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_cases WHERE closure_reason = 'Beëindigd volgens plan'")
	[ "$got" = 5 ] && ok "five closure reasons in the shipped spelling" ||
		fail "closure reasons in the shipped spelling" "got $got, expected 5"
	got=$(values_figure zelfredzaam_bij_afsluiting)
	[ "$got" = 75 ] && ok "zelfredzaam_bij_afsluiting 75 (3 of 4)" ||
		fail "zelfredzaam_bij_afsluiting" "got '$got', expected 75"
	got=$(values_figure afgesloten_volgens_plan)
	[ "$got" = 62,5 ] && ok "afgesloten_volgens_plan 62,5 (5 of 8)" ||
		fail "afgesloten_volgens_plan" "got '$got', expected 62,5"

	# A changed recode file is a changed setting: the file is read again.
	printf 'closure_reason;Eenzijdig beëindigd door cliënt;Beëindigd volgens plan\n' >>"$work/recodes.csv"
	peil_expect "ingest after the recode file changed" 2 /dev/null ingest
	expect_grep "reads the file again" "$work/err" "values.csv: 8 rows stored in cases"
	got=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_cases WHERE closure_reason = 'Beëindigd volgens plan'")
	[ "$got" = 7 ] && ok "seven closure reasons after the new recode" ||
		fail "closure reasons after the new recode" "got $got, expected 7"
	sed -i '$d' "$work/recodes.csv"

	# on_unknown = refuse: nothing or all, also with on_error = reject.
	values_config "on_unknown = refuse
on_error = reject"
	peil_expect "on_unknown = refuse refuses the file" 2 /dev/null ingest
	expect_grep "names line, column and value" "$work/err" \
		"values.csv:8: column 'Zelfredzaam bij afsluiting': 'misschien' is not in allowed.self_reliant"
	got=$(sqlite3 "$work/peil.db" 'SELECT count(*) FROM ds_cases')
	[ "$got" = 0 ] && ok "refused: nothing stored" || fail "refused: $got rows stored"
	[ -z "$(ls "$work/rejects" 2>/dev/null)" ] && ok "refused: no reject file" ||
		fail "refused: a reject file" "$(ls "$work/rejects")"
	# A rejected row's unknown value is not counted: it was not stored.
	values_config "on_error = reject"
	printf 'E9;Buurtteam Noord;Welzijn Noord;WK999901;BU99990101;31-02-2018;04-01-2018;15-02-2018;Huisarts;;misschien;8;PE9;03-01-2018;\r\n' >>"$work/values.csv"
	peil_expect "a rejected row and unknown values" 2 /dev/null ingest
	expect_grep "the rejected row's value is not counted" "$work/err" \
		"values.csv: field self_reliant: 2 values not in allowed.self_reliant, stored as they came: 'misschien' 2x"
	expect_grep "8 rows stored, 1 rejected" "$work/err" "values.csv: 8 rows stored in cases, 1 rejected"
	values_export
	values_config "allowed.self_reliant = ja, nee, n.v.t., misschien"
	sed -i '/^allowed.self_reliant = ja, nee, n.v.t.$/d' "$work/peil.ini"
	peil_expect "no unknown value: exit 0" 0 /dev/null ingest

	# Mistakes in the declarations are refused by check, with their line.
	values_config "recode.self_relaint.Ja = ja"
	peil_expect "a recode of a field the dataset lacks" 3 /dev/null check
	expect_grep "names the key" "$work/err" "recode.self_relaint.Ja: 'self_relaint' is not a field of the dataset"
	values_config "recode.self_reliant.j = yes"
	peil_expect "a recode to a value that is not allowed" 3 /dev/null check
	expect_grep "names both values" "$work/err" "field self_reliant: 'j' is recoded to 'yes', which is not in allowed.self_reliant"
	values_config "fold.team = case, umlauts"
	peil_expect "an unknown folding" 3 /dev/null check
	expect_grep "names it" "$work/err" "fold.team: 'umlauts' is not a folding"
	printf 'field;from;to\nclosure_reason;Beeindigd volgens plan;Beëindigd volgens plan\nclosure_reason;beëindigd volgens plan;x\n' >"$work/recodes.csv"
	values_config
	peil_expect "a value recoded twice (after folding)" 3 /dev/null check
	expect_grep "names the file's line" "$work/err" "recodes.csv:3: field closure_reason: the value 'beëindigd volgens plan' is recoded twice"
	printf 'field;from;to\nclosure_reason;"Beeindigd;x\n' >"$work/recodes.csv"
	peil_expect "an unclosed quote" 3 /dev/null check
	expect_grep "names the line" "$work/err" "recodes.csv:2: a quote that is not closed"
	rm -f "$work/recodes.csv"
	peil_expect "a missing recode file" 3 /dev/null check
	expect_grep "names it" "$work/err" "recodes.csv"
}

# self_reliant_figure NAME "VALUE;NUMERATOR;DENOMINATOR": a run, and
# February's total of zelfredzaam_bij_afsluiting as its CSV shows it.
self_reliant_figure() {
	"$peil" run --config "$work/peil.ini" >/dev/null 2>"$work/err"
	"$peil" show --config "$work/peil.ini" --kpi zelfredzaam_bij_afsluiting \
		--format csv >"$work/out" 2>"$work/err"
	expect_grep "$1" "$work/out" \
		"zelfredzaam_bij_afsluiting;Zelfredzaam bij afsluiting (doelbereik);%;2018-02;Totaal;$2;"
}

test_values_check() {
	{
		printf 'Dossiernummer;Team;Organisatie;Wijkcode;Buurtcode;Datum aanmelding;Datum eerste kennismaking;Datum afsluiting;Melder;Reden beëindiging;Zelfredzaam bij afsluiting;Rapportcijfer;Persoonsnummer;Datum invoer;\r\n'
		for row in 'U1;Beeindigd volgens plan;Ja' 'U2;Eenzijdig beëindigd door cliënt;Nee' 'U3;Beeindigd volgens plan;Ja'; do
			IFS=';' read -r id reason self <<<"$row"
			printf '%s;Buurtteam Noord;Welzijn Noord;WK999901;BU99990101;02-01-2018;04-01-2018;15-02-2018;Huisarts;%s;%s;8;P%s;03-01-2018;\r\n' \
				"$id" "$reason" "$self" "$id"
		done
	} | iconv -f utf-8 -t windows-1252 >"$work/utrecht.csv"
	fixture_config "$work/utrecht.csv" "$src/scripts" 2018-02
	rm -f "$work"/peil.db*
	peil_expect "ingest of Utrecht's spelling" 0 /dev/null ingest
	peil_expect "check warns, but the configuration is fine" 0 "$work/out" check
	expect_grep "three warnings" "$work/out" "are fine; 3 warnings about the stored values"
	expect_grep "'ja' is never stored" "$work/err" \
		"KPI zelfredzaam_bij_afsluiting compares field self_reliant of dataset cases with 'ja', which none of its 3 stored rows holds (it holds 'Ja' 2x, 'Nee' 1x)"
	expect_grep "'nee' is never stored" "$work/err" \
		"KPI zelfredzaam_bij_afsluiting compares field self_reliant of dataset cases with 'nee', which none"
	expect_grep "the param()'s value is never stored" "$work/err" \
		"KPI afgesloten_volgens_plan compares field closure_reason of dataset cases with 'Beëindigd volgens plan', which none of its 3 stored rows holds (it holds 'Beeindigd volgens plan' 2x, 'Eenzijdig beëindigd door cliënt' 1x)"
	printf '[kpi afgesloten_volgens_plan]\nparam.reason = Beeindigd volgens plan\n' >>"$work/peil.ini"
	"$peil" check --config "$work/peil.ini" >"$work/out" 2>"$work/err"
	if grep -q "KPI afgesloten_volgens_plan compares" "$work/err"; then
		fail "a configured param.reason is what is compared" "$(cat "$work/err")"
	else ok "a configured param.reason is what is compared"; fi

	# 'ja' and 'nee' stored, and beside them 'Ja', 'JA' and 'Nee': the
	# KPI counts 1 ja of 2 (50 %) where the analyst means 3 of 5 (60 %).
	# check warned of nothing before (each literal is held); now it names
	# the other spellings, and with fold.self_reliant = all the figure is
	# 60 %.
	{
		printf 'Dossiernummer;Team;Organisatie;Wijkcode;Buurtcode;Datum aanmelding;Datum eerste kennismaking;Datum afsluiting;Melder;Reden beëindiging;Zelfredzaam bij afsluiting;Rapportcijfer;Persoonsnummer;Datum invoer;\r\n'
		for row in M1:ja M2:Ja M3:JA M4:nee M5:Nee; do
			printf '%s;Buurtteam Noord;Welzijn Noord;WK999901;BU99990101;02-01-2018;04-01-2018;15-02-2018;Huisarts;Beëindigd volgens plan;%s;8;P%s;03-01-2018;\r\n' \
				"${row%:*}" "${row#*:}" "${row%:*}"
		done
	} | iconv -f utf-8 -t windows-1252 >"$work/mixed.csv"
	fixture_config "$work/mixed.csv" "$src/scripts" 2018-02
	rm -f "$work"/peil.db*
	self_reliant_figure "as stored: 1 ja of 2" "50;1;2"
	peil_expect "check warns of other spellings, exit 0" 0 "$work/out" check
	expect_grep "two warnings" "$work/out" "are fine; 2 warnings about the stored values"
	expect_grep "'Ja' and 'JA' beside 'ja'" "$work/err" \
		"KPI zelfredzaam_bij_afsluiting compares field self_reliant of dataset cases with 'ja', but 2 of its 5 stored rows spell it otherwise, which the KPI does not count as 'ja': 'Ja' 1x, 'JA' 1x (fold.self_reliant = all"
	expect_grep "'Nee' beside 'nee'" "$work/err" \
		"with 'nee', but 1 of its 5 stored rows spell it otherwise, which the KPI does not count as 'nee': 'Nee' 1x"
	fixture_config "$work/mixed.csv" "$src/scripts" 2018-02 "" "fold.self_reliant = all
allowed.self_reliant = ja, nee, n.v.t."
	self_reliant_figure "folded: 3 ja of 5" "60;3;5"
	"$peil" check --config "$work/peil.ini" >"$work/out" 2>"$work/err"
	if grep -q "spell it otherwise" "$work/err"; then
		fail "check after folding warns" "$(cat "$work/err")"
	else ok "check after folding warns of no other spelling"; fi

	fixture_config "$work/utrecht.csv" "$src/scripts" 2018-02
	rm -f "$work"/peil.db*
	"$peil" ingest --config "$work/peil.ini" >/dev/null 2>"$work/err"
	printf 'field;from;to\nclosure_reason;Beeindigd volgens plan;Beëindigd volgens plan\n' >"$work/recodes.csv"
	fixture_config "$work/utrecht.csv" "$src/scripts" 2018-02 "" "fold.self_reliant = case
allowed.self_reliant = ja, nee, n.v.t.
recode_file = recodes.csv"
	peil_expect "ingest with the recodes reads the file again" 0 /dev/null ingest
	peil_expect "check after the recodes" 0 "$work/out" check
	expect_grep "no warning" "$work/out" "43 KPIs are fine"
	if grep -q "warning" "$work/out" "$work/err"; then
		fail "check after the recodes warns" "$(cat "$work/err")"
	else ok "check after the recodes warns of nothing"; fi
}
