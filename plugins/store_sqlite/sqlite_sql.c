/*
 * sqlite_sql.c - building SQL text: a growing string, quoted identifiers,
 * name validation and the mapping of peil types to column types.
 *
 * Values never enter SQL text; they are bound to ? placeholders.  Names do,
 * so they are validated and quoted both: validation keeps the names that a
 * report or an analyst sees simple, quoting keeps a keyword ("order",
 * "group") usable as a field name.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

void store_sql_init(struct store_sql *sql)
{
	sql->text = NULL;
	sql->len = 0;
	sql->cap = 0;
	sql->ok = 1;
}

void store_sql_release(struct store_sql *sql)
{
	if (sql == NULL)
		return;
	free(sql->text);
	store_sql_init(sql);
}

static void store_sql_add(struct store_sql *sql, const char *text, size_t n)
{
	char *grown;
	size_t cap;

	if (!sql->ok)
		return;
	if (sql->len + n + 1 > sql->cap) {
		cap = sql->cap ? sql->cap : 256;
		while (cap < sql->len + n + 1)
			cap *= 2;
		grown = realloc(sql->text, cap);
		if (grown == NULL) {
			sql->ok = 0;
			return;
		}
		sql->text = grown;
		sql->cap = cap;
	}
	memcpy(sql->text + sql->len, text, n);
	sql->len += n;
	sql->text[sql->len] = '\0';
}

void store_sql_append(struct store_sql *sql, const char *text)
{
	store_sql_add(sql, text, strlen(text));
}

/* Valid names hold no '"', so quoting is only wrapping; an invalid one
 * still gets its quotes doubled, in case a caller skipped validation. */
void store_sql_ident(struct store_sql *sql, const char *prefix,
		     const char *name)
{
	const char *quote;

	store_sql_add(sql, "\"", 1);
	if (prefix != NULL)
		store_sql_append(sql, prefix);
	while ((quote = strchr(name, '"')) != NULL) {
		store_sql_add(sql, name, (size_t)(quote - name) + 1);
		store_sql_add(sql, "\"", 1);
		name = quote + 1;
	}
	store_sql_append(sql, name);
	store_sql_add(sql, "\"", 1);
}

int store_name_valid(const char *name)
{
	size_t i;

	if (name == NULL || !((name[0] >= 'a' && name[0] <= 'z') ||
			      name[0] == '_'))
		return 0;
	for (i = 1; name[i] != '\0'; i++) {
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	}
	return i <= STORE_NAME_MAX;
}

/* Dates and booleans are integers, so that comparisons and sums work in
 * SQL; what they mean is kept in the dataset's description. */
const char *store_sql_type(peil_type type)
{
	switch (type) {
	case PEIL_TYPE_TEXT:
		return "TEXT";
	case PEIL_TYPE_INTEGER:
	case PEIL_TYPE_DATE:
	case PEIL_TYPE_BOOLEAN:
		return "INTEGER";
	case PEIL_TYPE_REAL:
		return "REAL";
	case PEIL_TYPE_NULL:
		break;
	}
	return NULL;
}

static const char *const store_type_names[] = {
	[PEIL_TYPE_TEXT] = "text",
	[PEIL_TYPE_INTEGER] = "integer",
	[PEIL_TYPE_REAL] = "real",
	[PEIL_TYPE_DATE] = "date",
	[PEIL_TYPE_BOOLEAN] = "boolean",
};

#define STORE_TYPE_COUNT \
	(sizeof(store_type_names) / sizeof(store_type_names[0]))

const char *store_type_name(peil_type type)
{
	if ((size_t)type >= STORE_TYPE_COUNT)
		return NULL;
	return store_type_names[type];
}

int store_type_parse(const char *name, size_t len, peil_type *type)
{
	size_t i;

	for (i = 0; i < STORE_TYPE_COUNT; i++) {
		if (store_type_names[i] != NULL &&
		    strlen(store_type_names[i]) == len &&
		    memcmp(store_type_names[i], name, len) == 0) {
			*type = (peil_type)i;
			return 1;
		}
	}
	return 0;
}
