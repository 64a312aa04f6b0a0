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

/* Scan each dataset of ctx's open store once, and log a warning:
 * - for each literal that the KPIs of ctx compare a text field with
 *   (kpi_set_each_literal) and that no stored row holds, or rows hold
 *   spelled otherwise (a dataset without rows is not judged: an info
 *   line says so);
 * - for each declared range, range for some rows or date order
 *   (schema.h) that stored rows break: rows stored before the rule was
 *   declared, which no ingest checked (the first of them named by its
 *   key); and, as such a rule, for each text field whose values every
 *   source of its dataset lists (allowed.FIELD) with on_unknown =
 *   refuse, the stored rows whose value none of the lists holds in the
 *   spelling that ingest stores (stored before the list was declared,
 *   narrowed, or made to refuse);
 * - for stored dates that cannot be right: a year outside
 *   DATE_YEAR_FIRST..DATE_YEAR_LAST (stored before ingest refused it),
 *   or a year that lies more than VALUE_CHECK_GAP_YEARS from every
 *   other stored date of the field and holds fewer of its dates than the
 *   rest (a registration in 1917 among those of 2015 to 2018 is a typo
 *   of 2017).
 * The literals' warnings of every dataset come first, then each
 * dataset's rules and dates.  Returns the number of warnings, or -1 with
 * err when a scan failed or memory ran out. */
#define VALUE_CHECK_GAP_YEARS 10
long value_check_stored(peil_context *ctx, peil_error *err);
/* The declared rules and allowed lists alone, as value_check_stored
 * checks them: a scan of their fields in each dataset that has any, for
 * peil run, whose figures would count the rows that break them. */
long value_check_rules(peil_context *ctx, peil_error *err);

#endif
