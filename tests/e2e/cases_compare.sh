# Comparisons with earlier periods.
#
# compare_figures: the fixture of cli.sh (tests/data/e2e/cases.csv) with
# [kpi casussen_gestart] compare = previous, year_before and a scheduled
# run of 2018-Q1.  Started per month (cli.sh's working): 2017-12 Noord 1
# (D2), Zuid 0; 2018-01 Noord 2, Zuid 1; 2018-02 Noord 1, Zuid 2; 2018-03
# Noord 1, Zuid 1.  The run goes back to 2017-01 for them by itself; the
# data start with D9 on 2017-10-10, so 2017-01 to 2017-03 are not
# evaluated: a year before has no figure.
#   2018-01 against 2017-12: Noord 2 - 1 = +1 (+100 %), Zuid 1 - 0 = +1
#     (no %: the old figure is 0), total 3 - 1 = +2 (+200 %); the teams'
#     percentages would give 100 %, the Lua workaround's wrong total.
#   2018-02 against 2018-01: Noord -1 (-50 %), Zuid +1 (+100 %), total 0.
#   2018-03 against 2018-02: Noord 0 (0 %), Zuid -1 (-50 %), total 2 - 3
#     = -1 (-33,33333333 %).
# The figures of 2017 are no figures of the run: show lists 2018's only,
# and the run publishes no figure of 2017.
test_compare_figures() {
	write_config "$src/tests/data/e2e/cases.csv"
	printf '[kpi casussen_gestart]\ncompare = previous, year_before\n' >>"$work/peil.ini"
	peil_expect "run of 2018-Q1 with comparisons" 0 "$work/run.txt" run
	expect_grep "the run prints the changes" "$work/run.txt" \
		"Verschil t.o.v. de vorige periode (in casussen en in %)"
	expect_grep "the total against its own" "$work/run.txt" \
		"+2 (+200,0 %) t.o.v. 1"
	"$peil" show --config "$work/peil.ini" --kpi casussen_gestart --format csv \
		>"$work/out.csv" 2>"$work/err"
	expect_rc "show csv" 0 $?
	csv_columns periode team waarde vorige_periode verschil verschil_pct \
		jaar_eerder verschil_jaar verschil_jaar_pct <"$work/out.csv" >"$work/got"
	while IFS= read -r line; do
		if grep -qxF -- "$line" "$work/got"; then ok "$line"
		else fail "$line" "got: $(grep -F -- "${line%%;*};" "$work/got" | head -3)"; fi
	done <<'EXPECTED'
2018-01;Buurtteam Noord;2;1;1;100;;;
2018-01;Buurtteam Zuid;1;0;1;;;;
2018-01;Totaal;3;1;2;200;;;
2018-02;Buurtteam Noord;1;2;-1;-50;;;
2018-02;Buurtteam Zuid;2;1;1;100;;;
2018-02;Totaal;3;3;0;0;;;
2018-03;Buurtteam Noord;1;1;0;0;;;
2018-03;Buurtteam Zuid;1;2;-1;-50;;;
2018-03;Totaal;2;3;-1;-33,33333333;;;
EXPECTED
	if grep -q '^2017' "$work/got"; then
		fail "show lists no figure of 2017" "$(grep '^2017' "$work/got")"
	else ok "show lists no figure of 2017"; fi
	"$peil" show --config "$work/peil.ini" --kpi casussen_gestart --period 2017-12 \
		>/dev/null 2>"$work/err"
	expect_rc "2017-12 is not published by the run" 64 $?
	"$peil" report --config "$work/peil.ini" --period 2018-02 --kpi casussen_gestart \
		--format json --lang en >"$work/out.json" 2>"$work/err"
	expect_rc "report json" 0 $?
	if python3 - "$work/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
total = [r for r in d["results"] if r["breakdown"] == {}][0]
assert total["compare"]["previous"] == {"period": "2018-01", "state": "shown",
    "value": 3, "change": 0, "change_pct": 0}, total
assert total["compare"]["year_before"] == {"period": "2017-02", "state": "absent",
    "value": None, "change": None, "change_pct": None}, total
PY
	then ok "json: compare.previous and compare.year_before of the total"
	else fail "json compare"; fi
	"$peil" report --config "$work/peil.ini" --period 2018-Q1 --kpi casussen_gestart \
		-o "$work/r.html" 2>"$work/err"
	expect_rc "report html" 0 $?
	expect_grep "html summary: the latest total against the month before" \
		"$work/r.html" "-33,3 % t.o.v. 2018-02"
	expect_grep "html summary: a year before has no figure" "$work/r.html" \
		"geen cijfer van 2017-03"
	"$peil" explain --config "$work/peil.ini" casussen_gestart >"$work/explain" 2>&1
	expect_grep "explain shows the comparisons" "$work/explain" \
		"compare:     previous, year_before: change = value - old (casussen)"
	# A KPI without compare prints as before; --compare asks for it.
	"$peil" report --config "$work/peil.ini" --period 2018-02 --kpi casussen_afgesloten \
		--format csv --compare previous >"$work/closed.csv" 2>"$work/err"
	expect_rc "report --compare previous" 0 $?
	csv_columns periode team waarde vorige_periode verschil verschil_pct \
		<"$work/closed.csv" >"$work/got"
	# Closed: 2018-01 Zuid D5; 2018-02 Noord D1, Zuid D7.
	for line in "2018-02;Buurtteam Noord;1;0;1;" "2018-02;Totaal;2;1;1;100"; do
		if grep -qxF -- "$line" "$work/got"; then ok "--compare: $line"
		else fail "--compare: $line" "got: $(cat "$work/got")"; fi
	done
	"$peil" report --config "$work/peil.ini" --period 2018-02 --compare last_week \
		--format csv >/dev/null 2>"$work/err"
	expect_rc "an unknown comparison is refused" 64 $?
	expect_grep "naming it" "$work/err" "unknown 'last_week' (previous, year_before or none)"
}

# compare_small_cells: the demo with its small-cell rules and comparisons
# for started and closed cases.  The attacker reads the published CSV of
# 2018 and tries to recover each hidden figure of a month from a change
# shown beside the next month's or the next year's figure (old = value -
# change), and each hidden figure from its own change (value = old +
# change): the changes of hidden figures, and against them, are hidden
# too, so nothing is recovered.  Where both are shown, value - change is
# the old value.
test_compare_small_cells() {
	demo_setup 2017 2018 1500
	sed -i "s|^periods = .*|periods = 2018|" "$work/demo.ini"
	printf '[kpi casussen_gestart]\ncompare = previous, year_before\n[kpi casussen_afgesloten]\ncompare = previous, year_before\n' \
		>>"$work/demo.ini"
	"$peil" run --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "run of the demo's 2018" 0 $?
	"$peil" report --config "$work/demo.ini" --period 2018 --format csv \
		>"$work/shown.csv" 2>"$work/err"
	expect_rc "report csv" 0 $?
	sed "s|^min_count = .*|min_count = 0|" "$work/demo.ini" >"$work/truth.ini"
	"$peil" report --config "$work/truth.ini" --period 2018 --format csv \
		>"$work/truth.csv" 2>"$work/err"
	expect_rc "report csv without the rules" 0 $?
	if out=$(python3 - "$work/shown.csv" "$work/truth.csv" <<'PY' 2>&1
import csv, io, sys
def rows(path):
    text = open(path, encoding="utf-8-sig").read()
    return [r for r in csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
            if r["kpi"] in ("casussen_gestart", "casussen_afgesloten")]
def num(s):
    return float(s.replace(",", ".")) if s else None
shown, truth = rows(sys.argv[1]), rows(sys.argv[2])
true_of = {(r["kpi"], r["periode"], r["team"]): r for r in truth}
def earlier(p, year):
    y, m = int(p[:4]), int(p[5:])
    if year: return "%04d-%02d" % (y - 1, m)
    return "%04d-%02d" % (y, m - 1) if m > 1 else "%04d-12" % (y - 1)
shown_of = {(r["kpi"], r["periode"], r["team"]): r for r in shown}
hidden = guarded = compared = 0
for r in shown:
    for old_col, ch_col, pct_col, year in (
            ("vorige_periode", "verschil", "verschil_pct", 0),
            ("jaar_eerder", "verschil_jaar", "verschil_jaar_pct", 1)):
        value, old, change = num(r["waarde"]), num(r[old_col]), num(r[ch_col])
        o = shown_of.get((r["kpi"], earlier(r["periode"], year), r["team"]))
        if r["onderdrukt"]:
            # value = old + change would give it back
            hidden += 1
            assert change is None and old is None and not r[pct_col], r
        elif o is not None and o["onderdrukt"]:
            # old = value - change would give the hidden one back
            guarded += 1
            assert change is None and old is None and not r[pct_col], (r, o)
        elif change is not None:
            compared += 1
            t = true_of[(r["kpi"], r["periode"], r["team"])]
            assert old == value - change == num(t[old_col]), r
            if o is not None:
                assert old == num(o["waarde"]), (r, o)
print("%d hidden, %d against a hidden one, %d changes checked"
      % (hidden, guarded, compared))
assert hidden > 0 and guarded > 0 and compared > 0
PY
	); then ok "no hidden figure recovered from a change: $out"
	else fail "a change tells a hidden figure" "$out"; fi
}
