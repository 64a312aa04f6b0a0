-- verhoudingen.lua - ratios of two sums and shares of the total.  A
-- fixture of the tests: tests/e2e/cli.sh, case ratios,
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

kpi {
  id = "bereik_per_1000",
  title = "Gestarte casussen per 1000 inwoners",
  description = "Casussen met een aanmelddatum in de periode per 1000 "
    .. "inwoners van de buurt (inwoners uit de dataset inwoners).",
  unit = "per 1000 inwoners",
  dataset = "cases",
  grain = "month",
  breakdown = { "neighbourhood" },
  select = started_in("registered"),
  rule = ratio(count(), dataset_sum("inwoners", "inhabitants"), 1000),
}
