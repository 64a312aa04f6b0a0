-- groepen_test.lua - a breakdown in groups, January 2018.  The config
-- (tests/e2e/cli.sh, case grouping) has [group verwijzers] from
-- verwijzers.csv with the default other group "overig", and
-- [group verwijzers_tabel] from the dataset verwijzer_groepen with
-- other = overige redenen.
--
-- From the file:
--   C1 Huisarts          huisarts/POH
--   C2 POH-GGZ           huisarts/POH
--   C3 Buurtteam; jeugd  wijkteam (a value with ';', quoted in the file)
--   C4 Veilig Thuis      overig (not in the file)
--   C5 Woningcorporatie  overig
--   C6 (empty)           (onbekend): empty, not overig
--   C7 Zelfmelder        eigen initiatief
--   C8 huisarts          overig: the file's values are exact (fold the
--                        spellings at ingest: fold.referrer = case)
-- huisarts/POH 2, wijkteam 1, overig 3, eigen initiatief 1, empty 1;
-- total 8.
test {
  name = "verwijzers in groepen uit een bestand",
  period = "2018-01",
  data = { cases = {
    { case_id = "C1", team = "N", registered = "2018-01-02", referrer = "Huisarts" },
    { case_id = "C2", team = "N", registered = "2018-01-03", referrer = "POH-GGZ" },
    { case_id = "C3", team = "N", registered = "2018-01-04", referrer = "Buurtteam; jeugd" },
    { case_id = "C4", team = "Z", registered = "2018-01-05", referrer = "Veilig Thuis" },
    { case_id = "C5", team = "Z", registered = "2018-01-08", referrer = "Woningcorporatie" },
    { case_id = "C6", team = "Z", registered = "2018-01-09" },
    { case_id = "C7", team = "Z", registered = "2018-01-10", referrer = "Zelfmelder" },
    { case_id = "C8", team = "Z", registered = "2018-01-31", referrer = "huisarts" },
  } },
  expect = {
    { kpi = "casussen_per_verwijzer", period = "2018-01", referrer = "huisarts/POH", value = 2 },
    { kpi = "casussen_per_verwijzer", period = "2018-01", referrer = "wijkteam", value = 1 },
    { kpi = "casussen_per_verwijzer", period = "2018-01", referrer = "overig", value = 3 },
    { kpi = "casussen_per_verwijzer", period = "2018-01", referrer = "eigen initiatief", value = 1 },
    { kpi = "casussen_per_verwijzer", period = "2018-01", referrer = null, value = 1 },
    { kpi = "casussen_per_verwijzer", period = "2018-01", value = 8 },
  },
}

-- From a dataset, chosen by the contract: [kpi ...] group.referrer =
-- verwijzers_tabel.  Huisarts is huisarts/POH, Zelfmelder overige redenen
-- by the table; Veilig Thuis is not in it: overige redenen as well, the
-- group's other.  C4 has no referrer: (onbekend).
-- huisarts/POH 1, overige redenen 2, empty 1; total 4.
test {
  name = "verwijzers in groepen uit een dataset",
  period = "2018-01",
  config = { casussen_per_verwijzer = { ["group.referrer"] = "verwijzers_tabel" } },
  data = {
    verwijzer_groepen = {
      { value = "Huisarts", group = "huisarts/POH" },
      { value = "Zelfmelder", group = "overige redenen" },
    },
    cases = {
      { case_id = "C1", team = "N", registered = "2018-01-02", referrer = "Huisarts" },
      { case_id = "C2", team = "N", registered = "2018-01-03", referrer = "Zelfmelder" },
      { case_id = "C3", team = "Z", registered = "2018-01-04", referrer = "Veilig Thuis" },
      { case_id = "C4", team = "Z", registered = "2018-01-05" },
    },
  },
  expect = {
    { kpi = "casussen_per_verwijzer", period = "2018-01", referrer = "huisarts/POH", value = 1 },
    { kpi = "casussen_per_verwijzer", period = "2018-01", referrer = "overige redenen", value = 2 },
    { kpi = "casussen_per_verwijzer", period = "2018-01", referrer = null, value = 1 },
    { kpi = "casussen_per_verwijzer", period = "2018-01", value = 4 },
  },
}
