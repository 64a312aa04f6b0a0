-- zrm.lua - de Zelfredzaamheidsmatrix (indicator 12).
--
-- Per domein (13 in de versie van 2017, 11 in de oudere; score 1 acute
-- problematiek tot 5 volledig zelfredzaam): de personen van wie de score
-- tussen de eerste meting en de laatste is gestegen, gelijk gebleven of
-- gedaald.  Een persoon telt in een periode als hij erin is gemeten (zijn
-- laatste meting op of voor het einde ligt in de periode) en er een
-- eerdere meting is.  In het totaal telt de som van de veranderingen over
-- de domeinen.

local metingen = require("lib.metingen")

-- De verandering van een persoon over de domeinen waarin hij in de
-- periode is gemeten (in een domeincel één domein, in het totaal alle),
-- met zijn hele geschiedenis van die domeinen.
local function change(person, period, data)
  local domains, history = {}, {}
  for _, r in ipairs(person.rows) do domains[r.domain or ""] = true end
  for _, r in ipairs(data.zrm[person.key] or {}) do
    if domains[r.domain or ""] then history[#history + 1] = r end
  end
  return metingen.change(history, period.first, period.last)
end

local directions = {
  { id = "zrm_vooruit", title = "gestegen", test = function(d) return d > 0 end },
  { id = "zrm_gelijk", title = "gelijk gebleven", test = function(d) return d == 0 end },
  { id = "zrm_achteruit", title = "gedaald", test = function(d) return d < 0 end },
}

for _, dir in ipairs(directions) do
  kpi {
    id = dir.id,
    title = "Personen met een ZRM-score die " .. dir.title .. " is",
    description = "Per domein van de Zelfredzaamheidsmatrix: aantal "
      .. "personen opnieuw gemeten in de periode van wie de score sinds de "
      .. "eerste meting " .. dir.title .. " is.",
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
    having = function(person, period, data)
      return change(person, period, data) ~= nil
    end,
    rule = count(function(person, period, data)
      return dir.test(change(person, period, data))
    end),
  }
end
