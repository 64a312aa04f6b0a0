-- afsluiting_test.lua - indicators 6, 7, 8, 9 and 14 (instroom.lua,
-- afsluiting.lua, datakwaliteit.lua) on five cases in March 2018.
--
--   case team reg.        closed      reason          zelfr.  mark melder     buurt person entered
--   A1   Oost 2018-01-05  2018-03-01  volgens plan    ja      8    Huisarts   BU01  P1     01-05
--   A2   Oost 2018-03-02  2018-03-30  eenz. cliënt    nee     5    -          -     P2     03-20
--   A3   West 2018-02-10  2018-03-15  volgens plan    n.v.t.  6    Zelfmelder BU02  -      02-10
--   A4   West 2018-03-05  2018-03-31  -               -       -    Zelfmelder BU02  P4     03-15
--   A5   West 2018-03-12  -           -               -       -    Huisarts   BU02  P5     -
--
-- Started in March: A2, A4, A5.  Closed in March: A1 (on the 1st), A2
-- (started and closed in March), A3, A4.
-- Inflow by source: no source (A2) 1, Zelfmelder (A4) 1, Huisarts (A5) 1.
-- Reasons: volgens plan 2 (A1, A3), eenzijdig door cliënt 1, none 1 (A4).
-- As planned: Oost 1 of 2 = 50%, West 1 of 2 = 50%, total 2 of 4 = 50%;
--   target 60 with a margin of 10% (6): 50 misses by 10, not met.
-- Self-reliant: only ja/nee count: Oost ja, nee = 50%; West n.v.t. and
--   empty: no answer, so empty; total 1 of 2 = 50%.
-- Mark: Oost (8 + 5) / 2 = 6.5, West 6, total 19 / 3 = 6.3333; target 7,
--   margin 10% (0.7): Oost misses 0.5 (at risk), West 1 (not met), total
--   0.667 (at risk).  With a mark: Oost 2, West 1.  Sufficient (>= 6):
--   Oost 1 of 2 = 50%, West 100%, total 2 of 3 = 66.6667%.
-- Missing source / neighbourhood (started): Oost A2 = 100%, West 0%,
--   total 1 of 3 = 33.3333%.  Missing person (started): none, 0%.
-- Missing reason / self-reliance (closed): West A4 = 1 of 2 = 50%, Oost
--   0%, total 1 of 4 = 25% ("n.v.t." is an answer).
-- Entered late (> 14 days after registration, of the started with an
--   entry date): A2 18 days: late; A4 10 days: not late; A5 has none.
--   Oost 100%, West 0%, total 50%.

test {
  name = "instroom, afsluiting, cijfer en datakwaliteit",
  period = "2018-03",
  margin = "10%",
  data = { cases = {
    { case_id = "A1", team = "Oost", registered = "2018-01-05", closed = "2018-03-01",
      closure_reason = "Beëindigd volgens plan", self_reliant = "ja", mark = 8,
      referrer = "Huisarts", neighbourhood = "BU01", person = "P1", entered = "2018-01-05" },
    { case_id = "A2", team = "Oost", registered = "2018-03-02", closed = "2018-03-30",
      closure_reason = "Eenzijdig beëindigd door cliënt", self_reliant = "nee",
      mark = 5, person = "P2", entered = "2018-03-20" },
    { case_id = "A3", team = "West", registered = "2018-02-10", closed = "2018-03-15",
      closure_reason = "Beëindigd volgens plan", self_reliant = "n.v.t.", mark = 6,
      referrer = "Zelfmelder", neighbourhood = "BU02", entered = "2018-02-10" },
    { case_id = "A4", team = "West", registered = "2018-03-05", closed = "2018-03-31",
      referrer = "Zelfmelder", neighbourhood = "BU02", person = "P4", entered = "2018-03-15" },
    { case_id = "A5", team = "West", registered = "2018-03-12", referrer = "Huisarts",
      neighbourhood = "BU02", person = "P5" },
  } },
  expect = {
    { kpi = "instroom_per_melder", period = "2018-03", referrer = "Zelfmelder", value = 1 },
    { kpi = "instroom_per_melder", period = "2018-03", referrer = "Huisarts", value = 1 },
    { kpi = "instroom_per_melder", period = "2018-03", referrer = null, value = 1 },
    { kpi = "instroom_per_melder", period = "2018-03", value = 3 },
    { kpi = "afsluitredenen", period = "2018-03", closure_reason = "Beëindigd volgens plan",
      value = 2 },
    { kpi = "afsluitredenen", period = "2018-03",
      closure_reason = "Eenzijdig beëindigd door cliënt", value = 1 },
    { kpi = "afsluitredenen", period = "2018-03", value = 4 },
    { kpi = "afgesloten_volgens_plan", period = "2018-03", team = "Oost", value = 50 },
    { kpi = "afgesloten_volgens_plan", period = "2018-03", value = 50,
      numerator = 2, denominator = 4, status = "not met" },
    { kpi = "zelfredzaam_bij_afsluiting", period = "2018-03", team = "Oost", value = 50 },
    { kpi = "zelfredzaam_bij_afsluiting", period = "2018-03", team = "West", value = "empty" },
    { kpi = "zelfredzaam_bij_afsluiting", period = "2018-03", value = 50,
      numerator = 1, denominator = 2 },
    { kpi = "rapportcijfer_gemiddeld", period = "2018-03", team = "Oost", value = 6.5,
      status = "at risk" },
    { kpi = "rapportcijfer_gemiddeld", period = "2018-03", team = "West", value = 6,
      status = "not met" },
    { kpi = "rapportcijfer_gemiddeld", period = "2018-03", value = 6.3333333,
      numerator = 19, denominator = 3, status = "at risk" },
    { kpi = "rapportcijfer_aantal", period = "2018-03", team = "Oost", value = 2 },
    { kpi = "rapportcijfer_aantal", period = "2018-03", value = 3 },
    { kpi = "rapportcijfer_voldoende", period = "2018-03", team = "Oost", value = 50 },
    { kpi = "rapportcijfer_voldoende", period = "2018-03", team = "West", value = 100 },
    { kpi = "rapportcijfer_voldoende", period = "2018-03", value = 66.6666667 },
    { kpi = "kwaliteit_zonder_melder", period = "2018-03", team = "Oost", value = 100 },
    { kpi = "kwaliteit_zonder_melder", period = "2018-03", team = "West", value = 0 },
    { kpi = "kwaliteit_zonder_melder", period = "2018-03", value = 33.3333333 },
    { kpi = "kwaliteit_zonder_buurt", period = "2018-03", value = 33.3333333 },
    { kpi = "kwaliteit_zonder_persoon", period = "2018-03", value = 0 },
    { kpi = "kwaliteit_zonder_afsluitreden", period = "2018-03", team = "West", value = 50 },
    { kpi = "kwaliteit_zonder_afsluitreden", period = "2018-03", value = 25 },
    { kpi = "kwaliteit_zonder_zelfredzaamheid", period = "2018-03", value = 25 },
    { kpi = "kwaliteit_laat_ingevoerd", period = "2018-03", team = "Oost", value = 100 },
    { kpi = "kwaliteit_laat_ingevoerd", period = "2018-03", team = "West", value = 0 },
    { kpi = "kwaliteit_laat_ingevoerd", period = "2018-03", value = 50 },
  },
}
