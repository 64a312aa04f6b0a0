-- participatieladder_test.lua - indicator 11 (participatieladder.lua) in
-- a contract year that starts in July: 2018/2019 is 1 July 2018 to 30
-- June 2019.
--
--   trajectory person programme    start       end
--   T1         P1     Buurtbaan    2018-08-01  -
--   T2         P2     Buurtbaan    2018-01-15  2018-09-30
--   T3         P3     Geldzaken    2018-09-01  2018-12-31
--   T4         P4     Buurtbaan    2017-01-01  2018-06-30  (ended before)
--   T5         P1     Geldzaken    2019-01-10  -           (P1 twice)
--   T6         P5     Digivaardig  2019-07-01  -           (starts after)
--
-- Ladder measurements (and ZRM rows that must not count):
--   P1: 2018-08-01 rung 1, 2019-02-01 rung 3 (+2), 2019-08-01 rung 6
--       (after the period: ignored).
--   P2: 2018-01-15 rung 2, 2018-07-15 rung 4 (+2), 2019-01-10 rung 3:
--       rose 2, then fell back 1; latest 3 - first 2 = 1: not risen.
--   P3: 2018-09-01 rung 2 only: measured once, not in the denominator;
--       ZRM Financiën 1 then 5 must not make it count.
--   P4: 2017-01-01 rung 1, 2018-06-01 rung 5: not in a trajectory.
--
-- In a trajectory in 2018/2019: Buurtbaan {P1, P2} = 2, Geldzaken
--   {P3, P1} = 2, Digivaardig 0, total {P1, P2, P3} = 3; target 750.
-- Risen at least 2 rungs, of those with a first and a later measurement:
--   Buurtbaan P1 yes, P2 no: 1 of 2 = 50%; Geldzaken P1 yes (P3 out):
--   100%; total P1, P2: 50% (target 50: met).

test {
  name = "participatieladder in een contractjaar vanaf juli",
  from = "2018-07", to = "2019-06",
  contract_start_month = 7,
  data = {
    trajectories = {
      { trajectory_id = "T1", person = "P1", programme = "Buurtbaan", start = "2018-08-01" },
      { trajectory_id = "T2", person = "P2", programme = "Buurtbaan", start = "2018-01-15",
        ["end"] = "2018-09-30" },
      { trajectory_id = "T3", person = "P3", programme = "Geldzaken", start = "2018-09-01",
        ["end"] = "2018-12-31" },
      { trajectory_id = "T4", person = "P4", programme = "Buurtbaan", start = "2017-01-01",
        ["end"] = "2018-06-30" },
      { trajectory_id = "T5", person = "P1", programme = "Geldzaken", start = "2019-01-10" },
      { trajectory_id = "T6", person = "P5", programme = "Digivaardig", start = "2019-07-01" },
    },
    measurements = {
      { measurement_id = "L1", person = "P1", date = "2018-08-01", instrument = "Participatieladder", score = 1 },
      { measurement_id = "L2", person = "P1", date = "2019-02-01", instrument = "Participatieladder", score = 3 },
      { measurement_id = "L3", person = "P1", date = "2019-08-01", instrument = "Participatieladder", score = 6 },
      { measurement_id = "L4", person = "P2", date = "2018-01-15", instrument = "Participatieladder", score = 2 },
      { measurement_id = "L5", person = "P2", date = "2018-07-15", instrument = "Participatieladder", score = 4 },
      { measurement_id = "L6", person = "P2", date = "2019-01-10", instrument = "Participatieladder", score = 3 },
      { measurement_id = "L7", person = "P3", date = "2018-09-01", instrument = "Participatieladder", score = 2 },
      { measurement_id = "Z1", person = "P3", date = "2018-09-01", instrument = "ZRM",
        domain = "Financiën", score = 1 },
      { measurement_id = "Z2", person = "P3", date = "2019-03-01", instrument = "ZRM",
        domain = "Financiën", score = 5 },
      { measurement_id = "L8", person = "P4", date = "2017-01-01", instrument = "Participatieladder", score = 1 },
      { measurement_id = "L9", person = "P4", date = "2018-06-01", instrument = "Participatieladder", score = 5 },
    },
  },
  expect = {
    { kpi = "ladder_in_traject", period = "2018/2019", programme = "Buurtbaan", value = 2 },
    { kpi = "ladder_in_traject", period = "2018/2019", programme = "Geldzaken", value = 2 },
    { kpi = "ladder_in_traject", period = "2018/2019", programme = "Digivaardig", value = 0 },
    { kpi = "ladder_in_traject", period = "2018/2019", value = 3, status = "not met" },
    { kpi = "ladder_gestegen", period = "2018/2019", programme = "Buurtbaan", value = 50,
      numerator = 1, denominator = 2 },
    { kpi = "ladder_gestegen", period = "2018/2019", programme = "Geldzaken", value = 100,
      numerator = 1, denominator = 1 },
    { kpi = "ladder_gestegen", period = "2018/2019", programme = "Digivaardig", value = "empty" },
    { kpi = "ladder_gestegen", period = "2018/2019", value = 50, numerator = 1,
      denominator = 2, status = "met" },
  },
}
