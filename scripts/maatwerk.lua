-- maatwerk.lua - toewijzing, start en einde van maatwerk uit de berichten
-- van iWmo en iJw 3.2.
--
-- De plugin istandaarden leest de berichten in: toewijzingen (301,
-- dataset allocations), starten van zorg (305, care_starts),
-- beëindigingen (307, care_ends) en verzoeken om toewijzing (315,
-- allocation_requests); zie docs/configuration.md.  Een toewijzing is
-- één rij per toewijzingnummer: een latere 301 met hetzelfde nummer
-- (een wijziging of correctie) vervangt haar.  Een toewijzing die de
-- gemeente intrekt (reden wijziging 13, Verwijderd) telt nergens mee;
-- een start- of stopbericht met status aanlevering 3 (verwijderen)
-- evenmin.
--
-- "Vanaf" is de toewijzingsdatum, of de ingangsdatum als die later ligt:
-- eerder kan de zorg niet beginnen.

local niet_ingetrokken = any { is_empty("change_reason"),
                               ne("change_reason", "13") }

local function vanaf(toewijzing)
  if toewijzing.start > toewijzing.allocated then
    return toewijzing.start
  end
  return toewijzing.allocated
end

-- De vroegste begindatum van de niet verwijderde startberichten van de
-- toewijzing (zelfde gemeente en toewijzingnummer), of nil.
local function eerste_start(toewijzing, data)
  local eerste
  for _, s in ipairs(data.starts[toewijzing.allocation] or {}) do
    if s.municipality == toewijzing.municipality and s.status ~= "3"
       and (eerste == nil or s.started < eerste) then
      eerste = s.started
    end
  end
  return eerste
end

local starts = { dataset = "care_starts", by = "allocation" }

kpi {
  id = "maatwerk_toewijzingen",
  title = "Toewijzingen maatwerk",
  description = "Aantal toewijzingen (bericht 301) met een "
    .. "toewijzingsdatum in de maand, per aanbieder en productcategorie; "
    .. "ingetrokken toewijzingen (reden wijziging 13) tellen niet mee.",
  unit = "toewijzingen",
  dataset = "allocations",
  tags = { "maatwerk" },
  grain = "month",
  breakdown = { "provider", "category" },
  select = started_in("allocated"),
  where = niet_ingetrokken,
  rule = count(),
}

kpi {
  id = "maatwerk_start_binnen_termijn",
  title = "Zorg gestart binnen de termijn",
  description = "Aandeel van de toewijzingen van de maand waarvoor een "
    .. "startbericht (305) kwam met een begindatum binnen de termijn (10 "
    .. "werkdagen) na de toewijzingsdatum, of na de ingangsdatum als die "
    .. "later ligt.",
  unit = "%",
  dataset = "allocations",
  tags = { "maatwerk" },
  grain = "month",
  breakdown = { "provider" },
  params = { termijn = 10 },
  lookup = { starts = starts },
  select = started_in("allocated"),
  where = niet_ingetrokken,
  rule = share(function(toewijzing, period, data)
    local start = eerste_start(toewijzing, data)
    return start ~= nil
      and date.workdays(vanaf(toewijzing), start) <= param("termijn")
  end),
}

kpi {
  id = "maatwerk_zonder_start",
  title = "Toewijzingen zonder start",
  description = "Aantal toewijzingen dat op de peildatum liep, waarvan "
    .. "de toewijzingsdatum (of de latere ingangsdatum) minstens 30 dagen "
    .. "voor de peildatum lag, en waarvoor geen startbericht (305) met "
    .. "een begindatum op of voor de peildatum kwam.",
  unit = "toewijzingen",
  dataset = "allocations",
  tags = { "maatwerk" },
  grain = "month",
  breakdown = { "provider" },
  params = { dagen = 30 },
  lookup = { starts = starts },
  select = on_reference_date("start", "end"),
  where = niet_ingetrokken,
  rule = count(function(toewijzing, period, data)
    if date.days_between(vanaf(toewijzing), period.reference)
       < param("dagen") then
      return false
    end
    local start = eerste_start(toewijzing, data)
    return start == nil or start > period.reference
  end),
}

kpi {
  id = "maatwerk_beeindigd_per_reden",
  title = "Beëindigde zorg per reden",
  description = "Aantal stopberichten (307) met een einddatum in de "
    .. "maand, per reden beëindiging; verwijderde stopberichten (status "
    .. "aanlevering 3) tellen niet mee.",
  unit = "beëindigingen",
  dataset = "care_ends",
  tags = { "maatwerk" },
  grain = "month",
  breakdown = { "reason" },
  select = started_in("ended"),
  where = ne("status", "3"),
  rule = count(),
}

kpi {
  id = "maatwerk_doorlooptijd_verzoek",
  title = "Doorlooptijd van verzoek tot toewijzing",
  description = "Gemiddeld aantal werkdagen van het verzoek om "
    .. "toewijzing (315, de dagtekening van het bericht) tot de "
    .. "toewijzing (301, de toewijzingsdatum) met dezelfde referentie "
    .. "van de aanbieder, over de toewijzingen van de maand waarvoor een "
    .. "verzoek bekend is.",
  unit = "werkdagen",
  dataset = "allocations",
  tags = { "maatwerk" },
  grain = "month",
  breakdown = { "provider" },
  lookup = { verzoeken = { dataset = "allocation_requests",
                           by = "provider_ref" } },
  select = started_in("allocated"),
  where = all { niet_ingetrokken, is_set("provider_ref") },
  rule = mean(function(toewijzing, period, data)
    local eerste
    for _, v in ipairs(data.verzoeken[toewijzing.provider_ref] or {}) do
      if v.provider == toewijzing.provider
         and v.municipality == toewijzing.municipality
         and (eerste == nil or v.message_date < eerste) then
        eerste = v.message_date
      end
    end
    if eerste == nil then
      return nil
    end
    return date.workdays(eerste, toewijzing.allocated)
  end),
}
