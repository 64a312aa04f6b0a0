-- verwijzingen.lua - verwijzingen naar maatwerk (indicator 10).
--
-- Verwijzingen (beschikkingen) met een afgiftedatum in de periode, per
-- aanbieder, en het aandeel waarvan de zorg is gestart (een startdatum
-- zorg is bekend).

kpi {
  id = "verwijzingen_maatwerk",
  title = "Verwijzingen naar maatwerk",
  description = "Aantal verwijzingen naar maatwerkvoorzieningen met een "
    .. "afgiftedatum in de periode, per aanbieder.",
  unit = "verwijzingen",
  dataset = "referrals",
  tags = { "verwijzingen" },
  grain = "quarter",
  breakdown = { "provider" },
  select = started_in("issued"),
  rule = count(),
}

kpi {
  id = "verwijzingen_zorg_gestart",
  title = "Verwijzingen waarvan de zorg startte",
  description = "Aandeel van de in de periode afgegeven verwijzingen "
    .. "waarvoor een startdatum van de zorg bekend is.",
  unit = "%",
  dataset = "referrals",
  tags = { "verwijzingen" },
  grain = "quarter",
  breakdown = { "provider" },
  select = started_in("issued"),
  rule = share(is_set("care_started")),
  target = { min = 80 },
}
