-- doelen_test.lua - targets for the total only, for every cell but the
-- total, and per lot (a team's own target), January to March 2018.
--
--   case team registered
--   C1   N    2018-01-03
--   C2   N    2018-01-20
--   C3   Z    2018-01-25
--   C4   N    2018-02-01
--   C5   Z    2018-02-10
--   C6   Z    2018-02-11
--   C7   Z    2018-03-05
--
-- Started: January N 2, Z 1, total 3; February N 1, Z 2, total 3; March
-- N 0, Z 1, total 1.
local rows = {
  { case_id = "C1", team = "N", registered = "2018-01-03" },
  { case_id = "C2", team = "N", registered = "2018-01-20" },
  { case_id = "C3", team = "Z", registered = "2018-01-25" },
  { case_id = "C4", team = "N", registered = "2018-02-01" },
  { case_id = "C5", team = "Z", registered = "2018-02-10" },
  { case_id = "C6", team = "Z", registered = "2018-02-11" },
  { case_id = "C7", team = "Z", registered = "2018-03-05" },
}

-- At least 3 for the total only; at least 2 for lot N, with a margin of
-- 1: N 2 met, 1 at risk (misses by 1), 0 not met (by 2).  Z has no
-- target of its own and the total's does not reach it.  The total: 3
-- met, 3 met, 1 not met (misses by 2).
test {
  name = "doel op het totaal en per perceel",
  from = "2018-01", to = "2018-03",
  config = {
    gestart_per_team = { ["target.min"] = 3, ["target.applies"] = "total",
                         ["target.min.team.N"] = 2, margin = 1 },
  },
  data = { cases = rows },
  expect = {
    { kpi = "gestart_per_team", period = "2018-01", team = "N", value = 2,
      status = "met" },
    { kpi = "gestart_per_team", period = "2018-02", team = "N", value = 1,
      status = "at risk" },
    { kpi = "gestart_per_team", period = "2018-03", team = "N", value = 0,
      status = "not met" },
    { kpi = "gestart_per_team", period = "2018-01", team = "Z", value = 1,
      status = "none" },
    { kpi = "gestart_per_team", period = "2018-02", team = "Z", value = 2,
      status = "none" },
    { kpi = "gestart_per_team", period = "2018-01", value = 3,
      status = "met" },
    { kpi = "gestart_per_team", period = "2018-02", value = 3,
      status = "met" },
    { kpi = "gestart_per_team", period = "2018-03", value = 1,
      status = "not met" },
  },
}

-- At most 1 in every cell, not the total; lot Z at most 2 of its own
-- instead: N 2 not met, 1 met, 0 met; Z 1 met, 2 met, 1 met (Z's own
-- bound, not the 1 of every cell); the total none.
test {
  name = "doel per cel, niet op het totaal",
  from = "2018-01", to = "2018-03",
  config = {
    gestart_per_team = { ["target.max"] = 1, ["target.applies"] = "cells",
                         ["target.max.team.Z"] = 2 },
  },
  data = { cases = rows },
  expect = {
    { kpi = "gestart_per_team", period = "2018-01", team = "N", value = 2,
      status = "not met" },
    { kpi = "gestart_per_team", period = "2018-02", team = "N", value = 1,
      status = "met" },
    { kpi = "gestart_per_team", period = "2018-03", team = "N", value = 0,
      status = "met" },
    { kpi = "gestart_per_team", period = "2018-02", team = "Z", value = 2,
      status = "met" },
    { kpi = "gestart_per_team", period = "2018-03", team = "Z", value = 1,
      status = "met" },
    { kpi = "gestart_per_team", period = "2018-02", value = 3,
      status = "none" },
  },
}
