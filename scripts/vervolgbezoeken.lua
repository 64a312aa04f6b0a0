-- vervolgbezoeken.lua - vervolgbezoeken bij buurtbanen (indicator 13).
--
-- Het programma bezoekt de werkgever 3, 9, 15 en 22 maanden na de start
-- van een buurtbaan (date.add_months: 31 januari + 1 maand is eind
-- februari).  Een bezoek valt in de periode als zijn vervaldatum erin ligt
-- en het traject dan nog liep; het is gedaan als er een bezoek van die
-- maand is geregistreerd op of voor de peildatum.  De achterstand op de
-- peildatum: van de trajecten die in de periode liepen, elk bezoek dat
-- sinds de start verviel (de vervaldatum plus grace_days voor de
-- peildatum, het traject liep toen nog) en op de peildatum niet is
-- afgelegd, uit welke maand ook: declaratief met overdue{}, in C.

local bezoeken = require("lib.bezoeken")

local function sum_due(select_visit)
  return function(t, period, data)
    local n = 0
    bezoeken.each_due(t, period, data.visits[t.trajectory_id],
      function(months, due, done)
        if select_visit(due, done, period) then n = n + 1 end
      end)
    return n
  end
end

local common = {
  dataset = "trajectories",
  tags = { "trajecten", "bezoeken" },
  grain = "month",
  params = { programme = "Buurtbaan", grace_days = 0 },
  select = running_in("start", "end"),
  where = eq("programme", param("programme")),
  lookup = { visits = { dataset = "visits", by = "trajectory_id" } },
}

local function visit_kpi(t)
  for k, v in pairs(common) do t[k] = v end
  kpi(t)
end

visit_kpi {
  id = "vervolgbezoeken_gepland",
  title = "Vervolgbezoeken gepland",
  description = "Aantal vervolgbezoeken bij buurtbanen met een "
    .. "vervaldatum in de periode.",
  unit = "bezoeken",
  rule = sum(sum_due(function() return true end)),
}

visit_kpi {
  id = "vervolgbezoeken_gedaan",
  title = "Vervolgbezoeken gedaan",
  description = "Van de vervolgbezoeken met een vervaldatum in de periode: "
    .. "het aantal dat op of voor de peildatum is afgelegd.",
  unit = "bezoeken",
  rule = sum(sum_due(function(due, done) return done ~= nil end)),
}

visit_kpi {
  id = "vervolgbezoeken_achterstallig",
  title = "Vervolgbezoeken achterstallig",
  description = "De achterstand op de peildatum: van de buurtbanen die "
    .. "in de periode liepen, de vervolgbezoeken die sinds de start zijn vervallen "
    .. "(de vervaldatum plus de marge grace_days al voorbij) en op de "
    .. "peildatum niet zijn afgelegd, ook die van eerdere maanden.",
  unit = "bezoeken",
  rule = sum(overdue {
    start = "start", stop = "end", months = bezoeken.schedule,
    lookup = "visits", key = "trajectory_id", step = "month", done = "date",
    grace_days = param("grace_days"),
  }),
  target = { max = 0 },
}
