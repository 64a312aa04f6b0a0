/*
 * record_keys.c - the keys of the export being read (record_keys.h).
 *
 * A key of several fields is encoded as each value's length, ':' and its
 * text, so that no value can run into the next ("a" + "b c" is not
 * "a b" + "c").  A key of one text field is looked up by its text as the
 * record queue holds it, without a copy: the check costs an ingest of
 * 400,000 cases about 0.1 s and 17 MB.  Exports mostly list their
 * cases in order of their number: a key greater than the one before is
 * new without a probe of the hash table (strmap_put_sorted), which cut the
 * CPU of an ingest of a million narrow rows by a tenth (issue 22).
 */
#include "plugin/record_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"

size_t record_keys_init(record_keys *k, const peil_schema *schema)
{
	size_t i, count = 0;

	memset(k, 0, sizeof(*k));
	k->schema = schema;
	for (i = 0; i < schema->field_count; i++)
		if (schema->fields[i].flags & PEIL_FIELD_KEY) {
			k->text_key = i;
			count++;
		}
	if (count != 1 || schema->fields[k->text_key].type != PEIL_TYPE_TEXT)
		k->text_key = schema->field_count;
	return count;
}

/* Append len bytes to k->text at *n, and a NUL after them: 0, or -1
 * when out of memory.  Byte by byte through grow_for: keys are short,
 * and its capacity follows from the count. */
static int text_append(record_keys *k, size_t *n, const char *text,
		       size_t len)
{
	size_t i;

	for (i = 0; i <= len; i++) {
		char *grown = grow_for(k->text, *n + i, 1);

		if (!grown)
			return -1;
		k->text = grown;
		grown[*n + i] = i < len ? text[i] : '\0';
	}
	*n += len;
	return 0;
}

/* The key fields' values into k->text: encoded, or with show joined by
 * " / ".  Its length, or -1 when out of memory. */
static long key_text(record_keys *k, const record_queue *q,
		     const peil_value *v, int show)
{
	size_t i, n = 0;
	int first = 1;

	for (i = 0; i < k->schema->field_count; i++) {
		char number[64], length[32];
		const char *text = number;
		size_t len;

		if (!(k->schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		switch (v[i].type) {
		case PEIL_TYPE_TEXT:
			text = record_queue_text_of(q, i);
			if (!text)
				text = "";
			break;
		case PEIL_TYPE_INTEGER:
			snprintf(number, sizeof(number), "%lld",
				 (long long)v[i].as.integer);
			break;
		case PEIL_TYPE_REAL:
			snprintf(number, sizeof(number), "%.17g", v[i].as.real);
			break;
		case PEIL_TYPE_DATE:
			snprintf(number, sizeof(number), "d%ld",
				 (long)v[i].as.date);
			break;
		case PEIL_TYPE_BOOLEAN:
			snprintf(number, sizeof(number), "%s",
				 v[i].as.boolean ? "ja" : "nee");
			break;
		case PEIL_TYPE_NULL:
			number[0] = '\0';
			break;
		}
		len = strlen(text);
		if (show) {
			if ((!first && text_append(k, &n, " / ", 3) < 0) ||
			    text_append(k, &n, text, len) < 0)
				return -1;
		} else {
			snprintf(length, sizeof(length), "%zu:", len);
			if (text_append(k, &n, length, strlen(length)) < 0 ||
			    text_append(k, &n, text, len) < 0)
				return -1;
		}
		first = 0;
	}
	return (long)n;
}

int record_keys_note(record_keys *k, const record_queue *q,
		     const peil_value *values, long line, long *earlier)
{
	const char *key;
	long len, index;
	long *lines;
	int added = 0;

	if (k->text_key < k->schema->field_count) {
		key = record_queue_text_of(q, k->text_key);
		if (!key)	/* an empty key; required, so refused before */
			key = "";
		len = (long)strlen(key);
	} else {
		len = key_text(k, q, values, 0);
		key = k->text;
	}
	if (len < 0 ||
	    (index = strmap_put_sorted(&k->keys, key, (size_t)len,
					  &added)) < 0)
		return -1;
	if (added) {
		lines = grow_for(k->lines, (size_t)index, sizeof(*lines));
		if (!lines)
			return -1;
		k->lines = lines;
		lines[index] = line;
		return 0;
	}
	*earlier = k->lines[index];
	k->lines[index] = line;
	return 1;
}

const char *record_keys_show(record_keys *k, const record_queue *q,
			     const peil_value *values, size_t *len)
{
	long n = key_text(k, q, values, 1);

	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return k->text;
}

void record_keys_forget(record_keys *k)
{
	strmap_release(&k->keys);
	memset(&k->keys, 0, sizeof(k->keys));
	free(k->lines);
	k->lines = NULL;
}

void record_keys_release(record_keys *k)
{
	record_keys_forget(k);
	free(k->text);
	memset(k, 0, sizeof(*k));
}
