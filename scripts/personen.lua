-- personen.lua - unieke personen in lopende casussen (indicator 3).
--
-- Een casus kan meer leden hebben (een huishouden) en een persoon kan in
-- meer casussen zitten: tel daarom personen, niet casussen, via de
-- casusleden (case_members) en hun casus (join).  Een anonieme aanmelding
-- heeft een lid zonder persoonsnummer; die casussen worden apart geteld.

kpi {
  id = "personen_uniek",
  title = "Unieke personen in lopende casussen",
  description = "Aantal verschillende personen (persoonsnummers) dat lid "
    .. "is van een casus die in de periode liep.  Een persoon in twee "
    .. "casussen telt één keer.",
  unit = "personen",
  dataset = "case_members",
  tags = { "leden" },
  join = { case = { dataset = "cases", on = "case_id" } },
  grain = "month",
  breakdown = { "case.team" },
  select = running_in("case.registered", "case.closed"),
  rule = count_distinct("person"),
}

kpi {
  id = "casussen_zonder_persoon",
  title = "Lopende casussen zonder persoonsnummer",
  description = "Aantal casussen dat in de periode liep met een lid zonder "
    .. "persoonsnummer (anonieme aanmelding); deze tellen niet mee in de "
    .. "unieke personen.",
  unit = "casussen",
  dataset = "case_members",
  tags = { "leden" },
  join = { case = { dataset = "cases", on = "case_id" } },
  grain = "month",
  breakdown = { "case.team" },
  select = running_in("case.registered", "case.closed"),
  where = is_empty("person"),
  rule = count_distinct("case_id"),
}
