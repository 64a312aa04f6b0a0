/*
 * export_sniff.c - the first rows of a CSV export, read to propose a
 * config (export_sniff.h).
 *
 * Only what every value read fits is proposed: a column is a date when
 * each of its values is a real date in one of the formats, an integer when each
 * is a whole number without a leading zero (a "000123" is an identifier,
 * and Excel would drop its zeros), and text otherwise.  The proposal is
 * checked again by the ingest, which reads every row.
 */
#include "engine/export_sniff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/parse.h"
#include "base/visible.h"
#include "peil/export_file.h"

/* The csv plugin's date formats, in the order they are tried. */
static const char *const date_formats[] = {
	"dd-mm-jjjj", "jjjj-mm-dd", "dd/mm/jjjj", "dd.mm.jjjj", "jjjjmmdd",
	/* with the time of day that database exports and Excel add */
	"dd-mm-jjjj uu:mm", "dd-mm-jjjj uu:mm:ss", "jjjj-mm-dd uu:mm",
	"jjjj-mm-dd uu:mm:ss", "dd/mm/jjjj uu:mm", "dd/mm/jjjj uu:mm:ss",
	"dd.mm.jjjj uu:mm", "dd.mm.jjjj uu:mm:ss",
	/* ISO 8601, as JSON and SQL Server write it (a fraction and a zone
	 * may follow the seconds: parse.h) */
	"jjjj-mm-ddTuu:mm:ss", "jjjj-mm-ddTuu:mm",
};
#define DATE_FORMAT_COUNT (sizeof(date_formats) / sizeof(*date_formats))

/* Windows-1252's 0x80-0x9F as Unicode (0: undefined there). */
static const unsigned short cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

const char *export_type_name(export_type type)
{
	switch (type) {
	case EXPORT_INTEGER:
		return "integer";
	case EXPORT_REAL:
		return "real";
	case EXPORT_DATE:
		return "date";
	case EXPORT_BOOLEAN:
		return "boolean";
	case EXPORT_TEXT:
		break;
	}
	return "text";
}

/* The first EXPORT_SNIFF_MAX_BYTES of the file, cut after its last line
 * break when the file is longer (a row cut in half would mislead). */
static char *read_sample(const char *path, size_t *len, peil_error *err)
{
	char why[256];
	FILE *f = peil_fopen_text_export(path, why, sizeof(why));
	char *buf;
	size_t n;

	if (!f) {
		error_set(err, path, 0, NULL, "the export: %s", why);
		return NULL;
	}
	buf = malloc(EXPORT_SNIFF_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		error_set(err, path, 0, NULL, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, EXPORT_SNIFF_MAX_BYTES, f);
	if (ferror(f)) {
		error_set(err, path, 0, NULL, "cannot read the export: %s",
			  strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	if (n == EXPORT_SNIFF_MAX_BYTES && fgetc(f) != EOF)
		while (n > 0 && buf[n - 1] != '\n')
			n--;
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Whether the bytes are well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i], need, min, cp, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, min = 0x80, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, min = 0x800, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		for (k = 1; k <= need; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* A Windows-1252 text as UTF-8 (malloc'd), or NULL when out of memory or
 * when it holds a byte that Windows-1252 leaves undefined. */
static char *cp1252_to_utf8(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	char *out = malloc(strlen(text) * 3 + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned cp = *s;

		if (cp >= 0x80 && cp < 0xA0 && !(cp = cp1252_high[cp - 0x80])) {
			free(out);
			return NULL;
		}
		if (cp < 0x80) {
			*o++ = (char)cp;
		} else if (cp < 0x800) {
			*o++ = (char)(0xC0 | (cp >> 6));
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*o++ = (char)(0xE0 | (cp >> 12));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		}
	}
	*o = '\0';
	return out;
}

/* The separator of the header line: of ';', ',' and tab the one that
 * occurs most often outside quotes; ';' on a tie, as Dutch Excel writes
 * it (and as the csv plugin's auto decides). */
static char detect_separator(const char *b, size_t len)
{
	static const char candidates[] = { ';', ',', '\t' };
	size_t counts[3] = { 0, 0, 0 }, i, k, best = 0;
	int quoted = 0;

	for (i = 0; i < len && (quoted || (b[i] != '\n' && b[i] != '\r'));
	     i++) {
		if (b[i] == '"')
			quoted = !quoted;
		else if (!quoted)
			for (k = 0; k < 3; k++)
				counts[k] += b[i] == candidates[k];
	}
	for (k = 1; k < 3; k++)
		if (counts[k] > counts[best])
			best = k;
	return candidates[best];
}

typedef struct fields {
	size_t count;
	char **items;
} fields;

static void fields_clear(fields *f)
{
	for (size_t i = 0; i < f->count; i++)
		free(f->items[i]);
	f->count = 0;
}

static int fields_add(fields *f, const char *text, size_t len)
{
	char **grown = grow_for(f->items, f->count, sizeof(*grown));
	char *copy;

	if (!grown)
		return -1;
	f->items = grown;
	/* Trimmed: the csv plugin trims values too. */
	while (len && (*text == ' ' || *text == '\t'))
		text++, len--;
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, text, len);
	copy[len] = '\0';
	f->items[f->count++] = copy;
	return 0;
}

/* The next record from *pos (RFC 4180: quoted fields with "" for a quote
 * and line breaks inside), into f.  1 with a record, 0 at the end, -1
 * when out of memory. */
static int next_record(const char *b, size_t len, size_t *pos, char sep,
		       fields *f)
{
	size_t i = *pos;
	char *value = NULL;

	fields_clear(f);
	if (i >= len)
		return 0;
	value = malloc(len - i + 1);
	if (!value)
		return -1;
	for (;;) {
		size_t n = 0;

		if (i < len && b[i] == '"') {
			for (i++; i < len; i++) {
				if (b[i] == '"' && i + 1 < len && b[i + 1] == '"')
					value[n++] = b[i++];
				else if (b[i] == '"')
					break;
				else
					value[n++] = b[i];
			}
			i += i < len;	/* the closing quote */
		}
		while (i < len && b[i] != sep && b[i] != '\n' && b[i] != '\r')
			value[n++] = b[i++];
		if (fields_add(f, value, n) < 0) {
			free(value);
			return -1;
		}
		if (i < len && b[i] == sep) {
			i++;
			continue;
		}
		i += i < len && b[i] == '\r';
		i += i < len && b[i] == '\n';
		break;
	}
	free(value);
	*pos = i;
	return 1;
}

/* What the values of one column still fit, narrowed value by value, and
 * the date formats that read them: the first of the formats that reads
 * each value (no value reads under two of them). */
typedef struct column_fit {
	int integer, boolean, real_comma, real_point, saw_comma;
	int date_used[DATE_FORMAT_COUNT];
} column_fit;

static void fit_value(column_fit *fit, export_column *c,
		      const parse_date_formats *formats, const char *v)
{
	size_t len = strlen(v), k;
	int64_t whole;
	double real;
	int32_t day;
	int flag;

	if (!len)
		return;
	c->filled++;
	/* A leading zero before a digit marks an identifier ("000123"): as
	 * a number it would lose its zeros.  So do more than 15 digits. */
	int identifier = (v[0] == '0' && len > 1 && v[1] >= '0' &&
			  v[1] <= '9') || len > 15;

	if (identifier || parse_integer(v, len, ',', &whole) < 0 ||
	    strchr(v, '.'))
		fit->integer = 0;
	if (parse_boolean(v, len, &flag) < 0)
		fit->boolean = 0;
	if (identifier || parse_real(v, len, ',', &real) < 0)
		fit->real_comma = 0;
	if (identifier || parse_real(v, len, '.', &real) < 0)
		fit->real_point = 0;
	fit->saw_comma |= strchr(v, ',') != NULL;
	for (k = 0; k < DATE_FORMAT_COUNT; k++)
		if (parse_date(&formats[k], v, len, &day) == 0)
			break;
	if (k == DATE_FORMAT_COUNT) {
		if (!c->not_date[0])
			visible_copy(c->not_date, sizeof(c->not_date), v);
		return;
	}
	c->dates++;
	fit->date_used[k] = 1;
	/* a year that ingest refuses (0017) names no years to run */
	if (!date_implausible_year(day)) {
		int y, m, d;

		date_to_civil(day, &y, &m, &d);
		if (!c->first_year || y < c->first_year)
			c->first_year = y;
		if (y > c->last_year)
			c->last_year = y;
	}
}

/* Whether the header names a date: "Datum ...", "...datum", "date". */
static int header_says_date(const char *h)
{
	char lower[64];
	size_t i;

	for (i = 0; h[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] + 32 : h[i]);
	lower[i] = '\0';
	return strstr(lower, "datum") || strstr(lower, "date");
}

/* Whether every value of c is a date: then its date_format lists the
 * formats that read them, in the order the csv plugin tries them (one
 * format, or several that a source's date_format list reads together:
 * 2018-03-01T10:00:00 and 2018-03-02 in one column). */
static int fit_dates(const column_fit *fit, export_column *c)
{
	size_t k, n = 0;

	if (c->dates < c->filled)
		return 0;
	for (k = 0; k < DATE_FORMAT_COUNT; k++) {
		if (!fit->date_used[k])
			continue;
		/* 20180131 is a date under jjjjmmdd and a number too: the
		 * header decides. */
		if (strcmp(date_formats[k], "jjjjmmdd") == 0 &&
		    !header_says_date(c->header))
			return 0;
		n += (size_t)snprintf(c->date_format + n,
				      sizeof(c->date_format) - n, "%s%s",
				      n ? ", " : "", date_formats[k]);
		if (n >= sizeof(c->date_format))
			return 0;
	}
	return 1;
}

static void fit_decide(const column_fit *fit, export_column *c)
{
	c->type = EXPORT_TEXT;
	if (!c->filled)
		return;
	if (fit_dates(fit, c)) {
		c->type = EXPORT_DATE;
	} else if (fit->integer) {
		c->type = EXPORT_INTEGER;
	} else if (fit->boolean) {
		c->type = EXPORT_BOOLEAN;
	} else if (fit->real_comma && (fit->saw_comma || !fit->real_point)) {
		c->type = EXPORT_REAL;
		c->decimal = ',';
	} else if (fit->real_point) {
		c->type = EXPORT_REAL;
		c->decimal = '.';
	}
	if (c->type != EXPORT_DATE) {
		c->first_year = c->last_year = 0;
		c->date_format[0] = '\0';
	}
}

static int compare_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the non-empty values of a column (sorted in place) are all
 * different. */
static int all_different(char **values, size_t count)
{
	size_t i, n = 0;

	for (i = 0; i < count; i++)
		if (values[i][0])
			values[n++] = values[i];
	qsort(values, n, sizeof(*values), compare_text);
	for (i = 1; i < n; i++)
		if (strcmp(values[i - 1], values[i]) == 0)
			return 0;
	return n > 0;
}

static int sniff_headers(export_sniff *s, fields *f, const char *path,
			 peil_error *err)
{
	size_t i, n = f->count;

	/* empty headers at the end are Excel's trailing separators, as the
	 * csv plugin reads them */
	while (n > 1 && !f->items[n - 1][0])
		n--;
	s->columns = calloc(n, sizeof(*s->columns));
	if (!s->columns)
		return error_set(err, path, 1, NULL, "out of memory");
	s->column_count = n;
	for (i = 0; i < n; i++) {
		export_column *c = &s->columns[i];

		c->header = s->utf8 ? strdup(f->items[i])
				    : cp1252_to_utf8(f->items[i]);
		if (!c->header)
			return error_set(err, path, 1, NULL,
					 "header %zu: out of memory, or a "
					 "byte Windows-1252 does not define",
					 i + 1);
		if (!c->header[0])
			return error_set(err, path, 1, NULL,
					 "column %zu has no header", i + 1);
	}
	return 0;
}

/* Read the data rows: fit each value, and keep them for the uniqueness
 * test (rows x columns, row-major). */
static int sniff_rows(export_sniff *s, const char *b, size_t len,
		      size_t pos, fields *f, const char *path,
		      peil_error *err)
{
	parse_date_formats formats[DATE_FORMAT_COUNT];
	column_fit *fits = calloc(s->column_count, sizeof(*fits));
	char **values = NULL;
	size_t i, k, n;
	int rc = -1, more;

	if (!fits)
		return error_set(err, path, 0, NULL, "out of memory");
	for (k = 0; k < DATE_FORMAT_COUNT; k++) {
		char msg[128];

		parse_date_formats_init(&formats[k], date_formats[k], msg,
					sizeof(msg));
	}
	for (i = 0; i < s->column_count; i++) {
		column_fit *fit = &fits[i];

		fit->integer = fit->boolean = 1;
		fit->real_comma = fit->real_point = 1;
	}
	while (s->rows < EXPORT_SNIFF_MAX_ROWS &&
	       (more = next_record(b, len, &pos, s->separator, f)) != 0) {
		char **grown;

		if (more < 0)
			goto oom;
		if (f->count == 1 && !f->items[0][0])
			continue;	/* an empty line */
		n = f->count;
		while (n > s->column_count && !f->items[n - 1][0])
			n--;	/* trailing separators */
		if (n != s->column_count)
			s->ragged++;
		grown = realloc(values, (s->rows + 1) * s->column_count *
					sizeof(*values));
		if (!grown)
			goto oom;
		values = grown;
		for (i = 0; i < s->column_count; i++) {
			char **slot = &values[s->rows * s->column_count + i];

			*slot = strdup(i < f->count ? f->items[i] : "");
			if (!*slot) {
				while (i--)
					free(values[s->rows * s->column_count + i]);
				goto oom;
			}
			fit_value(&fits[i], &s->columns[i], formats, *slot);
		}
		s->rows++;
	}
	for (i = 0; i < s->column_count; i++) {
		char **column = malloc((s->rows + 1) * sizeof(*column));

		if (!column)
			goto oom;
		for (k = 0; k < s->rows; k++)
			column[k] = values[k * s->column_count + i];
		s->columns[i].unique = all_different(column, s->rows);
		free(column);
		fit_decide(&fits[i], &s->columns[i]);
	}
	rc = 0;
	goto out;
oom:
	error_set(err, path, 0, NULL, "out of memory");
out:
	for (i = 0; values && i < s->rows * s->column_count; i++)
		free(values[i]);
	free(values);
	free(fits);
	return rc;
}

int export_sniff_file(const char *path, export_sniff *out, peil_error *err)
{
	fields f = { 0, NULL };
	size_t len, pos = 0;
	char *b;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	b = read_sample(path, &len, err);
	if (!b)
		return -1;
	if (len >= 2 && ((b[0] == '\xFF' && b[1] == '\xFE') ||
			 (b[0] == '\xFE' && b[1] == '\xFF'))) {
		error_set(err, path, 0, NULL, "the export is UTF-16: save it "
			  "as CSV UTF-8 (or CSV with semicolons)");
		goto out;
	}
	if (len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	out->utf8 = valid_utf8((const unsigned char *)b + pos, len - pos);
	out->separator = detect_separator(b + pos, len - pos);
	/* Excel's "sep=;" line declares the separator (as the csv plugin
	 * reads it), and the header follows. */
	if (len - pos >= 5 && memcmp(b + pos, "sep=", 4) == 0 &&
	    strchr(";,\t", b[pos + 4]) && b[pos + 4] &&
	    (len - pos == 5 || b[pos + 5] == '\r' || b[pos + 5] == '\n')) {
		out->separator = b[pos + 4];
		pos += 5;
		pos += pos < len && b[pos] == '\r';
		pos += pos < len && b[pos] == '\n';
	}
	if (next_record(b, len, &pos, out->separator, &f) <= 0 ||
	    (f.count == 1 && !f.items[0][0])) {
		error_set(err, path, 1, NULL, "no header line: the export is "
			  "empty, or out of memory");
		goto out;
	}
	if (sniff_headers(out, &f, path, err) < 0 ||
	    sniff_rows(out, b, len, pos, &f, path, err) < 0)
		goto out;
	rc = 0;
out:
	fields_clear(&f);
	free(f.items);
	free(b);
	if (rc < 0)
		export_sniff_release(out);
	return rc;
}

void export_sniff_release(export_sniff *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->column_count; i++)
		free(s->columns[i].header);
	free(s->columns);
	memset(s, 0, sizeof(*s));
}
