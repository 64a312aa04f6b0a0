-- participatieladder_test.lua - indicator 11 (participatieladder.lua) in
-- contract years that start in July: 2017/2018 is 1 July 2017 to 30 June
-- 2018, 2018/2019 the year after.
--
--   trajectory person programme  start       end
--   T1         P1     Buurtbaan  2017-08-01  -
--   T2         P2     Buurtbaan  2018-01-15  -
--   T3         P3     Geldzaken  2018-09-01  2019-03-31
--   T4         P4     Geldzaken  2018-07-01  2018-12-31
--   T5         P1     Geldzaken  2019-01-10  -           (P1's second)
--
-- Ladder measurements (and ZRM rows that must not count):
--   P1: 2017-08-01 rung 1 (start of T1), 2018-03-01 rung 3: +2, T1 rises
--       in 2017/2018; 2018-09-01 rung 4 (+3): T1 is not counted again in
--       2018/2019.  2019-01-10 rung 4 (start of T5), 2019-05-01 rung 6:
--       +2 in T5, which rises in 2018/2019.
--   P2: 2016-05-01 rung 1 (before T2: not its start), 2018-01-15 rung 2
--       (start of T2), 2018-10-01 rung 3: +1 in the trajectory (+2 from
--       the first measurement ever): not risen.  ZRM Financiën 1 then 5
--       must not count.
--   P3: 2018-09-01 rung 2, 2018-11-01 rung 5 (+3): rises in 2018/2019;
--       2019-02-01 back to rung 2: still counted (the first rise counts).
--   P4: 2018-07-01 rung 1, 2019-03-01 rung 4: after T4 ended, not risen.
--
-- Risen at least 2 rungs (target 750, not met):
--   2017/2018: Buurtbaan {P1} = 1, Geldzaken 0, total 1.
--   2018/2019: Buurtbaan 0 (T1 counted before, P2 +1), Geldzaken {P3, P1}
--   = 2, total {P3, P1} = 2.
-- In a trajectory: 2017/2018: Buurtbaan {P1, P2} = 2, total 2;
--   2018/2019: Buurtbaan {P1, P2} = 2, Geldzaken {P3, P4, P1} = 3,
--   total 4; no target.

local function ladder(id, person, date, score)
  return { measurement_id = id, person = person, date = date,
           instrument = "Participatieladder", score = score }
end

test {
  name = "participatieladder: eenmaal per traject, in het jaar van de stijging",
  from = "2017-07", to = "2019-06",
  contract_start_month = 7,
  data = {
    trajectories = {
      { trajectory_id = "T1", person = "P1", programme = "Buurtbaan", start = "2017-08-01" },
      { trajectory_id = "T2", person = "P2", programme = "Buurtbaan", start = "2018-01-15" },
      { trajectory_id = "T3", person = "P3", programme = "Geldzaken", start = "2018-09-01",
        ["end"] = "2019-03-31" },
      { trajectory_id = "T4", person = "P4", programme = "Geldzaken", start = "2018-07-01",
        ["end"] = "2018-12-31" },
      { trajectory_id = "T5", person = "P1", programme = "Geldzaken", start = "2019-01-10" },
    },
    measurements = {
      ladder("L1", "P1", "2017-08-01", 1),
      ladder("L2", "P1", "2018-03-01", 3),
      ladder("L3", "P1", "2018-09-01", 4),
      ladder("L4", "P1", "2019-01-10", 4),
      ladder("L5", "P1", "2019-05-01", 6),
      ladder("L6", "P2", "2016-05-01", 1),
      ladder("L7", "P2", "2018-01-15", 2),
      ladder("L8", "P2", "2018-10-01", 3),
      { measurement_id = "Z1", person = "P2", date = "2018-01-15", instrument = "ZRM",
        domain = "Financiën", score = 1 },
      { measurement_id = "Z2", person = "P2", date = "2018-05-01", instrument = "ZRM",
        domain = "Financiën", score = 5 },
      ladder("L9", "P3", "2018-09-01", 2),
      ladder("L10", "P3", "2018-11-01", 5),
      ladder("L11", "P3", "2019-02-01", 2),
      ladder("L12", "P4", "2018-07-01", 1),
      ladder("L13", "P4", "2019-03-01", 4),
    },
  },
  expect = {
    { kpi = "ladder_gestegen", period = "2017/2018", programme = "Buurtbaan", value = 1, status = "none" },
    { kpi = "ladder_gestegen", period = "2017/2018", programme = "Geldzaken", value = 0, status = "none" },
    { kpi = "ladder_gestegen", period = "2017/2018", value = 1, status = "not met" },
    { kpi = "ladder_gestegen", period = "2018/2019", programme = "Buurtbaan", value = 0 },
    { kpi = "ladder_gestegen", period = "2018/2019", programme = "Geldzaken", value = 2 },
    { kpi = "ladder_gestegen", period = "2018/2019", value = 2, status = "not met" },
    { kpi = "ladder_in_traject", period = "2017/2018", programme = "Buurtbaan", value = 2 },
    { kpi = "ladder_in_traject", period = "2017/2018", value = 2, status = "none" },
    { kpi = "ladder_in_traject", period = "2018/2019", programme = "Buurtbaan", value = 2 },
    { kpi = "ladder_in_traject", period = "2018/2019", programme = "Geldzaken", value = 3 },
    { kpi = "ladder_in_traject", period = "2018/2019", value = 4, status = "none" },
  },
}

-- Two measurements on the day a trajectory starts: the one with the
-- smaller key is its start, on every run.  T9 starts 2018-08-01 with A1
-- rung 3 and A2 rung 1 that day, and rung 4 on 2019-01-01: from A1 that
-- is +1, not risen (from A2 it would be +3).  T8 the other way round: B1
-- rung 1 and B2 rung 3, then rung 3: +2 from B1, risen in 2018/2019.
test {
  name = "participatieladder: twee metingen op de startdag",
  from = "2018-07", to = "2019-06",
  contract_start_month = 7,
  data = {
    trajectories = {
      { trajectory_id = "T9", person = "P9", programme = "Buurtbaan", start = "2018-08-01" },
      { trajectory_id = "T8", person = "P8", programme = "Geldzaken", start = "2018-08-01" },
    },
    measurements = {
      ladder("A2", "P9", "2018-08-01", 1),
      ladder("A1", "P9", "2018-08-01", 3),
      ladder("A3", "P9", "2019-01-01", 4),
      ladder("B2", "P8", "2018-08-01", 3),
      ladder("B1", "P8", "2018-08-01", 1),
      ladder("B3", "P8", "2019-01-01", 3),
    },
  },
  expect = {
    { kpi = "ladder_gestegen", period = "2018/2019", programme = "Buurtbaan", value = 0 },
    { kpi = "ladder_gestegen", period = "2018/2019", programme = "Geldzaken", value = 1 },
    { kpi = "ladder_gestegen", period = "2018/2019", value = 1 },
  },
}
