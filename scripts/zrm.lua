-- zrm.lua - de Zelfredzaamheidsmatrix (indicator 12).
--
-- Per domein (13 in de versie van 2017, 11 in de oudere; score 1 acute
-- problematiek tot 5 volledig zelfredzaam): de personen van wie de score
-- tussen de eerste meting en de laatste is gestegen, gelijk gebleven of
-- gedaald.  Een persoon telt in een periode als hij erin is gemeten (zijn
-- laatste meting op of voor het einde ligt in de periode) en er een
-- eerdere meting is.  In het totaal telt de som van de veranderingen over
-- de domeinen.

-- De verandering van een persoon over de domeinen waarin hij in de
-- periode is gemeten (in een domeincel één domein, in het totaal alle),
-- met zijn hele geschiedenis van die domeinen: score_change{}, in C.
local change = score_change { lookup = "zrm", key = "person",
                              date = "date", score = "score", by = "domain" }

local directions = {
  { id = "zrm_vooruit", title = "gestegen", test = gt },
  { id = "zrm_gelijk", title = "gelijk gebleven", test = eq },
  { id = "zrm_achteruit", title = "gedaald", test = lt },
}

for _, dir in ipairs(directions) do
  kpi {
    id = dir.id,
    title = "Personen met een ZRM-score die " .. dir.title .. " is",
    description = "Per domein van de Zelfredzaamheidsmatrix: aantal "
      .. "personen opnieuw gemeten in de periode van wie de score sinds de "
      .. "eerste meting " .. dir.title .. " is. In het totaal telt een "
      .. "persoon één keer, naar de som van zijn veranderingen over de "
      .. "domeinen waarin hij in de periode is gemeten.",
    unit = "personen",
    dataset = "measurements",
    tags = { "zrm" },
    grain = "quarter",
    breakdown = { "domain" },
    select = started_in("date"),
    where = eq("instrument", "ZRM"),
    per = "person",
    lookup = { zrm = { dataset = "measurements", by = "person",
                       where = { instrument = "ZRM" } } },
    having = is_set(change),
    rule = count(dir.test(change, 0)),
  }
end
