-- lib/metingen.lua - eerste en laatste meting, voor de scripts van de
-- zelfredzaamheidsmatrix:
--   local metingen = require("lib.metingen")
--
-- Een meting is een rij met date ("JJJJ-MM-DD"), score en, bij de ZRM,
-- domain.  Peil laadt dit bestand alleen uit de scriptmappen.

local M = {}

-- De verandering tussen de eerste en de laatste meting op of voor `to`,
-- opgeteld over de domeinen (de ladder heeft er één).  Alleen domeinen met
-- een latere meting dan de eerste tellen, en met `from` alleen als die
-- laatste meting op of na `from` ligt.  nil als geen domein meetelt.
function M.change(rows, from, to)
  local first, latest = {}, {}
  for _, r in ipairs(rows or {}) do
    if r.date <= to then
      local d = r.domain or ""
      if not first[d] or r.date < first[d].date then first[d] = r end
      if not latest[d] or r.date > latest[d].date then latest[d] = r end
    end
  end
  local delta, counted = 0, false
  for d, f in pairs(first) do
    local l = latest[d]
    if l.date > f.date and (from == nil or l.date >= from) then
      delta = delta + (l.score - f.score)
      counted = true
    end
  end
  if counted then return delta end
  return nil
end

return M
