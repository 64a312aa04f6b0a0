-- participatieladder.lua - de Participatieladder (indicator 11).
--
-- Treden: 1 Geïsoleerd, 2 Sociale contacten buitenshuis, 3 Deelname
-- georganiseerde activiteiten, 4 Onbetaald werk, 5 Betaald werk met
-- ondersteuning, 6 Betaald werk.
--
-- Personen in een traject in de periode (start op of voor het einde, geen
-- einde of een einde op of na het begin).  Van wie een eerste meting en
-- een latere heeft (beide op of voor het einde van de periode): het aantal
-- en aandeel van wie de laatste trede minstens 2 (param rungs) boven de
-- eerste ligt.  Een typisch contract: 750 personen per jaar in een traject.

local metingen = require("lib.metingen")

kpi {
  id = "ladder_in_traject",
  title = "Personen in een traject",
  description = "Aantal verschillende personen met een traject dat in de "
    .. "periode liep.",
  unit = "personen",
  dataset = "trajectories",
  tags = { "trajecten" },
  grain = "contract_year",
  breakdown = { "programme" },
  select = running_in("start", "end"),
  rule = count_distinct("person"),
  target = { min = 750 },
}

kpi {
  id = "ladder_gestegen",
  title = "Minstens 2 treden gestegen op de Participatieladder",
  description = "Van de personen in een traject in de periode met een "
    .. "eerste en een latere meting op de Participatieladder: het aandeel "
    .. "van wie de laatste trede (op of voor het einde van de periode) "
    .. "minstens 2 treden boven de eerste ligt.  De teller is hun aantal.",
  unit = "%",
  dataset = "trajectories",
  tags = { "trajecten" },
  grain = "contract_year",
  breakdown = { "programme" },
  params = { rungs = 2 },
  select = running_in("start", "end"),
  per = "person",
  lookup = {
    ladder = { dataset = "measurements", by = "person",
               where = { instrument = "Participatieladder" } },
  },
  having = function(person, period, data)
    return metingen.change(data.ladder[person.key], nil, period.last) ~= nil
  end,
  rule = share(function(person, period, data)
    return metingen.change(data.ladder[person.key], nil, period.last)
      >= param("rungs")
  end),
  target = { min = 50 },
}
