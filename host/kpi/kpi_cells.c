/*
 * kpi_cells.c - the cells of a breakdown: each combination of breakdown
 * values in a dataset, numbered, with its JSON text ({"team":"Oost"}).
 *
 * A cell is the JSON text's, as figures show it; but writing JSON for
 * every row and hashing it was a third of an evaluation in the profile.
 * So a row's values are keyed as raw bytes, and the JSON is written once
 * per new combination of them.
 */
#include "kpi/kpi_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/strmap.h"

struct kpi_cells {
	const kpi *k;		/* a KPI with the breakdown (names, fields) */
	strmap texts;	/* JSON texts; 0 is "{}" */
	strmap values;	/* kpi_cells_key bytes seen ... */
	strmap_cache front;	/* ... found without hashing them ... */
	size_t *cell_of;	/* ... and the cell of each */
	size_t cell_of_cap;
	size_t refs;
	char *json, *key;	/* being built */
	size_t json_len, json_cap, key_len, key_cap;
};

kpi_cells *kpi_cells_new(const kpi *k)
{
	kpi_cells *c = calloc(1, sizeof(*c));
	int added;

	if (!c)
		return NULL;
	c->k = k;
	c->refs = 1;
	if (strmap_put(&c->texts, "{}", 2, &added) < 0) {
		kpi_cells_release(c);
		return NULL;
	}
	return c;
}

kpi_cells *kpi_cells_hold(kpi_cells *c)
{
	c->refs++;
	return c;
}

void kpi_cells_release(kpi_cells *c)
{
	if (!c || --c->refs > 0)
		return;
	strmap_release(&c->texts);
	strmap_release(&c->values);
	free(c->cell_of);
	free(c->json);
	free(c->key);
	free(c);
}

/* The group of k's breakdown field i, or NULL. */
static const kpi_group *kpi_cells_group(const kpi *k, size_t i)
{
	return k->breakdown_group ? k->breakdown_group[i] : NULL;
}

int kpi_cells_fit(const kpi_cells *c, const kpi *k)
{
	size_t n = k->info.breakdown_count;

	if (c->k->info.breakdown_count != n ||
	    (n && memcmp(c->k->breakdown_field, k->breakdown_field,
			 n * sizeof(*k->breakdown_field)) != 0))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (kpi_cells_group(c->k, i) != kpi_cells_group(k, i))
			return 0;
	return 1;
}

size_t kpi_cells_count(const kpi_cells *c)
{
	return c->texts.count;
}

const char *kpi_cells_text(const kpi_cells *c, size_t cell)
{
	return strmap_key(&c->texts, cell);
}

/* ----------------------------------------------------------- JSON text */

/* Append s[0..len) to the buffer *buf (NUL-terminated); -1 when out of
 * memory. */
static int kpi_buf_put(char **buf, size_t *used, size_t *cap, const void *s,
		       size_t len)
{
	if (*used + len + 1 > *cap) {
		size_t grown_cap = (*used + len + 1) * 2;
		char *grown = realloc(*buf, grown_cap);

		if (!grown)
			return -1;
		*buf = grown;
		*cap = grown_cap;
	}
	if (len)
		memcpy(*buf + *used, s, len);
	*used += len;
	(*buf)[*used] = '\0';
	return 0;
}

static int kpi_json_put(kpi_cells *c, const char *s, size_t len)
{
	return kpi_buf_put(&c->json, &c->json_len, &c->json_cap, s, len);
}

static int kpi_json_string(kpi_cells *c, const char *s, size_t len)
{
	if (kpi_json_put(c, "\"", 1) < 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[8];
		int rc;

		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			rc = kpi_json_put(c, esc, 2);
		} else if (ch < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			rc = kpi_json_put(c, esc, 6);
		} else {
			rc = kpi_json_put(c, s + i, 1);
		}
		if (rc < 0)
			return -1;
	}
	return kpi_json_put(c, "\"", 1);
}

void kpi_format_real(double x, char *out, size_t size)
{
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(out, size, "%.*g", digits, x);
		if (strtod(out, NULL) == x)
			return;
	}
}

static int kpi_json_value(kpi_cells *c, const peil_value *v)
{
	char text[40];

	switch (v->type) {
	case PEIL_TYPE_TEXT:
		return kpi_json_string(c, v->as.text, v->len);
	case PEIL_TYPE_INTEGER:
		snprintf(text, sizeof(text), "%lld", (long long)v->as.integer);
		break;
	case PEIL_TYPE_REAL:
		if (!isfinite(v->as.real))
			snprintf(text, sizeof(text), "null");
		else
			kpi_format_real(v->as.real, text, sizeof(text));
		break;
	case PEIL_TYPE_DATE:
		date_format_iso(v->as.date, text + 1);
		text[0] = '"';
		snprintf(text + 11, sizeof(text) - 11, "\"");
		break;
	case PEIL_TYPE_BOOLEAN:
		snprintf(text, sizeof(text), "%s",
			 v->as.boolean ? "true" : "false");
		break;
	default:
		snprintf(text, sizeof(text), "null");
	}
	return kpi_json_put(c, text, strlen(text));
}

/* A value of a grouped field: its group's name, or null when empty (an
 * empty value is no value, "(onbekend)", never in the other group).
 * A number, date or boolean is looked up as its text. */
static int kpi_json_grouped(kpi_cells *c, const kpi_group *g,
			    const peil_value *v)
{
	char text[40];
	const char *s = text, *group;
	size_t len;

	switch (v->type) {
	case PEIL_TYPE_TEXT:
		s = v->as.text;
		len = v->len;
		break;
	case PEIL_TYPE_INTEGER:
		len = (size_t)snprintf(text, sizeof(text), "%lld",
				       (long long)v->as.integer);
		break;
	case PEIL_TYPE_REAL:
		if (!isfinite(v->as.real))
			return kpi_json_put(c, "null", 4);
		kpi_format_real(v->as.real, text, sizeof(text));
		len = strlen(text);
		break;
	case PEIL_TYPE_DATE:
		date_format_iso(v->as.date, text);
		len = strlen(text);
		break;
	case PEIL_TYPE_BOOLEAN:
		len = (size_t)snprintf(text, sizeof(text), "%s",
				       v->as.boolean ? "true" : "false");
		break;
	default:
		len = 0;
	}
	if (!len)
		return kpi_json_put(c, "null", 4);
	group = kpi_group_of(g, s, len);
	return kpi_json_string(c, group, strlen(group));
}

/* The cell of a row's breakdown values, by its JSON text, added when
 * new.  -1 when out of memory. */
static long kpi_cells_json(kpi_cells *c, const peil_value *values,
			   const size_t *slot)
{
	const kpi *k = c->k;
	int added;
	int rc = 0;

	c->json_len = 0;
	rc = kpi_json_put(c, "{", 1);
	for (size_t i = 0; rc == 0 && i < k->info.breakdown_count; i++) {
		const char *name = k->info.breakdown[i];
		const peil_value *v = &values[slot[k->breakdown_field[i]]];
		const kpi_group *g = kpi_cells_group(k, i);

		if ((i && kpi_json_put(c, ",", 1) < 0) ||
		    kpi_json_string(c, name, strlen(name)) < 0 ||
		    kpi_json_put(c, ":", 1) < 0 ||
		    (g ? kpi_json_grouped(c, g, v) : kpi_json_value(c, v)) < 0)
			rc = -1;
	}
	if (rc < 0 || kpi_json_put(c, "}", 1) < 0)
		return -1;
	return strmap_put(&c->texts, c->json, c->json_len, &added);
}

/* ------------------------------------------------------------ raw keys */

/* Room for a key of need bytes.  -1 when out of memory. */
static int kpi_cells_room(kpi_cells *c, size_t need)
{
	if (need > c->key_cap) {
		char *grown = realloc(c->key, need * 2);

		if (!grown)
			return -1;
		c->key = grown;
		c->key_cap = need * 2;
	}
	return 0;
}

/* The breakdown values of a row as bytes that tell different values
 * apart: per field its type, then its value (a text's length first).
 * Values that differ here may still write the same JSON (NaN and null,
 * say); the cell is the JSON text's, so they share it all the same.
 * The room is made once, then the bytes copied: this runs for every row
 * and breakdown.  -1 when out of memory. */
static int kpi_cells_key(kpi_cells *c, const peil_value *values,
			 const size_t *slot)
{
	const kpi *k = c->k;
	size_t need = 1;
	char *at;

	/* One text field (a team): its type and its bytes, whose length is
	 * the key's; every key of these cells is then of one field. */
	if (k->info.breakdown_count == 1 &&
	    values[slot[k->breakdown_field[0]]].type == PEIL_TYPE_TEXT) {
		const peil_value *v = &values[slot[k->breakdown_field[0]]];

		if (kpi_cells_room(c, 1 + v->len) < 0)
			return -1;
		c->key[0] = (char)PEIL_TYPE_TEXT;
		if (v->len)
			memcpy(c->key + 1, v->as.text, v->len);
		c->key_len = 1 + v->len;
		return 0;
	}
	for (size_t i = 0; i < k->info.breakdown_count; i++) {
		const peil_value *v = &values[slot[k->breakdown_field[i]]];

		need += 1 + (v->type == PEIL_TYPE_TEXT
				     ? sizeof(v->len) + v->len
				     : sizeof(v->as));
	}
	if (kpi_cells_room(c, need) < 0)
		return -1;
	at = c->key;
	for (size_t i = 0; i < k->info.breakdown_count; i++) {
		const peil_value *v = &values[slot[k->breakdown_field[i]]];
		unsigned char type = (unsigned char)v->type;
		const void *bytes = &v->as;
		size_t len = 0;

		switch (v->type) {
		case PEIL_TYPE_TEXT:
			*at++ = (char)type;
			memcpy(at, &v->len, sizeof(v->len));
			at += sizeof(v->len);
			bytes = v->as.text;
			len = v->len;
			break;
		case PEIL_TYPE_INTEGER: len = sizeof(v->as.integer); break;
		case PEIL_TYPE_REAL: len = sizeof(v->as.real); break;
		case PEIL_TYPE_DATE: len = sizeof(v->as.date); break;
		case PEIL_TYPE_BOOLEAN: len = sizeof(v->as.boolean); break;
		default: type = PEIL_TYPE_NULL; break;
		}
		if (v->type != PEIL_TYPE_TEXT)
			*at++ = (char)type;
		if (len)
			memcpy(at, bytes, len);
		at += len;
	}
	c->key_len = (size_t)(at - c->key);
	return 0;
}

/* The values are looked for in the front first (a breakdown has a few
 * thousand combinations at most, found for every row), then hashed. */
long kpi_cells_find(kpi_cells *c, const peil_value *values,
		    const size_t *slot)
{
	long at, cell;
	size_t front;
	int added;

	if (kpi_cells_key(c, values, slot) < 0)
		return -1;
	at = strmap_cache_find(&c->front, &c->values, c->key, c->key_len,
			       &front);
	if (at >= 0)
		return (long)c->cell_of[at];
	at = strmap_find(&c->values, c->key, c->key_len);
	if (at >= 0) {
		strmap_cache_put(&c->front, front, at);
		return (long)c->cell_of[at];
	}
	at = strmap_put(&c->values, c->key, c->key_len, &added);
	if (at < 0)
		return -1;
	if ((size_t)at >= c->cell_of_cap) {
		size_t cap = c->cell_of_cap ? c->cell_of_cap * 2 : 16;
		size_t *grown = realloc(c->cell_of, cap * sizeof(*grown));

		if (!grown)
			return -1;
		c->cell_of = grown;
		c->cell_of_cap = cap;
	}
	cell = kpi_cells_json(c, values, slot);
	if (cell >= 0) {
		c->cell_of[at] = (size_t)cell;
		strmap_cache_put(&c->front, front, at);
	}
	return cell;
}
