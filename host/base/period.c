/*
 * period.c - reporting periods: their ids, bounds and lists.
 *
 * Ids are fixed-width ("2017", "2017-Q4", "2017-03", "2017/2018") so that
 * they sort in time within a grain as plain text.  Month ids take exactly
 * two digits: "2017-3" is refused, so that one period has one id.
 */
#include "base/period.h"

#include <stdio.h>
#include <string.h>

#include "base/calendar.h"
#include "base/parse.h"

static const struct {
	period_grain grain;
	const char *english;
	const char *dutch;
} grain_names[] = {
	{ PERIOD_MONTH, "month", "maand" },
	{ PERIOD_QUARTER, "quarter", "kwartaal" },
	{ PERIOD_YEAR, "year", "jaar" },
	{ PERIOD_CONTRACT_YEAR, "contract_year", "contractjaar" },
};

#define GRAIN_COUNT (sizeof(grain_names) / sizeof(grain_names[0]))

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int equal_ignoring_case(const char *a, const char *b)
{
	while (*a && ascii_lower((unsigned char)*a) == ascii_lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

int period_grain_parse(const char *name, period_grain *out)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < GRAIN_COUNT; i++) {
		if (equal_ignoring_case(name, grain_names[i].english) ||
		    equal_ignoring_case(name, grain_names[i].dutch)) {
			*out = grain_names[i].grain;
			return 0;
		}
	}
	return -1;
}

const char *period_grain_name(period_grain grain)
{
	for (size_t i = 0; i < GRAIN_COUNT; i++)
		if (grain_names[i].grain == grain)
			return grain_names[i].english;
	return "unknown";
}

void period_grains_add(period_grains *list, period_grain g)
{
	size_t i = 0;

	while (i < list->count && list->grain[i] < g)
		i++;
	if ((i < list->count && list->grain[i] == g) ||
	    list->count == PERIOD_GRAIN_COUNT)
		return;
	memmove(&list->grain[i + 1], &list->grain[i],
		(list->count - i) * sizeof(list->grain[0]));
	list->grain[i] = g;
	list->count++;
}

int period_grains_parse(const char *text, period_grains *out, char *bad,
			size_t bad_size)
{
	period_grains list = { 0 };
	char name[32];

	snprintf(bad, bad_size, "%s", "");
	while (*text) {
		size_t len;
		period_grain g;

		len = parse_list_next(&text);
		if (!len)
			break;
		snprintf(name, sizeof(name), "%.*s", (int)len, text);
		if (len >= sizeof(name) || period_grain_parse(name, &g) < 0) {
			snprintf(bad, bad_size, "%.*s", (int)len, text);
			return -1;
		}
		period_grains_add(&list, g);
		text += len;
	}
	if (!list.count)
		return -1;
	*out = list;
	return 0;
}

void period_grains_text(const period_grains *list, char *out, size_t size)
{
	size_t used = 0;

	if (size)
		out[0] = '\0';
	for (size_t i = 0; i < list->count && used < size; i++) {
		int n = snprintf(out + used, size - used, "%s%s",
				 i ? ", " : "",
				 period_grain_name(list->grain[i]));

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

period_grain period_id_grain(const char *id)
{
	period p;

	if (strchr(id, '/'))
		return PERIOD_CONTRACT_YEAR;
	return period_parse(id, &p) == 0 ? p.grain : (period_grain)0;
}

/* The period of months months from year-month (which must be valid). */
static void period_from_months(period_grain grain, int year, int month,
			       int months, period *out)
{
	int32_t first = date_from_civil(year, month, 1);
	int end_year = year + (month - 1 + months - 1) / 12;
	int end_month = (month - 1 + months - 1) % 12 + 1;

	out->grain = grain;
	out->first = first;
	out->last = date_from_civil(end_year, end_month,
				    date_days_in_month(end_year, end_month));
	out->reference = out->last;
	/* Dates are valid in years 1..9999 only; the clamp keeps the ids
	 * four digits wide (and shows the compiler that they fit). */
	year = year < 0 ? 0 : year > 9999 ? 9999 : year;
	month = month < 1 ? 1 : month > 12 ? 12 : month;
	switch (grain) {
	case PERIOD_MONTH:
		snprintf(out->id, sizeof(out->id), "%04d-%02d", year, month);
		break;
	case PERIOD_QUARTER:
		snprintf(out->id, sizeof(out->id), "%04d-Q%d", year,
			 (month - 1) / 3 + 1);
		break;
	case PERIOD_CONTRACT_YEAR:
		/* A contract year from January is the calendar year, and
		 * gets its id, so that reports read the same. */
		if (month != 1) {
			snprintf(out->id, sizeof(out->id), "%04d/%04d", year,
				 year < 9999 ? year + 1 : 9999);
			break;
		}
		/* fall through */
	case PERIOD_YEAR:
	default:
		snprintf(out->id, sizeof(out->id), "%04d", year);
		break;
	}
}

int period_parse(const char *text, period *out)
{
	size_t len;
	int year, n;

	if (text == NULL)
		return -1;
	len = strlen(text);
	if (len < 4 || (year = date_digits(text, 4)) < 1)
		return -1;
	if (len == 4) {
		period_from_months(PERIOD_YEAR, year, 1, 12, out);
		return 0;
	}
	if (text[4] != '-')
		return -1;
	if (len == 7 && (text[5] == 'Q' || text[5] == 'q')) {
		n = date_digits(text + 6, 1);
		if (n < 1 || n > 4)
			return -1;
		period_from_months(PERIOD_QUARTER, year, 3 * n - 2, 3, out);
		return 0;
	}
	if (len == 7) {
		n = date_digits(text + 5, 2);
		if (n < 1 || n > 12)
			return -1;
		period_from_months(PERIOD_MONTH, year, n, 1, out);
		return 0;
	}
	return -1;
}

void period_containing(period_grain grain, int contract_start_month,
		       int32_t date, period *out)
{
	int year, month, day;

	date_to_civil(date, &year, &month, &day);
	switch (grain) {
	case PERIOD_MONTH:
		period_from_months(grain, year, month, 1, out);
		break;
	case PERIOD_QUARTER:
		period_from_months(grain, year, (month - 1) / 3 * 3 + 1, 3, out);
		break;
	case PERIOD_CONTRACT_YEAR:
		/* Out of range means January: the plain calendar year. */
		if (contract_start_month < 1 || contract_start_month > 12)
			contract_start_month = 1;
		if (month < contract_start_month)
			year--;
		period_from_months(grain, year, contract_start_month, 12, out);
		break;
	case PERIOD_YEAR:
	default:
		period_from_months(PERIOD_YEAR, year, 1, 12, out);
		break;
	}
}

size_t period_list(period_grain grain, int contract_start_month, int32_t from,
		   int32_t to, period *out, size_t max)
{
	period p;
	size_t n = 0;

	if (to < from)
		return 0;
	period_containing(grain, contract_start_month, from, &p);
	if (p.first < from)	/* only partly inside: start at the next */
		period_containing(grain, contract_start_month, p.last + 1, &p);
	while (p.last <= to) {
		if (n < max)
			out[n] = p;
		n++;
		period_containing(grain, contract_start_month, p.last + 1, &p);
	}
	return n;
}

/* The next word of *text (up to a space) into word; 0 when none. */
static int next_word(const char **text, char *word, size_t size)
{
	const char *p = *text;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, " \t");
	if (n == 0 || n >= size)
		return 0;
	memcpy(word, p, n);
	word[n] = '\0';
	*text = p + n;
	return 1;
}

/* "month", "quarter", "year" or "contract year" (plural when plural),
 * the rest of text; 0 on success. */
static int rolling_grain(const char *text, int plural, period_grain *out)
{
	static const struct {
		const char *one, *more;
		period_grain grain;
	} names[] = {
		{ "month", "months", PERIOD_MONTH },
		{ "quarter", "quarters", PERIOD_QUARTER },
		{ "year", "years", PERIOD_YEAR },
	};
	char word[16];

	if (!next_word(&text, word, sizeof(word)))
		return -1;
	if (equal_ignoring_case(word, "contract")) {
		if (!next_word(&text, word, sizeof(word)) ||
		    !equal_ignoring_case(word, plural ? "years" : "year"))
			return -1;
		*out = PERIOD_CONTRACT_YEAR;
		return next_word(&text, word, sizeof(word)) ? -1 : 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (equal_ignoring_case(word, plural ? names[i].more
						     : names[i].one)) {
			*out = names[i].grain;
			return next_word(&text, word, sizeof(word)) ? -1 : 0;
		}
	return -1;
}

int period_rolling_parse(const char *text, period_rolling *out)
{
	const char *rest = text;
	char word[16];
	period_rolling r = { PERIOD_MONTH, 0 };
	int n = 0;

	if (!text || !next_word(&rest, word, sizeof(word)))
		return -1;
	if (equal_ignoring_case(word, "contract")) {
		rest = text;	/* "contract year": the current one */
	} else if (equal_ignoring_case(word, "current")) {
		r.count = 0;
	} else if (equal_ignoring_case(word, "previous")) {
		r.count = -1;
	} else if (equal_ignoring_case(word, "last")) {
		if (!next_word(&rest, word, sizeof(word)))
			return -1;
		for (const char *d = word; *d; d++) {
			if (*d < '0' || *d > '9' || n > 999)
				return -1;
			n = n * 10 + (*d - '0');
		}
		if (n < 1 || n > 999)
			return -1;
		r.count = n;
	} else {
		return -1;
	}
	if (rolling_grain(rest, r.count > 1, &r.grain) < 0)
		return -1;
	*out = r;
	return 0;
}

void period_rolling_resolve(const period_rolling *r, int contract_start_month,
			    int32_t cutoff, int32_t *first, int32_t *last)
{
	period p;

	period_containing(r->grain, contract_start_month, cutoff, &p);
	if (r->count == 0) {
		*first = p.first;
		*last = p.last;
		return;
	}
	if (p.last > cutoff)	/* not complete yet: the one before */
		period_containing(r->grain, contract_start_month, p.first - 1,
				  &p);
	*last = p.last;
	for (int i = 1; i < r->count; i++)
		period_containing(r->grain, contract_start_month, p.first - 1,
				  &p);
	*first = p.first;
}

int period_reference_parse(const char *name, period_reference *out)
{
	if (strcmp(name, "last") == 0)
		*out = PERIOD_REFERENCE_LAST;
	else if (strcmp(name, "first") == 0)
		*out = PERIOD_REFERENCE_FIRST;
	else if (strcmp(name, "next") == 0)
		*out = PERIOD_REFERENCE_NEXT;
	else
		return -1;
	return 0;
}

void period_set_reference(period *p, period_reference rule)
{
	p->reference = rule == PERIOD_REFERENCE_FIRST ? p->first
		       : rule == PERIOD_REFERENCE_NEXT ? p->last + 1
						       : p->last;
}

int period_earlier(const char *id, int year_before, char out[16])
{
	int y, n, z, len, per_year = 0;
	char tail, buf[48];

	/* A quarter or a month: n of per_year in year y. */
	if (sscanf(id, "%4d-Q%1d%c", &y, &n, &tail) == 2)
		per_year = 4;
	else if (sscanf(id, "%4d-%2d%c", &y, &n, &tail) == 2)
		per_year = 12;
	if (per_year) {
		if (n < 1 || n > per_year)
			return -1;
		if (year_before || n == 1)
			y--;
		if (!year_before)
			n = n == 1 ? per_year : n - 1;
		len = snprintf(buf, sizeof(buf),
			       per_year == 4 ? "%04d-Q%d" : "%04d-%02d", y, n);
	} else if (sscanf(id, "%4d/%4d%c", &y, &z, &tail) == 2 &&
		   z == y + 1) {
		y--;
		len = snprintf(buf, sizeof(buf), "%04d/%04d", y, z - 1);
	} else if (sscanf(id, "%4d%c", &y, &tail) == 1 && strlen(id) == 4) {
		y--;
		len = snprintf(buf, sizeof(buf), "%04d", y);
	} else {
		return -1;
	}
	if (y < 1 || len < 0 || len >= 16)
		return -1;
	memcpy(out, buf, (size_t)len + 1);
	return 0;
}
