/*
 * period.h - reporting periods: month, quarter, year, and contract year.
 *
 * A period is a closed range of dates [first, last] with a grain and an id
 * that sorts in time within a grain: "2017-03", "2017-Q4", "2017".  A
 * contract year starting in July 2017 is "2017/2018" ("CJ" grain).
 */
#ifndef PEIL_PERIOD_H
#define PEIL_PERIOD_H

#include <stddef.h>
#include <stdint.h>

typedef enum period_grain {
	PERIOD_MONTH = 1,
	PERIOD_QUARTER = 2,
	PERIOD_YEAR = 3,
	PERIOD_CONTRACT_YEAR = 4	/* a year from a configured start month */
} period_grain;

typedef struct period {
	period_grain grain;
	int32_t first;		/* first day */
	int32_t last;		/* last day */
	int32_t reference;	/* the reference date (peildatum) of stock
				   figures: last unless set otherwise */
	char id[16];
} period;

/* Where a period's reference date lies: its last day (the default), its
 * first day, or the day after it (1 January for the year before). */
typedef enum period_reference {
	PERIOD_REFERENCE_LAST = 0,
	PERIOD_REFERENCE_FIRST,
	PERIOD_REFERENCE_NEXT
} period_reference;

/* "last", "first" or "next"; 0 on success, -1 otherwise. */
int period_reference_parse(const char *name, period_reference *out);
/* Set p's reference date by the rule. */
void period_set_reference(period *p, period_reference rule);

/* "month", "quarter", "year", "contract_year" or the Dutch "maand",
 * "kwartaal", "jaar", "contractjaar"; 0 on success, -1 otherwise. */
int period_grain_parse(const char *name, period_grain *out);
/* The English name of a grain. */
const char *period_grain_name(period_grain grain);

/* The grains a KPI is evaluated in: at most one of each, in grain order
 * (month first). */
#define PERIOD_GRAIN_COUNT 4
typedef struct period_grains {
	size_t count;
	period_grain grain[PERIOD_GRAIN_COUNT];
} period_grains;

/* Add g to the list, unless it holds it already. */
void period_grains_add(period_grains *list, period_grain g);
/* A list such as "month, quarter, year" (commas or spaces between the
 * names of period_grain_parse) into *out.  0; -1 when a name is unknown,
 * with it into bad, or when there is none (bad ""). */
int period_grains_parse(const char *text, period_grains *out, char *bad,
			size_t bad_size);
/* The names of the list, ", " between them, into out. */
void period_grains_text(const period_grains *list, char *out, size_t size);
/* The grain of a period id: a contract year ("2017/2018"), a year, a
 * quarter or a month; 0 when it is none of these. */
period_grain period_id_grain(const char *id);

/* Parse a period id: "2017", "2017-Q4", "2017-03"; 0 on success, -1 when
 * malformed (a contract year is not parsed here: it needs a start month). */
int period_parse(const char *text, period *out);

/* The id of the period before id ("2017-Q1" -> "2016-Q4", "2017-01" ->
 * "2016-12", "2017" -> "2016", "2016/2017" -> "2015/2016"), or with
 * year_before of the same period a year before ("2017-Q1" ->
 * "2016-Q1"), into out (16 bytes).  0, or -1 when id is no period. */
int period_earlier(const char *id, int year_before, char out[16]);

/* The period of a grain that contains date.  contract_start_month (1-12)
 * is used only for PERIOD_CONTRACT_YEAR. */
void period_containing(period_grain grain, int contract_start_month,
		       int32_t date, period *out);

/* The periods of a grain that lie entirely within [from, to], in time
 * order, written to out[0..max); returns how many there are in all (which
 * may exceed max). */
size_t period_list(period_grain grain, int contract_start_month, int32_t from,
		   int32_t to, period *out, size_t max);

/* A rolling item of [run] periods, relative to the last day a run may
 * evaluate (the cutoff: the run date - 1 - delay_days):
 *   "current month|quarter|year|contract year" (and "contract year"):
 *       the period containing the cutoff;
 *   "previous month|quarter|year|contract year": the latest period that
 *       ends on or before the cutoff (a complete one);
 *   "last N months|quarters|years|contract years": the N complete
 *       periods ending with the previous one. */
typedef struct period_rolling {
	period_grain grain;
	int count;		/* N of "last N"; 0: current; -1: previous */
} period_rolling;

/* Parse a rolling item (words separated by spaces, any case); 0 on
 * success, -1 when text is not one. */
int period_rolling_parse(const char *text, period_rolling *out);

/* The first and last day of r for a run whose cutoff is cutoff. */
void period_rolling_resolve(const period_rolling *r, int contract_start_month,
			    int32_t cutoff, int32_t *first, int32_t *last);

#endif
