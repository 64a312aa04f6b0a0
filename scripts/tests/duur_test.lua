-- duur_test.lua - indicator 5 (duur.lua): cases running on 30 June 2018
-- in bands of whole months from registration (date.months_between: a
-- month is complete on the same day of the month).
--
--   case team reg. date   closed       months to 30 Jun  band
--   D1   Oost 2018-06-10  -            0                 under 1 month
--   D2   Oost 2018-05-30  -            1 (30 May-30 Jun)  1-2 months
--   D3   Oost 2018-04-01  -            2                 1-2 months
--   D4   Oost 2018-01-15  -            5                 3-6 months
--   D5   Oost 2017-06-30  -            12 (exactly)      1-2 years
--   D6   Oost 2016-07-01  -            23                1-2 years
--   D7   West 2016-06-30  -            24 (exactly)      over 2 years
--   D8   Oost 2017-11-01  2018-06-30   7 (closed on the reference date:
--                                        still running)  6-12 months
--   D9   Oost 2018-01-01  2018-06-29   closed before it: not counted

test {
  name = "duur van de ondersteuning op de peildatum",
  period = "2018-06",
  data = { cases = {
    { case_id = "D1", team = "Oost", registered = "2018-06-10" },
    { case_id = "D2", team = "Oost", registered = "2018-05-30" },
    { case_id = "D3", team = "Oost", registered = "2018-04-01" },
    { case_id = "D4", team = "Oost", registered = "2018-01-15" },
    { case_id = "D5", team = "Oost", registered = "2017-06-30" },
    { case_id = "D6", team = "Oost", registered = "2016-07-01" },
    { case_id = "D7", team = "West", registered = "2016-06-30" },
    { case_id = "D8", team = "Oost", registered = "2017-11-01", closed = "2018-06-30" },
    { case_id = "D9", team = "Oost", registered = "2018-01-01", closed = "2018-06-29" },
  } },
  expect = {
    { kpi = "duur_onder_1_maand", period = "2018-06", value = 1 },
    { kpi = "duur_1_2_maanden", period = "2018-06", value = 2 },
    { kpi = "duur_3_6_maanden", period = "2018-06", value = 1 },
    { kpi = "duur_6_12_maanden", period = "2018-06", value = 1 },
    { kpi = "duur_1_2_jaar", period = "2018-06", value = 2 },
    { kpi = "duur_meer_dan_2_jaar", period = "2018-06", value = 1 },
    { kpi = "duur_meer_dan_2_jaar", period = "2018-06", team = "West", value = 1 },
    { kpi = "duur_meer_dan_2_jaar", period = "2018-06", team = "Oost", value = 0 },
  },
}

-- Bands are parameters: a contract that counts 0-2 months as short.
test {
  name = "andere bandgrenzen per contract",
  period = "2018-06",
  config = { duur_onder_1_maand = { ["param.to"] = 2 } },
  data = { cases = {
    { case_id = "D1", team = "Oost", registered = "2018-06-10" },
    { case_id = "D2", team = "Oost", registered = "2018-05-30" },
    { case_id = "D3", team = "Oost", registered = "2018-04-01" },
  } },
  expect = {
    { kpi = "duur_onder_1_maand", period = "2018-06", value = 2 },
  },
}
