-- afsluiting.lua - afsluitredenen, zelfredzaamheid bij afsluiting en het
-- rapportcijfer (indicatoren 7, 8 en 9), over de casussen afgesloten in
-- de periode (afsluitdatum in de periode).

kpi {
  id = "afsluitredenen",
  title = "Afgesloten casussen naar reden",
  description = "Aantal in de periode afgesloten casussen per "
    .. "afsluitreden; zonder reden is een eigen groep.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "closure_reason" },
  select = closed_in("closed"),
  rule = count(),
}

kpi {
  id = "afgesloten_volgens_plan",
  title = "Volgens plan afgesloten casussen",
  description = "Aandeel van de in de periode afgesloten casussen dat "
    .. "volgens plan is beëindigd.",
  unit = "%",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  params = { reason = "Beëindigd volgens plan" },
  select = closed_in("closed"),
  rule = share(eq("closure_reason", param("reason"))),
  target = { min = 60 },
}

kpi {
  id = "zelfredzaam_bij_afsluiting",
  title = "Zelfredzaam bij afsluiting (doelbereik)",
  description = "Van de in de periode afgesloten casussen met antwoord "
    .. "ja of nee: het aandeel ja (cliënt kan zonder ondersteuning "
    .. "verder).  n.v.t. en leeg tellen niet mee.",
  unit = "%",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = closed_in("closed"),
  where = one_of("self_reliant", { "ja", "nee" }),
  rule = share(eq("self_reliant", "ja")),
  target = { min = 70 },
}

kpi {
  id = "rapportcijfer_gemiddeld",
  title = "Gemiddeld rapportcijfer",
  description = "Gemiddeld cijfer (1 tot 10) dat cliënten gaven, over de "
    .. "in de periode afgesloten casussen met een cijfer; de noemer is "
    .. "hun aantal.",
  unit = "cijfer",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = closed_in("closed"),
  where = is_set("mark"),
  rule = mean("mark"),
  target = { min = 7 },
}

kpi {
  id = "rapportcijfer_aantal",
  title = "Afgesloten casussen met een rapportcijfer",
  description = "Aantal in de periode afgesloten casussen met een "
    .. "rapportcijfer.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = closed_in("closed"),
  rule = count(is_set("mark")),
}

kpi {
  id = "rapportcijfer_voldoende",
  title = "Voldoende rapportcijfer",
  description = "Aandeel van de in de periode afgesloten casussen met een "
    .. "cijfer waarvan het cijfer 6 of hoger is.",
  unit = "%",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  params = { sufficient = 6 },
  select = closed_in("closed"),
  where = is_set("mark"),
  rule = share(at_least("mark", param("sufficient"))),
  target = { min = 80 },
}
