-- groepen.lua - a breakdown in groups: the cases
-- registered in the month by the group of their referrer, from
-- [group verwijzers].  A fixture of the tests: tests/e2e/cli.sh, case
-- grouping.
kpi {
  id = "casussen_per_verwijzer",
  title = "Gestarte casussen per groep verwijzers",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { group("referrer", "verwijzers") },
  select = started_in("registered"),
  rule = count(),
}
