/*
 * value_check.h - the values that KPIs compare fields with, held against
 * the stored data, for peil check.
 *
 * eq("self_reliant", "ja") over a store that holds only "Ja" and "Nee"
 * gives a figure over nothing, and exit 0.  Such a literal is a warning
 * that names the KPI, the field, the literal and the values the field
 * does hold (the fix is a recode of the source: docs/configuration.md).
 */
#ifndef PEIL_VALUE_CHECK_H
#define PEIL_VALUE_CHECK_H

#include "engine/context.h"

/* Scan each dataset whose text fields the KPIs of ctx compare with a
 * literal (kpi_set_each_literal), in ctx's open store, and log a warning
 * for each literal that no stored row holds.  A dataset without rows is
 * not judged (an info line says so).  Returns the number of warnings, or
 * -1 with err when a scan failed or memory ran out. */
long value_check_literals(peil_context *ctx, peil_error *err);

/* Scan each dataset whose fields declare a range or a date order
 * (schema.h) and log a warning for each rule that stored rows break:
 * rows stored before the rule was declared, which no ingest checked.
 * Returns the number of warnings, or -1 with err. */
long value_check_rules(peil_context *ctx, peil_error *err);

#endif
