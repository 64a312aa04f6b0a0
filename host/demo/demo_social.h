/*
 * demo_social.h - the demo's exports beside the cases: case members,
 * persons, measurements (participation ladder, ZRM), referrals to
 * customised care, trajectories and the follow-up visits of
 * neighbourhood jobs.  peil_demo.c hands every case it writes to
 * demo_social_case; the rest follows from the case, with a random stream
 * of its own, so the case exports are the same with or without it.
 */
#ifndef PEIL_DEMO_SOCIAL_H
#define PEIL_DEMO_SOCIAL_H

#include <stdint.h>

#include "base/calendar.h"

#define DEMO_NO_DATE INT32_MIN

typedef struct demo_social demo_social;

/* What demo_social needs to know of a case. */
typedef struct demo_case_facts {
	const char *id;		/* "D2018-000123" */
	long person;		/* the main person's number, or -1 */
	const char *neighbourhood;	/* "BU99990102" or "" */
	int32_t registered, first_meeting, closed;	/* DEMO_NO_DATE: none */
} demo_case_facts;

/* Open the exports in dir.  cal is borrowed; nothing happens after
 * export_date.  NULL with a message on stderr when a file cannot be
 * created. */
demo_social *demo_social_open(const char *dir, const calendar *cal,
			      int32_t export_date, uint64_t seed);
/* Write what follows from one case.  0, or -1 when a write failed. */
int demo_social_case(demo_social *s, const demo_case_facts *c);
/* Close the exports and print their row counts; 0, or -1 when a write
 * failed.  Frees s. */
int demo_social_close(demo_social *s);

#endif
