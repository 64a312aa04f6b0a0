-- verwijzingen_test.lua - indicator 10 (verwijzingen.lua), 2018-Q1.
--
--   referral provider issued      care started
--   R1       A        2018-01-10  2018-01-20
--   R2       A        2018-03-31  -            (last day of Q1, not started)
--   R3       B        2018-02-01  2018-04-02   (started after Q1: started)
--   R4       B        2017-12-31  2018-01-05   (Q4 2017: not counted)
--   R5       C        2018-04-01  -            (Q2: not counted)
--
-- Q1: A 2, B 1, C 0, total 3.  Care started: A 1 of 2 = 50%, B 100%,
--   C empty, total 2 of 3 = 66.6667%; target 80 with 10% margin (8):
--   total misses by 13.3, not met; B met.

test {
  name = "verwijzingen naar maatwerk per aanbieder",
  period = "2018-Q1",
  data = { referrals = {
    { referral_id = "R1", provider = "A", issued = "2018-01-10", care_started = "2018-01-20" },
    { referral_id = "R2", provider = "A", issued = "2018-03-31" },
    { referral_id = "R3", provider = "B", issued = "2018-02-01", care_started = "2018-04-02" },
    { referral_id = "R4", provider = "B", issued = "2017-12-31", care_started = "2018-01-05" },
    { referral_id = "R5", provider = "C", issued = "2018-04-01" },
  } },
  expect = {
    { kpi = "verwijzingen_maatwerk", period = "2018-Q1", provider = "A", value = 2 },
    { kpi = "verwijzingen_maatwerk", period = "2018-Q1", provider = "B", value = 1 },
    { kpi = "verwijzingen_maatwerk", period = "2018-Q1", provider = "C", value = 0 },
    { kpi = "verwijzingen_maatwerk", period = "2018-Q1", value = 3 },
    { kpi = "verwijzingen_zorg_gestart", period = "2018-Q1", provider = "A", value = 50 },
    { kpi = "verwijzingen_zorg_gestart", period = "2018-Q1", provider = "B", value = 100,
      status = "met" },
    { kpi = "verwijzingen_zorg_gestart", period = "2018-Q1", provider = "C", value = "empty" },
    { kpi = "verwijzingen_zorg_gestart", period = "2018-Q1", value = 66.6666667,
      numerator = 2, denominator = 3, status = "not met" },
  },
}
