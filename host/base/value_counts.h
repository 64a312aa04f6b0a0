/*
 * value_counts.h - how often each value occurred, for a warning that
 * names the values: "'Ja' 2x, 'Nee' 1x".
 *
 * Up to VALUE_COUNTS_MAX distinct values are counted one by one; values
 * past that are counted together, so that a column of a million distinct
 * values costs no million entries.  Zero-initialise a value_counts to
 * start; value_counts_release frees it (and leaves it zeroed, ready for
 * use again).
 */
#ifndef PEIL_VALUE_COUNTS_H
#define PEIL_VALUE_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/strmap.h"

#define VALUE_COUNTS_MAX 1000
/* The slot of the values past the bound. */
#define VALUE_COUNTS_BEYOND VALUE_COUNTS_MAX

typedef struct value_counts {
	strmap values;		/* the distinct values counted one by one */
	int64_t *counts;	/* [values.count] */
	int64_t total;		/* every value added */
	int64_t beyond;		/* of those, values past the bound */
} value_counts;

/* Count text[0..len): the slot it was counted in, for
 * value_counts_remove, or -1 when out of memory (not counted). */
long value_counts_add(value_counts *vc, const char *text, size_t len);

/* Take back one count of slot (a result of value_counts_add): the value
 * was not kept after all (its row was rejected). */
void value_counts_remove(value_counts *vc, long slot);

/* The shown most frequent values with their counts into out (equal counts
 * in the order first met; each value cut at 60 bytes), followed by how
 * many values and rows were left out: "'Ja' 2x, 'Nee' 1x, and 3 more
 * values".  "" when nothing was counted. */
void value_counts_list(const value_counts *vc, size_t shown, char *out,
		       size_t size);

void value_counts_release(value_counts *vc);

#endif
