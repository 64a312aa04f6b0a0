kpi { id = "r", title = "t", unit = "u", dataset = "cases", grain = "year",
  params = { rungs = 2 }, select = running_in("registered", "closed"),
  lookup = { l = { dataset = "cases", by = "team" } },
  where = in_period(first_rise { lookup = "l", key = "team", date = "registered",
    score = "mark", from = "registered", to = "closed", rungs = param("rungs"),
    order = "case_id" }),
  rule = count(in_period("closed")) }
