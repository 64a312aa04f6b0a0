/*
 * test_kpi_group_rows.c - per's groups held in C: each slot's groups in
 * the order their per value was first seen in it, found again by that
 * value however many groups the slot holds, and each group's rows those
 * of its per value, in the order added.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kpi/kpi_model.h"

enum { PERSONS = 3000, ROWS = 40000, SLOTS = 6 };

/* A set and a KPI per person, with the persons' names p0, p1, ... */
static void per_person_kpi(struct kpi_set *set, kpi *k,
			   char names[PERSONS][8])
{
	memset(set, 0, sizeof(*set));
	memset(k, 0, sizeof(*k));
	set->limits.kpi_memory_bytes = (size_t)1 << 30;
	k->set = set;
	k->info.id = "t";
	k->per = "person";
	for (int p = 0; p < PERSONS; p++)
		snprintf(names[p], sizeof(names[p]), "p%d", p);
}

/* The rows of both tests: a person's name, of measurements. */
static const peil_field person_fields[] = { { "person", PEIL_TYPE_TEXT, 0 } };
static const peil_schema schema = { "measurements", 1, person_fields };
static const size_t slot_of[] = { 0 };

/* Row r, of the person name, added to slot s and to slot 5 (the total):
 * whether both were added. */
static int add_person(kpi *k, int r, const char *name, int s,
		      peil_error *err)
{
	peil_value v = { PEIL_TYPE_TEXT, strlen(name), { NULL } };
	kpi_row row = { &schema, &v, slot_of, (uint64_t)r + 1, NULL, NULL, 0,
			0, NULL };

	v.as.text = name;
	return (kpi_group_add(k, &row, (size_t)s, err) == 0) &
	       (kpi_group_add(k, &row, 5, err) == 0);
}

/* Rows of persons in a fixed pseudo-random order, each added to one of
 * five slots by its number and to slot 5 (a total): every slot's groups
 * come out in the order a scan of the rows first meets each person in
 * it, with the rows a scan finds, and a person's value is the same
 * number in every slot. */
TEST(groups_found_by_their_value_in_the_order_first_seen)
{
	static int person_of[ROWS], first_seen[SLOTS][PERSONS];
	static int order[SLOTS][PERSONS], members[SLOTS][PERSONS];
	static uint32_t value_of[PERSONS];
	static char names[PERSONS][8];
	size_t groups[SLOTS] = { 0 };
	struct kpi_set set;
	kpi k;
	peil_error err;
	unsigned seed = 12345;
	int ok = 1;

	memset(first_seen, 0, sizeof(first_seen));
	memset(members, 0, sizeof(members));
	per_person_kpi(&set, &k, names);
	for (int r = 0; r < ROWS; r++) {
		int p, s;

		seed = seed * 1103515245u + 12345u;
		p = (int)((seed >> 8) % PERSONS);
		s = r % 5;
		person_of[r] = p;
		ok &= add_person(&k, r, names[p], s, &err);
		for (int t = 0; t < 2; t++) {
			int slot = t ? 5 : s;

			if (!first_seen[slot][p]++)
				order[slot][groups[slot]++] = p;
			members[slot][p]++;
		}
	}
	CHECK(ok);
	for (int s = 0; s < SLOTS; s++) {
		kpi_group_rows g;
		size_t i = 0;
		int in_order = 1, rows_right = 1, values_right = 1;

		while (kpi_group_get(&k, (size_t)s, i, &g)) {
			int p = i < groups[s] ? order[s][i] : -1;
			kpi_row head = { &schema, NULL, NULL, 0, NULL, NULL, 0,
					 0, &g };
			kpi_row member;
			size_t at = 0, n = 0, r = 0;

			if (p < 0) {
				in_order = 0;
				break;
			}
			if (s == 0 || !value_of[p])
				value_of[p] = g.value + 1;
			values_right &= value_of[p] == g.value + 1;
			while (kpi_group_member(&head, &at, &member)) {
				const peil_value *v =
					&member.values[member.slot[0]];

				while (r < ROWS && (person_of[r] != p ||
						    (s < 5 && (int)(r % 5) != s)))
					r++;	/* the next row of p in s */
				rows_right &= r < ROWS && v->len ==
						strlen(names[p]) &&
					memcmp(v->as.text, names[p],
					       v->len) == 0;
				r++;
				n++;
			}
			rows_right &= n == (size_t)members[s][p];
			i++;
		}
		CHECK_INT(i, groups[s]);
		CHECK(in_order);
		CHECK(rows_right);
		CHECK(values_right);
	}
	kpi_group_release(&k);
}

/* The groups of several slots merged (kpi_group_merge_next): the order
 * in which a scan of the rows first meets each (slot, person), worked
 * out here from the rows alone; each slot's groups in their own order.
 * Rows: persons in runs of one to four rows (a person's measurements
 * one after another), each row to one of five slots by a pseudo-random
 * draw and to slot 5 (the total), the slots handed in another order
 * than their numbers, and slot 6 without groups. */
TEST(groups_of_slots_merged_in_the_order_a_scan_met_them)
{
	static const size_t slots[] = { 3, 5, 0, 6, 4, 1, 2 };
	static unsigned char seen[SLOTS][PERSONS];
	static struct {
		int slot;
		size_t index;
	} expect[2 * ROWS];
	static char names[PERSONS][8];
	size_t groups[SLOTS] = { 0 }, n = 0, got = 0, cell;
	struct kpi_set set;
	kpi_group_merge m;
	kpi_group_rows g;
	kpi k;
	peil_error err;
	unsigned seed = 777;
	int ok = 1, in_order = 1, p = 0, left = 0;

	memset(seen, 0, sizeof(seen));
	per_person_kpi(&set, &k, names);
	for (int r = 0; r < ROWS; r++) {
		int s;

		seed = seed * 1103515245u + 12345u;
		if (left-- <= 0) {	/* the next person, back to earlier
					   ones now and then */
			p = (int)((seed >> 8) % PERSONS);
			left = (int)((seed >> 20) % 4);
		}
		s = (int)((seed >> 4) % 5);
		ok &= add_person(&k, r, names[p], s, &err);
		for (int t = 0; t < 2; t++) {
			int slot = t ? 5 : s;

			if (!seen[slot][p]) {
				seen[slot][p] = 1;
				expect[n].slot = slot;
				expect[n++].index = groups[slot]++;
			}
		}
	}
	CHECK(ok);
	CHECK_INT(kpi_group_merge_start(&m, &k, slots, 7), 0);
	while (kpi_group_merge_next(&m, &cell, &g)) {
		in_order &= got < n && cell < 7 &&
			    (int)slots[cell] == expect[got].slot &&
			    g.slot == slots[cell] &&
			    g.index == expect[got].index;
		got++;
	}
	kpi_group_merge_end(&m);
	CHECK_INT(got, n);
	CHECK(in_order);
	/* no slot at all: nothing */
	CHECK_INT(kpi_group_merge_start(&m, &k, slots, 0), 0);
	CHECK_INT(kpi_group_merge_next(&m, &cell, &g), 0);
	kpi_group_merge_end(&m);
	kpi_group_release(&k);
}

int main(void)
{
	RUN(groups_found_by_their_value_in_the_order_first_seen);
	RUN(groups_of_slots_merged_in_the_order_a_scan_met_them);
	return harness_done();
}
