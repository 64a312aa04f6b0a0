#!/usr/bin/env bash
# authoring.sh - help for KPI authors: peil list
# --fields, peil check -v naming a KPI that replaces another and from
# which file, and peil explain saying where a target comes from.
#
#   authoring.sh PEIL SOURCE_DIR PLUGIN_DIR
set -u
peil=$1 src=$2 plugins=$3
work=$(mktemp -d --tmpdir peil-e2e-authoring-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
. "$(dirname "$0")/lib.sh"

mkdir -p "$work/shipped" "$work/own"
cp "$src/scripts/casussen.lua" "$src/scripts/afsluiting.lua" "$work/shipped/"
# The municipality's own version of casussen_gestart (casussen.lua:10).
cat >"$work/own/eigen.lua" <<'LUA'
-- eigen.lua: gestarte casussen per kwartaal, onze eigen versie.
kpi {
  id = "casussen_gestart",
  title = "Gestarte casussen",
  unit = "casussen",
  dataset = "cases",
  grain = "quarter",
  select = started_in("registered"),
  rule = count(),
}
LUA
fixture_config "$src/tests/data/e2e/cases.csv" "$work/shipped, $work/own" "2018"
printf '[kpi afgesloten_volgens_plan]\ntarget.min = 70\n' >>"$work/peil.ini"

"$peil" list --fields --config "$work/peil.ini" >"$work/fields.out" 2>&1
expect_rc "peil list --fields" 0 $?
expect_grep "the dataset" "$work/fields.out" "cases:"
expect_grep "the key" "$work/fields.out" "  case_id        text key required"
expect_grep "a required date" "$work/fields.out" "  registered     date required"
expect_grep "an integer" "$work/fields.out" "  mark           integer"
if grep -q "^Plugins:" "$work/fields.out"; then fail "only the datasets"; else ok "only the datasets"; fi

"$peil" check -v --config "$work/peil.ini" >"$work/check.out" 2>"$work/check.err"
expect_rc "peil check -v" 0 $?
expect_grep "check -v names the replacement and both files" "$work/check.err" "$work/own/eigen.lua:2: kpi 'casussen_gestart' replaces the one of $work/shipped/casussen.lua:10"
"$peil" check --config "$work/peil.ini" >/dev/null 2>"$work/quiet.err"
if grep -q "replaces" "$work/quiet.err"; then fail "without -v it stays quiet"; else ok "without -v it stays quiet"; fi

"$peil" explain afgesloten_volgens_plan --config "$work/peil.ini" >"$work/cfg.out" 2>&1
expect_grep "explain: a target from the config" "$work/cfg.out" "target from: [kpi afgesloten_volgens_plan] in $work/peil.ini"
expect_grep "explain: the configured bound" "$work/cfg.out" "minimaal 70"
"$peil" explain rapportcijfer_voldoende --config "$work/peil.ini" >"$work/script.out" 2>&1
expect_grep "explain: a target from the script" "$work/script.out" "target from: the script"
"$peil" explain casussen_gestart --config "$work/peil.ini" >"$work/none.out" 2>&1
if grep -q "target from" "$work/none.out"; then fail "explain: no target, no source line"; else ok "explain: no target, no source line"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
