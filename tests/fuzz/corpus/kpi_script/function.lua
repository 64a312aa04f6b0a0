kpi { id = "x", title = "t", unit = "u", dataset = "cases", grain = "month",
  breakdown = { "team" }, select = running_in("registered", "closed"),
  where = all { is_set("team"), gt("mark", 5) },
  rule = mean(function(c, p) return c.mark end), target = { min = 1, max = 9 } }
