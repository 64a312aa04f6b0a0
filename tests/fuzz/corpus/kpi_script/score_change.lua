kpi { id = "z", title = "t", unit = "u", dataset = "cases", grain = "quarter",
  select = started_in("registered"), per = "team",
  lookup = { l = { dataset = "cases", by = "team" } },
  having = is_set(score_change { lookup = "l", key = "team",
    date = "registered", score = "mark", by = "case_id" }),
  rule = count(gt(score_change { lookup = "l", key = "team",
    date = "registered", score = "mark" }, 0)) }
