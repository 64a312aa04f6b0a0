-- verhoudingen.lua - ratios of two sums and shares of the total (issue
-- 18, item 2).  A fixture of the tests: tests/e2e/cli.sh, case ratios,
-- which configures the dataset verzuim (absence hours per employee and
-- month).
kpi {
  id = "verzuimpercentage",
  title = "Verzuimpercentage",
  description = "Verzuimde uren als percentage van de contracturen.",
  unit = "%",
  dataset = "verzuim",
  grain = "month",
  breakdown = { "team" },
  select = started_in("date"),
  rule = ratio(sum("hours_absent"), sum("hours_contracted"), 100),
}

kpi {
  id = "aandeel_verwijzingen",
  title = "Aandeel van alle verwijzingen per aanbieder",
  description = "Verwijzingen van de aanbieder als percentage van alle "
    .. "verwijzingen in de periode.",
  unit = "%",
  dataset = "referrals",
  grain = "quarter",
  breakdown = { "provider" },
  select = started_in("issued"),
  rule = share_of_total(count()),
}
