/*
 * pg_sql.c - building SQL text for PostgreSQL: a growing string that
 * takes printf formats, quoted identifiers, name validation and the
 * column types of peil types.
 *
 * Values never enter SQL text: they are parameters ($1) or COPY data.
 * Names do, so they are validated and quoted both.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

void pg_sql_init(struct pg_sql *sql)
{
	memset(sql, 0, sizeof(*sql));
	sql->ok = 1;
}

void pg_sql_release(struct pg_sql *sql)
{
	free(sql->text);
	pg_sql_init(sql);
}

/* Room for n more bytes and a NUL. */
static int pg_sql_reserve(struct pg_sql *sql, size_t n)
{
	size_t want = sql->len + n + 1, cap = sql->cap ? sql->cap : 512;
	char *grown;

	if (!sql->ok)
		return 0;
	if (want <= sql->cap)
		return 1;
	while (cap < want)
		cap *= 2;
	grown = realloc(sql->text, cap);
	if (grown == NULL) {
		sql->ok = 0;
		return 0;
	}
	sql->text = grown;
	sql->cap = cap;
	return 1;
}

void pg_sql_appendn(struct pg_sql *sql, const char *text, size_t len)
{
	if (!pg_sql_reserve(sql, len))
		return;
	memcpy(sql->text + sql->len, text, len);
	sql->len += len;
	sql->text[sql->len] = '\0';
}

void pg_sql_append(struct pg_sql *sql, const char *text)
{
	pg_sql_appendn(sql, text, strlen(text));
}

void pg_sql_printf(struct pg_sql *sql, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !pg_sql_reserve(sql, (size_t)n)) {
		sql->ok = 0;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(sql->text + sql->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sql->len += (size_t)n;
}

void pg_copy_text(struct pg_sql *sql, const char *text, size_t len)
{
	size_t k, from;

	for (k = from = 0; k < len; k++) {
		const char *esc = text[k] == '\\' ? "\\\\"
				  : text[k] == '\t' ? "\\t"
				  : text[k] == '\n' ? "\\n"
				  : text[k] == '\r' ? "\\r"
						     : NULL;

		if (esc == NULL)
			continue;
		pg_sql_appendn(sql, text + from, k - from);
		pg_sql_append(sql, esc);
		from = k + 1;
	}
	pg_sql_appendn(sql, text + from, len - from);
}

/* PostgreSQL cuts an identifier at 63 bytes (NAMEDATALEN - 1), so that
 * "ds_" + a dataset of 63 and another that shares its first 60 would be
 * one table.  One that fits stays as it is (the tables of a store made
 * before keep their names); a longer one keeps its first bytes and ends
 * in '_' and 16 hex digits of a 64-bit FNV-1a hash of the whole. */
void pg_ident_of(char *out, const char *prefix, const char *name)
{
	size_t plen = prefix ? strlen(prefix) : 0, nlen = strlen(name);
	uint64_t hash = 14695981039346656037u;
	size_t i;

	if (plen + nlen <= PG_IDENT_MAX) {
		snprintf(out, PG_IDENT_MAX + 1, "%s%s", prefix ? prefix : "",
			 name);
		return;
	}
	for (i = 0; i < plen + nlen; i++) {
		hash ^= (unsigned char)(i < plen ? prefix[i] : name[i - plen]);
		hash *= 1099511628211u;
	}
	snprintf(out, PG_IDENT_MAX + 1, "%s%.*s_%016" PRIx64,
		 prefix ? prefix : "", (int)(PG_IDENT_MAX - plen - 17), name,
		 hash);
}

/* Valid names hold no '"'; pg_name_valid is checked before any name is
 * used, so quoting is wrapping. */
void pg_sql_ident(struct pg_sql *sql, const char *prefix, const char *name)
{
	char ident[PG_IDENT_MAX + 1];

	pg_ident_of(ident, prefix, name);
	pg_sql_printf(sql, "\"%s\"", ident);
}

int pg_name_valid(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0' || strlen(name) > PG_NAME_MAX ||
	    (name[0] >= '0' && name[0] <= '9'))
		return 0;
	for (i = 0; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return 1;
}

/* Text in byte order (COLLATE "C"), whatever the database's locale: the
 * order of keys and figures is the same as in every other store. */
const char *pg_sql_type(peil_type type)
{
	switch (type) {
	case PEIL_TYPE_TEXT:
		return "text COLLATE \"C\"";
	case PEIL_TYPE_INTEGER:
		return "bigint";
	case PEIL_TYPE_REAL:
		return "double precision";
	case PEIL_TYPE_DATE:
		return "date";
	case PEIL_TYPE_BOOLEAN:
		return "boolean";
	case PEIL_TYPE_NULL:
		break;
	}
	return NULL;
}

const char *pg_type_name(peil_type type)
{
	static const char *const names[] = { "null", "text", "integer",
					     "real", "date", "boolean" };

	return (unsigned)type < sizeof(names) / sizeof(names[0])
		       ? names[type]
		       : NULL;
}

int pg_value_is_null(const peil_value *v)
{
	return v->type == PEIL_TYPE_NULL ||
	       (v->type == PEIL_TYPE_TEXT && v->as.text == NULL) ||
	       (v->type == PEIL_TYPE_REAL && v->as.real != v->as.real);
}
