/*
 * test_cells_front.c - the front of a breakdown's cells (kpi_cells_find
 * looks a row's values up in a strmap_cache before it hashes them): with
 * one text field, as a team is, every value keeps the cell of its JSON
 * text whatever the front holds.  The expected cells are worked out apart
 * from kpi_cells: a value's cell is 1 + the number of different values
 * met before its first row (cell 0 is the total).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "harness.h"
#include "kpi/kpi_model.h"

static const char *const names[] = { "team" };
static size_t fields[] = { 0 };
static const size_t slot[] = { 0 };

/* The cells of a KPI broken down by its one field, "team". */
static kpi_cells *team_cells(void)
{
	static kpi k;

	k.info.breakdown = names;
	k.info.breakdown_count = 1;
	k.breakdown_field = fields;
	return kpi_cells_new(&k);
}

static long cell_of(kpi_cells *c, const char *text, size_t len)
{
	peil_value v = { PEIL_TYPE_TEXT, len, { NULL } };

	v.as.text = text;
	return kpi_cells_find(c, &v, slot);
}

/* No row: the total alone.  One row: its cell is 1, the same row again
 * too (then found in the front). */
TEST(no_row_one_row)
{
	kpi_cells *c = team_cells();

	CHECK(c != NULL);
	CHECK_INT(kpi_cells_count(c), 1);
	CHECK_INT(cell_of(c, "Oost", 4), 1);
	CHECK_INT(cell_of(c, "Oost", 4), 1);
	CHECK_INT(cell_of(c, "", 0), 2);
	CHECK_INT(cell_of(c, "", 0), 2);
	CHECK_STR(kpi_cells_text(c, 1), "{\"team\":\"Oost\"}");
	CHECK_STR(kpi_cells_text(c, 2), "{\"team\":\"\"}");
	CHECK_INT(kpi_cells_count(c), 3);
	kpi_cells_release(c);
}

/* Values that share their length and first and last eight bytes share a
 * slot of the front: each evicts the other, and neither is ever taken
 * for the other. */
TEST(values_that_share_a_slot)
{
	kpi_cells *c = team_cells();
	const char *a = "Buurtteam Noord-West", *b = "Buurtteam_Noord-West";

	CHECK(c != NULL);
	for (int round = 0; round < 4; round++) {
		CHECK_INT(cell_of(c, a, strlen(a)), 1);
		CHECK_INT(cell_of(c, b, strlen(b)), 2);
		CHECK_INT(cell_of(c, b, strlen(b)), 2);
		CHECK_INT(cell_of(c, a, strlen(a)), 1);
	}
	CHECK_STR(kpi_cells_text(c, 2), "{\"team\":\"Buurtteam_Noord-West\"}");
	CHECK_INT(kpi_cells_count(c), 3);
	kpi_cells_release(c);
}

/* Five times as many values as the front has slots, met in a scrambled
 * order over and over: each keeps its first cell, and its JSON is its
 * own. */
#define VALUES (5 * STRMAP_CACHE_SLOTS)
TEST(more_values_than_slots)
{
	kpi_cells *c = team_cells();
	char (*text)[32] = malloc(VALUES * sizeof(*text));
	long *expect = malloc(VALUES * sizeof(*expect));
	long next = 1;
	unsigned x = 12345;
	char json[64];

	CHECK(c != NULL && text != NULL && expect != NULL);
	for (size_t i = 0; i < VALUES; i++) {
		snprintf(text[i], sizeof(text[i]), "Buurtteam Centrum %zu", i);
		expect[i] = 0;
	}
	for (size_t n = 0; n < 20 * (size_t)VALUES; n++) {
		size_t i;

		x = x * 1103515245u + 12345u;
		i = (x >> 8) % VALUES;
		if (expect[i] == 0)
			expect[i] = next++;
		CHECK_INT(cell_of(c, text[i], strlen(text[i])), expect[i]);
	}
	CHECK_INT((long)kpi_cells_count(c), next);
	for (size_t i = 0; i < VALUES; i++) {
		if (expect[i] == 0)
			continue;
		snprintf(json, sizeof(json), "{\"team\":\"%s\"}", text[i]);
		CHECK_STR(kpi_cells_text(c, (size_t)expect[i]), json);
	}
	free(expect);
	free(text);
	kpi_cells_release(c);
}

int main(void)
{
	RUN(no_row_one_row);
	RUN(values_that_share_a_slot);
	RUN(more_values_than_slots);
	return harness_done();
}
