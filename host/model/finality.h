/*
 * finality.h - provisional and final figures, and the delay for late data.
 *
 * Registration is live: a month's figures keep moving for a while after
 * it ends.  A period's figures are provisional (voorlopig) until
 * final_after_months whole months have passed since it ended, then final
 * (definitief).  And a scheduled run evaluates a period only delay_days
 * after its end, so that it does not publish a half-registered month as if
 * complete (like Prometheus' rule query offset).  Both are [run] keys.
 */
#ifndef PEIL_FINALITY_H
#define PEIL_FINALITY_H

#include <stdint.h>

#include "model/input_age.h"
#include "model/results.h"

/* The [run] keys final_after_months and delay_days, as the engine read
 * them (settings_finality). */
typedef struct finality {
	int final_after_months;	/* default 3 */
	int delay_days;		/* default 0 */
} finality;

/* The local date of a unix time, and today's, as days since 1970-01-01. */
int32_t finality_date(int64_t unix_seconds);
int32_t finality_today(void);
/* The environment variable PEIL_TODAY (jjjj-mm-dd), for tests: the date
 * finality_today returns instead of the clock's.  1 with *date when set,
 * 0 when unset or empty, -1 when it is not a date (main refuses to run). */
int finality_today_override(int32_t *date);

/* The day from which a period ending on last is final: the first day of
 * the month after last, plus final_after_months months. */
int32_t finality_final_from(const finality *f, int32_t last);

/* Whether the figures of period id are final on date; a period id that
 * cannot be parsed (a contract year) counts as provisional. */
int finality_is_final(const finality *f, const char *period_id,
		      int32_t date);

/* Whether some period ending in [from, to] became final after the date
 * then, up to and including the date now: its figures are no longer
 * provisional, though nothing else changed. */
int finality_changed_between(const finality *f, int32_t from, int32_t to,
			     int32_t then, int32_t now);

/* The last period end a run on date may evaluate: date - 1 - delay_days. */
int32_t finality_cutoff(const finality *f, int32_t date);

/* Set each row's finality as of date; a period not evaluated because the
 * data do not reach it (RESULT_MISSING_ROWS_AFTER, _INPUT_AFTER) is
 * provisional. */
void finality_mark(const finality *f, result_table *t, int32_t date);

/* Make provisional the rows of the KPIs of notes' partly covered items
 * (model/input_age.h) whose period ends after the item's input day: a
 * figure over an input that cannot hold its period's end is never final.
 * The number of those rows that are final on date by f (a period that
 * would otherwise have been published as final). */
size_t finality_mark_partly_covered(const finality *f, result_table *t,
				    const input_ages *notes, int32_t date);

#endif
