/*
 * test_kpi_rows.c - the rows a join holds: fixed width by the declared
 * types (a case's team, registration and closure dates in 15 bytes),
 * every value read back as it was given, also of a type other than its
 * field's, and texts kept once up to the interning limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "harness.h"
#include "kpi/kpi_model.h"
#include "peil_values.h"

/* Values of the other types, by their member of as. */
#define DATE(d) ((peil_value){ .type = PEIL_TYPE_DATE, .as.date = (d) })
#define INTEGER(n) \
	((peil_value){ .type = PEIL_TYPE_INTEGER, .as.integer = (n) })
#define REAL(x) ((peil_value){ .type = PEIL_TYPE_REAL, .as.real = (x) })

static const peil_value none = { PEIL_TYPE_NULL, 0, { NULL } };

/* Whether a and b are the same value (texts by their bytes). */
static int same(const peil_value *a, const peil_value *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case PEIL_TYPE_TEXT:
		return a->len == b->len &&
		       memcmp(a->as.text, b->as.text, a->len) == 0 &&
		       a->as.text[a->len] == '\0';
	case PEIL_TYPE_INTEGER:
		return a->as.integer == b->as.integer;
	case PEIL_TYPE_REAL:
		return memcmp(&a->as.real, &b->as.real, sizeof(double)) == 0;
	case PEIL_TYPE_DATE:
		return a->as.date == b->as.date;
	case PEIL_TYPE_BOOLEAN:
		return a->as.boolean == b->as.boolean;
	default:
		return 1;
	}
}

/* A case's team, registration and closure: 3 slots of a type byte and 4
 * bytes, 15 bytes a row (the packed rows before took 23 and a pointer of
 * 8).  Rows come in blocks of 8192 (a chunk of a merging join): the
 * first row takes a block of 8192 * 15 = 122880 bytes, rows 3 to 8192
 * nothing more (the two teams' texts kept with the first two), row 8193
 * the next block. */
TEST(fixed_width_in_blocks)
{
	static const peil_type types[] = { PEIL_TYPE_TEXT, PEIL_TYPE_DATE,
					   PEIL_TYPE_DATE };
	kpi_rows *r = kpi_rows_new(types, 3);
	peil_value row[3], got[3];
	size_t one = 0, full = 0;

	CHECK(r != NULL);
	CHECK_INT(kpi_rows_bytes(r), 0);
	for (long i = 0; i < 8193; i++) {
		row[0] = value_text(i % 2 ? "Buurtteam Oost" : "Buurtteam West");
		row[1] = DATE(17532 + (int32_t)i % 365);
		row[2] = i % 3 ? none : DATE(17897);
		CHECK_INT(kpi_rows_add(r, row), i);
		if (i == 1)	/* both teams' texts kept */
			one = kpi_rows_bytes(r);
		if (i == 8191)
			full = kpi_rows_bytes(r);
	}
	CHECK_INT(full - one, 0);
	CHECK_INT(kpi_rows_bytes(r) - full, 122880);
	CHECK_INT(kpi_rows_count(r), 8193);
	/* row 8192: even (West), 17532 + 8192 % 365 = 17532 + 162, and
	 * 8192 % 3 = 2: no closure */
	kpi_rows_get(r, 8192, got, NULL);
	CHECK_INT(got[0].type, PEIL_TYPE_TEXT);
	CHECK_STR(got[0].as.text, "Buurtteam West");
	CHECK_INT(got[0].len, 14);
	CHECK_INT(got[1].as.date, 17694);
	CHECK_INT(got[2].type, PEIL_TYPE_NULL);
	/* row 3: odd (Oost), 3 % 3 = 0: closed */
	kpi_rows_get(r, 3, got, NULL);
	CHECK_STR(got[0].as.text, "Buurtteam Oost");
	CHECK_INT(got[1].as.date, 17535);
	CHECK_INT(got[2].type, PEIL_TYPE_DATE);
	CHECK_INT(got[2].as.date, 17897);
	kpi_rows_free(r);
	kpi_rows_free(NULL);
}

/* Any type in any field: an integer or a real in a 4-byte slot (a date
 * field, a text field) goes to the side and comes back whole; a text in
 * an integer field, an empty text, a boolean, a NULL.  dest scatters the
 * values. */
TEST(any_type_in_any_field)
{
	static const peil_type types[] = { PEIL_TYPE_DATE, PEIL_TYPE_TEXT,
					   PEIL_TYPE_INTEGER,
					   PEIL_TYPE_BOOLEAN, PEIL_TYPE_REAL };
	const peil_value rows[][5] = {
		{ INTEGER(INT64_MIN), REAL(-0.1), value_text("x"),
		  INTEGER(1), none },
		{ DATE(-1), value_text(""), INTEGER(INT64_MAX), none,
		  REAL(2.5) },
		{ none, none, none, none, none },
		{ REAL(1e300), value_text("Oost"), REAL(-3),
		  value_text("ja"), INTEGER(-7) },
	};
	const size_t dest[] = { 4, 3, 2, 1, 0 };
	kpi_rows *r = kpi_rows_new(types, 5);
	peil_value got[5];

	CHECK(r != NULL);
	for (size_t i = 0; i < 4; i++)
		CHECK_INT(kpi_rows_add(r, rows[i]), (long)i);
	for (size_t i = 0; i < 4; i++) {
		kpi_rows_get(r, i, got, dest);
		for (size_t f = 0; f < 5; f++)
			if (!same(&got[dest[f]], &rows[i][f]))
				HARNESS_FAIL("row %zu field %zu differs", i, f);
	}
	/* a boolean slot keeps 0 or 1 */
	{
		peil_value b[5] = { none, none, none,
				    { .type = PEIL_TYPE_BOOLEAN,
				      .as.boolean = 1 }, none };

		CHECK_INT(kpi_rows_add(r, b), 4);
		kpi_rows_get(r, 4, got, NULL);
		CHECK_INT(got[3].type, PEIL_TYPE_BOOLEAN);
		CHECK_INT(got[3].as.boolean, 1);
	}
	kpi_rows_free(r);
}

/* The first 4096 different texts are kept once: the same text comes
 * back at the same address.  A text first seen after those is kept
 * with each row that has it, but for the rows right after it that have
 * it in the same field (a person's rows one after another), which share
 * it. */
TEST(texts_interned_up_to_a_limit)
{
	static const peil_type types[] = { PEIL_TYPE_TEXT };
	kpi_rows *r = kpi_rows_new(types, 1);
	char buf[16];
	peil_value v, a, b;

	CHECK(r != NULL);
	for (int i = 0; i < 4097; i++) {
		snprintf(buf, sizeof(buf), "t%04d", i);
		v = value_text(buf);
		CHECK_INT(kpi_rows_add(r, &v), i);
	}
	/* t0007 again (interned), t4097, t4096 again (the 4097th: not
	 * interned, not the row before's), and once more (the row
	 * before's) */
	v = value_text("t0007");
	CHECK_INT(kpi_rows_add(r, &v), 4097);
	v = value_text("t4097");
	CHECK_INT(kpi_rows_add(r, &v), 4098);
	v = value_text("t4096");
	CHECK_INT(kpi_rows_add(r, &v), 4099);
	CHECK_INT(kpi_rows_add(r, &v), 4100);
	kpi_rows_get(r, 7, &a, NULL);
	kpi_rows_get(r, 4097, &b, NULL);
	CHECK_STR(b.as.text, "t0007");
	CHECK(a.as.text == b.as.text);
	kpi_rows_get(r, 4096, &a, NULL);
	kpi_rows_get(r, 4099, &b, NULL);
	CHECK_STR(a.as.text, "t4096");
	CHECK_STR(b.as.text, "t4096");
	CHECK(a.as.text != b.as.text);
	kpi_rows_get(r, 4100, &a, NULL);
	CHECK_STR(a.as.text, "t4096");
	CHECK(a.as.text == b.as.text);
	kpi_rows_get(r, 4098, &a, NULL);
	CHECK_STR(a.as.text, "t4097");
	kpi_rows_free(r);
}

/* Groups' rows as the ZRM KPIs keep them: a person (past the interned
 * texts) and a domain, thirteen rows a person one after another.  Each
 * person's key is kept once for his thirteen rows (2 000 copies for
 * 26 000 rows, the same address in each of his rows); the domains, all
 * past the interned texts too, change every row and are kept with each
 * row; every value reads back as given. */
TEST(a_persons_rows_share_his_key)
{
	static const peil_type types[] = { PEIL_TYPE_TEXT, PEIL_TYPE_TEXT };
	kpi_rows *r = kpi_rows_new(types, 2);
	char person[16], domain[16];
	const char *first = NULL, *domains[13];
	peil_value v[2], got[2];
	int persons = 0, same_domain = 0;

	CHECK(r != NULL);
	for (int i = 0; i < 4096; i++) {	/* the interned texts */
		snprintf(person, sizeof(person), "I%06d", i);
		v[0] = v[1] = value_text(person);
		CHECK_INT(kpi_rows_add(r, v), i);
	}
	for (int p = 0; p < 2000; p++)
		for (int d = 0; d < 13; d++) {
			snprintf(person, sizeof(person), "P%06d", p);
			snprintf(domain, sizeof(domain), "D%02d", d);
			v[0] = value_text(person);
			v[1] = value_text(domain);
			CHECK(kpi_rows_add(r, v) >= 0);
		}
	for (int p = 0; p < 2000; p++)
		for (int d = 0; d < 13; d++) {
			snprintf(person, sizeof(person), "P%06d", p);
			snprintf(domain, sizeof(domain), "D%02d", d);
			kpi_rows_get(r, 4096 + (size_t)(p * 13 + d), got, NULL);
			CHECK_STR(got[0].as.text, person);
			CHECK_STR(got[1].as.text, domain);
			persons += got[0].as.text != first;
			first = got[0].as.text;
			if (p > 0)
				same_domain += got[1].as.text == domains[d];
			domains[d] = got[1].as.text;
		}
	CHECK_INT(persons, 2000);	/* 26 000 without the sharing */
	CHECK_INT(same_domain, 0);	/* not the row before's: kept */
	kpi_rows_free(r);
}

int main(void)
{
	RUN(fixed_width_in_blocks);
	RUN(any_type_in_any_field);
	RUN(texts_interned_up_to_a_limit);
	RUN(a_persons_rows_share_his_key);
	return harness_done();
}
