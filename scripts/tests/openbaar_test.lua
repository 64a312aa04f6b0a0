-- openbaar_test.lua - public or internal KPIs (visibility): a public
-- output (peil report --public, the Prometheus export with [privacy
-- public]) holds only the figures of public KPIs; `public = true` asks
-- this test for what such an output holds. Every KPI is internal unless
-- visibility = "public" in its kpi{} or [kpi ID] says so.
--
-- February 2018:
--   started (registered): Oost 02-03, 02-14; West 02-11
--     casussen_gestart: Oost 2, West 1, total 3
--   closed, both of Oost (registered 2016): 02-05 as planned, 02-08 moved
--     afgesloten_volgens_plan: 1 of 2 = 50 % (Oost and the total)
-- In a public output with casussen_gestart public: its 2, 1 and 3, and
-- nothing of afgesloten_volgens_plan (internal by default). Internal
-- outputs hold both. Without any [kpi ID] visibility a public output
-- holds nothing of either.

local plan, moved = "Beëindigd volgens plan", "Verhuisd"
local cases = {
  { case_id = "S1", team = "Oost", registered = "2018-02-03" },
  { case_id = "S2", team = "Oost", registered = "2018-02-14" },
  { case_id = "S3", team = "West", registered = "2018-02-11" },
  { case_id = "C1", team = "Oost", registered = "2016-06-01",
    closed = "2018-02-05", closure_reason = plan },
  { case_id = "C2", team = "Oost", registered = "2016-06-01",
    closed = "2018-02-08", closure_reason = moved },
}

test {
  name = "een openbare uitvoer: alleen de openbare KPI",
  period = "2018-02",
  public = true,
  config = { casussen_gestart = { visibility = "public" } },
  data = { cases = cases },
  expect = {
    { kpi = "casussen_gestart", period = "2018-02", team = "Oost", value = 2 },
    { kpi = "casussen_gestart", period = "2018-02", team = "West", value = 1 },
    { kpi = "casussen_gestart", period = "2018-02", value = 3 },
    { kpi = "afgesloten_volgens_plan", period = "2018-02", absent = true },
    { kpi = "afgesloten_volgens_plan", period = "2018-02", team = "Oost",
      absent = true },
  },
}

test {
  name = "een interne uitvoer: beide",
  period = "2018-02",
  config = { casussen_gestart = { visibility = "public" } },
  data = { cases = cases },
  expect = {
    { kpi = "casussen_gestart", period = "2018-02", value = 3 },
    { kpi = "afgesloten_volgens_plan", period = "2018-02", value = 50,
      numerator = 1, denominator = 2 },
  },
}

test {
  name = "zonder visibility is elke KPI intern",
  period = "2018-02",
  public = true,
  data = { cases = cases },
  expect = {
    { kpi = "casussen_gestart", period = "2018-02", absent = true },
    { kpi = "afgesloten_volgens_plan", period = "2018-02", absent = true },
  },
}
