-- cumulatief_test.lua - cumulative() from a contract that starts mid-month
-- (15 January 2018), January to March 2018.
--
--   case team registered
--   C1   N    2018-01-14   the day before the start: never
--   C2   N    2018-01-15   the start itself: from January on
--   C3   Z    2018-01-31   January's last day: from January on
--   C4   Z    2018-02-01   from February on
--   C5   N    2018-03-31   March
--   C6   N    2018-04-01   after March: never here
--   C7   Z    2014-06-01   years before the start: never
--
-- January: N C2 = 1, Z C3 = 1, total 2.  February: N 1, Z C3 C4 = 2,
-- total 3.  March: N C2 C5 = 2, Z 2, total 4.  (up_to() would count C1
-- and C7 too: 4, 5 and 6.)
local rows = {
  { case_id = "C1", team = "N", registered = "2018-01-14" },
  { case_id = "C2", team = "N", registered = "2018-01-15" },
  { case_id = "C3", team = "Z", registered = "2018-01-31" },
  { case_id = "C4", team = "Z", registered = "2018-02-01" },
  { case_id = "C5", team = "N", registered = "2018-03-31" },
  { case_id = "C6", team = "N", registered = "2018-04-01" },
  { case_id = "C7", team = "Z", registered = "2014-06-01" },
}

test {
  name = "cumulatief vanaf de start van het contract",
  from = "2018-01", to = "2018-03",
  contract_start = "2018-01-15",
  data = { cases = rows },
  expect = {
    { kpi = "casussen_sinds_contractstart", period = "2018-01", team = "N", value = 1 },
    { kpi = "casussen_sinds_contractstart", period = "2018-01", team = "Z", value = 1 },
    { kpi = "casussen_sinds_contractstart", period = "2018-01", value = 2 },
    { kpi = "casussen_sinds_contractstart", period = "2018-02", team = "N", value = 1 },
    { kpi = "casussen_sinds_contractstart", period = "2018-02", team = "Z", value = 2 },
    { kpi = "casussen_sinds_contractstart", period = "2018-02", value = 3 },
    { kpi = "casussen_sinds_contractstart", period = "2018-03", team = "N", value = 2 },
    { kpi = "casussen_sinds_contractstart", period = "2018-03", team = "Z", value = 2 },
    { kpi = "casussen_sinds_contractstart", period = "2018-03", value = 4 },
  },
}

-- Without a contract start the KPI is not evaluated: counting from the
-- beginning of time would look like counting from the contract's start.
test {
  name = "zonder startdatum niet berekend",
  period = "2018-01",
  data = { cases = rows },
  expect = {
    { kpi = "casussen_sinds_contractstart", period = "2018-01", value = "empty",
      status = "not evaluated: [contract] start is not set: cumulative() counts from it" },
  },
}
