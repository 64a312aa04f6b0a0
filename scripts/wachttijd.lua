-- wachttijd.lua - wachttijd van aanmelding tot eerste kennismaking
-- (indicator 4).
--
-- Wachttijd in werkdagen: de werkdagen na de aanmelddatum tot en met de
-- datum van de eerste kennismaking (maandag tot en met vrijdag, zonder
-- feestdagen).  Dezelfde dag is 0, vrijdag tot maandag is 1.
-- De norm: hoogstens 5 werkdagen; een contract kan hem wijzigen met
-- [kpi wachttijd_binnen_norm] param.norm = ... in peil.ini.

kpi {
  id = "wachttijd_gemiddeld",
  title = "Gemiddelde wachttijd tot eerste kennismaking",
  description = "Gemiddeld aantal werkdagen van aanmelding tot eerste "
    .. "kennismaking, over de casussen die in de periode zijn aangemeld "
    .. "en een datum van eerste kennismaking hebben.",
  unit = "werkdagen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = started_in("registered"),
  where = is_set("first_meeting"),
  rule = mean(workdays("registered", "first_meeting")),
  target = { max = 5 },
}

kpi {
  id = "wachttijd_binnen_norm",
  title = "Eerste kennismaking binnen de norm",
  description = "Aandeel van de casussen aangemeld in de periode, met een "
    .. "eerste kennismaking, waarbij die binnen de norm (5 werkdagen) "
    .. "plaatsvond.",
  unit = "%",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  params = { norm = 5 },
  select = started_in("registered"),
  where = is_set("first_meeting"),
  rule = share(at_most(workdays("registered", "first_meeting"),
                       param("norm"))),
}

kpi {
  id = "wachtend_op_peildatum",
  title = "Wachtend op de peildatum",
  description = "Aantal casussen dat op de peildatum liep en nog geen "
    .. "eerste kennismaking had gehad.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = on_reference_date("registered", "closed"),
  rule = count(any {
    is_empty("first_meeting"),
    gt("first_meeting", reference_date()),
  }),
}
