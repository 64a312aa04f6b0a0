-- lib/bezoeken.lua - vervolgbezoeken van buurtbanen: het schema, de
-- bezoeken die in een periode vallen en de bezoeken die op de peildatum
-- openstaan.  require("lib.bezoeken").

local B = {}

-- Maanden na de start waarin de werkgever wordt bezocht.
B.schedule = { 3, 9, 15, 22 }

-- Voor elk bezoek van traject t met een vervaldatum van `from` tot en met
-- `to` (from nil: sinds de start), zolang het traject toen nog liep:
-- f(maand, vervaldatum, gedaan), gedaan de datum van het bezoek op of
-- voor de peildatum, of nil.
local function each_in(t, from, to, reference, visits, f)
  for _, months in ipairs(B.schedule) do
    local due = date.add_months(t.start, months)
    if (from == nil or due >= from) and due <= to
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

-- De bezoeken met een vervaldatum in de periode.
function B.each_due(t, period, visits, f)
  each_in(t, period.first, period.last, period.reference, visits, f)
end

-- De bezoeken met een vervaldatum op of voor de peildatum: de
-- achterstand telt alles wat sinds de start verviel, niet alleen de
-- bezoeken van de periode.
function B.each_due_by_reference(t, period, visits, f)
  each_in(t, nil, period.reference, period.reference, visits, f)
end

return B
