-- cumulatief.lua - a KPI over a contract's years so far: the cases
-- registered from [contract] start up to each period's last day.  A fixture
-- of the tests: tests/e2e/cli.sh, case cumulative.
kpi {
  id = "casussen_sinds_contractstart",
  title = "Gestarte casussen sinds de start van het contract",
  description = "Aantal casussen met een aanmelddatum vanaf de startdatum "
    .. "van het contract tot en met de laatste dag van de periode.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = cumulative("registered"),
  rule = count(),
}
