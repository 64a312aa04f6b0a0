/*
 * finality.c - when a period's figures become final, and which periods a
 * run may evaluate yet.
 */
#include "model/finality.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/calendar.h"
#include "base/period.h"

int32_t finality_date(int64_t unix_seconds)
{
	time_t t = (time_t)unix_seconds;
	struct tm tm;

	localtime_r(&t, &tm);
	return date_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int finality_today_override(int32_t *date)
{
	const char *text = getenv("PEIL_TODAY");

	if (!text || !*text)
		return 0;
	return date_parse_iso(text, date) < 0 ? -1 : 1;
}

int32_t finality_today(void)
{
	int32_t date;

	if (finality_today_override(&date) == 1)
		return date;
	return finality_date((int64_t)time(NULL));
}

int32_t finality_final_from(const finality *f, int32_t last)
{
	int y, m, d;

	date_to_civil(last, &y, &m, &d);
	return date_add_months(date_from_civil(y, m, 1),
			       1 + f->final_after_months);
}

int finality_is_final(const finality *f, const char *period_id,
		      int32_t date)
{
	period p;

	if (period_parse(period_id, &p) < 0)
		return 0;
	return date >= finality_final_from(f, p.last);
}

/* Every period that ends in one month becomes final on the same day,
 * the first of a month: one look per month of [from, to]. */
int finality_changed_between(const finality *f, int32_t from, int32_t to,
			     int32_t then, int32_t now)
{
	int32_t month;
	int y, m, d;

	date_to_civil(from, &y, &m, &d);
	for (month = date_from_civil(y, m, 1); month <= to;
	     month = date_add_months(month, 1)) {
		int32_t final_from = finality_final_from(f, month);

		if (then < final_from && final_from <= now)
			return 1;
	}
	return 0;
}

int32_t finality_cutoff(const finality *f, int32_t date)
{
	return date - 1 - f->delay_days;
}

/* Whether status is that of a period the data do not reach
 * (results.h): data that come later fill it in, so it is never final. */
static int finality_data_ended(const char *status)
{
	char dataset[128], field[128], day[11];
	result_missing why;

	return result_not_evaluated(status) &&
	       result_not_evaluated_parse(status, &why, dataset,
					  sizeof(dataset), field,
					  sizeof(field), day) == 0 &&
	       (why == RESULT_MISSING_ROWS_AFTER ||
		why == RESULT_MISSING_INPUT_AFTER);
}

void finality_mark(const finality *f, result_table *t, int32_t date)
{
	const char *last = NULL;	/* the period of the row before */
	int final = 0;

	/* rows of one period mostly follow each other: its period parsed
	 * once for them */
	for (size_t i = 0; i < t->count; i++) {
		const char *id = t->rows[i].period;

		if (!id || !last || strcmp(id, last) != 0)
			final = finality_is_final(f, id, date);
		last = id;
		t->rows[i].finality =
			final && !finality_data_ended(t->rows[i].status)
				? RESULT_FINAL
				: RESULT_PROVISIONAL;
	}
}

size_t finality_mark_partly_covered(const finality *f, result_table *t,
				    const input_ages *notes, int32_t date)
{
	size_t would_be_final = 0;

	for (size_t i = 0; notes && i < notes->count; i++) {
		const input_age *a = &notes->items[i];

		if (a->kind != INPUT_PARTLY_COVERED)
			continue;
		for (size_t r = 0; r < t->count; r++) {
			result_row *row = &t->rows[r];
			period p;

			if (row->earlier || strcmp(row->kpi, a->kpi) != 0 ||
			    period_parse(row->period, &p) < 0 ||
			    p.last <= a->input_day)
				continue;
			would_be_final += !result_not_evaluated(row->status) &&
					  finality_is_final(f, row->period,
							    date);
			row->finality = RESULT_PROVISIONAL;
		}
	}
	return would_be_final;
}
