-- doelen.lua - a KPI whose targets hold for the total only and for one
-- lot: the contract sets them in [kpi ID]
-- (target.applies, target.min.team.VALUE).  A fixture of the tests:
-- tests/e2e/cli.sh, case targets.
kpi {
  id = "gestart_per_team",
  title = "Gestarte casussen per team",
  description = "Aantal casussen met een aanmelddatum in de periode.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = started_in("registered"),
  rule = count(),
}
