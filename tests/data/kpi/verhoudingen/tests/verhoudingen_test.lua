-- verhoudingen_test.lua - a ratio of two sums per team and for the
-- total, and a provider's share of all referrals.
--
-- Absence in January 2018: team A 8 of 160 and 0 of 80 hours, team B 36
-- of 120; February B 4 of 40.
--   January: A 8 / 240 = 3.333 %, B 36 / 120 = 30 %, total 44 / 360 =
--   12.222 % (the mean of the employees' percentages, (5 + 0 + 30) / 3 =
--   11.667, and of the teams', (3.333 + 30) / 2 = 16.667, are both wrong).
--   February: B 4 / 40 = 10 %, total 10 %; A has no hours: empty.
test {
  name = "verzuim als verhouding van twee sommen",
  from = "2018-01", to = "2018-02",
  data = {
    verzuim = {
      { id = "V1", team = "A", date = "2018-01-31", hours_absent = 8,
        hours_contracted = 160 },
      { id = "V2", team = "A", date = "2018-01-31", hours_absent = 0,
        hours_contracted = 80 },
      { id = "V3", team = "B", date = "2018-01-31", hours_absent = 36,
        hours_contracted = 120 },
      { id = "V4", team = "B", date = "2018-02-28", hours_absent = 4,
        hours_contracted = 40 },
    },
  },
  expect = {
    { kpi = "verzuimpercentage", period = "2018-01", team = "A",
      value = 3.3333, numerator = 8, denominator = 240 },
    { kpi = "verzuimpercentage", period = "2018-01", team = "B",
      value = 30, numerator = 36, denominator = 120 },
    { kpi = "verzuimpercentage", period = "2018-01", value = 12.2222,
      numerator = 44, denominator = 360 },
    { kpi = "verzuimpercentage", period = "2018-02", team = "B",
      value = 10, numerator = 4, denominator = 40 },
    { kpi = "verzuimpercentage", period = "2018-02", value = 10 },
    { kpi = "verzuimpercentage", period = "2018-02", team = "A",
      value = "empty" },
  },
}

-- Referrals issued in the first quarter of 2018: A R1 R2 R3, B R4, C R5;
-- R6 (April) is in the second.  Q1: A 3 of 5 = 60 %, B and C 1 of 5 =
-- 20 %, the total 100 %; share() within a cell would give every provider
-- 100 %.  Q2: A 1 of 1 = 100 %, B and C 0 of 1 = 0 %.
test {
  name = "aandeel van het totaal, niet binnen de cel",
  from = "2018-Q1", to = "2018-Q2",
  data = {
    referrals = {
      { referral_id = "R1", provider = "A", issued = "2018-01-10" },
      { referral_id = "R2", provider = "A", issued = "2018-02-01" },
      { referral_id = "R3", provider = "A", issued = "2018-03-15" },
      { referral_id = "R4", provider = "B", issued = "2018-02-20" },
      { referral_id = "R5", provider = "C", issued = "2018-03-31" },
      { referral_id = "R6", provider = "A", issued = "2018-04-02" },
    },
  },
  expect = {
    { kpi = "aandeel_verwijzingen", period = "2018-Q1", provider = "A",
      value = 60, numerator = 3, denominator = 5 },
    { kpi = "aandeel_verwijzingen", period = "2018-Q1", provider = "B",
      value = 20, numerator = 1, denominator = 5 },
    { kpi = "aandeel_verwijzingen", period = "2018-Q1", provider = "C",
      value = 20 },
    { kpi = "aandeel_verwijzingen", period = "2018-Q1", value = 100,
      numerator = 5, denominator = 5 },
    { kpi = "aandeel_verwijzingen", period = "2018-Q2", provider = "A",
      value = 100 },
    { kpi = "aandeel_verwijzingen", period = "2018-Q2", provider = "B",
      value = 0 },
  },
}

-- Reach per 1000 inhabitants, the population per buurt from the dataset
-- inwoners: BU1 2000, BU2 500, BU3 1500, 4000 in all.  Cases registered
-- in January 2018: BU1 C1-C3, BU2 C4 C5; C6 (February) is not.
--   BU1 3 / 2000 x 1000 = 1.5, BU2 2 / 500 x 1000 = 4, the total 5 /
--   4000 x 1000 = 1.25: every inhabitant, also of BU3 without cases (the
--   mean of the buurten, 2.75, and 5 / 2500 x 1000 = 2 are both wrong).
test {
  name = "bereik per 1000 inwoners, inwoners uit een andere dataset",
  period = "2018-01",
  data = {
    inwoners = {
      { neighbourhood = "BU1", inhabitants = 2000 },
      { neighbourhood = "BU2", inhabitants = 500 },
      { neighbourhood = "BU3", inhabitants = 1500 },
    },
    cases = {
      { case_id = "C1", team = "N", neighbourhood = "BU1",
        registered = "2018-01-03" },
      { case_id = "C2", team = "N", neighbourhood = "BU1",
        registered = "2018-01-10" },
      { case_id = "C3", team = "N", neighbourhood = "BU1",
        registered = "2018-01-31" },
      { case_id = "C4", team = "Z", neighbourhood = "BU2",
        registered = "2018-01-15" },
      { case_id = "C5", team = "Z", neighbourhood = "BU2",
        registered = "2018-01-16" },
      { case_id = "C6", team = "Z", neighbourhood = "BU2",
        registered = "2018-02-01" },
    },
  },
  expect = {
    { kpi = "bereik_per_1000", period = "2018-01", neighbourhood = "BU1",
      value = 1.5, numerator = 3, denominator = 2000 },
    { kpi = "bereik_per_1000", period = "2018-01", neighbourhood = "BU2",
      value = 4, numerator = 2, denominator = 500 },
    { kpi = "bereik_per_1000", period = "2018-01", value = 1.25,
      numerator = 5, denominator = 4000 },
  },
}
