# Small cells in every figure: the attacker of
# check_output.py tries to recover every hidden figure of the demo's
# published run from what is shown, by the totals of each KPI and period
# and across grains.  Beside the shipped KPIs, started and closed cases per
# quarter and per year: a month, its quarter and its year over the same
# selection add up, so a shown quarter and two shown months would give the
# third.

# A run of the demo, then its figures as shown ($work/shown.csv) and
# without the small-cell rules ($work/truth.csv), for the attacker.
shown_and_truth() {
	"$peil" run --config "$work/demo.ini" >/dev/null 2>"$work/err"
	expect_rc "$1" 0 $?
	"$peil" show --config "$work/demo.ini" --format csv >"$work/shown.csv" 2>"$work/err"
	expect_rc "show" 0 $?
	sed "s|^min_count = .*|min_count = 0|" "$work/demo.ini" >"$work/truth.ini"
	"$peil" show --config "$work/truth.ini" --format csv >"$work/truth.csv" 2>"$work/err"
	expect_rc "show without the rules" 0 $?
}

test_small_cells_attack() {
	local grain event out
	demo_setup 2018 2018 2000
	cp -r "$src/scripts" "$work/scripts"
	for grain in quarter year; do
		for event in 'gestart started_in("registered")' \
			     'afgesloten closed_in("closed")'; do
			cat >>"$work/scripts/grains_$grain.lua" <<LUA
kpi {
  id = "casussen_${event%% *}_$grain",
  title = "Casussen ${event%% *} ($grain)",
  description = "Aantal casussen met die datum in de periode.",
  unit = "casussen", dataset = "cases", grain = "$grain",
  breakdown = { "team" },
  select = ${event#* },
  rule = count(),
}
LUA
		done
	done
	# A sum of marks and a per-1000 figure of a Lua function over the
	# closed cases with a mark: their size is rapportcijfer_aantal.
	cat >"$work/scripts/sizes.lua" <<'LUA'
kpi {
  id = "rapportcijfer_som",
  title = "Som van de rapportcijfers",
  description = "De rapportcijfers van de afgesloten casussen opgeteld.",
  unit = "punten", dataset = "cases", grain = "month",
  breakdown = { "team" },
  select = closed_in("closed"),
  rule = sum("mark"),
}
kpi {
  id = "rapportcijfer_promille",
  title = "Rapportcijfer in promille",
  description = "Het rapportcijfer maal honderd, gemiddeld, uit een functie.",
  unit = "promille", dataset = "cases", grain = "month",
  breakdown = { "team" },
  select = closed_in("closed"),
  rule = mean(function(case)
    if case.mark == nil then return nil end
    return case.mark * 100
  end),
}
LUA
	sed -i "s|^script_dirs = .*|script_dirs = $work/scripts|" "$work/demo.ini"
	shown_and_truth "peil run of the demo with quarters and years"
	# Every figure has a size: a sum or function result over 1 to 9 cases
	# with a mark is hidden, whatever its value.
	if out=$(python3 - "$work/shown.csv" "$work/truth.csv" <<'PY' 2>&1
import csv, io, sys
def rows(path):
    text = open(path, encoding="utf-8-sig").read()
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
shown, truth = rows(sys.argv[1]), rows(sys.argv[2])
size = {(r["periode"], r["team"]): float(r["waarde"].replace(",", "."))
        for r in truth if r["kpi"] == "rapportcijfer_aantal"}
checked = small = 0
for r in shown:
    if r["kpi"] not in ("rapportcijfer_som", "rapportcijfer_promille"):
        continue
    n = size[(r["periode"], r["team"])]
    checked += 1
    if 0 < n < 10:
        small += 1
        assert r["onderdrukt"] == "klein aantal", ("shown over %g cases" % n, r)
assert small > 0, "no small cell in the demo"
print("%d sums and function results, %d over 1 to 9 cases all hidden" % (checked, small))
PY
); then ok "$out"; else fail "a small sum or function result is shown" "$out"; fi
	check "no hidden figure is recovered" attack "$work/shown.csv" \
		"$work/truth.csv" 10 \
		casussen_gestart_quarter:casussen_gestart \
		casussen_gestart_year:casussen_gestart \
		casussen_gestart_year:casussen_gestart_quarter \
		casussen_afgesloten_quarter:casussen_afgesloten \
		casussen_afgesloten_year:casussen_afgesloten \
		casussen_afgesloten_year:casussen_afgesloten_quarter
}

# The same attack on one KPI of several grains ([kpi ID] grains = month,
# quarter, year): a shown quarter and two shown months of started or
# closed cases would give the third month, a shown year and three shown
# quarters the fourth.
test_small_cells_grains() {
	local kpi
	demo_setup 2018 2018 2000
	for kpi in casussen_gestart casussen_afgesloten; do
		printf '[kpi %s]\ngrains = month, quarter, year\n' "$kpi" >>"$work/demo.ini"
	done
	shown_and_truth "peil run of the demo, two KPIs in three grains"
	check "no hidden figure is recovered from the KPI's own grains" attack \
		"$work/shown.csv" "$work/truth.csv" 10 \
		casussen_gestart:casussen_gestart \
		casussen_afgesloten:casussen_afgesloten
}
