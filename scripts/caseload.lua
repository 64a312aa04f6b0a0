-- caseload.lua - caseload op de peildatum (indicator 2).
--
-- De peildatum is de laatste dag van de periode, tenzij het contract
-- ([contract] reference) de eerste dag of de dag erna kiest.  Een casus telt mee als
-- hij op of voor de peildatum is aangemeld en niet voor de peildatum is
-- afgesloten: een casus die op de peildatum zelf sluit, telt nog mee.

kpi {
  id = "caseload",
  title = "Caseload op de peildatum",
  description = "Aantal casussen dat op de peildatum (standaard de laatste "
    .. "dag van de periode) liep: aangemeld op of voor die dag, niet eerder "
    .. "afgesloten.",
  unit = "casussen",
  dataset = "cases",
  grain = "month",
  breakdown = { "team" },
  select = on_reference_date("registered", "closed"),
  rule = count(),
}
