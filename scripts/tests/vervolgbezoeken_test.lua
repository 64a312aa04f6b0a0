-- vervolgbezoeken_test.lua - indicator 13 (vervolgbezoeken.lua), April to
-- June 2018.  Visits are due 3, 9, 15 and 22 months after the start
-- (date.add_months: 31 January + 3 months is 30 April).
--
--   traj. programme  start       end         due                       visit done
--   V1    Buurtbaan  2018-01-31  -           3 m: 30 Apr 2018          30 Apr (on the day)
--   V2    Buurtbaan  2018-02-15  -           3 m: 15 May 2018          5 Jun (late)
--   V3    Buurtbaan  2017-03-10  2018-05-01  3 m: 10 Jun 2017, 9 m:    none
--                                            10 Dec 2017; 15 m: 10 Jun
--                                            2018, after its end: not due
--   V4    Geldzaken  2018-03-01  -           (not a neighbourhood job)
--   V5    Buurtbaan  2017-09-30  -           3 m: 30 Dec 2017;         3 m: 20 May 2018
--                                            9 m: 30 Jun 2018
--   V6    Geldzaken  2018-06-28  -           (not a neighbourhood job)
--
-- V6 says the export reaches June: without a start after 1 March, April
-- to June would lie after the data and not be evaluated.
--
-- Due in the period and done:
--   April: due 1 (V1), done 1.  May: due 1 (V2), done by 31 May 0 (done
--   5 June).  June: due 1 (V5, 9 m), done 0.
-- Overdue on the reference date, the backlog of the trajectories running
-- in the month: every visit due since the start, before the reference
-- date, and not done on it, from whatever month:
--   30 April: V3 3 m and 9 m, V5 3 m (done only on 20 May) = 3.
--   31 May: V2 3 m (15 May), V3 3 m and 9 m (V3 ran until 1 May) = 3;
--     V5's is done.
--   30 June: V3 no longer runs; V5 9 m is due on the reference date
--     itself, not before it; V2 done 5 June = 0.
-- With grace_days = 20 (second test), on 31 May: V2's visit is overdue
--   only after 4 June; V3's two = 2.

local trajectories = {
  { trajectory_id = "V1", person = "P1", programme = "Buurtbaan", start = "2018-01-31" },
  { trajectory_id = "V2", person = "P2", programme = "Buurtbaan", start = "2018-02-15" },
  { trajectory_id = "V3", person = "P3", programme = "Buurtbaan", start = "2017-03-10",
    ["end"] = "2018-05-01" },
  { trajectory_id = "V4", person = "P4", programme = "Geldzaken", start = "2018-03-01" },
  { trajectory_id = "V5", person = "P5", programme = "Buurtbaan", start = "2017-09-30" },
  { trajectory_id = "V6", person = "P6", programme = "Geldzaken", start = "2018-06-28" },
}
local visits = {
  { visit_id = "B1", trajectory_id = "V1", month = 3, date = "2018-04-30" },
  { visit_id = "B2", trajectory_id = "V2", month = 3, date = "2018-06-05" },
  { visit_id = "B3", trajectory_id = "V4", month = 3, date = "2018-06-01" },
  { visit_id = "B4", trajectory_id = "V5", month = 3, date = "2018-05-20" },
}

test {
  name = "vervolgbezoeken bij buurtbanen",
  from = "2018-04", to = "2018-06",
  data = { trajectories = trajectories, visits = visits },
  expect = {
    { kpi = "vervolgbezoeken_gepland", period = "2018-04", value = 1 },
    { kpi = "vervolgbezoeken_gedaan", period = "2018-04", value = 1 },
    { kpi = "vervolgbezoeken_achterstallig", period = "2018-04", value = 3,
      status = "not met" },
    { kpi = "vervolgbezoeken_gepland", period = "2018-05", value = 1 },
    { kpi = "vervolgbezoeken_gedaan", period = "2018-05", value = 0 },
    { kpi = "vervolgbezoeken_achterstallig", period = "2018-05", value = 3,
      status = "not met" },
    { kpi = "vervolgbezoeken_gepland", period = "2018-06", value = 1 },
    { kpi = "vervolgbezoeken_gedaan", period = "2018-06", value = 0 },
    { kpi = "vervolgbezoeken_achterstallig", period = "2018-06", value = 0,
      status = "met" },
  },
}

test {
  name = "een marge voor achterstallige bezoeken",
  period = "2018-05",
  config = { vervolgbezoeken_achterstallig = { ["param.grace_days"] = 20 } },
  data = { trajectories = trajectories, visits = visits },
  expect = {
    { kpi = "vervolgbezoeken_achterstallig", period = "2018-05", value = 2 },
  },
}
