/*
 * demo_social.c - the demo's exports beside the cases (demo_social.h).
 *
 * Each file is one export in DIR, UTF-8, ';' separated, CRLF, dd-mm-jjjj:
 *   export_leden.csv        case members (an anonymous case has one member
 *                           without a person number; a household several)
 *   export_personen.csv     persons: birth year, neighbourhood
 *   export_metingen.csv     participation ladder and ZRM measurements
 *   export_verwijzingen.csv referrals to customised care, ~20 providers
 *   export_trajecten.csv    trajectories (neighbourhood jobs, courses)
 *   export_bezoeken.csv     follow-up visits of neighbourhood jobs
 * No row begins with D and a digit, so the case rows stay easy to count.
 */
#include "demo_social.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_rng.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const providers[] = {
	"Zorggroep Peilstad", "Jeugdhulp Noord", "Thuiszorg De Linde",
	"Kompas GGZ", "Het Anker Begeleiding", "Leger des Heils", "Lentis",
	"Zorgbalans", "Cordaan Thuis", "De Brug Dagbesteding", "Philadelphia",
	"Reinaerde", "Humanitas", "Pameijer", "Kwintes", "Altrecht",
	"Amerpoort", "Sherpa", "Buurtzorg Peilstad", "Iriszorg",
};
static const double provider_weights[] = { 14, 10, 9, 8, 7, 7, 6, 6, 5, 5,
					   4, 4, 3, 3, 2, 2, 2, 1, 1, 1 };
static const char *const products[] = {
	"Begeleiding individueel", "Begeleiding groep", "Huishoudelijke hulp",
	"Jeugdhulp ambulant", "Beschermd wonen", "Dagbesteding",
};

static const char *const zrm_domains[] = {
	"Financi\xC3\xABn", "Werk & opleiding", "Tijdsbesteding",
	"Huisvesting", "Huiselijke relaties", "Geestelijke gezondheid",
	"Lichamelijke gezondheid", "Middelengebruik", "Basale ADL",
	"Instrumentele ADL", "Sociaal netwerk",
	"Maatschappelijke participatie", "Justitie",
};
static const double zrm_intake[] = { 4, 22, 38, 28, 8 };	/* 1..5 */
static const double change_weights[] = { 10, 45, 35, 10 };	/* -1..+2 */

static const char *const programmes[] = {
	"Buurtbaan", "Taal en rekenen", "Geldzaken", "Digivaardig",
};
static const double programme_weights[] = { 40, 25, 20, 15 };
static const double ladder_intake[] = { 25, 35, 25, 15 };	/* rung 1..4 */
static const int visit_months[] = { 3, 9, 15, 22 };

enum { MEMBERS, PERSONS, MEASUREMENTS, REFERRALS, TRAJECTORIES, VISITS,
       FILES };

static const struct export {
	const char *name;
	const char *header;
} exports[FILES] = {
	{ "export_leden.csv", "Lidnummer;Dossiernummer;Persoonsnummer;Rol" },
	{ "export_personen.csv", "Persoonsnummer;Geboortejaar;Buurtcode" },
	{ "export_metingen.csv",
	  "Metingnummer;Persoonsnummer;Datum;Instrument;Domein;Score" },
	{ "export_verwijzingen.csv", "Beschikkingnummer;Dossiernummer;"
	  "Aanbieder;Product;Datum afgifte;Datum start zorg" },
	{ "export_trajecten.csv",
	  "Trajectnummer;Persoonsnummer;Programma;Startdatum;Einddatum" },
	{ "export_bezoeken.csv", "Bezoeknummer;Trajectnummer;Maand;"
	  "Datum bezoek" },
};

struct demo_social {
	rng rng;
	const calendar *cal;
	int32_t export_date;
	FILE *out[FILES];
	long rows[FILES];
	unsigned char *seen;	/* main persons written, by number */
	long next_member;	/* household members: P1000000 on */
	long next_id[FILES];
};

static void write_date(FILE *out, int32_t date)
{
	int y, m, d;

	if (date == DEMO_NO_DATE)
		return;
	date_to_civil(date, &y, &m, &d);
	fprintf(out, "%02d-%02d-%04d", d, m, y);
}

static int32_t next_workday(const calendar *cal, int32_t date)
{
	while (!calendar_is_workday(cal, date))
		date++;
	return date;
}

demo_social *demo_social_open(const char *dir, const calendar *cal,
			      int32_t export_date, uint64_t seed)
{
	demo_social *s = calloc(1, sizeof(*s));

	if (!s || !(s->seen = calloc(1000000, 1))) {
		free(s);
		return NULL;
	}
	rng_seed(&s->rng, seed ^ 0x5eed50c1a1ULL);
	s->cal = cal;
	s->export_date = export_date;
	s->next_member = 1000000;
	for (int i = 0; i < FILES; i++) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/%s", dir, exports[i].name);
		s->out[i] = fopen(path, "wb");
		if (!s->out[i]) {
			fprintf(stderr, "peil-demo: cannot create %s\n", path);
			demo_social_close(s);
			return NULL;
		}
		fprintf(s->out[i], "%s\r\n", exports[i].header);
	}
	return s;
}

static void write_person(demo_social *s, const char *key,
			 const char *neighbourhood)
{
	fprintf(s->out[PERSONS], "%s;%d;%s\r\n", key,
		rng_between(&s->rng, 1940, 2004), neighbourhood);
	s->rows[PERSONS]++;
}

static void write_member(demo_social *s, const char *case_id, const char *key,
			 const char *role)
{
	fprintf(s->out[MEMBERS], "L%07ld;%s;%s;%s\r\n", ++s->next_id[MEMBERS],
		case_id, key, role);
	s->rows[MEMBERS]++;
}

/* The members of a case: its main person, now and then a household. */
static void members(demo_social *s, const demo_case_facts *c,
		    char main_key[32])
{
	main_key[0] = '\0';
	if (c->person < 0) {
		write_member(s, c->id, "", "Aanvrager");	/* anonymous */
		return;
	}
	snprintf(main_key, 32, "P%06ld", c->person);
	if (!s->seen[c->person]) {
		s->seen[c->person] = 1;
		write_person(s, main_key, c->neighbourhood);
	}
	write_member(s, c->id, main_key, "Aanvrager");
	if (!rng_chance(&s->rng, 0.25))
		return;
	for (int i = rng_between(&s->rng, 1, 3); i > 0; i--) {
		char key[32];

		snprintf(key, sizeof(key), "P%07ld", s->next_member++);
		write_person(s, key, c->neighbourhood);
		write_member(s, c->id, key, "Huisgenoot");
	}
}

static void measurement(demo_social *s, const char *person, int32_t date,
			const char *instrument, const char *domain, int score)
{
	FILE *out = s->out[MEASUREMENTS];

	fprintf(out, "M%08ld;%s;", ++s->next_id[MEASUREMENTS], person);
	write_date(out, date);
	fprintf(out, ";%s;%s;%d\r\n", instrument, domain, score);
	s->rows[MEASUREMENTS]++;
}

static int clamp(int x, int lo, int hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* ZRM at the first meeting, and again at closure or half a year on. */
static void zrm(demo_social *s, const demo_case_facts *c, const char *person)
{
	int32_t later = c->closed != DEMO_NO_DATE
				? c->closed : c->first_meeting + 182;
	int scores[COUNT(zrm_domains)];

	if (!rng_chance(&s->rng, 0.08))
		return;
	for (size_t d = 0; d < COUNT(zrm_domains); d++) {
		scores[d] = (int)rng_pick(&s->rng, zrm_intake, 5) + 1;
		measurement(s, person, c->first_meeting, "ZRM", zrm_domains[d],
			    scores[d]);
	}
	if (later > s->export_date || later - c->first_meeting < 30)
		return;
	for (size_t d = 0; d < COUNT(zrm_domains); d++)
		measurement(s, person, later, "ZRM", zrm_domains[d],
			    clamp(scores[d] - 1 +
				  (int)rng_pick(&s->rng, change_weights, 4),
				  1, 5));
}

static void referrals(demo_social *s, const demo_case_facts *c)
{
	int32_t last = c->closed != DEMO_NO_DATE ? c->closed : s->export_date;

	if (!rng_chance(&s->rng, 0.18))
		return;
	for (int i = rng_chance(&s->rng, 0.8) ? 1 : 2; i > 0; i--) {
		FILE *out = s->out[REFERRALS];
		int32_t issued = next_workday(s->cal, c->first_meeting +
					      rng_between(&s->rng, 5, 90));
		int32_t started = issued + rng_between(&s->rng, 3, 45);

		if (issued > last || issued > s->export_date)
			return;
		if (!rng_chance(&s->rng, 0.85) || started > s->export_date)
			started = DEMO_NO_DATE;
		fprintf(out, "B%07ld;%s;%s;%s;", ++s->next_id[REFERRALS], c->id,
			providers[rng_pick(&s->rng, provider_weights,
					   COUNT(providers))],
			products[rng_between(&s->rng, 0,
					     (int)COUNT(products) - 1)]);
		write_date(out, issued);
		fputc(';', out);
		write_date(out, started);
		fputs("\r\n", out);
		s->rows[REFERRALS]++;
	}
}

/* Neighbourhood jobs: visits 3, 9, 15 and 22 months after the start,
 * most done within weeks of the due date, some never (overdue). */
static void visits(demo_social *s, long trajectory, int32_t start,
		   int32_t end)
{
	for (size_t i = 0; i < COUNT(visit_months); i++) {
		int32_t due = date_add_months(start, visit_months[i]);
		int32_t done = next_workday(s->cal, due +
					    rng_between(&s->rng, -7, 30));

		if (due > s->export_date || (end != DEMO_NO_DATE && due > end))
			return;
		if (!rng_chance(&s->rng, 0.8) || done > s->export_date)
			continue;
		fprintf(s->out[VISITS], "V%07ld;T%06ld;%d;",
			++s->next_id[VISITS], trajectory, visit_months[i]);
		write_date(s->out[VISITS], done);
		fputs("\r\n", s->out[VISITS]);
		s->rows[VISITS]++;
	}
}

/* A trajectory with ladder measurements at the start and every half
 * year; some persons are measured once only. */
static void trajectory(demo_social *s, const demo_case_facts *c,
		       const char *person)
{
	size_t programme = rng_pick(&s->rng, programme_weights,
				    COUNT(programmes));
	int32_t start = next_workday(s->cal, c->first_meeting +
				     rng_between(&s->rng, 7, 60));
	int32_t end = date_add_months(start, rng_between(&s->rng, 4, 30));
	int32_t until;
	long id;
	int rung;

	if (start > s->export_date)
		return;
	if (end > s->export_date)
		end = DEMO_NO_DATE;
	id = ++s->next_id[TRAJECTORIES];
	fprintf(s->out[TRAJECTORIES], "T%06ld;%s;%s;", id, person,
		programmes[programme]);
	write_date(s->out[TRAJECTORIES], start);
	fputc(';', s->out[TRAJECTORIES]);
	write_date(s->out[TRAJECTORIES], end);
	fputs("\r\n", s->out[TRAJECTORIES]);
	s->rows[TRAJECTORIES]++;
	if (programme == 0)
		visits(s, id, start, end);
	if (!rng_chance(&s->rng, 0.85))
		return;
	rung = (int)rng_pick(&s->rng, ladder_intake, COUNT(ladder_intake)) + 1;
	measurement(s, person, start, "Participatieladder", "", rung);
	if (rng_chance(&s->rng, 0.1))
		return;			/* measured once only */
	until = end != DEMO_NO_DATE ? end : s->export_date;
	for (int months = 6; date_add_months(start, months) <= until;
	     months += 6) {
		rung = clamp(rung - 1 + (int)rng_pick(&s->rng, change_weights,
						      4), 1, 6);
		measurement(s, person, next_workday(s->cal,
				date_add_months(start, months)),
			    "Participatieladder", "", rung);
	}
}

int demo_social_case(demo_social *s, const demo_case_facts *c)
{
	char person[32];

	members(s, c, person);
	if (c->first_meeting != DEMO_NO_DATE) {
		referrals(s, c);
		if (person[0])
			zrm(s, c, person);
		if (person[0] && rng_chance(&s->rng, 0.10))
			trajectory(s, c, person);
	}
	for (int i = 0; i < FILES; i++)
		if (ferror(s->out[i]))
			return -1;
	return 0;
}

int demo_social_close(demo_social *s)
{
	int status = 0;

	for (int i = 0; i < FILES; i++) {
		if (!s->out[i])
			continue;
		if (fclose(s->out[i]) != 0)
			status = -1;
		else
			printf("%s: %ld rows\n", exports[i].name, s->rows[i]);
	}
	free(s->seen);
	free(s);
	return status;
}
