/*
 * kpi_group_rows.c - the groups of per = "field" (kpi_group.c), held in C,
 * outside the script's memory: each row once, in fixed width
 * (kpi_rows.c), with only the fields the groups are read by (the per
 * field and those of score_change{}; every field the scan read when a Lua
 * function or the listing of cases reads the groups), and per (cell,
 * period) slot its groups in the order first seen (so that sums come out
 * the same on every run), each a list of its rows.
 */
#include "kpi/kpi_model.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "base/error.h"
#include "base/grow.h"
#include "base/strmap.h"

/* The groups of one slot.  A group is found by its per value's number
 * in a table of its own (open addressing, the number and the group side
 * by side): a ZRM measurement's thirteen rows go to thirteen domain
 * slots, so each row looks its person up in a slot other than the row
 * before's; with a strmap that was a probe and a compare of the key
 * elsewhere, two cache misses a row once the slots outgrow the cache (at
 * ten million cases), one here. */
typedef struct group_slot {
	struct group_entry {
		uint32_t value;	/* the per value's number, SLOT_EMPTY */
		uint32_t group;
	} *table;
	size_t table_cap;	/* a power of two, 0: none yet */
	size_t count;		/* groups */
	uint32_t *value;	/* per group: its per value's number */
	uint32_t *first, *last;	/* per group: its first and last member */
	long latest;		/* the group added to last, -1: none */
} group_slot;

#define SLOT_EMPTY UINT32_MAX

struct kpi_group_store {
	const peil_schema *schema;
	size_t per_field;
	strmap per_values;	/* the per values of every slot, numbered */
	long per_latest;	/* the number of the row added last, -1 */
	kpi_rows *rows;
	size_t *field;		/* the fields kept: schema indexes */
	size_t field_count;
	size_t *slot;		/* schema index -> values index, SIZE_MAX */
	peil_value *values;	/* a row read back, by schema index */
	int tables;		/* groups are handed to Lua as tables */
	uint64_t serial;	/* the row added last, and its number */
	size_t row;
	/* 32 bits (the groups of 10M cases held 36M members, twice the
	 * memory with size_t): at most GROUP_MEMBERS_MAX */
	struct group_member {
		uint32_t row, next;	/* next: UINT32_MAX after the last */
	} *member;
	size_t member_count;
	group_slot **slots;	/* by slot number, NULL: no group */
	size_t slot_count;
	struct {		/* kpi_group_number_of */
		const void *owner;
		long *numbers;	/* per per value, -2: not yet known */
	} numbers;
	struct {		/* kpi_group_memo_of */
		size_t slot;	/* SIZE_MAX: none */
		unsigned char what[KPI_GROUP_MEMO_WHAT];
		size_t what_len;
		kpi_group_memo *values;	/* per group of slot */
		int one;	/* kpi_group_memo_one */
		size_t index;	/* one: the group of slot kept */
		kpi_group_memo value;	/* one: its value */
	} memo;
};

void kpi_group_release(kpi *k)
{
	struct kpi_group_store *g = k->groups;

	if (!g)
		return;
	for (size_t i = 0; i < g->slot_count; i++)
		if (g->slots[i]) {
			free(g->slots[i]->table);
			free(g->slots[i]->value);
			free(g->slots[i]->first);
			free(g->slots[i]->last);
			free(g->slots[i]);
		}
	free(g->slots);
	free(g->memo.values);
	free(g->numbers.numbers);
	strmap_release(&g->per_values);
	free(g->member);
	free(g->values);
	free(g->slot);
	free(g->field);
	kpi_rows_free(g->rows);
	free(g);
	k->groups = NULL;
}

/* Mark in keep the fields of the score_change{} nodes under node. */
static void group_mark(const kpi_node *node, unsigned char *keep)
{
	if (!node)
		return;
	if (node->op == KPI_SCORE_CHANGE) {
		keep[node->field[2]] = 1;
		if (node->name[1])
			keep[node->field[1]] = 1;
	}
	for (size_t i = 0; i < node->kid_count; i++)
		group_mark(node->kids[i], keep);
}

/* k's store for rows of schema (the scan's projection slot), made at its
 * first row; NULL when out of memory. */
static struct kpi_group_store *group_store(kpi *k, const kpi_row *row)
{
	const peil_schema *schema = row->schema;
	size_t n = schema->field_count;
	struct kpi_group_store *g = k->groups;
	unsigned char *keep;
	peil_type *types;

	if (g)
		return g;
	g = calloc(1, sizeof(*g));
	keep = calloc(n ? n : 1, 1);
	types = calloc(n ? n : 1, sizeof(*types));
	if (g) {
		g->schema = schema;
		g->serial = UINT64_MAX;
		g->memo.slot = SIZE_MAX;
		g->per_field = k->per_field;
		g->per_latest = -1;
		g->tables = k->groups_lua || k->set->cases;
		g->field = calloc(n ? n : 1, sizeof(*g->field));
		g->slot = malloc((n ? n : 1) * sizeof(*g->slot));
		g->values = calloc(n ? n : 1, sizeof(*g->values));
	}
	if (!g || !keep || !types || !g->field || !g->slot || !g->values) {
		free(keep);
		free(types);
		k->groups = g;
		kpi_group_release(k);
		return NULL;
	}
	keep[k->per_field] = 1;
	group_mark(k->having, keep);
	group_mark(k->rule, keep);
	for (size_t i = 0; i < n; i++) {
		g->slot[i] = SIZE_MAX;
		if (row->slot[i] == SIZE_MAX || !(keep[i] || g->tables))
			continue;
		g->slot[i] = i;
		types[g->field_count] = schema->fields[i].type;
		g->field[g->field_count++] = i;
	}
	g->rows = kpi_rows_new(types, g->field_count);
	free(keep);
	free(types);
	k->groups = g;
	if (!g->rows) {
		kpi_group_release(k);
		return NULL;
	}
	return g;
}

/* The bytes of v that tell groups apart (v of the per field, one type). */
static const char *group_key(const peil_value *v, size_t *len)
{
	switch (v->type) {
	case PEIL_TYPE_TEXT:
		*len = v->len;
		return v->as.text;
	case PEIL_TYPE_INTEGER:
	case PEIL_TYPE_REAL:
		*len = 8;
		return (const char *)&v->as;
	case PEIL_TYPE_DATE:
	case PEIL_TYPE_BOOLEAN:
		*len = 4;
		return (const char *)&v->as;
	default:
		return NULL;		/* no value: left out */
	}
}

/* The slot's groups, made when absent; NULL when out of memory. */
static group_slot *group_slot_of(struct kpi_group_store *g, size_t slot)
{
	if (slot >= g->slot_count) {
		size_t n = (slot + 1) * 2;
		group_slot **grown = realloc(g->slots, n * sizeof(*grown));

		if (!grown)
			return NULL;
		memset(grown + g->slot_count, 0,
		       (n - g->slot_count) * sizeof(*grown));
		g->slots = grown;
		g->slot_count = n;
	}
	if (!g->slots[slot] &&
	    (g->slots[slot] = calloc(1, sizeof(group_slot))))
		g->slots[slot]->latest = -1;
	return g->slots[slot];
}

/* The capacity grow_for gives count elements. */
static size_t group_cap(size_t count)
{
	size_t cap = 8;

	while (cap < count)
		cap *= 2;
	return cap;
}

/* The bytes g holds: its rows, members and the groups of every slot. */
static size_t group_bytes(const struct kpi_group_store *g)
{
	size_t bytes = kpi_rows_bytes(g->rows) + strmap_bytes(&g->per_values) +
		       group_cap(g->member_count) * sizeof(*g->member) +
		       g->slot_count * sizeof(*g->slots);

	for (size_t i = 0; i < g->slot_count; i++) {
		const group_slot *s = g->slots[i];

		if (s)
			bytes += sizeof(*s) +
				 s->table_cap * sizeof(*s->table) +
				 3 * group_cap(s->count) * sizeof(uint32_t);
	}
	return bytes;
}

/* The groups of every slot of g. */
static size_t group_count(const struct kpi_group_store *g)
{
	size_t n = 0;

	for (size_t i = 0; i < g->slot_count; i++)
		n += g->slots[i] ? g->slots[i]->count : 0;
	return n;
}

/* The place of value in s's table: its entry, or the empty one where it
 * goes. */
static struct group_entry *slot_place(const group_slot *s, uint32_t value)
{
	size_t mask = s->table_cap - 1;
	size_t i = (size_t)((value * 0x9E3779B97F4A7C15u) >> 32) & mask;

	while (s->table[i].value != value && s->table[i].value != SLOT_EMPTY)
		i = (i + 1) & mask;
	return &s->table[i];
}

/* s's table twice as large (at least 16 entries), at most half full: 0,
 * -1 when out of memory (the table as it was). */
static int slot_grow(group_slot *s)
{
	size_t cap = s->table_cap ? s->table_cap * 2 : 16;
	struct group_entry *old = s->table;
	size_t old_cap = s->table_cap;

	if (!(s->table = malloc(cap * sizeof(*s->table)))) {
		s->table = old;
		return -1;
	}
	memset(s->table, 0xff, cap * sizeof(*s->table));	/* empty */
	s->table_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].value != SLOT_EMPTY)
			*slot_place(s, old[i].value) = old[i];
	free(old);
	return 0;
}

/* The group of value in s, numbered in the order first seen, added when
 * absent (*added 1); -1 when out of memory. */
static long slot_group(group_slot *s, uint32_t value, int *added)
{
	struct group_entry *e;
	uint32_t *grown;

	*added = 0;
	if (s->table_cap && (e = slot_place(s, value))->value == value)
		return (long)e->group;
	if (2 * (s->count + 1) > s->table_cap && slot_grow(s) < 0)
		return -1;
	if (!(grown = grow_for(s->value, s->count, sizeof(*grown))))
		return -1;
	s->value = grown;
	grown[s->count] = value;
	e = slot_place(s, value);
	e->value = value;
	e->group = (uint32_t)s->count;
	*added = 1;
	return (long)s->count++;
}

/* The most members and rows a store holds: their numbers are 32 bits. */
#define GROUP_MEMBERS_MAX (UINT32_MAX - 1)

/* Members between two counts of group_bytes. */
#define GROUP_BYTES_EVERY 4096

/* Add row to slot: -1 when out of memory, -2 past [limits]
 * kpi_memory_mb, -3 past GROUP_MEMBERS_MAX. */
static int group_add(kpi *k, const kpi_row *row, size_t slot)
{
	struct kpi_group_store *g = group_store(k, row);
	const peil_value *per;
	struct group_member *member;
	group_slot *s;
	const char *key;
	size_t len, n;
	uint32_t number;
	int added;
	long i;

	if (!g)
		return -1;
	per = &row->values[row->slot[k->per_field]];
	if (!(key = group_key(per, &len)))
		return 0;
	if (g->member_count >= GROUP_MEMBERS_MAX)
		return -3;
	if (g->serial != row->serial) {		/* kept once for its slots */
		for (size_t f = 0; f < g->field_count; f++)
			g->values[f] = row->values[row->slot[g->field[f]]];
		i = kpi_rows_add(g->rows, g->values);
		if (i < 0)
			return -1;
		g->serial = row->serial;
		g->row = (size_t)i;
	}
	/* a person's rows come one after another (the thirteen domains of
	 * one ZRM measurement): the per value of the row before, compared
	 * rather than hashed and probed; each slot knows a value by its
	 * number */
	if (g->per_latest < 0 ||
	    strmap_len(&g->per_values, (size_t)g->per_latest) != len ||
	    (len && memcmp(strmap_key(&g->per_values, (size_t)g->per_latest),
			   key, len) != 0)) {
		i = strmap_put(&g->per_values, key, len, &added);
		if (i < 0 || i > (long)GROUP_MEMBERS_MAX)
			return -1;
		g->per_latest = i;
	}
	number = (uint32_t)g->per_latest;
	if (!(s = group_slot_of(g, slot)))
		return -1;
	if (s->latest >= 0 && s->value[s->latest] == number) {
		i = s->latest;
		added = 0;
	} else if ((i = slot_group(s, number, &added)) < 0) {
		return -1;
	}
	s->latest = i;
	n = (size_t)i;
	if (added) {
		uint32_t *first = grow_for(s->first, n, sizeof(*first)), *last;

		if (first)
			s->first = first;
		last = grow_for(s->last, n, sizeof(*last));
		if (last)
			s->last = last;
		if (!first || !last)
			return -1;
	}
	member = grow_for(g->member, g->member_count, sizeof(*member));
	if (!member)
		return -1;
	g->member = member;
	member[g->member_count] = (struct group_member){ (uint32_t)g->row,
							 UINT32_MAX };
	if (added)
		s->first[n] = (uint32_t)g->member_count;
	else
		member[s->last[n]].next = (uint32_t)g->member_count;
	s->last[n] = (uint32_t)g->member_count++;
	if (g->member_count % GROUP_BYTES_EVERY == 0 &&
	    group_bytes(g) > k->set->limits.kpi_memory_bytes)
		return -2;
	return 0;
}

int kpi_group_add(kpi *k, const kpi_row *row, size_t slot, peil_error *err)
{
	int rc = group_add(k, row, slot);

	if (rc == -2)
		return error_set(err, k->info.script, k->info.line, NULL,
				 "kpi '%s': the groups of per = \"%s\" need "
				 "more than [limits] kpi_memory_mb = %zu MiB "
				 "(%zu rows kept in %zu groups so far)",
				 k->info.id, k->per,
				 k->set->limits.kpi_memory_bytes >> 20,
				 k->groups->row + 1, group_count(k->groups));
	if (rc == -3)
		return error_set(err, k->info.script, k->info.line, NULL,
				 "kpi '%s': the groups of per = \"%s\" hold "
				 "more than %lu rows in their periods and "
				 "cells", k->info.id, k->per,
				 (unsigned long)GROUP_MEMBERS_MAX);
	if (rc < 0)
		return error_set(err, k->info.script, k->info.line, NULL,
				 "kpi '%s': out of memory for the groups of "
				 "per = \"%s\"", k->info.id, k->per);
	return 0;
}

int kpi_group_member(const kpi_row *group, size_t *at, kpi_row *member)
{
	const struct kpi_group_store *g = group->group->store;
	size_t m = *at ? g->member[*at - 1].next : group->group->first;

	if (m == UINT32_MAX)
		return 0;
	*at = m + 1;
	*member = *group;
	member->group = NULL;
	member->table_ref = LUA_NOREF;
	member->schema = g->schema;
	member->slot = g->slot;
	member->values = g->values;
	kpi_rows_get(g->rows, g->member[m].row, g->values, g->field);
	return 1;
}


int kpi_group_get(const kpi *k, size_t slot, size_t i, kpi_group_rows *out)
{
	const struct kpi_group_store *g = k->groups;
	const group_slot *s = g && slot < g->slot_count ? g->slots[slot]
							  : NULL;

	if (!s || i >= s->count)
		return 0;
	out->store = k->groups;
	out->first = s->first[i];
	out->slot = slot;
	out->index = i;
	out->value = s->value[i];
	return 1;
}

long *kpi_group_number_of(const kpi_group_rows *group, size_t field,
			  const void *owner)
{
	struct kpi_group_store *g = group->store;

	if (field != g->per_field ||
	    (g->numbers.owner && g->numbers.owner != owner))
		return NULL;	/* not the per field, or a second owner */
	if (!g->numbers.owner) {
		size_t n = g->per_values.count;

		free(g->numbers.numbers);
		g->numbers.owner = NULL;
		if (!(g->numbers.numbers = malloc((n ? n : 1) *
						  sizeof(long))))
			return NULL;
		for (size_t i = 0; i < n; i++)
			g->numbers.numbers[i] = -2;
		g->numbers.owner = owner;
	}
	return &g->numbers.numbers[group->value];
}

kpi_group_memo *kpi_group_memo_of(const kpi_group_rows *group,
				  const void *what, size_t what_len)
{
	struct kpi_group_store *g = group->store;
	size_t n;

	if (what_len > KPI_GROUP_MEMO_WHAT)
		return NULL;
	if (g->memo.one) {
		if (g->memo.slot == group->slot &&
		    g->memo.index == group->index)
			return g->memo.what_len == what_len &&
					       memcmp(g->memo.what, what,
						      what_len) == 0
				       ? &g->memo.value
				       : NULL;	/* a second measure */
		g->memo.slot = group->slot;
		g->memo.index = group->index;
		memcpy(g->memo.what, what, what_len);
		g->memo.what_len = what_len;
		memset(&g->memo.value, 0, sizeof(g->memo.value));
		return &g->memo.value;
	}
	if (g->memo.slot == group->slot &&
	    (g->memo.what_len != what_len ||
	     memcmp(g->memo.what, what, what_len) != 0))
		return NULL;	/* a second measure of the slot: not kept */
	if (g->memo.slot != group->slot) {
		/* another slot: forget the one before */
		n = g->slots[group->slot]->count;
		free(g->memo.values);
		g->memo.slot = SIZE_MAX;
		if (!(g->memo.values = calloc(n, sizeof(*g->memo.values))))
			return NULL;
		memcpy(g->memo.what, what, what_len);
		g->memo.what_len = what_len;
		g->memo.slot = group->slot;
	}
	return &g->memo.values[group->index];
}

void kpi_group_memo_one(struct kpi_group_store *g, int on)
{
	if (!g)
		return;
	free(g->memo.values);
	g->memo.values = NULL;
	g->memo.slot = SIZE_MAX;
	g->memo.one = on;
}
