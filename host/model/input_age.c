/*
 * input_age.c - notes on inputs: the list and the message kept in the run
 * (input_age.h).
 */
#include "model/input_age.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/grow.h"

#define STALE_PREFIX "stale input: dataset "
#define PARTLY_PREFIX "partly covered: dataset "
#define UNMATCHED_PREFIX "dataset "
#define SEPARATOR "; "

/* Whether x and y are one note: of one kind, and alike in what a note of
 * the kind is kept once for (the dataset of a stale input; the KPI
 * partly covered; the KPI, field and dataset of an unmatched join). */
static int same_note(const input_age *x, const input_age *y)
{
	if (x->kind != y->kind)
		return 0;
	switch (x->kind) {
	case INPUT_STALE:
		return strcmp(x->dataset, y->dataset) == 0;
	case INPUT_PARTLY_COVERED:
		return strcmp(x->kpi, y->kpi) == 0;
	case INPUT_UNMATCHED:
		return strcmp(x->kpi, y->kpi) == 0 &&
		       strcmp(x->field, y->field) == 0 &&
		       strcmp(x->joined, y->joined) == 0;
	}
	return 0;
}

/* A copy of text owned by the note, in *copy: 0, or -1 when out of
 * memory.  NULL stays NULL. */
static int copy_text(char **copy, const char *text)
{
	*copy = text ? strdup(text) : NULL;
	return text && !*copy ? -1 : 0;
}

/* Add note (its texts borrowed) to a, its texts copied, unless a has it
 * (same_note): 0, or -1 when out of memory, a unchanged. */
static int input_ages_note(input_ages *a, const input_age *note)
{
	input_age *items, *item;

	for (size_t i = 0; i < a->count; i++)
		if (same_note(&a->items[i], note))
			return 0;
	items = grow_for(a->items, a->count, sizeof(*items));
	if (!items)
		return -1;
	a->items = items;
	item = &items[a->count];
	*item = *note;
	item->dataset = item->kpi = item->field = item->joined = NULL;
	if (copy_text(&item->dataset, note->dataset) < 0 ||
	    copy_text(&item->kpi, note->kpi) < 0 ||
	    copy_text(&item->field, note->field) < 0 ||
	    copy_text(&item->joined, note->joined) < 0) {
		free(item->dataset);
		free(item->kpi);
		free(item->field);
		free(item->joined);
		return -1;
	}
	a->count++;
	return 0;
}

int input_ages_add(input_ages *a, const char *dataset, int64_t age_days,
		   uint64_t max_age_days)
{
	const input_age note = { .kind = INPUT_STALE,
				 .dataset = (char *)dataset,
				 .age_days = age_days,
				 .max_age_days = max_age_days };

	return input_ages_note(a, &note);
}

int input_ages_add_partly_covered(input_ages *a, const char *kpi,
				  const char *dataset, int32_t input_day)
{
	const input_age note = { .kind = INPUT_PARTLY_COVERED,
				 .dataset = (char *)dataset,
				 .kpi = (char *)kpi,
				 .input_day = input_day };

	return input_ages_note(a, &note);
}

int input_ages_add_unmatched(input_ages *a, const char *kpi,
			     const char *dataset, uint64_t rows,
			     const char *field, const char *joined,
			     int left_out)
{
	const input_age note = { .kind = INPUT_UNMATCHED,
				 .dataset = (char *)dataset,
				 .kpi = (char *)kpi,
				 .rows = rows,
				 .field = (char *)field,
				 .joined = (char *)joined,
				 .left_out = left_out };

	return input_ages_note(a, &note);
}

void input_ages_release(input_ages *a)
{
	for (size_t i = 0; i < a->count; i++) {
		free(a->items[i].dataset);
		free(a->items[i].kpi);
		free(a->items[i].field);
		free(a->items[i].joined);
	}
	free(a->items);
	memset(a, 0, sizeof(*a));
}

static int unmatched_order(const void *x, const void *y)
{
	const input_age *a = x, *b = y;

	return strcmp(a->kpi, b->kpi);
}

void input_ages_sort_unmatched(input_ages *a)
{
	size_t n = 0, j = 0;
	input_age *some;

	for (size_t i = 0; i < a->count; i++)
		n += a->items[i].kind == INPUT_UNMATCHED;
	if (n < 2 || !(some = malloc(n * sizeof(*some))))
		return;	/* out of memory: the order they came in */
	for (size_t i = 0; i < a->count; i++)
		if (a->items[i].kind == INPUT_UNMATCHED)
			some[j++] = a->items[i];
	qsort(some, n, sizeof(*some), unmatched_order);
	for (size_t i = 0, k = 0; i < a->count; i++)
		if (a->items[i].kind == INPUT_UNMATCHED)
			a->items[i] = some[k++];
	free(some);
}

int input_ages_first(const input_ages *a, size_t i)
{
	const input_age *x = &a->items[i];

	if (x->kind == INPUT_UNMATCHED)
		return 1;	/* each of its own KPI */

	for (size_t j = 0; j < i; j++)
		if (a->items[j].kind == x->kind &&
		    a->items[j].input_day == x->input_day &&
		    strcmp(a->items[j].dataset, x->dataset) == 0)
			return 0;
	return 1;
}

size_t input_ages_count(const input_ages *a, input_note kind)
{
	size_t n = 0;

	for (size_t i = 0; a && i < a->count; i++)
		n += a->items[i].kind == kind && input_ages_first(a, i);
	return n;
}

void input_age_message(const input_age *a, char *out, size_t size)
{
	char day[11];

	if (a->kind == INPUT_PARTLY_COVERED) {
		date_format_iso(a->input_day, day);
		snprintf(out, size, PARTLY_PREFIX "%s has no input after %s",
			 a->dataset, day);
		return;
	}
	snprintf(out, size, STALE_PREFIX "%s is %" PRId64 " days old "
		 "(max_age_days = %" PRIu64 ")", a->dataset, a->age_days,
		 a->max_age_days);
}

void input_age_join(char *out, size_t size, const char *message)
{
	size_t n = strlen(out);

	if (n < size)
		snprintf(out + n, size - n, "%s%s", n ? SEPARATOR : "",
			 message);
}

/* "dataset case_members: 2 rows have a case_id that no row of cases
 * has (D98, D99): left out: ..." (kpi_eval.c, kpi_run_unmatched): a
 * note added to a, or nothing. */
static int input_age_parse_unmatched(const char *kpi, const char *part,
				     input_ages *a)
{
	static const char left_out[] = ": left out: the selection dates rows "
				       "by the joined dataset";
	static const char empty[] = ": counted with the joined fields empty";
	char dataset[128], field[128], joined[128];
	uint64_t rows;
	size_t n = strlen(part);
	int out = n >= sizeof(left_out) - 1 &&
		  strcmp(part + n - (sizeof(left_out) - 1), left_out) == 0;

	if (!out && (n < sizeof(empty) - 1 ||
		     strcmp(part + n - (sizeof(empty) - 1), empty) != 0))
		return 0;
	/* Dataset and field names are a-z, 0-9 and _ (schema.c). */
	if (sscanf(part, UNMATCHED_PREFIX "%127[a-z0-9_]: %" SCNu64
		   " %*s %*s a %127s that no row of %127s has (", dataset,
		   &rows, field, joined) != 4)
		return 0;
	return input_ages_add_unmatched(a, kpi, dataset, rows, field, joined,
					out);
}

/* One part of a message: a note added to a, or nothing. */
static int input_age_parse_part(const char *kpi, const char *part,
				input_ages *a)
{
	char dataset[128], day[11];
	int64_t age;
	uint64_t max;
	int32_t date;

	/* Dataset names are a-z, 0-9 and _ (schema.c): no spaces. */
	if (strncmp(part, STALE_PREFIX, sizeof(STALE_PREFIX) - 1) == 0 &&
	    sscanf(part + sizeof(STALE_PREFIX) - 1,
		   "%127s is %" SCNd64 " days old (max_age_days = %" SCNu64
		   ")", dataset, &age, &max) == 3)
		return input_ages_add(a, dataset, age, max);
	if (kpi &&
	    strncmp(part, PARTLY_PREFIX, sizeof(PARTLY_PREFIX) - 1) == 0 &&
	    sscanf(part + sizeof(PARTLY_PREFIX) - 1,
		   "%127s has no input after %10s", dataset, day) == 2 &&
	    date_parse_iso(day, &date) == 0)
		return input_ages_add_partly_covered(a, kpi, dataset, date);
	if (kpi && strncmp(part, UNMATCHED_PREFIX,
			   sizeof(UNMATCHED_PREFIX) - 1) == 0)
		return input_age_parse_unmatched(kpi, part, a);
	return 0;
}

size_t input_age_unmatched_parts(const char *message, char *out,
				 size_t size)
{
	const char *p = message;
	size_t n = 0;

	if (size)
		out[0] = '\0';
	while (p) {
		const char *next = strstr(p, SEPARATOR);
		input_ages one = { NULL, 0 };
		char part[512];
		size_t len = next ? (size_t)(next - p) : strlen(p);

		if (len < sizeof(part)) {
			memcpy(part, p, len);
			part[len] = '\0';
			if (input_age_parse_unmatched("", part, &one) == 0 &&
			    one.count) {
				input_age_join(out, size, part);
				n++;
			}
			input_ages_release(&one);
		}
		p = next ? next + sizeof(SEPARATOR) - 1 : NULL;
	}
	return n;
}

int input_age_parse(const char *kpi, const char *message, input_ages *a)
{
	const char *p = message;

	while (p) {
		const char *next = strstr(p, SEPARATOR);
		char part[512];
		size_t n = next ? (size_t)(next - p) : strlen(p);

		if (n < sizeof(part)) {
			memcpy(part, p, n);
			part[n] = '\0';
			if (input_age_parse_part(kpi, part, a) < 0)
				return -1;
		}
		p = next ? next + sizeof(SEPARATOR) - 1 : NULL;
	}
	return 0;
}
