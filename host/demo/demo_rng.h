/*
 * demo_rng.h - a seeded PRNG for the demo generator, so that its output
 * depends only on its options: no clock, no /dev/urandom.
 */
#ifndef PEIL_DEMO_RNG_H
#define PEIL_DEMO_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct rng {
	uint64_t s[4];
} rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
double rng_uniform(rng *r);			/* [0, 1) */
int rng_chance(rng *r, double p);		/* 1 with probability p */
int rng_between(rng *r, int lo, int hi);	/* uniform in [lo, hi] */
double rng_normal(rng *r);			/* standard normal */
/* An index in [0, count) drawn with the given weights. */
size_t rng_pick(rng *r, const double *weights, size_t count);

#endif
