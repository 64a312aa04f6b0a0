/*
 * peil_demo.c - writes the case exports of the fictional municipality
 * Peilstad, in the messy shape that real registration systems produce.
 *
 *   peil-demo [--out DIR] [--from-year 2016] [--to-year 2018]
 *             [--cases-per-year 15000] [--seed N]
 *
 * One file per registration year, DIR/export_casussen_YYYY.csv: Windows-1252,
 * ';' separated, CRLF, dd-mm-jjjj dates (now and then d-m-jjjj), quotes only
 * where a field holds a ';'.  Every file shows the cases as they stand on
 * 31 December of the last year, the day of the export.  The output depends
 * only on the options: a seeded PRNG (xoshiro256**), no clock.
 * Members, persons, measurements, referrals, trajectories and visits
 * follow from the cases (demo_social.c).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/calendar.h"
#include "demo_rng.h"
#include "demo_social.h"
#include "demo_xlsx.h"

#define NO_DATE INT32_MIN

/* ---------------------------------------------------------- Peilstad */

static const char *const organisations[] = {
	"Stichting Welzijn Peilstad", "Vivenzo", "Kwadrant Sociaal Werk",
};

/* CBS-style codes: WK + municipality 9999 + district, BU + district +
 * neighbourhood. */
static const struct district {
	int number;
	int neighbourhoods;
} districts[] = { { 1, 5 }, { 2, 4 }, { 3, 6 }, { 4, 4 }, { 5, 5 } };

static const struct team {
	const char *name;
	int district;		/* index in districts */
	int organisation;	/* index in organisations */
	double weight;		/* share of the inflow */
	double slow;		/* share of first meetings beyond the norm */
} teams[] = {
	{ "Buurtteam Centrum", 0, 0, 1.4, 0.15 },
	{ "Buurtteam Binnenstad", 0, 0, 0.9, 0.12 },
	{ "Buurtteam Stationskwartier", 0, 0, 0.7, 0.20 },
	{ "Buurtteam Noord", 1, 0, 1.2, 0.14 },
	{ "Buurtteam Vogelwijk", 1, 0, 0.8, 0.10 },
	{ "Buurtteam De Haven", 1, 0, 0.9, 0.18 },
	{ "Buurtteam Oost", 2, 1, 1.5, 0.38 },	/* a waiting list */
	{ "Buurtteam Parkwijk", 2, 1, 1.0, 0.16 },
	{ "Buurtteam Molenbuurt", 2, 1, 0.8, 0.13 },
	{ "Buurtteam Zuid", 3, 1, 1.1, 0.17 },
	{ "Buurtteam Zuidrand", 3, 1, 0.6, 0.11 },
	{ "Buurtteam Bloemenbuurt", 3, 1, 0.9, 0.15 },
	{ "Buurtteam West", 4, 2, 1.2, 0.22 },
	{ "Buurtteam West; Kanaalzone", 4, 2, 0.7, 0.19 }, /* quoted */
	{ "Buurtteam Westerpark", 4, 2, 0.9, 0.14 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define TEAMS_PER_DISTRICT 3

/* Weights in percent; the last referrer is "none given". */
static const char *const referrers[] = {
	"Zelfmelder", "Huisarts", "Familie of netwerk", "Veilig Thuis",
	"Woningcorporatie", "Ander team", "Onderwijs", "Politie", "",
};
static const double referrer_weights[] = { 31, 16, 14, 6, 8, 7, 8, 5, 5 };

/* Windows-1252: 0xEB is e with diaeresis. */
#define PLANNED 0
static const char *const reasons[] = {
	"Be\xEB" "indigd volgens plan",
	"Be\xEB" "indigd door externe omstandigheden",
	"Eenzijdig be\xEB" "indigd door aanbieder",
	"Eenzijdig be\xEB" "indigd door cli\xEB" "nt",
	"Voortijdig be\xEB" "indigd in overleg",
};
static const double reason_weights[] = { 60, 13, 5, 13, 9 };
/* Without a first meeting nothing can end as planned. */
static const double reason_weights_unmet[] = { 0, 40, 10, 40, 10 };

static const char *const self_reliant[] = { "ja", "nee", "n.v.t.", "" };
static const double self_reliant_planned[] = { 70, 14, 6, 10 };
static const double self_reliant_other[] = { 22, 46, 16, 16 };

/* Client marks 1..10. */
static const double marks_planned[] = { 1, 1, 1, 2, 4, 11, 26, 32, 16, 6 };
static const double marks_other[] = { 4, 3, 5, 7, 10, 19, 23, 18, 8, 3 };

/* Inflow by month, and the quiet last days of December. */
static const double month_weights[] = { 1.10, 1.05, 1.08, 1.00, 0.98, 0.97,
					0.70, 0.66, 1.10, 1.10, 1.06, 0.88 };
static const double weekday_weights[] = { 1.18, 1.05, 1.00, 1.02, 0.80 };

static const char header[] =
	"Dossiernummer;Team;Organisatie;Wijkcode;Buurtcode;Datum aanmelding;"
	"Datum eerste kennismaking;Datum afsluiting;Melder;"
	"Reden be\xEB" "indiging;Zelfredzaam bij afsluiting;Rapportcijfer;"
	"Persoonsnummer;Datum invoer";

/* ---------------------------------------------------------- one case */

typedef struct demo_case {
	size_t team;
	int neighbourhood;	/* 1-based within the district; 0 unknown */
	int32_t registered, first_meeting, closed, entered;
	size_t referrer;
	int reason;		/* -1 while open */
	size_t self_reliant;
	int mark;		/* 0 none */
	long person;		/* -1 anonymous */
	int short_dates;	/* written d-m-jjjj */
} demo_case;

typedef struct generator {
	rng rng;
	const calendar *cal;
	int32_t export_date;	/* nothing happens after it */
	long *persons;		/* person of every case so far, or -1 */
	size_t case_count, case_capacity;
	long next_person;
	demo_social *social;	/* the other exports */
} generator;

static size_t pick_team(generator *g)
{
	double weights[COUNT(teams)];

	for (size_t i = 0; i < COUNT(teams); i++)
		weights[i] = teams[i].weight;
	return rng_pick(&g->rng, weights, COUNT(teams));
}

/* Teams serve their own neighbourhoods, but a case now and then comes
 * from elsewhere in the district, and some lack the code. */
static int pick_neighbourhood(generator *g, size_t team)
{
	int count = districts[teams[team].district].neighbourhoods;
	int slot = (int)(team % TEAMS_PER_DISTRICT), n;

	if (rng_chance(&g->rng, 0.012))
		return 0;
	if (rng_chance(&g->rng, 0.1))
		return rng_between(&g->rng, 1, count);
	do
		n = rng_between(&g->rng, 1, count);
	while ((n - 1) % TEAMS_PER_DISTRICT != slot);
	return n;
}

/* Working days to the first meeting: mostly within the norm of 5, a tail
 * to about 25 that is longer at slow teams. */
static long meeting_delay(generator *g, size_t team)
{
	static const double within_norm[] = { 6, 19, 23, 20, 17, 15 };

	if (!rng_chance(&g->rng, teams[team].slow))
		return (long)rng_pick(&g->rng, within_norm, COUNT(within_norm));
	return 6 + (long)fmin(19.0, -5.0 * log(1.0 - rng_uniform(&g->rng)));
}

/* The next working day on or after date. */
static int32_t on_workday(const calendar *cal, int32_t date)
{
	while (!calendar_is_workday(cal, date))
		date++;
	return date;
}

/* A pseudonymous person: new, or now and then one seen in an earlier
 * case; about 4% come in anonymously. */
static long pick_person(generator *g)
{
	if (rng_chance(&g->rng, 0.04))
		return -1;
	if (g->case_count > 100 && rng_chance(&g->rng, 0.07)) {
		long p = g->persons[(size_t)(rng_uniform(&g->rng) *
					     (double)g->case_count)];

		if (p >= 0)
			return p;
	}
	/* A bijection of 0..899999 onto 6-digit numbers (611953 shares no
	 * factor with 900000), so the numbers do not betray the order. */
	return (g->next_person++ * 611953 + 104729) % 900000 + 100000;
}

static void close_case(generator *g, demo_case *c, int32_t closed, int met)
{
	const double *marks;
	int planned;

	if (closed > g->export_date)
		return;		/* still open on the day of the export */
	c->closed = closed;
	c->reason = (int)rng_pick(&g->rng, met ? reason_weights
					       : reason_weights_unmet,
				  COUNT(reasons));
	planned = c->reason == PLANNED;
	c->self_reliant = rng_pick(&g->rng, planned ? self_reliant_planned
						    : self_reliant_other,
				   COUNT(self_reliant));
	if (!met || rng_chance(&g->rng, planned ? 0.36 : 0.5))
		return;		/* no mark asked or given */
	marks = planned ? marks_planned : marks_other;
	c->mark = (int)rng_pick(&g->rng, marks, 10) + 1;
}

/* Days of support: lognormal around four months, from weeks to years. */
static int32_t support_days(generator *g)
{
	double days = exp(log(120.0) + 0.95 * rng_normal(&g->rng));

	return (int32_t)fmax(10.0, fmin(days, 1800.0));
}

static void make_case(generator *g, int32_t registered, demo_case *c)
{
	static const double entry_delays[] = { 55, 24, 8, 4 };	/* 0..3 days */
	double u;

	memset(c, 0, sizeof(*c));
	c->team = pick_team(g);
	c->neighbourhood = pick_neighbourhood(g, c->team);
	c->registered = registered;
	c->referrer = rng_pick(&g->rng, referrer_weights, COUNT(referrers));
	c->person = pick_person(g);
	c->short_dates = rng_chance(&g->rng, 0.02);
	c->first_meeting = c->closed = NO_DATE;
	c->reason = -1;
	c->self_reliant = COUNT(self_reliant) - 1;

	u = rng_uniform(&g->rng);
	if (u < 0.92)
		c->entered = registered + (int32_t)rng_pick(&g->rng, entry_delays,
							    COUNT(entry_delays));
	else if (u < 0.95)
		c->entered = registered + rng_between(&g->rng, 4, 10);
	else
		c->entered = registered + rng_between(&g->rng, 11, 75);

	if (rng_chance(&g->rng, 0.03)) {
		/* Never met: half of these were closed again, the rest
		 * linger open (a data-quality finding). */
		if (rng_chance(&g->rng, 0.5))
			close_case(g, c, on_workday(g->cal, registered +
						    rng_between(&g->rng, 5, 60)), 0);
		return;
	}
	c->first_meeting = calendar_add_workdays(g->cal, registered,
						 meeting_delay(g, c->team));
	if (c->first_meeting == registered &&
	    !calendar_is_workday(g->cal, registered))
		c->first_meeting = on_workday(g->cal, registered);
	if (c->first_meeting > g->export_date) {
		c->first_meeting = NO_DATE;	/* still waiting */
		return;
	}
	close_case(g, c, on_workday(g->cal, c->first_meeting + support_days(g)),
		   1);
}

/* ---------------------------------------------------------- writing */

static void write_text(FILE *out, const char *text)
{
	if (strchr(text, ';') == NULL && strchr(text, '"') == NULL) {
		fputs(text, out);
		return;
	}
	fputc('"', out);
	for (; *text; text++) {
		if (*text == '"')
			fputc('"', out);
		fputc(*text, out);
	}
	fputc('"', out);
}

static void write_date(FILE *out, int32_t date, int short_form)
{
	int y, m, d;

	if (date == NO_DATE)
		return;
	date_to_civil(date, &y, &m, &d);
	fprintf(out, short_form ? "%d-%d-%04d" : "%02d-%02d-%04d", d, m, y);
}

static void write_case(FILE *out, const demo_case *c, int year, long number)
{
	const struct team *t = &teams[c->team];
	int district = districts[t->district].number;

	fprintf(out, "D%04d-%06ld;", year, number);
	write_text(out, t->name);
	fputc(';', out);
	write_text(out, organisations[t->organisation]);
	fprintf(out, ";WK9999%02d;", district);
	if (c->neighbourhood > 0)
		fprintf(out, "BU9999%02d%02d", district, c->neighbourhood);
	fputc(';', out);
	write_date(out, c->registered, c->short_dates);
	fputc(';', out);
	write_date(out, c->first_meeting, c->short_dates);
	fputc(';', out);
	write_date(out, c->closed, c->short_dates);
	fputc(';', out);
	write_text(out, referrers[c->referrer]);
	fputc(';', out);
	if (c->reason >= 0)
		write_text(out, reasons[c->reason]);
	fputc(';', out);
	write_text(out, self_reliant[c->self_reliant]);
	fputc(';', out);
	if (c->mark > 0)
		fprintf(out, "%d", c->mark);
	fputc(';', out);
	if (c->person >= 0)
		fprintf(out, "P%06ld", c->person);
	fputc(';', out);
	write_date(out, c->entered, c->short_dates);
	fputs("\r\n", out);
}

/* Hand the case to the other exports. */
static int social_case(generator *g, const demo_case *c, int year,
		       long number)
{
	const struct team *t = &teams[c->team];
	char id[32], neighbourhood[32] = "";
	demo_case_facts facts;

	snprintf(id, sizeof(id), "D%04d-%06ld", year, number);
	if (c->neighbourhood > 0)
		snprintf(neighbourhood, sizeof(neighbourhood), "BU9999%02d%02d",
			 districts[t->district].number, c->neighbourhood);
	facts.id = id;
	facts.person = c->person;
	facts.neighbourhood = neighbourhood;
	facts.registered = c->registered;
	facts.first_meeting = c->first_meeting;
	facts.closed = c->closed;
	return demo_social_case(g->social, &facts);
}

/* ---------------------------------------------------------- one year */

/* The relative inflow on a day: the working week, the season, and the
 * odd weekend or holiday registration (a crisis, Veilig Thuis). */
static double day_weight(const calendar *cal, int32_t date)
{
	int y, m, d;

	date_to_civil(date, &y, &m, &d);
	if (!calendar_is_workday(cal, date))
		return 0.03;
	return weekday_weights[date_weekday(date) - 1] * month_weights[m - 1] *
	       (m == 12 && d >= 20 ? 0.55 : 1.0);
}

static int remember_person(generator *g, long person)
{
	if (g->case_count == g->case_capacity) {
		size_t capacity = g->case_capacity ? 2 * g->case_capacity : 4096;
		long *grown = realloc(g->persons, capacity * sizeof(*grown));

		if (grown == NULL)
			return -1;
		g->persons = grown;
		g->case_capacity = capacity;
	}
	g->persons[g->case_count++] = person;
	return 0;
}

typedef struct year_counts {
	long rows, open, waiting;
} year_counts;

static int write_year(generator *g, FILE *out, int year, long cases,
		      year_counts *counts)
{
	int32_t first = date_from_civil(year, 1, 1);
	int32_t last = date_from_civil(year, 12, 31);
	double total = 0;
	long number = 0;

	for (int32_t day = first; day <= last; day++)
		total += day_weight(g->cal, day);
	fprintf(out, "%s\r\n", header);
	for (int32_t day = first; day <= last; day++) {
		/* The expected count, rounded up or down at random so
		 * that the year holds about `cases`, in date order. */
		double expected = (double)cases * day_weight(g->cal, day) / total;
		long today = (long)(expected + rng_uniform(&g->rng));

		for (long i = 0; i < today; i++) {
			demo_case c;

			make_case(g, day, &c);
			number++;
			/* Not yet entered on the day of the export: not in
			 * it, and its number is a gap. */
			if (c.entered > g->export_date)
				continue;
			if (remember_person(g, c.person) != 0)
				return -1;
			write_case(out, &c, year, number);
			if (social_case(g, &c, year, number) != 0)
				return -1;
			counts->rows++;
			counts->open += c.closed == NO_DATE;
			counts->waiting += c.first_meeting == NO_DATE &&
					   c.closed == NO_DATE;
		}
	}
	return ferror(out) ? -1 : 0;
}

/* ---------------------------------------------------------- main */

static int make_dirs(const char *path)
{
	char buffer[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buffer))
		return -1;
	memcpy(buffer, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buffer[i] != '/' && buffer[i] != '\0')
			continue;
		buffer[i] = '\0';
		if (mkdir(buffer, 0777) != 0 && errno != EEXIST)
			return -1;
		buffer[i] = path[i];
	}
	return 0;
}

static void usage(FILE *out)
{
	fputs("usage: peil-demo [--out DIR] [--from-year YEAR] [--to-year YEAR]\n"
	      "                 [--cases-per-year N] [--seed N] [--xlsx]\n"
	      "Writes DIR/export_casussen_YYYY.csv and the other exports\n"
	      "(default DIR var/demo); with --xlsx as .xlsx workbooks instead.\n",
	      out);
}

/* A whole decimal number in [min, max] from text. */
static int number_arg(const char *text, long long min, long long max,
		      long long *out)
{
	char *end;
	long long value;

	errno = 0;
	value = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < min ||
	    value > max)
		return -1;
	*out = value;
	return 0;
}

typedef struct options {
	const char *out;
	long long from_year, to_year, cases, seed;
	int xlsx;
} options;

static int parse_options(int argc, char **argv, options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *name = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(name, "--xlsx") == 0) {
			o->xlsx = 1;
			continue;
		} else if (value == NULL) {
			bad = 1;
		} else if (strcmp(name, "--out") == 0) {
			o->out = value;
		} else if (strcmp(name, "--from-year") == 0) {
			bad = number_arg(value, 1900, 9998, &o->from_year);
		} else if (strcmp(name, "--to-year") == 0) {
			bad = number_arg(value, 1900, 9998, &o->to_year);
		} else if (strcmp(name, "--cases-per-year") == 0) {
			bad = number_arg(value, 1, 10000000, &o->cases);
		} else if (strcmp(name, "--seed") == 0) {
			bad = number_arg(value, 0, INT64_MAX, &o->seed);
		} else {
			bad = 1;
		}
		if (bad) {
			fprintf(stderr, "peil-demo: bad option or value: %s%s%s\n",
				name, value ? " " : "", value ? value : "");
			usage(stderr);
			return -1;
		}
		i++;
	}
	if (o->from_year > o->to_year) {
		fprintf(stderr, "peil-demo: --from-year is after --to-year\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	options o = { "var/demo", 2016, 2018, 15000, 20180101, 0 };
	generator g = { 0 };
	calendar *cal;
	long total = 0, open = 0;
	int status = 0;

	if (parse_options(argc, argv, &o) != 0)
		return 2;
	if (make_dirs(o.out) != 0) {
		fprintf(stderr, "peil-demo: cannot create %s: %s\n", o.out,
			strerror(errno));
		return 1;
	}
	cal = calendar_new(NULL);
	if (cal == NULL)
		return 1;
	rng_seed(&g.rng, (uint64_t)o.seed);
	g.cal = cal;
	g.export_date = date_from_civil((int)o.to_year, 12, 31);
	g.social = demo_social_open(o.out, cal, g.export_date,
				    (uint64_t)o.seed);
	if (g.social == NULL) {
		calendar_free(cal);
		return 1;
	}
	for (int year = (int)o.from_year; year <= o.to_year && status == 0;
	     year++) {
		char path[4200];
		year_counts counts = { 0, 0, 0 };
		/* Inflow differs a few percent from year to year. */
		long cases = (long)((double)o.cases *
				    (0.96 + 0.08 * rng_uniform(&g.rng)));
		FILE *out;

		snprintf(path, sizeof(path), "%s/export_casussen_%04d.csv",
			 o.out, year);
		out = fopen(path, "wb");
		if (out == NULL) {
			fprintf(stderr, "peil-demo: cannot create %s: %s\n",
				path, strerror(errno));
			status = 1;
			break;
		}
		status = write_year(&g, out, year, cases, &counts) != 0;
		if (fclose(out) != 0 || status != 0) {
			fprintf(stderr, "peil-demo: cannot write %s\n", path);
			status = 1;
			break;
		}
		printf("%s: %ld rows, %ld open on 31-12-%lld (%ld never met)\n",
		       path, counts.rows, counts.open, o.to_year,
		       counts.waiting);
		total += counts.rows;
		open += counts.open;
	}
	if (demo_social_close(g.social) != 0)
		status = 1;
	if (status == 0 && o.xlsx && demo_xlsx_convert(o.out) != 0)
		status = 1;
	if (status == 0)
		printf("peil-demo: %lld case files, %ld rows, %ld open cases\n",
		       o.to_year - o.from_year + 1, total, open);
	free(g.persons);
	calendar_free(cal);
	return status;
}
