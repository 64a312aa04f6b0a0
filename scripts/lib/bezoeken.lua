-- lib/bezoeken.lua - vervolgbezoeken van buurtbanen: het schema en de
-- bezoeken die in een periode vallen.  require("lib.bezoeken").

local B = {}

-- Maanden na de start waarin de werkgever wordt bezocht.
B.schedule = { 3, 9, 15, 22 }

-- Voor elk bezoek van traject t dat in de periode valt (de vervaldatum in
-- de periode, het traject liep toen nog): f(maand, vervaldatum, gedaan),
-- gedaan de datum van het bezoek op of voor de peildatum, of nil.
function B.each_due(t, period, visits, f)
  for _, months in ipairs(B.schedule) do
    local due = date.add_months(t.start, months)
    if due >= period.first and due <= period.last
        and (t["end"] == nil or due <= t["end"]) then
      local done
      for _, v in ipairs(visits or {}) do
        if v.month == months and v.date <= period.reference then
          done = v.date
        end
      end
      f(months, due, done)
    end
  end
end

return B
