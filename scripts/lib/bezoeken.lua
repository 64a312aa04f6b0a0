-- lib/bezoeken.lua - vervolgbezoeken van buurtbanen: het schema en de
-- bezoeken die in een periode vallen.  require("lib.bezoeken").

local B = {}

-- Maanden na de start waarin de werkgever wordt bezocht.
B.schedule = { 3, 9, 15, 22 }

-- Voor elk bezoek van traject t met een vervaldatum in de periode,
-- zolang het traject toen nog liep: f(maand, vervaldatum, gedaan), gedaan
-- de datum van het bezoek op of voor de peildatum, of nil.  De
-- achterstand op de peildatum rekent overdue{} uit (vervolgbezoeken.lua).
function B.each_due(t, period, visits, f)
  local from, to, reference = period.first, period.last, period.reference
  for _, months in ipairs(B.schedule) do
    local due = date.add_months(t.start, months)
    if due >= from and due <= to
        and (t["end"] == nil or due <= t["end"]) then
      local done
      for _, v in ipairs(visits or {}) do
        if v.month == months and v.date <= reference then
          done = v.date
        end
      end
      f(months, due, done)
    end
  end
end

return B
