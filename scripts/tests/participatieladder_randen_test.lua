-- participatieladder_randen_test.lua - the edges of the rise of
-- ladder_gestegen (participatieladder.lua: first_rise{} and in_period()),
-- in calendar years, one programme per edge.
--
--   trajectory person programme  start       end
--   T1         P1     Dag        2018-03-01  -
--   T2         P2     Einde      2018-01-01  2018-12-31
--   T3         P3     Einde      2018-01-01  2018-12-31
--   T4         P4     Precies    2018-02-01  -
--   T5         P5     Een        2018-01-01  -
--   T6         P6     Later      2018-01-01  -
--   T7         P7     Laat       2019-12-02  -
--
-- T7 (no measurements, never risen) says the export reaches 2019:
-- without a start in it, 2019 would lie after the data and not be
-- evaluated.
--
-- Ladder measurements (key, date, rung):
--   Dag: two on the start day, listed M9 rung 4 before M10 rung 1.  By
--     key (text: "M10" before "M9") M10 is the start, and M9 that same
--     day stands 3 above it: risen in 2018.  (Taken in the order listed,
--     or by the number in the key, M9 would be the start and M10 3 below
--     it: not risen.)
--   Einde: P2 rung 2 on 2018-01-01, rung 4 on 2019-01-01, the day after
--     T2 ended: not risen.  P3 rung 2 on 2018-01-01, rung 4 on 2018-12-31,
--     the day T3 ended: risen in 2018.
--   Precies: P4 rung 3 on 2018-02-01 (the start), rung 4 on 2018-05-01
--     (+1), rung 5 on 2019-02-01 (+2, exactly the 2 rungs): risen in 2019.
--   Een: P5 rung 1 on 2017-06-01 (before T5: not in it) and rung 4 on
--     2018-06-01, the only measurement in T5: no rise.
--   Later: P6 rung 1 on 2018-01-01, rung 3 on 2018-06-01 (+2: risen in
--     2018), rung 1 on 2019-01-15, rung 3 on 2019-06-01 (+2 again): not
--     counted again in 2019.
--
-- Risen, 2018: Dag 1, Einde {P3} 1, Precies 0, Een 0, Later 1, total 3.
--        2019: Dag 0, Precies {P4} 1, Een 0, Later 0, total 1.
-- With rungs = 3 (config): Dag 1 (+3), Einde 0 (+2), Precies 0 (+2),
--   Later 0 (+2): 2018 total 1, 2019 total 0.

local function ladder(id, person, date, score)
  return { measurement_id = id, person = person, date = date,
           instrument = "Participatieladder", score = score }
end

local data = {
  trajectories = {
    { trajectory_id = "T1", person = "P1", programme = "Dag", start = "2018-03-01" },
    { trajectory_id = "T2", person = "P2", programme = "Einde", start = "2018-01-01",
      ["end"] = "2018-12-31" },
    { trajectory_id = "T3", person = "P3", programme = "Einde", start = "2018-01-01",
      ["end"] = "2018-12-31" },
    { trajectory_id = "T4", person = "P4", programme = "Precies", start = "2018-02-01" },
    { trajectory_id = "T5", person = "P5", programme = "Een", start = "2018-01-01" },
    { trajectory_id = "T6", person = "P6", programme = "Later", start = "2018-01-01" },
    { trajectory_id = "T7", person = "P7", programme = "Laat", start = "2019-12-02" },
  },
  measurements = {
    ladder("M9", "P1", "2018-03-01", 4),
    ladder("M10", "P1", "2018-03-01", 1),
    ladder("E1", "P2", "2018-01-01", 2),
    ladder("E2", "P2", "2019-01-01", 4),
    ladder("E3", "P3", "2018-01-01", 2),
    ladder("E4", "P3", "2018-12-31", 4),
    ladder("R1", "P4", "2018-02-01", 3),
    ladder("R2", "P4", "2018-05-01", 4),
    ladder("R3", "P4", "2019-02-01", 5),
    ladder("S1", "P5", "2017-06-01", 1),
    ladder("S2", "P5", "2018-06-01", 4),
    ladder("L1", "P6", "2018-01-01", 1),
    ladder("L2", "P6", "2018-06-01", 3),
    ladder("L3", "P6", "2019-01-15", 1),
    ladder("L4", "P6", "2019-06-01", 3),
  },
}

test {
  name = "participatieladder: de randen van de eerste stijging",
  from = "2018-01", to = "2019-12",
  data = data,
  expect = {
    { kpi = "ladder_gestegen", period = "2018", programme = "Dag", value = 1 },
    { kpi = "ladder_gestegen", period = "2018", programme = "Einde", value = 1 },
    { kpi = "ladder_gestegen", period = "2018", programme = "Precies", value = 0 },
    { kpi = "ladder_gestegen", period = "2018", programme = "Een", value = 0 },
    { kpi = "ladder_gestegen", period = "2018", programme = "Later", value = 1 },
    { kpi = "ladder_gestegen", period = "2018", value = 3, status = "not met" },
    { kpi = "ladder_gestegen", period = "2019", programme = "Dag", value = 0 },
    { kpi = "ladder_gestegen", period = "2019", programme = "Precies", value = 1 },
    { kpi = "ladder_gestegen", period = "2019", programme = "Een", value = 0 },
    { kpi = "ladder_gestegen", period = "2019", programme = "Later", value = 0 },
    { kpi = "ladder_gestegen", period = "2019", value = 1 },
  },
}

test {
  name = "participatieladder: drie treden (param.rungs = 3)",
  from = "2018-01", to = "2019-12",
  config = { ladder_gestegen = { ["param.rungs"] = 3 } },
  data = data,
  expect = {
    { kpi = "ladder_gestegen", period = "2018", programme = "Dag", value = 1 },
    { kpi = "ladder_gestegen", period = "2018", programme = "Einde", value = 0 },
    { kpi = "ladder_gestegen", period = "2018", programme = "Later", value = 0 },
    { kpi = "ladder_gestegen", period = "2018", value = 1 },
    { kpi = "ladder_gestegen", period = "2019", programme = "Precies", value = 0 },
    { kpi = "ladder_gestegen", period = "2019", value = 0 },
  },
}
