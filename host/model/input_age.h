/*
 * input_age.h - notes on the inputs behind a run's figures, each of a
 * dataset:
 *
 *   stale: its newest input is older than its [dataset NAME]
 *   max_age_days allows (engine/input_age.h);
 *   partly covered: periods of a KPI over it end after the day of its
 *   newest input, which holds nothing after that day; their figures stay
 *   provisional (finality_mark_partly_covered);
 *   unmatched: rows of a KPI's dataset whose join found no row of the
 *   joined dataset (a member of a case that the cases lack), left out or
 *   counted with the joined fields empty (kpi_sink.unmatched).
 *
 * Found by the engine when it evaluates, kept in the run as the message
 * of each KPI they concern (whose status they leave alone), read back
 * from there, and shown by every output.
 */
#ifndef PEIL_INPUT_AGE_H
#define PEIL_INPUT_AGE_H

#include <stddef.h>
#include <stdint.h>

typedef enum input_note {
	INPUT_STALE,
	INPUT_PARTLY_COVERED,
	INPUT_UNMATCHED
} input_note;

typedef struct input_age {
	input_note kind;
	char *dataset;
	int64_t age_days;	/* stale: whole days since its newest input */
	uint64_t max_age_days;	/* stale: the setting */
	char *kpi;		/* partly covered, unmatched: the KPI; NULL
				   for stale */
	int32_t input_day;	/* partly covered: the day of the newest
				   input (days since 1970-01-01) */
	/* unmatched: how many rows, their field that names the key, the
	 * dataset joined, and whether they were left out (else counted
	 * with the joined fields empty) */
	uint64_t rows;
	char *field, *joined;
	int left_out;
} input_age;

typedef struct input_ages {
	input_age *items;	/* owned */
	size_t count;
} input_ages;

/* Add a stale dataset (once: a second of the same name is ignored).  0;
 * -1 when out of memory. */
int input_ages_add(input_ages *a, const char *dataset, int64_t age_days,
		   uint64_t max_age_days);
/* Add that kpi's periods ending after input_day, the day of the newest
 * input of dataset, are partly covered (once per KPI).  0; -1 when out
 * of memory. */
int input_ages_add_partly_covered(input_ages *a, const char *kpi,
				  const char *dataset, int32_t input_day);
/* Add that rows of kpi's dataset have a field naming a key that no row
 * of dataset joined has (once per KPI, field and joined).  0; -1 when
 * out of memory. */
int input_ages_add_unmatched(input_ages *a, const char *kpi,
			     const char *dataset, uint64_t rows,
			     const char *field, const char *joined,
			     int left_out);
void input_ages_release(input_ages *a);	/* accepts a zeroed one */
/* Put the unmatched notes, among themselves, in the order of their KPIs
 * (as an evaluation of every KPI gives them). */
void input_ages_sort_unmatched(input_ages *a);

/* Whether item i is the first of its kind, dataset and day: outputs say
 * each once. */
int input_ages_first(const input_ages *a, size_t i);
/* How many items are of kind. */
size_t input_ages_count(const input_ages *a, input_note kind);

/* The message kept with a KPI of the run: "stale input: dataset cases is
 * 45 days old (max_age_days = 30)", or "partly covered: dataset cases has
 * no input after 2018-03-15".  A KPI's notes are joined by "; " after
 * its own message, if any (input_age_join).  An unmatched note is kept
 * as the evaluator writes it (kpi_sink.unmatched): "dataset
 * case_members: 2 rows have a case_id that no row of cases has (D98,
 * D99): left out: ..." or ": counted with the joined fields empty". */
void input_age_message(const input_age *a, char *out, size_t size);
/* Append message to out (size bytes, holding text or ""), after "; "
 * when out is not empty. */
void input_age_join(char *out, size_t size, const char *message);
/* Read the notes of kpi's message back into a (0 when there were some
 * or none, each added once; -1 when out of memory).  NULL: none.  Of a
 * message of kpi_sink.unmatched, its notes. */
int input_age_parse(const char *kpi, const char *message, input_ages *a);
/* The unmatched notes of message, joined by "; ", into out: how many
 * (0: none, out ""). */
size_t input_age_unmatched_parts(const char *message, char *out,
				 size_t size);

#endif
