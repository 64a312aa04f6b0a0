/*
 * value_counts.c - counting values for warnings (value_counts.h).
 *
 * Shared by the ingest's unknown values (plugin/value_map.c) and peil
 * check's stored values (engine/value_check.c), which both name what an
 * export or the store holds.
 */
#include "base/value_counts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"

long value_counts_add(value_counts *vc, const char *text, size_t len)
{
	long i = strmap_find(&vc->values, text, len);
	int added;

	if (i < 0 && vc->values.count >= VALUE_COUNTS_MAX) {
		vc->total++;
		vc->beyond++;
		return VALUE_COUNTS_BEYOND;
	}
	if (i < 0) {
		int64_t *grown = grow_for(vc->counts, vc->values.count,
					  sizeof(*grown));

		if (!grown)
			return -1;
		vc->counts = grown;
		i = strmap_put(&vc->values, text, len, &added);
		if (i < 0)
			return -1;
		grown[i] = 0;
	}
	vc->counts[i]++;
	vc->total++;
	return i;
}

void value_counts_remove(value_counts *vc, long slot)
{
	if (slot == VALUE_COUNTS_BEYOND && vc->beyond > 0) {
		vc->beyond--;
		vc->total--;
	} else if (slot >= 0 && (size_t)slot < vc->values.count &&
		   vc->counts[slot] > 0) {
		vc->counts[slot]--;
		vc->total--;
	}
}

void value_counts_list(const value_counts *vc, size_t shown, char *out,
		       size_t size)
{
	unsigned char listed_already[VALUE_COUNTS_MAX] = { 0 };
	size_t n = 0, listed, counted = 0;

	if (!size)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < vc->values.count; i++)
		counted += vc->counts[i] > 0;	/* a count taken back: 0 */
	for (listed = 0; listed < shown && listed < counted; listed++) {
		size_t best = 0;
		int found = 0;

		for (size_t i = 0; i < vc->values.count; i++)
			if (!listed_already[i] && vc->counts[i] > 0 &&
			    (!found || vc->counts[i] > vc->counts[best])) {
				best = i;
				found = 1;
			}
		listed_already[best] = 1;
		if (n < size)
			n += (size_t)snprintf(out + n, size - n,
					      "%s'%.60s' %lldx",
					      listed ? ", " : "",
					      strmap_key(&vc->values, best),
					      (long long)vc->counts[best]);
	}
	if (listed < counted && n < size)
		n += (size_t)snprintf(out + n, size - n,
				      ", and %zu more values", counted - listed);
	if (vc->beyond && n < size)
		snprintf(out + n, size - n, ", and %lld rows of yet more "
			 "values", (long long)vc->beyond);
}

void value_counts_release(value_counts *vc)
{
	strmap_release(&vc->values);
	free(vc->counts);
	memset(vc, 0, sizeof(*vc));
}
