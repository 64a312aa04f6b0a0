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

static peil_value date_of(const char *iso)
{
	peil_value v = { PEIL_TYPE_DATE, 0, { NULL } };

	date_parse_iso(iso, &v.as.date);
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
	CHECK_INT(cell_of(c, date_of("2018-01-31"), none), 2);
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

/* count_distinct's bookkeeping (kpi_distinct.c) for values in more
 * cells than the total and their own: 3000 persons P0 .. P2999, each
 * counted in the total (cell 0) and in all three teams, first 1 + i % 3,
 * then 1 + (i + 1) % 3 and 1 + (i + 2) % 3, in three rounds of periods:
 * first 0-5, then 3-8 (new: 6-8), then 0-8 (nothing new).  Every cell
 * has the 3000 persons, each new in 6 + 3 = 9 periods: 27 000.  Over 12
 * periods (one word of 64) a person's total and first two teams lie
 * beside its number and the 3000 third teams go to the table, which
 * grows past three quarters full at 768 and 1536 pairs; over 200 (four
 * words) all 12 000 pairs go to the table, here in the last word
 * (periods 192-199, the same bits). */
TEST(distinct_values_in_several_cells)
{
	static const size_t periods[] = { 12, 200 };
	static const uint64_t rounds[] = { 0x3f, 0x1f8, 0x1ff };

	for (size_t p = 0; p < 2; p++) {
		kpi_distinct *d = kpi_distinct_new(periods[p],
							    (size_t)64 << 20);
		size_t word = periods[p] > 64 ? 3 : 0;
		long added_in[4] = { 0, 0, 0, 0 };
		char name[16];

		CHECK(d != NULL);
		for (size_t r = 0; r < 3; r++)
			for (int i = 0; i < 3000; i++) {
				size_t cells[4] = { 0, 1 + (size_t)i % 3,
						    1 + (size_t)(i + 1) % 3,
						    1 + (size_t)(i + 2) % 3 };
				kpi_value v = { KPI_VALUE_TEXT, 0, name, 0 };

				v.len = (size_t)snprintf(name, sizeof(name),
							 "P%d", i);
				for (size_t c = 0; c < 4; c++) {
					uint64_t added = 0;

					CHECK_INT(kpi_distinct_add_bits(
							  d, &v, cells[c], word,
							  rounds[r], &added),
						  0);
					CHECK(added == (r == 0   ? 0x3fu
							: r == 1 ? 0x1c0u
								 : 0u));
					added_in[cells[c]] +=
						__builtin_popcountll(added);
				}
			}
		for (size_t c = 0; c < 4; c++)
			CHECK_INT(added_in[c], 27000);
		kpi_distinct_free(d);
	}
}

/* What a set counts after the adds (kpi_distinct_finish): [cell][bit]. */
static void count_spilled(void *ctx, size_t cell, size_t word, uint64_t added)
{
	long(*spilled)[12] = ctx;

	(void)word;
	for (; added; added &= added - 1)
		spilled[cell][__builtin_ctzll(added)]++;
}

/* count_distinct past its memory budget: 1200 persons P0 .. P1199 (100
 * of each i % 12, 400 of each i % 3), in the total (cell 0) and a team,
 * in three rounds: A, person i in team 1 + i % 3 in periods i % 12 ..
 * 11; B, in team 1 + (i + 1) % 3 in periods 0-5; C, round A again.
 * Persons in A and B's team t differ (i % 3 is t - 1 in A, t - 2 in B).
 * The total: everyone in 0-5 (B), then those with i % 12 <= p: 100 (p +
 * 1).  Team t: 100 for each r <= p with r % 3 = t - 1 (A), plus 400 in
 * 0-5 (B).  Over 12 periods (home) and 204 (the table, word 3: periods
 * 192-203), with a budget of a byte (every set takes one value, the
 * rest spill: partitions of partitions, a few levels deep), of 128 KiB
 * (the set is full after some hundreds of values and the others spill
 * once; over 204 periods, where every pair is in the table, so do B's
 * new teams of the values it holds) and of 64 MiB (nothing spills).
 * The counts are the same, and round C adds nothing. */
TEST(distinct_spills_past_its_budget)
{
	static const long want[4][12] = {
		{ 1200, 1200, 1200, 1200, 1200, 1200,
		  700, 800, 900, 1000, 1100, 1200 },
		{ 500, 500, 500, 600, 600, 600, 300, 300, 300, 400, 400, 400 },
		{ 400, 500, 500, 500, 600, 600, 200, 300, 300, 300, 400, 400 },
		{ 400, 400, 500, 500, 500, 600, 200, 200, 300, 300, 300, 400 },
	};
	static const size_t periods[] = { 12, 204 };
	static const size_t budgets[] = { 1, 128 << 10, (size_t)64 << 20 };

	for (size_t p = 0; p < 2; p++)
		for (size_t b = 0; b < 3; b++) {
			kpi_distinct *d = kpi_distinct_new(periods[p],
							   budgets[b]);
			size_t word = periods[p] > 64 ? 3 : 0;
			long at_once = 0, got[4][12] = { { 0 } };
			char name[16];
			peil_error err = { 0 };

			CHECK(d != NULL);
			for (int r = 0; r < 3; r++)
				for (int i = 0; i < 1200; i++) {
					kpi_value v = { KPI_VALUE_TEXT, 0,
							name, 0 };
					size_t team = 1 + (size_t)(i + (r == 1)) % 3;
					uint64_t bits = r == 1 ? 0x3fu
						: 0xfffu & ~((1u << (i % 12)) - 1);

					v.len = (size_t)snprintf(
						name, sizeof(name), "P%d", i);
					for (size_t c = 0; c < 2; c++) {
						size_t cell = c ? team : 0;
						uint64_t added = 0;

						CHECK_INT(kpi_distinct_add_bits(
								  d, &v, cell, word,
								  bits, &added),
							  0);
						CHECK(r < 2 || added == 0);
						at_once += __builtin_popcountll(
							added);
						count_spilled(got, cell, word,
							      added);
					}
				}
			CHECK_INT(kpi_distinct_finish(d, count_spilled, got,
						      &err),
				  0);
			/* all 27 900 at once only when nothing spilled */
			if (b == 2)
				CHECK_INT(at_once, 27900);
			else
				CHECK(at_once < 27900);
			for (size_t c = 0; c < 4; c++)
				for (size_t q = 0; q < 12; q++)
					CHECK_INT(got[c][q], want[c][q]);
			kpi_distinct_free(d);
		}
}

int main(void)
{
	RUN(same_json_same_cell);
	RUN(different_json_different_cells);
	RUN(one_field);
	RUN(many_cells_any_order);
	RUN(fit_and_references);
	RUN(distinct_values_in_several_cells);
	RUN(distinct_spills_past_its_budget);
	return harness_done();
}
