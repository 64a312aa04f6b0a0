-- maatwerk_test.lua - maatwerk.lua over toewijzingen, starten, stoppen en
-- verzoeken, april 2023 (peildatum 30 april).
--
-- Werkdagen in april 2023: Goede Vrijdag 7, Tweede Paasdag 10 en
-- Koningsdag 27 april zijn feestdagen.
--
--   toewijzing aanbieder cat toegewezen  ingang      einde       reden  ref
--   A1         P1        01  2023-04-03  2023-04-03  -           -      REF1
--   A2         P1        01  2023-04-05  2023-04-05  -           -      REF2
--   A3         P1        02  2023-04-12  2023-05-01  -           -      -
--   A4         P2        01  2023-04-20  2023-04-20  2023-04-20  13     -
--   A5         P2        01  2023-03-15  2023-03-15  -           -      -
--   A6         P2        03  2023-04-26  2023-04-26  2023-06-30  05     REF6
--   A7         P1        01  2023-03-01  2023-03-01  -           -      -
--   A8         P1        01  2023-03-20  2023-03-20  2023-04-15  -      -
--   A9         P2        01  2023-03-31  2023-03-31  -           -      -
--
-- Starten (305): A1 2023-04-14; A2 2023-04-12 verwijderd (status 3) en
-- 2023-04-24; A3 2023-05-02; A7 2023-05-03.
--
-- maatwerk_toewijzingen, april: A4 is ingetrokken (13), A5 A7 A8 A9 zijn
--   van maart.  P1/01: A1 A2 = 2; P1/02: A3 = 1; P2/01: 0 (A4 ingetrokken,
--   A5 en A9 in maart); P2/03: A6 = 1 (reden 05 is geen intrekking).
--   Totaal 4.
--
-- maatwerk_start_binnen_termijn (10 werkdagen), april: A1 A2 A3 A6.
--   A1: werkdagen 4 t/m 14 april = 4 5 6 11 12 13 14 = 7: binnen.
--   A2: de verwijderde start van 12 april telt niet; 6, 11-14, 17-21, 24
--       april = 11 werkdagen: te laat.
--   A3: vanaf de ingangsdatum 1 mei (later dan 12 april): 2 mei is 1
--       werkdag: binnen.
--   A6: geen start: niet binnen.
--   P1 2 van 3 = 66.6667%, P2 0 van 1 = 0%, totaal 2 van 4 = 50%.
--   Met termijn = 11 is A2 ook binnen: P1 100%, totaal 75%.
--
-- maatwerk_zonder_start (30 dagen), peildatum 30 april: lopend zijn A1 A2
--   A5 A6 A7 A9 (A3 begint 1 mei, A4 is ingetrokken, A8 eindigde 15
--   april).  Dagen tot de peildatum: A1 27, A2 25, A6 4: te kort.
--   A5 46 dagen, geen start: telt.  A7 60 dagen, start pas 3 mei: telt.
--   A9 precies 30 dagen, geen start: telt.  P1 1 (A7), P2 2, totaal 3.
--
-- maatwerk_doorlooptijd_verzoek, april: A1 (REF1), A2 (REF2); A6 (REF6)
--   heeft geen verzoek.  REF1 van P1 op 29 maart: 30 en 31 maart, 3
--   april = 3 werkdagen.  REF2 van P1 op 3 april: 4 en 5 april = 2; het
--   verzoek REF2 van P2 (2 januari) hoort bij een andere aanbieder.
--   P1 (3 + 2) / 2 = 2.5; P2 leeg; totaal 2.5.
--
-- maatwerk_beeindigd_per_reden, april: E1 19 (28 april), E2 02 (10 april),
--   E3 19 (15 april), E4 21 verwijderd (status 3), E5 31 in mei.
--   19: 2, 02: 1, 21: 0, 31: 0, totaal 3.

local function toewijzing(id, aanbieder, cat, toegewezen, ingang, extra)
  local rij = { municipality = "0363", allocation = id,
                provider = aanbieder, person = "999900006",
                category = cat, allocated = toegewezen, start = ingang,
                message = "414", message_date = toegewezen,
                standard = "iWmo", file = "301.xml" }
  for k, v in pairs(extra or {}) do
    rij[k] = v
  end
  return rij
end

local function start(id, aanbieder, begin, status)
  return { municipality = "0363", allocation = id, started = begin,
           provider = aanbieder, person = "999900006", status = status,
           message = "418", standard = "iWmo", file = "305.xml" }
end

local function stop(id, begin, reden, einde, status)
  return { municipality = "0363", allocation = id, started = begin,
           provider = "P1", person = "111222333", reason = reden,
           ended = einde, status = status, message = "420",
           standard = "iWmo", file = "307.xml" }
end

local function verzoek(aanbieder, ref, datum)
  return { municipality = "0363", provider = aanbieder,
           provider_ref = ref, person = "123456782", start = datum,
           message = "444", message_date = datum, standard = "iWmo",
           file = "315.xml" }
end

local data = {
  allocations = {
    toewijzing("A1", "P1", "01", "2023-04-03", "2023-04-03",
               { provider_ref = "REF1" }),
    toewijzing("A2", "P1", "01", "2023-04-05", "2023-04-05",
               { provider_ref = "REF2" }),
    toewijzing("A3", "P1", "02", "2023-04-12", "2023-05-01"),
    toewijzing("A4", "P2", "01", "2023-04-20", "2023-04-20",
               { ["end"] = "2023-04-20", change_reason = "13" }),
    toewijzing("A5", "P2", "01", "2023-03-15", "2023-03-15"),
    toewijzing("A6", "P2", "03", "2023-04-26", "2023-04-26",
               { ["end"] = "2023-06-30", change_reason = "05",
                 provider_ref = "REF6" }),
    toewijzing("A7", "P1", "01", "2023-03-01", "2023-03-01"),
    toewijzing("A8", "P1", "01", "2023-03-20", "2023-03-20",
               { ["end"] = "2023-04-15" }),
    toewijzing("A9", "P2", "01", "2023-03-31", "2023-03-31"),
  },
  care_starts = {
    start("A1", "P1", "2023-04-14", "1"),
    start("A2", "P1", "2023-04-12", "3"),
    start("A2", "P1", "2023-04-24", "1"),
    start("A3", "P1", "2023-05-02", "1"),
    start("A7", "P1", "2023-05-03", "1"),
  },
  care_ends = {
    stop("A1", "2023-04-14", "19", "2023-04-28", "1"),
    stop("A7", "2023-03-01", "02", "2023-04-10", "1"),
    stop("A8", "2023-03-20", "19", "2023-04-15", "1"),
    stop("A2", "2023-04-24", "21", "2023-04-25", "3"),
    stop("A5", "2023-03-15", "31", "2023-05-02", "1"),
  },
  allocation_requests = {
    verzoek("P1", "REF1", "2023-03-29"),
    verzoek("P1", "REF2", "2023-04-03"),
    verzoek("P2", "REF2", "2023-01-02"),
  },
}

test {
  name = "maatwerk uit iWmo-berichten, april 2023",
  period = "2023-04",
  data = data,
  expect = {
    { kpi = "maatwerk_toewijzingen", period = "2023-04", provider = "P1",
      category = "01", value = 2 },
    { kpi = "maatwerk_toewijzingen", period = "2023-04", provider = "P1",
      category = "02", value = 1 },
    { kpi = "maatwerk_toewijzingen", period = "2023-04", provider = "P2",
      category = "01", value = 0 },
    { kpi = "maatwerk_toewijzingen", period = "2023-04", provider = "P2",
      category = "03", value = 1 },
    { kpi = "maatwerk_toewijzingen", period = "2023-04", value = 4 },

    { kpi = "maatwerk_start_binnen_termijn", period = "2023-04",
      provider = "P1", value = 66.6666667, numerator = 2, denominator = 3 },
    { kpi = "maatwerk_start_binnen_termijn", period = "2023-04",
      provider = "P2", value = 0, numerator = 0, denominator = 1 },
    { kpi = "maatwerk_start_binnen_termijn", period = "2023-04",
      value = 50, numerator = 2, denominator = 4 },

    { kpi = "maatwerk_zonder_start", period = "2023-04", provider = "P1",
      value = 1 },
    { kpi = "maatwerk_zonder_start", period = "2023-04", provider = "P2",
      value = 2 },
    { kpi = "maatwerk_zonder_start", period = "2023-04", value = 3 },

    { kpi = "maatwerk_doorlooptijd_verzoek", period = "2023-04",
      provider = "P1", value = 2.5, numerator = 5, denominator = 2 },
    { kpi = "maatwerk_doorlooptijd_verzoek", period = "2023-04",
      provider = "P2", value = "empty" },
    { kpi = "maatwerk_doorlooptijd_verzoek", period = "2023-04",
      value = 2.5 },

    { kpi = "maatwerk_beeindigd_per_reden", period = "2023-04",
      reason = "19", value = 2 },
    { kpi = "maatwerk_beeindigd_per_reden", period = "2023-04",
      reason = "02", value = 1 },
    { kpi = "maatwerk_beeindigd_per_reden", period = "2023-04",
      reason = "21", value = 0 },
    { kpi = "maatwerk_beeindigd_per_reden", period = "2023-04",
      reason = "31", value = 0 },
    { kpi = "maatwerk_beeindigd_per_reden", period = "2023-04", value = 3 },
  },
}

test {
  name = "een contract met een termijn van 11 werkdagen",
  period = "2023-04",
  config = { maatwerk_start_binnen_termijn = { ["param.termijn"] = 11 } },
  data = data,
  expect = {
    { kpi = "maatwerk_start_binnen_termijn", period = "2023-04",
      provider = "P1", value = 100 },
    { kpi = "maatwerk_start_binnen_termijn", period = "2023-04",
      value = 75 },
  },
}
