-- zrm_randen_test.lua - the edges of the ZRM change (zrm.lua:
-- score_change{}), in 2018-Q2 (April to June).  Measurements are read by
-- their key (01, 02, ...): on one day the first read is the lower key.
--
--   person domain       measurements (key date score)
--   P1     Financiën    01 2018-01-10 2, 02 2018-01-10 4,
--                       03 2018-05-01 3, 04 2018-05-01 1
--     Two on the first day and two on the latest: the first read of
--     each counts, 2 to 3: +1, up.  (The last read of each: 4 to 1.)
--   P2     Financiën    05 2018-05-10 3                  once: not counted
--   P3     Huisvesting  06 2018-01-05 2, 07 2018-04-20 4, 08 2018-08-01 1
--     The one after Q2 is left out: 2 to 4, +2, up.
--   P4     Financiën    09 2018-01-01 3, 10 2018-03-01 1 (its latest
--                       before Q2: not measured in Q2)
--   P4     Huisvesting  11 2018-02-01 2, 12 2018-06-30 2  0, stayed
--   P5     Financiën    13 2018-01-01 1, 14 2018-04-02 3  +2
--   P5     Huisvesting  15 2018-01-01 4, 16 2018-04-02 2  -2
--
-- Q2, per domain: Financiën up 2 (P1, P5), stayed 0, down 0 (P2 once,
--   P4 not in Q2); Huisvesting up 1 (P3), stayed 1 (P4), down 1 (P5).
-- Total, the sum over the domains measured in Q2: P1 +1 up, P3 +2 up,
--   P4 0 stayed (its Financiën, -2, is not measured in Q2: with it P4
--   would be down), P5 +2 - 2 = 0 stayed.  Up 2, stayed 2, down 0.

local function m(id, person, date, domain, score)
  return { measurement_id = id, person = person, date = date,
           instrument = "ZRM", domain = domain, score = score }
end

test {
  name = "zelfredzaamheidsmatrix: randen",
  period = "2018-Q2",
  data = { measurements = {
    m("01", "P1", "2018-01-10", "Financiën", 2),
    m("02", "P1", "2018-01-10", "Financiën", 4),
    m("03", "P1", "2018-05-01", "Financiën", 3),
    m("04", "P1", "2018-05-01", "Financiën", 1),
    m("05", "P2", "2018-05-10", "Financiën", 3),
    m("06", "P3", "2018-01-05", "Huisvesting", 2),
    m("07", "P3", "2018-04-20", "Huisvesting", 4),
    m("08", "P3", "2018-08-01", "Huisvesting", 1),
    m("09", "P4", "2018-01-01", "Financiën", 3),
    m("10", "P4", "2018-03-01", "Financiën", 1),
    m("11", "P4", "2018-02-01", "Huisvesting", 2),
    m("12", "P4", "2018-06-30", "Huisvesting", 2),
    m("13", "P5", "2018-01-01", "Financiën", 1),
    m("14", "P5", "2018-04-02", "Financiën", 3),
    m("15", "P5", "2018-01-01", "Huisvesting", 4),
    m("16", "P5", "2018-04-02", "Huisvesting", 2),
  } },
  expect = {
    { kpi = "zrm_vooruit", period = "2018-Q2", domain = "Financiën", value = 2 },
    { kpi = "zrm_gelijk", period = "2018-Q2", domain = "Financiën", value = 0 },
    { kpi = "zrm_achteruit", period = "2018-Q2", domain = "Financiën", value = 0 },
    { kpi = "zrm_vooruit", period = "2018-Q2", domain = "Huisvesting", value = 1 },
    { kpi = "zrm_gelijk", period = "2018-Q2", domain = "Huisvesting", value = 1 },
    { kpi = "zrm_achteruit", period = "2018-Q2", domain = "Huisvesting", value = 1 },
    { kpi = "zrm_vooruit", period = "2018-Q2", value = 2 },
    { kpi = "zrm_gelijk", period = "2018-Q2", value = 2 },
    { kpi = "zrm_achteruit", period = "2018-Q2", value = 0 },
  },
}

-- The fixture listed against the key's order: P1's two measurements of
-- 2018-01-10 (02 score 4 before 01 score 2) and of 2018-05-01 (04 score
-- 1 before 03 score 3).  peil test reads a fixture's rows in the key's
-- order, as the storage plugins do: the first is 01 (2), the latest 03
-- (3), +1, up, as a run over the same rows gives.  (In the listed order
-- it would be 4 to 1, down.)
test {
  name = "zelfredzaamheidsmatrix: een dag, in de volgorde van de sleutel",
  period = "2018-Q2",
  data = { measurements = {
    m("04", "P1", "2018-05-01", "Financiën", 1),
    m("02", "P1", "2018-01-10", "Financiën", 4),
    m("03", "P1", "2018-05-01", "Financiën", 3),
    m("01", "P1", "2018-01-10", "Financiën", 2),
  } },
  expect = {
    { kpi = "zrm_vooruit", period = "2018-Q2", domain = "Financiën", value = 1 },
    { kpi = "zrm_gelijk", period = "2018-Q2", domain = "Financiën", value = 0 },
    { kpi = "zrm_achteruit", period = "2018-Q2", domain = "Financiën", value = 0 },
    { kpi = "zrm_vooruit", period = "2018-Q2", value = 1 },
    { kpi = "zrm_achteruit", period = "2018-Q2", value = 0 },
  },
}
