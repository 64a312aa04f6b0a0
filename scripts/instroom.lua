-- instroom.lua - instroom naar melder (indicator 6).
--
-- De gestarte casussen (aanmelddatum in de periode) per melder; een casus
-- zonder melder is een eigen categorie (melder leeg: null).

kpi {
  id = "instroom_per_melder",
  title = "Instroom naar melder",
  description = "Aantal in de periode aangemelde casussen per melder "
    .. "(zelfmelder, huisarts, ...); zonder melder is een eigen groep.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "referrer" },
  select = started_in("registered"),
  rule = count(),
}
