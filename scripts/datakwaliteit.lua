-- datakwaliteit.lua - datakwaliteit per team (indicator 14).
--
-- Per team het aandeel casussen waarin een verplicht veld ontbreekt, en
-- het aandeel dat laat is ingevoerd: de datum van invoer ligt meer dan
-- late_days kalenderdagen na de aanmelddatum.  Zo zien medewerkers dat
-- volledige en tijdige registratie juiste cijfers geeft.

local missing = {
  { id = "kwaliteit_zonder_melder", field = "referrer", what = "melder",
    select = started_in("registered"), whom = "aangemelde" },
  { id = "kwaliteit_zonder_buurt", field = "neighbourhood", what = "buurtcode",
    select = started_in("registered"), whom = "aangemelde" },
  { id = "kwaliteit_zonder_persoon", field = "person", what = "persoonsnummer",
    select = started_in("registered"), whom = "aangemelde" },
  { id = "kwaliteit_zonder_afsluitreden", field = "closure_reason",
    what = "afsluitreden", select = closed_in("closed"), whom = "afgesloten" },
  { id = "kwaliteit_zonder_zelfredzaamheid", field = "self_reliant",
    what = "antwoord op zelfredzaamheid", select = closed_in("closed"),
    whom = "afgesloten" },
}

for _, m in ipairs(missing) do
  kpi {
    id = m.id,
    title = "Casussen zonder " .. m.what,
    description = "Aandeel van de in de periode " .. m.whom
      .. " casussen waarin de " .. m.what .. " ontbreekt.",
    unit = "%",
    dataset = "cases",
    grain = "month",
    breakdown = { "team" },
    select = m.select,
    rule = share(is_empty(m.field)),
    target = { max = 5 },
  }
end

kpi {
  id = "kwaliteit_laat_ingevoerd",
  title = "Laat ingevoerde casussen",
  description = "Aandeel van de in de periode aangemelde casussen met een "
    .. "invoerdatum dat meer dan 14 dagen (late_days) na de aanmelddatum "
    .. "is ingevoerd.",
  unit = "%",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  params = { late_days = 14 },
  select = started_in("registered"),
  where = is_set("entered"),
  rule = share(gt(days_between("registered", "entered"), param("late_days"))),
  target = { max = 5 },
}
