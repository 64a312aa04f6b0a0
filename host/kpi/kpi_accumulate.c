/*
 * kpi_accumulate.c - the accumulator of one (cell, period): the rows a KPI
 * selected, those its condition held for, and the count, sum, minimum and
 * maximum of its measure's values.  kpi_eval.c adds rows to it, kpi_group.c
 * groups; kpi_eval.c makes figures of it.
 *
 * The function is defined inline in kpi_model.h, so that the per-row loop
 * of kpi_eval.c keeps it inlined (as when it lived there); this is its
 * one external definition, for a call the compiler does not inline.  Its
 * own file because kpi_group.c called it in kpi_eval.c, which calls
 * kpi_group.c: a cycle.
 */
#include "kpi/kpi_model.h"

extern inline void kpi_acc_add(kpi_acc *acc, int hit, const kpi_value *v);
