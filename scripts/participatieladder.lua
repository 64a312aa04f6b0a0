-- participatieladder.lua - de Participatieladder (indicator 11).
--
-- Treden: 1 Geïsoleerd, 2 Sociale contacten buitenshuis, 3 Deelname
-- georganiseerde activiteiten, 4 Onbetaald werk, 5 Betaald werk met
-- ondersteuning, 6 Betaald werk.
--
-- Personen in een traject in de periode (start op of voor het einde, geen
-- einde of een einde op of na het begin).  Gestegen: elke persoon telt
-- eenmaal per traject, in het contractjaar waarin een meting in het
-- traject voor het eerst minstens 2 (param rungs) treden boven de trede
-- bij de start van het traject (de eerste meting erin) staat; in een
-- later jaar telt hij voor dat traject niet opnieuw (first_rise{} en
-- in_period(), in C).  Twee metingen op één dag: de kleinste
-- measurement_id eerst.  Het contract (BuZz Leiden): minstens 750
-- gestegen personen per jaar.

kpi {
  id = "ladder_in_traject",
  title = "Personen in een traject",
  description = "Aantal verschillende personen met een traject dat in de "
    .. "periode liep.",
  unit = "personen",
  dataset = "trajectories",
  tags = { "trajecten" },
  grain = "contract_year",
  breakdown = { "programme" },
  select = running_in("start", "end"),
  rule = count_distinct("person"),
}

kpi {
  id = "ladder_gestegen",
  title = "Minstens 2 treden gestegen op de Participatieladder",
  description = "Aantal personen van wie een meting op de "
    .. "Participatieladder in de periode voor het eerst minstens 2 treden "
    .. "boven de trede bij de start van hun traject (de eerste meting in "
    .. "het traject) staat; eenmaal per traject, in het jaar van die "
    .. "eerste stijging.",
  unit = "personen",
  dataset = "trajectories",
  tags = { "trajecten" },
  grain = "contract_year",
  breakdown = { "programme" },
  params = { rungs = 2 },
  select = running_in("start", "end"),
  lookup = {
    ladder = { dataset = "measurements", by = "person",
               where = { instrument = "Participatieladder" } },
  },
  -- the date of the first rise in the trajectory, in the period
  where = in_period(first_rise {
    lookup = "ladder", key = "person", date = "date", score = "score",
    from = "start", to = "end", rungs = param("rungs"),
    order = "measurement_id",
  }),
  rule = count_distinct("person"),
  target = { min = 750, applies = "total" },  -- the contract: 750 a year in all
}
