-- vergelijking_test.lua - comparisons with earlier periods (compare):
-- casussen_gestart and afgesloten_volgens_plan in February 2018 against
-- January 2018 (the previous month) and February 2017 (a year before).
-- The test asks for 2018-02 only: the evaluation goes back to 2017-02 by
-- itself, and those earlier months are no figures of the test.
--
-- Started (registered):
--   team   2017-02                 2018-01           2018-02
--   Oost   02-10                   01-05, 01-20      02-03, 02-14, 02-25
--   West   02-01, 02-02, 02-03     01-10             02-11
--   Noord  -                       -                 02-20
--   total  4                       3                 5
-- 2018-02 against 2018-01 (previous):
--   Oost  3 - 2 = +1, 100 * 1 / 2 = +50 %
--   West  1 - 1 =  0, 0 %
--   Noord 1 - 0 = +1, no % (the old figure is 0)
--   total 5 - 3 = +2, 100 * 2 / 3 = +66.6667 %
-- 2018-02 against 2017-02 (year_before):
--   Oost  3 - 1 = +2, +200 %;  West 1 - 3 = -2, -66.6667 %;
--   Noord 1 - 0 = +1, no %;    total 5 - 4 = +1, +25 %.
-- The total's change comes from the totals: the Lua workaround that adds
-- the teams' changes gets +1 and +50 % against January (1 + 0; 50 + 0),
-- missing Noord, new in February, and mixing percentages of different
-- bases.
--
-- Closed as planned (share, unit %), all of team Oost, registered in 2016:
--   2018-01: 1 of 2 = 50 %;  2018-02: 3 of 4 = 75 %;  2017-02: none closed,
--   so no value.
-- 2018-02 against 2018-01: +25 percentage points, 100 * 25 / 50 = +50 %.
-- Against 2017-02: old value empty, so no change.

local started = {
  { case_id = "S1", team = "Oost", registered = "2017-02-10" },
  { case_id = "S2", team = "Oost", registered = "2018-01-05" },
  { case_id = "S3", team = "Oost", registered = "2018-01-20" },
  { case_id = "S4", team = "Oost", registered = "2018-02-03" },
  { case_id = "S5", team = "Oost", registered = "2018-02-14" },
  { case_id = "S6", team = "Oost", registered = "2018-02-25" },
  { case_id = "S7", team = "West", registered = "2017-02-01" },
  { case_id = "S8", team = "West", registered = "2017-02-02" },
  { case_id = "S9", team = "West", registered = "2017-02-03" },
  { case_id = "S10", team = "West", registered = "2018-01-10" },
  { case_id = "S11", team = "West", registered = "2018-02-11" },
  { case_id = "S12", team = "Noord", registered = "2018-02-20" },
}

local plan, moved = "Beëindigd volgens plan", "Verhuisd"
local closed = {
  { "C1", "2018-01-10", plan }, { "C2", "2018-01-20", moved },
  { "C3", "2018-02-05", plan }, { "C4", "2018-02-06", plan },
  { "C5", "2018-02-07", plan }, { "C6", "2018-02-08", moved },
}
local cases = {}
for _, c in ipairs(started) do cases[#cases + 1] = c end
for _, c in ipairs(closed) do
  cases[#cases + 1] = { case_id = c[1], team = "Oost", registered = "2016-06-01",
                        closed = c[2], closure_reason = c[3] }
end

test {
  name = "verschil met de vorige maand en een jaar eerder",
  period = "2018-02",
  config = { casussen_gestart = { compare = "previous, year_before" },
             afgesloten_volgens_plan = { compare = "previous year_before" } },
  data = { cases = cases },
  expect = {
    { kpi = "casussen_gestart", period = "2018-02", team = "Oost", value = 3,
      previous = 2, previous_change = 1, previous_pct = 50,
      year_before = 1, year_before_change = 2, year_before_pct = 200 },
    { kpi = "casussen_gestart", period = "2018-02", team = "West", value = 1,
      previous = 1, previous_change = 0, previous_pct = 0,
      year_before = 3, year_before_change = -2, year_before_pct = -66.6667 },
    { kpi = "casussen_gestart", period = "2018-02", team = "Noord", value = 1,
      previous = 0, previous_change = 1, previous_pct = "empty",
      year_before = 0, year_before_change = 1, year_before_pct = "empty" },
    { kpi = "casussen_gestart", period = "2018-02", value = 5,
      previous = 3, previous_change = 2, previous_pct = 66.6667,
      year_before = 4, year_before_change = 1, year_before_pct = 25 },
    { kpi = "afgesloten_volgens_plan", period = "2018-02", team = "Oost", value = 75,
      previous = 50, previous_change = 25, previous_pct = 50,
      year_before = "empty", year_before_change = "empty" },
    { kpi = "afgesloten_volgens_plan", period = "2018-02", value = 75,
      numerator = 3, denominator = 4,
      previous = 50, previous_change = 25, previous_pct = 50 },
  },
}
