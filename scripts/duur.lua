-- duur.lua - duur van de ondersteuning op de peildatum (indicator 5).
--
-- De casussen die op de peildatum lopen (aangemeld op of voor die dag,
-- niet eerder afgesloten), in banden naar hun duur: hele maanden van de
-- aanmelddatum tot de peildatum (months_to_reference: een maand is vol op
-- dezelfde dag van de maand).  Elke band is een KPI; een contract kan de
-- grenzen wijzigen met [kpi duur_...] param.from / param.to (maanden,
-- from telt mee, to niet).

local bands = {
  { id = "duur_onder_1_maand", title = "korter dan 1 maand", from = 0, to = 1 },
  { id = "duur_1_2_maanden", title = "1 tot 3 maanden (1-2 maanden)", from = 1, to = 3 },
  { id = "duur_3_6_maanden", title = "3 tot 6 maanden", from = 3, to = 6 },
  { id = "duur_6_12_maanden", title = "6 tot 12 maanden", from = 6, to = 12 },
  { id = "duur_1_2_jaar", title = "1 tot 2 jaar", from = 12, to = 24 },
  { id = "duur_meer_dan_2_jaar", title = "2 jaar of langer", from = 24, to = 100000 },
}

for _, band in ipairs(bands) do
  kpi {
    id = band.id,
    title = "Lopende casussen met een duur van " .. band.title,
    description = "Aantal casussen dat op de peildatum liep en toen "
      .. band.title .. " geleden was aangemeld.",
    unit = "casussen",
    dataset = "cases",
    grain = "month",
    breakdown = { "team" },
    params = { from = band.from, to = band.to },
    select = on_reference_date("registered", "closed"),
    rule = count(all {
      at_least(months_to_reference("registered"), param("from")),
      lt(months_to_reference("registered"), param("to")),
    }),
  }
end
