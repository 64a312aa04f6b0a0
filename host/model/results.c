/*
 * results.c - the host's table of figures.
 */
#include "model/results.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/calendar.h"

static char *dup_or_null(const char *s)
{
	char *copy;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	copy = malloc(n);
	if (copy)
		memcpy(copy, s, n);
	return copy;
}

/* A row's KPI id, period and breakdown share one allocation, at row->kpi:
 * one malloc a figure rather than three. */
static void row_free(result_row *row)
{
	free(row->kpi);
	free(row->status);
}

int result_table_add(result_table *t, const peil_result *r)
{
	const char *breakdown = r->breakdown ? r->breakdown : "{}";
	size_t nk, np, nb;
	result_row *row;

	if (!r->kpi || !r->period)
		return -1;
	if (t->count == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		result_row *rows = realloc(t->rows, cap * sizeof(*rows));

		if (!rows)
			return -1;
		t->rows = rows;
		t->cap = cap;
	}
	row = &t->rows[t->count];
	nk = strlen(r->kpi) + 1;
	np = strlen(r->period) + 1;
	nb = strlen(breakdown) + 1;
	row->kpi = malloc(nk + np + nb);
	row->status = dup_or_null(r->status);
	if (!row->kpi || (r->status && !row->status)) {
		row_free(row);
		return -1;
	}
	row->period = row->kpi + nk;
	row->breakdown = row->period + np;
	memcpy(row->kpi, r->kpi, nk);
	memcpy(row->period, r->period, np);
	memcpy(row->breakdown, breakdown, nb);
	row->value = r->value;
	row->numerator = r->numerator;
	row->denominator = r->denominator;
	row->size = r->size;
	row->finality = RESULT_FINALITY_UNKNOWN;
	row->suppressed = RESULT_SHOWN;
	memset(row->compare, 0, sizeof(row->compare));
	row->earlier = 0;
	t->count++;
	return 0;
}

int result_table_add_figure(result_table *t, const char *kpi,
			    const char *period, const char *breakdown,
			    double value, double numerator, double denominator,
			    const char *status)
{
	peil_result r;

	memset(&r, 0, sizeof(r));
	r.kpi = kpi;
	r.period = period;
	r.breakdown = breakdown;
	r.value = value;
	r.numerator = numerator;
	r.denominator = denominator;
	r.status = status;
	r.size = NAN;
	return result_table_add(t, &r);
}

int result_table_copy(const result_table *t, result_table *copy)
{
	memset(copy, 0, sizeof(*copy));
	copy->rows = malloc((t->count ? t->count : 1) * sizeof(*copy->rows));
	if (!copy->rows)
		return -1;
	copy->cap = t->count ? t->count : 1;
	for (size_t i = 0; i < t->count; i++) {
		const result_row *row = &t->rows[i];
		peil_result r;

		memset(&r, 0, sizeof(r));
		r.kpi = row->kpi;
		r.period = row->period;
		r.breakdown = row->breakdown;
		r.value = row->value;
		r.numerator = row->numerator;
		r.denominator = row->denominator;
		r.status = row->status;
		r.size = row->size;
		if (result_table_add(copy, &r) < 0) {
			result_table_release(copy);
			return -1;
		}
		copy->rows[i].finality = row->finality;
		copy->rows[i].suppressed = row->suppressed;
		memcpy(copy->rows[i].compare, row->compare,
		       sizeof(row->compare));
		copy->rows[i].earlier = row->earlier;
	}
	copy->run_id = t->run_id;
	copy->disclosed = t->disclosed;
	copy->min_count = t->min_count;
	copy->min_denominator = t->min_denominator;
	return 0;
}

int result_is_total(const char *breakdown)
{
	return !breakdown || strcmp(breakdown, "{}") == 0;
}

static int compare_rows(const void *pa, const void *pb)
{
	const result_row *a = pa, *b = pb;
	int c = strcmp(a->kpi, b->kpi);
	int ta, tb;

	if (c)
		return c;
	c = strcmp(a->period, b->period);
	if (c)
		return c;
	ta = result_is_total(a->breakdown);
	tb = result_is_total(b->breakdown);
	if (ta != tb)
		return ta - tb;
	return strcmp(a->breakdown, b->breakdown);
}

void result_table_sort(result_table *t)
{
	size_t i = 1;

	/* An evaluation mostly adds its figures in this order already: a
	 * pass that finds them in order spares the sort. */
	while (i < t->count && compare_rows(&t->rows[i - 1], &t->rows[i]) <= 0)
		i++;
	if (i < t->count)
		qsort(t->rows, t->count, sizeof(*t->rows), compare_rows);
}

void result_table_keep(result_table *t,
		       int (*keep)(void *ctx, const result_row *row),
		       void *ctx)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->count; i++) {
		result_row *row = &t->rows[i];

		if (keep(ctx, row)) {
			t->rows[kept++] = *row;
			continue;
		}
		row_free(row);
	}
	t->count = kept;
}

void result_table_release(result_table *t)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		row_free(&t->rows[i]);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

/* The value of the 4 hex digits at s, or -1. */
static long hex4(const char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Decode the \uXXXX (or surrogate pair) at s (just after the 'u') into
 * UTF-8 at buf; the bytes written (0: not a valid escape, which is then
 * kept as it stands), *used the characters after the 'u' consumed. */
static size_t unicode_escape(const char *s, char buf[4], size_t *used)
{
	long cp = hex4(s);

	*used = 4;
	if (cp < 0)
		return 0;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		long lo = s[4] == '\\' && s[5] == 'u' ? hex4(s + 6) : -1;

		if (lo < 0xDC00 || lo > 0xDFFF)
			return 0;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		*used = 10;
	} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
		return 0;
	}
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xC0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xE0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	buf[0] = (char)(0xF0 | (cp >> 18));
	buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	buf[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Append the JSON value at *p (a string or a bare token) to out,
 * unescaped as JSON defines (RFC 8259 7: the stored value, so that each
 * output can escape it as its own format requires), and advance *p past
 * it. */
static size_t label_value(const char **p, char *out, size_t size, size_t n)
{
	const char *s = *p;
	int full = 0;

	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			char buf[4];
			size_t len = 1, used;
			/* bytes without an escape, copied at once as far as
			 * they fit (a breakdown value is mostly such) */
			size_t plain = strcspn(s, "\"\\"), fit;

			if (plain > 1) {
				fit = full || n + 1 >= size ? 0 : size - 1 - n;
				fit = plain < fit ? plain : fit;
				memcpy(out + n, s, fit);
				n += fit;
				full |= fit < plain;
				s += plain - 1;
				continue;
			}
			buf[0] = *s;
			if (*s == '\\' && s[1]) {
				s++;
				switch (*s) {
				case 'n': buf[0] = '\n'; break;
				case 't': buf[0] = '\t'; break;
				case 'r': buf[0] = '\r'; break;
				case 'b': buf[0] = '\b'; break;
				case 'f': buf[0] = '\f'; break;
				case 'u':
					len = strlen(s + 1) >= 4
						      ? unicode_escape(s + 1, buf,
								       &used)
						      : 0;
					if (len)
						s += used;
					else
						buf[0] = *s, len = 1;
					break;
				default: buf[0] = *s;	/* " \ / */
				}
			}
			/* A character whole or not at all. */
			if (!full && n + len < size) {
				memcpy(out + n, buf, len);
				n += len;
			} else {
				full = 1;	/* nothing after a cut */
			}
		}
		if (*s == '"')
			s++;
	} else {
		while (*s && *s != ',' && *s != '}') {
			if (n + 1 < size)
				out[n++] = *s;
			s++;
		}
	}
	*p = s;
	return n < size ? n : size - 1;
}

const breakdown_words breakdown_words_of[BREAKDOWN_LANGS] = {
	[BREAKDOWN_NL] = { "Totaal", "(onbekend)" },
	[BREAKDOWN_EN] = { "Total", "(unknown)" },
};

void result_breakdown_label(const char *breakdown, char *out, size_t size)
{
	result_breakdown_label_words(breakdown,
				     &breakdown_words_of[BREAKDOWN_NL], out,
				     size);
}

void result_breakdown_label_words(const char *breakdown,
				  const breakdown_words *words, char *out,
				  size_t size)
{
	const char *p = breakdown;
	size_t n = 0;
	int first = 1;

	out[0] = '\0';
	if (result_is_total(p)) {
		snprintf(out, size, "%s", words->total);
		return;
	}
	while (*p) {
		/* Skip to the next key, then past its colon. */
		p = strchr(p, '"');
		if (!p)
			break;
		p++;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			p++;
		}
		p = strchr(p, ':');
		if (!p)
			break;
		p++;
		if (!first && n + 3 < size) {
			memcpy(out + n, " / ", 3);
			n += 3;
		}
		first = 0;
		if (strncmp(p, "null", 4) == 0) {
			p += 4;
			n += (size_t)snprintf(out + n, size - n, "%s",
					      words->unknown);
			if (n >= size)
				n = size - 1;
		} else {
			n = label_value(&p, out, size, n);
		}
		out[n] = '\0';
	}
}

int result_breakdown_each(const char *breakdown,
			 int (*fn)(void *ctx, const char *field,
				   const char *value),
			 void *ctx)
{
	const char *p = breakdown;
	char field[128], value[512];
	size_t n;
	int rc;

	/* Keys are field names ([a-z0-9_]), never escaped. */
	while (p && (p = strchr(p, '"')) != NULL) {
		const char *key = p + 1, *end = strchr(key, '"');

		if (!end || end[1] != ':')
			return 0;
		n = (size_t)(end - key) < sizeof(field) ? (size_t)(end - key)
							 : sizeof(field) - 1;
		memcpy(field, key, n);
		field[n] = '\0';
		p = end + 2;
		if (strncmp(p, "null", 4) == 0) {
			p += 4;
			rc = fn(ctx, field, NULL);
		} else {
			n = label_value(&p, value, sizeof(value), 0);
			value[n] = '\0';
			rc = fn(ctx, field, value);
		}
		if (rc)
			return rc;
	}
	return 0;
}

struct reserved_value {
	char *field, *value;
	size_t field_size, value_size;
};

static int reserved_value(void *arg, const char *field, const char *value)
{
	struct reserved_value *r = arg;

	for (size_t i = 0; value && i < BREAKDOWN_LANGS; i++)
		if (strcasecmp(value, breakdown_words_of[i].total) == 0 ||
		    strcasecmp(value, breakdown_words_of[i].unknown) == 0) {
			snprintf(r->field, r->field_size, "%s", field);
			snprintf(r->value, r->value_size, "%s", value);
			return 1;
		}
	return 0;
}

int result_breakdown_reserved(const char *breakdown, char *field,
			      size_t field_size, char *value,
			      size_t value_size)
{
	struct reserved_value r = { field, value, field_size, value_size };

	return result_breakdown_each(breakdown, reserved_value, &r) == 1;
}

struct find_value {
	const char *field;
	char *out;
	size_t size;
};

static int find_value(void *arg, const char *field, const char *value)
{
	struct find_value *f = arg;

	if (strcmp(field, f->field) != 0)
		return 0;
	snprintf(f->out, f->size, "%s", value ? value : "");
	return value ? 1 : 2;
}

int result_breakdown_value(const char *breakdown, const char *field,
			   char *out, size_t size)
{
	struct find_value f = { field, out, size };

	out[0] = '\0';
	return result_breakdown_each(breakdown, find_value, &f);
}

/* The stored texts: English sentences for `peil runs` and the store,
 * read back by result_not_evaluated_parse for the outputs' words. */
static const char missing_dataset[] = " is not configured";
static const char missing_field[] = " does not declare field ";
static const char missing_source[] = " has no source that fills field ";
static const char missing_rows_field[] = " has no row with ";
static const char missing_rows[] = " has no rows";
static const char period_end[] = " up to the period's end";
static const char after[] = " after ";
static const char missing_input[] = " has no input";
static const char missing_contract_start[] =
	"[contract] start is not set: cumulative() counts from it";

void result_not_evaluated_status(result_missing why, const char *dataset,
				 const char *field, char *out, size_t size)
{
	switch (why) {
	case RESULT_MISSING_CONTRACT_START:
		snprintf(out, size, "%s%s", RESULT_NOT_EVALUATED,
			 missing_contract_start);
		break;
	case RESULT_MISSING_DATASET:
		snprintf(out, size, "%sdataset %s%s", RESULT_NOT_EVALUATED,
			 dataset, missing_dataset);
		break;
	case RESULT_MISSING_FIELD:
	case RESULT_MISSING_SOURCE:
		snprintf(out, size, "%sdataset %s%s%s", RESULT_NOT_EVALUATED,
			 dataset, why == RESULT_MISSING_FIELD ? missing_field
							     : missing_source,
			 field);
		break;
	default:
		if (field)
			snprintf(out, size, "%sdataset %s%s%s%s",
				 RESULT_NOT_EVALUATED, dataset,
				 missing_rows_field, field, period_end);
		else
			snprintf(out, size, "%sdataset %s%s%s",
				 RESULT_NOT_EVALUATED, dataset, missing_rows,
				 period_end);
	}
}

void result_not_evaluated_after(result_missing why, const char *dataset,
				const char *field, int32_t date, char *out,
				size_t size)
{
	char day[11];

	date_format_iso(date, day);
	if (why == RESULT_MISSING_ROWS_AFTER)
		snprintf(out, size, "%sdataset %s%s%s%s%s",
			 RESULT_NOT_EVALUATED, dataset, missing_rows_field,
			 field, after, day);
	else
		snprintf(out, size, "%sdataset %s%s%s%s", RESULT_NOT_EVALUATED,
			 dataset, missing_input, after, day);
}

int result_not_evaluated(const char *status)
{
	return status && strncmp(status, RESULT_NOT_EVALUATED,
				 sizeof(RESULT_NOT_EVALUATED) - 1) == 0;
}

/* Copy the n bytes at text into out as a string. */
static void copy_part(const char *text, size_t n, char *out, size_t size)
{
	if (!size)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(out, text, n);
	out[n] = '\0';
}

int result_not_evaluated_parse(const char *status, result_missing *why,
			       char *dataset, size_t dataset_size,
			       char *field, size_t field_size, char date[11])
{
	const char *p, *end;
	size_t n;

	copy_part("", 0, dataset, dataset_size);
	copy_part("", 0, field, field_size);
	copy_part("", 0, date, 11);
	if (!result_not_evaluated(status))
		return -1;
	p = status + sizeof(RESULT_NOT_EVALUATED) - 1;
	if (strcmp(p, missing_contract_start) == 0) {
		*why = RESULT_MISSING_CONTRACT_START;
		return 0;
	}
	if (strncmp(p, "dataset ", 8) != 0)
		return -1;
	p += 8;
	n = strcspn(p, " ");	/* dataset names are identifiers */
	copy_part(p, n, dataset, dataset_size);
	p += n;
	if (strcmp(p, missing_dataset) == 0) {
		*why = RESULT_MISSING_DATASET;
		return 0;
	}
	if (strncmp(p, missing_field, sizeof(missing_field) - 1) == 0) {
		p += sizeof(missing_field) - 1;
		copy_part(p, strlen(p), field, field_size);
		*why = RESULT_MISSING_FIELD;
		return 0;
	}
	if (strncmp(p, missing_source, sizeof(missing_source) - 1) == 0) {
		p += sizeof(missing_source) - 1;
		copy_part(p, strlen(p), field, field_size);
		*why = RESULT_MISSING_SOURCE;
		return 0;
	}
	if (strncmp(p, missing_input, sizeof(missing_input) - 1) == 0 &&
	    strncmp(p + sizeof(missing_input) - 1, after,
		    sizeof(after) - 1) == 0) {
		copy_part(p + sizeof(missing_input) + sizeof(after) - 2, 10,
			  date, 11);
		*why = RESULT_MISSING_INPUT_AFTER;
		return 0;
	}
	*why = RESULT_MISSING_ROWS;
	if (strncmp(p, missing_rows_field, sizeof(missing_rows_field) - 1) == 0) {
		p += sizeof(missing_rows_field) - 1;
		n = strcspn(p, " ");	/* field names too */
		if (strncmp(p + n, after, sizeof(after) - 1) == 0) {
			copy_part(p, n, field, field_size);
			copy_part(p + n + sizeof(after) - 1, 10, date, 11);
			*why = RESULT_MISSING_ROWS_AFTER;
			return 0;
		}
		end = strstr(p, period_end);
		if (!end)
			return -1;
		copy_part(p, (size_t)(end - p), field, field_size);
		return 0;
	}
	return strncmp(p, missing_rows, sizeof(missing_rows) - 1) == 0 ? 0 : -1;
}

int result_run_recorded(const char *run_status)
{
	return run_status && (strcmp(run_status, "ok") == 0 ||
			      strcmp(run_status, "incomplete") == 0 ||
			      strcmp(run_status, "kpi failed") == 0);
}
