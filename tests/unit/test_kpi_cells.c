/*
 * test_kpi_cells.c - breakdown cells: a row's values are keyed as raw
 * bytes, but a cell is its JSON text, so values that write the same JSON
 * share a cell and values that write different JSON never do.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "harness.h"
#include "kpi/kpi_model.h"
#include "peil_values.h"

static peil_value text_of(const char *s, size_t len)
{
	peil_value v = { PEIL_TYPE_TEXT, len, { NULL } };

	v.as.text = s;
	return v;
}

static peil_value real_of(double x)
{
	peil_value v = { PEIL_TYPE_REAL, 0, { NULL } };

	v.as.real = x;
	return v;
}

static const peil_value none = { PEIL_TYPE_NULL, 0, { NULL } };

/* A KPI that breaks down by "a" and "b", rows [a, b] unprojected. */
static const char *const names[] = { "a", "b" };
static size_t fields[] = { 0, 1 };
static const size_t slot[] = { 0, 1 };

static kpi *two_fields(void)
{
	kpi *k = calloc(1, sizeof(*k));

	if (k) {
		k->info.breakdown = names;
		k->info.breakdown_count = 2;
		k->breakdown_field = fields;
	}
	return k;
}

static long cell_of(kpi_cells *c, peil_value a, peil_value b)
{
	peil_value row[2];

	row[0] = a;
	row[1] = b;
	return kpi_cells_find(c, row, slot);
}

TEST(same_json_same_cell)
{
	kpi *k = two_fields();
	kpi_cells *c = kpi_cells_new(k);
	long nan_cell;

	CHECK(c != NULL);
	CHECK_INT(kpi_cells_count(c), 1);
	CHECK_STR(kpi_cells_text(c, 0), "{}");
	nan_cell = cell_of(c, real_of(NAN), text_of("Oost", 4));
	CHECK_INT(nan_cell, 1);
	CHECK_STR(kpi_cells_text(c, 1), "{\"a\":null,\"b\":\"Oost\"}");
	/* null, NaN and infinity all write null */
	CHECK_INT(cell_of(c, none, text_of("Oost", 4)), nan_cell);
	CHECK_INT(cell_of(c, real_of(INFINITY), text_of("Oost", 4)), nan_cell);
	CHECK_INT(cell_of(c, real_of(-INFINITY), text_of("Oost", 4)), nan_cell);
	/* a date and its ISO text write the same string */
	CHECK_INT(cell_of(c, value_date("2018-01-31"), none), 2);
	CHECK_INT(cell_of(c, text_of("2018-01-31", 10), none), 2);
	CHECK_STR(kpi_cells_text(c, 2), "{\"a\":\"2018-01-31\",\"b\":null}");
	CHECK_INT(kpi_cells_count(c), 3);
	kpi_cells_release(c);
	free(k);
}

TEST(different_json_different_cells)
{
	kpi *k = two_fields();
	kpi_cells *c = kpi_cells_new(k);

	CHECK(c != NULL);
	/* where the values of two fields meet does not blur */
	CHECK_INT(cell_of(c, text_of("ab", 2), text_of("c", 1)), 1);
	CHECK_INT(cell_of(c, text_of("a", 1), text_of("bc", 2)), 2);
	CHECK_INT(cell_of(c, text_of("", 0), text_of("abc", 3)), 3);
	CHECK_INT(cell_of(c, text_of(NULL, 0), text_of("abc", 3)), 3);
	CHECK_INT(cell_of(c, none, text_of("abc", 3)), 4);
	/* 0 and -0 write different numbers */
	CHECK_INT(cell_of(c, real_of(0.0), none), 5);
	CHECK_INT(cell_of(c, real_of(-0.0), none), 6);
	CHECK_STR(kpi_cells_text(c, 6), "{\"a\":-0,\"b\":null}");
	/* a NUL and a quote inside a text are escaped */
	CHECK_INT(cell_of(c, text_of("x\0\"y", 4), none), 7);
	CHECK_STR(kpi_cells_text(c, 7),
		  "{\"a\":\"x\\u0000\\\"y\",\"b\":null}");
	CHECK_INT(cell_of(c, text_of("ab", 2), text_of("c", 1)), 1);
	CHECK_INT(kpi_cells_count(c), 8);
	kpi_cells_release(c);
	free(k);
}

/* Many cells (a narrow export's 1 200 teams): each combination keeps its
 * number whichever order the rows come in, the same row twice in a row
 * (a case and its members) included. */
TEST(many_cells_any_order)
{
	kpi *k = two_fields();
	kpi_cells *c = kpi_cells_new(k);
	char team[2000][16];

	CHECK(c != NULL);
	for (int i = 0; i < 2000; i++)
		snprintf(team[i], sizeof(team[i]), "Team %d", i);
	for (int i = 0; i < 2000; i++)
		CHECK_INT(cell_of(c, text_of(team[i], strlen(team[i])), none),
			  i + 1);
	for (int i = 1999; i >= 0; i -= 7) {
		CHECK_INT(cell_of(c, text_of(team[i], strlen(team[i])), none),
			  i + 1);
		CHECK_INT(cell_of(c, text_of(team[i], strlen(team[i])), none),
			  i + 1);
		/* the same text in the other field is another cell */
		CHECK(cell_of(c, none, text_of(team[i], strlen(team[i]))) >
		      2000);
	}
	CHECK_STR(kpi_cells_text(c, 1235), "{\"a\":\"Team 1234\",\"b\":null}");
	CHECK_INT(kpi_cells_count(c), 1 + 2000 + 286);
	kpi_cells_release(c);
	free(k);
}

/* One field: a text, an empty text, no value and a number each their
 * cell, the text's bytes alone telling texts apart. */
TEST(one_field)
{
	kpi *k = two_fields();
	kpi_cells *c;
	peil_value row[2], number = { PEIL_TYPE_INTEGER, 0, { NULL } };

	CHECK(k != NULL);
	k->info.breakdown_count = 1;
	c = kpi_cells_new(k);
	CHECK(c != NULL);
	row[1] = none;
	number.as.integer = 0x4e;	/* "N" in its first byte */
	row[0] = text_of("N", 1);
	CHECK_INT(kpi_cells_find(c, row, slot), 1);
	row[0] = text_of("", 0);
	CHECK_INT(kpi_cells_find(c, row, slot), 2);
	row[0] = none;	/* null: not the empty text */
	CHECK_INT(kpi_cells_find(c, row, slot), 3);
	row[0] = number;
	CHECK_INT(kpi_cells_find(c, row, slot), 4);
	row[0] = text_of("N", 1);
	CHECK_INT(kpi_cells_find(c, row, slot), 1);
	row[0] = text_of("78", 2);	/* the number's text: its JSON differs */
	CHECK_INT(kpi_cells_find(c, row, slot), 5);
	CHECK_STR(kpi_cells_text(c, 2), "{\"a\":\"\"}");
	CHECK_STR(kpi_cells_text(c, 3), "{\"a\":null}");
	CHECK_STR(kpi_cells_text(c, 4), "{\"a\":78}");
	CHECK_INT(kpi_cells_count(c), 6);
	kpi_cells_release(c);
	free(k);
}

/* KPIs that break down by the same bound fields share cells; those held
 * live until the last release. */
TEST(fit_and_references)
{
	kpi *k = two_fields(), *other = two_fields();
	static size_t swapped[] = { 1, 0 };
	kpi_cells *c = kpi_cells_new(k);

	CHECK(c != NULL && other != NULL);
	CHECK(kpi_cells_fit(c, other));
	other->breakdown_field = swapped;
	CHECK(!kpi_cells_fit(c, other));
	other->info.breakdown_count = 0;
	CHECK(!kpi_cells_fit(c, other));
	CHECK(kpi_cells_hold(c) == c);
	kpi_cells_release(c);
	CHECK_INT(cell_of(c, text_of("a", 1), none), 1);	/* still held */
	kpi_cells_release(c);
	kpi_cells_release(NULL);
	free(k);
	free(other);
}

int main(void)
{
	RUN(same_json_same_cell);
	RUN(different_json_different_cells);
	RUN(one_field);
	RUN(many_cells_any_order);
	RUN(fit_and_references);
	return harness_done();
}
