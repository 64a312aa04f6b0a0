-- zrm_test.lua - indicator 12 (zrm.lua) in 2018-Q2 (April to June).
--
--   person domain       measurements (date score)
--   P1     Financiën    2018-01-10 2, 2018-05-01 3       up
--   P1     Huisvesting  2018-01-10 3, 2018-05-01 3       stayed
--   P2     Financiën    2018-02-01 4, 2018-06-30 2       down (a domain
--                                                        that went down,
--                                                        on Q2's last day)
--   P3     Financiën    2018-04-15 3                     once: not counted
--   P4     Huisvesting  2017-11-01 2, 2018-03-01 4       not measured in Q2
--   P1     (ladder)     2018-05-01 rung 4                not ZRM: left out
--
-- Q2, per domain: Financiën up 1 (P1), stayed 0, down 1 (P2); Huisvesting
--   up 0, stayed 1 (P1), down 0 (P4 was not measured in Q2).
-- Total, the sum of a person's changes over the domains measured in Q2:
--   P1 +1 + 0 = +1: up; P2 -2: down.  Up 1, stayed 0, down 1.

test {
  name = "zelfredzaamheidsmatrix per domein",
  period = "2018-Q2",
  data = { measurements = {
    { measurement_id = "1", person = "P1", date = "2018-01-10", instrument = "ZRM", domain = "Financiën", score = 2 },
    { measurement_id = "2", person = "P1", date = "2018-05-01", instrument = "ZRM", domain = "Financiën", score = 3 },
    { measurement_id = "3", person = "P1", date = "2018-01-10", instrument = "ZRM", domain = "Huisvesting", score = 3 },
    { measurement_id = "4", person = "P1", date = "2018-05-01", instrument = "ZRM", domain = "Huisvesting", score = 3 },
    { measurement_id = "5", person = "P2", date = "2018-02-01", instrument = "ZRM", domain = "Financiën", score = 4 },
    { measurement_id = "6", person = "P2", date = "2018-06-30", instrument = "ZRM", domain = "Financiën", score = 2 },
    { measurement_id = "7", person = "P3", date = "2018-04-15", instrument = "ZRM", domain = "Financiën", score = 3 },
    { measurement_id = "8", person = "P4", date = "2017-11-01", instrument = "ZRM", domain = "Huisvesting", score = 2 },
    { measurement_id = "9", person = "P4", date = "2018-03-01", instrument = "ZRM", domain = "Huisvesting", score = 4 },
    { measurement_id = "10", person = "P1", date = "2018-05-01", instrument = "Participatieladder", score = 4 },
  } },
  expect = {
    { kpi = "zrm_vooruit", period = "2018-Q2", domain = "Financiën", value = 1 },
    { kpi = "zrm_gelijk", period = "2018-Q2", domain = "Financiën", value = 0 },
    { kpi = "zrm_achteruit", period = "2018-Q2", domain = "Financiën", value = 1 },
    { kpi = "zrm_vooruit", period = "2018-Q2", domain = "Huisvesting", value = 0 },
    { kpi = "zrm_gelijk", period = "2018-Q2", domain = "Huisvesting", value = 1 },
    { kpi = "zrm_achteruit", period = "2018-Q2", domain = "Huisvesting", value = 0 },
    { kpi = "zrm_vooruit", period = "2018-Q2", value = 1 },
    { kpi = "zrm_gelijk", period = "2018-Q2", value = 0 },
    { kpi = "zrm_achteruit", period = "2018-Q2", value = 1 },
  },
}
