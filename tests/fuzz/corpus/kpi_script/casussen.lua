-- casussen.lua - gestarte, lopende en afgesloten casussen (indicator 1).
--
-- Per team per maand, volgens de definities van Peil:
--   gestart:    de aanmelddatum ligt in de periode;
--   afgesloten: de afsluitdatum ligt in de periode;
--   lopend:     aangemeld op of voor de laatste dag van de periode, en niet
--               afgesloten, of afgesloten op of na de eerste dag ervan.
-- Een casus die in een maand start of sluit, loopt in die maand ook.

kpi {
  id = "casussen_gestart",
  title = "Gestarte casussen",
  description = "Aantal casussen met een aanmelddatum in de periode.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = started_in("registered"),
  rule = count(),
}

kpi {
  id = "casussen_lopend",
  title = "Lopende casussen",
  description = "Aantal casussen dat in de periode liep: aangemeld op of "
    .. "voor het einde van de periode en niet afgesloten voor het begin.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = running_in("registered", "closed"),
  rule = count(),
}

kpi {
  id = "casussen_afgesloten",
  title = "Afgesloten casussen",
  description = "Aantal casussen met een afsluitdatum in de periode.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = closed_in("closed"),
  rule = count(),
}
