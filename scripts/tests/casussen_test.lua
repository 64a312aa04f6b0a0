-- casussen_test.lua - indicators 1, 2 and 4 (casussen.lua, caseload.lua,
-- wachttijd.lua) on six cases, April to June 2018.  Run: peil test.
--
--   case team reg. date        first meeting     closed
--   C1   Oost 2018-03-20 Tue   2018-03-22        2018-05-01 (1st of May)
--   C2   Oost 2018-04-03 Tue   2018-04-05 Thu    2018-04-20 (same month)
--   C3   Oost 2018-05-18 Fri   2018-05-22 Tue    -
--   C4   West 2018-05-04 Fri   2018-05-14 Mon    -
--   C5   West 2018-05-30 Wed   -                 -  (never met)
--   C6   West 2018-06-29 Fri   2018-07-02 Mon    -  (met after June)
--
-- Working days d with reg < d <= meeting (2018: Tweede Paasdag 2 Apr,
-- Bevrijdingsdag 5 May is a Saturday, Hemelvaart 10 May, Tweede
-- Pinksterdag 21 May):
--   C2: 4, 5 Apr = 2.   C3: Friday before Whit Monday: only Tue 22 = 1.
--   C4: 7, 8, 9, (10 is Hemelvaart), 11, 14 May = 5.   C6: Mon 2 Jul = 1.
--
-- Started:  Apr Oost C2 = 1, West 0; May Oost C3 = 1, West C4 C5 = 2
--           (total 3); Jun West C6 = 1.
-- Closed:   Apr Oost C2 = 1; May Oost C1 (on 1 May) = 1; Jun none.
-- Running:  Apr Oost C1 C2 = 2; May Oost C1 (closed on May's first day)
--           C3 = 2, West C4 C5 = 2, total 4; Jun Oost C3 = 1, West C4 C5
--           C6 = 3, total 4.
-- Caseload: 30 Apr Oost C1 = 1 (C2 closed 20 Apr); 31 May Oost C3 = 1
--           (C1 closed before it), West C4 C5 = 2, total 3; 30 Jun Oost 1,
--           West 3, total 4.
-- Mean wait (started, with a meeting): Apr Oost 2, West empty; May Oost 1,
--           West 5 (C4; C5 has no meeting), total (1 + 5) / 2 = 3; Jun
--           West 1 (C6's meeting is in July but it is set), total 1.
-- Within the norm of 5: Apr 100%; May Oost 1 <= 5, West 5 <= 5: 100%.
--   With norm 4 (second test): May West 5 > 4: 0%, total 1 of 2 = 50%.
-- Waiting on the reference date (in the caseload, no meeting on or before
--   it): 30 Apr C1 met in March: 0; 31 May West C5 = 1; 30 Jun West C5,
--   C6 (meets 2 Jul) = 2.

local cases = {
  { case_id = "C1", team = "Oost", registered = "2018-03-20",
    first_meeting = "2018-03-22", closed = "2018-05-01" },
  { case_id = "C2", team = "Oost", registered = "2018-04-03",
    first_meeting = "2018-04-05", closed = "2018-04-20" },
  { case_id = "C3", team = "Oost", registered = "2018-05-18",
    first_meeting = "2018-05-22" },
  { case_id = "C4", team = "West", registered = "2018-05-04",
    first_meeting = "2018-05-14" },
  { case_id = "C5", team = "West", registered = "2018-05-30" },
  { case_id = "C6", team = "West", registered = "2018-06-29",
    first_meeting = "2018-07-02" },
}

test {
  name = "gestart, lopend, afgesloten, caseload, wachttijd",
  from = "2018-04", to = "2018-06",
  data = { cases = cases },
  expect = {
    { kpi = "casussen_gestart", period = "2018-04", team = "Oost", value = 1 },
    { kpi = "casussen_gestart", period = "2018-04", team = "West", value = 0 },
    { kpi = "casussen_gestart", period = "2018-05", value = 3 },
    { kpi = "casussen_gestart", period = "2018-05", team = "West", value = 2 },
    { kpi = "casussen_gestart", period = "2018-06", value = 1 },
    { kpi = "casussen_afgesloten", period = "2018-04", team = "Oost", value = 1 },
    { kpi = "casussen_afgesloten", period = "2018-05", team = "Oost", value = 1 },
    { kpi = "casussen_afgesloten", period = "2018-06", value = 0 },
    { kpi = "casussen_lopend", period = "2018-04", team = "Oost", value = 2 },
    { kpi = "casussen_lopend", period = "2018-04", value = 2 },
    { kpi = "casussen_lopend", period = "2018-05", team = "Oost", value = 2 },
    { kpi = "casussen_lopend", period = "2018-05", value = 4 },
    { kpi = "casussen_lopend", period = "2018-06", team = "West", value = 3 },
    { kpi = "casussen_lopend", period = "2018-06", value = 4 },
    { kpi = "caseload", period = "2018-04", value = 1 },
    { kpi = "caseload", period = "2018-05", team = "Oost", value = 1 },
    { kpi = "caseload", period = "2018-05", value = 3 },
    { kpi = "caseload", period = "2018-06", value = 4 },
    { kpi = "wachttijd_gemiddeld", period = "2018-04", team = "Oost", value = 2 },
    { kpi = "wachttijd_gemiddeld", period = "2018-04", team = "West", value = "empty" },
    { kpi = "wachttijd_gemiddeld", period = "2018-05", team = "Oost", value = 1 },
    { kpi = "wachttijd_gemiddeld", period = "2018-05", team = "West", value = 5,
      status = "met" },
    { kpi = "wachttijd_gemiddeld", period = "2018-05", value = 3,
      numerator = 6, denominator = 2 },
    { kpi = "wachttijd_gemiddeld", period = "2018-06", value = 1 },
    { kpi = "wachttijd_binnen_norm", period = "2018-05", value = 100,
      numerator = 2, denominator = 2 },
    { kpi = "wachtend_op_peildatum", period = "2018-04", value = 0 },
    { kpi = "wachtend_op_peildatum", period = "2018-05", team = "West", value = 1 },
    { kpi = "wachtend_op_peildatum", period = "2018-06", team = "West", value = 2 },
    { kpi = "wachtend_op_peildatum", period = "2018-06", team = "Oost", value = 0 },
  },
}

-- A contract with a norm of 4 working days and a target of 55%, at risk
-- within 10% of it (5.5): May's total of 50% misses by 5, so at risk;
-- West's 0% is not met; Oost's 100% is met.
test {
  name = "een strengere norm per contract",
  period = "2018-05",
  config = { wachttijd_binnen_norm = { ["param.norm"] = 4,
                                       ["target.min"] = 55,
                                       margin = "10%" } },
  data = { cases = cases },
  expect = {
    { kpi = "wachttijd_binnen_norm", period = "2018-05", team = "West",
      value = 0, status = "not met" },
    { kpi = "wachttijd_binnen_norm", period = "2018-05", team = "Oost",
      value = 100, status = "met" },
    { kpi = "wachttijd_binnen_norm", period = "2018-05", value = 50,
      numerator = 1, denominator = 2, status = "at risk" },
  },
}

-- One definition, two grains ([kpi ID] grains = month, quarter): the
-- quarter's figures are counted in the quarter, not summed from months.
-- Running in Q2 (1 Apr - 30 Jun): registered by 30 Jun and not closed
-- before 1 Apr: all six, Oost C1 C2 C3 = 3, West C4 C5 C6 = 3; the months
-- (2, 4, 4 above) would sum to 10.  Started in Q2: C2-C6 = 5 (Oost C2 C3
-- = 2, West 3), here the sum of the months 1 + 3 + 1.
test {
  name = "maand en kwartaal van een definitie",
  period = "2018-Q2",
  config = { casussen_lopend = { grains = "month, quarter" },
             casussen_gestart = { grains = "maand, kwartaal" } },
  data = { cases = cases },
  expect = {
    { kpi = "casussen_lopend", period = "2018-Q2", value = 6 },
    { kpi = "casussen_lopend", period = "2018-Q2", team = "Oost", value = 3 },
    { kpi = "casussen_lopend", period = "2018-Q2", team = "West", value = 3 },
    { kpi = "casussen_lopend", period = "2018-05", value = 4 },
    { kpi = "casussen_lopend", period = "2018-06", team = "West", value = 3 },
    { kpi = "casussen_gestart", period = "2018-Q2", value = 5 },
    { kpi = "casussen_gestart", period = "2018-Q2", team = "Oost", value = 2 },
    { kpi = "casussen_gestart", period = "2018-05", value = 3 },
  },
}
