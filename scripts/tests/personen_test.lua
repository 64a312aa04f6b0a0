-- personen_test.lua - indicator 3 (personen.lua): unique persons in
-- running cases, through the case members and their case (join).
--
--   case team reg.        closed      members
--   K1   Oost 2018-01-10  -           P1, P2, P3   (three members)
--   K2   Oost 2018-02-01  2018-02-20  P1           (P1 in two cases)
--   K3   West 2018-02-05  -           P1, P4       (P1 in a third case)
--   K4   West 2018-02-10  -           (anonymous: a member without key)
--   K5   Oost 2018-03-05  -           P9           (not running in Jan/Feb)
--
-- January: only K1 runs: Oost {P1, P2, P3} = 3, West 0, total 3.
-- February: K1-K4 run.  Oost {P1, P2, P3} from K1 and K2 = 3 (P1 once);
--   West {P1, P4} = 2; total {P1, P2, P3, P4} = 4 (P1 once over teams).
--   Without a person key: West K4 = 1, Oost 0, total 1.

test {
  name = "unieke personen en casussen zonder persoonsnummer",
  from = "2018-01", to = "2018-02",
  data = {
    cases = {
      { case_id = "K1", team = "Oost", registered = "2018-01-10" },
      { case_id = "K2", team = "Oost", registered = "2018-02-01", closed = "2018-02-20" },
      { case_id = "K3", team = "West", registered = "2018-02-05" },
      { case_id = "K4", team = "West", registered = "2018-02-10" },
      { case_id = "K5", team = "Oost", registered = "2018-03-05" },
    },
    case_members = {
      { member_id = "M1", case_id = "K1", person = "P1" },
      { member_id = "M2", case_id = "K1", person = "P2" },
      { member_id = "M3", case_id = "K1", person = "P3" },
      { member_id = "M4", case_id = "K2", person = "P1" },
      { member_id = "M5", case_id = "K3", person = "P1" },
      { member_id = "M6", case_id = "K3", person = "P4" },
      { member_id = "M7", case_id = "K4" },
      { member_id = "M8", case_id = "K5", person = "P9" },
    },
  },
  expect = {
    { kpi = "personen_uniek", period = "2018-01", ["case.team"] = "Oost", value = 3 },
    { kpi = "personen_uniek", period = "2018-01", ["case.team"] = "West", value = 0 },
    { kpi = "personen_uniek", period = "2018-01", value = 3 },
    { kpi = "personen_uniek", period = "2018-02", ["case.team"] = "Oost", value = 3 },
    { kpi = "personen_uniek", period = "2018-02", ["case.team"] = "West", value = 2 },
    { kpi = "personen_uniek", period = "2018-02", value = 4 },
    { kpi = "casussen_zonder_persoon", period = "2018-01", value = 0 },
    { kpi = "casussen_zonder_persoon", period = "2018-02", ["case.team"] = "West", value = 1 },
    { kpi = "casussen_zonder_persoon", period = "2018-02", ["case.team"] = "Oost", value = 0 },
    { kpi = "casussen_zonder_persoon", period = "2018-02", value = 1 },
  },
}
