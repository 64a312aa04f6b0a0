/*
 * demo_rng.c - the demo's deterministic randomness: xoshiro256** seeded
 * through splitmix64, and the few distributions the generator draws from.
 */
#include "demo_rng.h"

#include <math.h>


static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
uint64_t rng_next(rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1). */
double rng_uniform(rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

int rng_chance(rng *r, double p)
{
	return rng_uniform(r) < p;
}

/* Uniform in [lo, hi]. */
int rng_between(rng *r, int lo, int hi)
{
	return lo + (int)(rng_uniform(r) * (hi - lo + 1));
}

double rng_normal(rng *r)
{
	double u = 1.0 - rng_uniform(r);	/* (0, 1]: log is finite */

	return sqrt(-2.0 * log(u)) * cos(2.0 * 3.14159265358979323846 *
					 rng_uniform(r));
}

size_t rng_pick(rng *r, const double *weights, size_t count)
{
	double total = 0, x;

	for (size_t i = 0; i < count; i++)
		total += weights[i];
	x = rng_uniform(r) * total;
	for (size_t i = 0; i + 1 < count; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return count - 1;
}

