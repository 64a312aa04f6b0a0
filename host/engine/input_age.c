/*
 * input_age.c - stale datasets from the ingest log (input_age.h).
 */
#include "engine/input_age.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "model/finality.h"

struct newest {
	const peil_settings *s;
	int64_t *at;		/* per dataset; 0: no input */
};

static int note_entry(void *arg, const peil_ingest_entry *e)
{
	struct newest *n = arg;

	for (size_t i = 0; e->dataset && i < n->s->dataset_count; i++)
		if (strcmp(e->dataset, n->s->datasets[i].section->name) == 0 &&
		    e->at > n->at[i])
			n->at[i] = e->at;
	return 0;
}

/* The time (unix seconds) of the newest input of each dataset of ctx's
 * settings, 0 for none, in one scan of the ingest log: an array to free,
 * or NULL with err. */
static int64_t *newest_inputs(peil_context *ctx, peil_error *err)
{
	const peil_settings *s = &ctx->settings;
	struct newest n = { s, calloc(s->dataset_count + 1, sizeof(*n.at)) };

	if (!n.at) {
		error_set(err, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	if (store_ingest_scan(ctx->store, note_entry, &n, err) != 0) {
		free(n.at);
		return NULL;
	}
	return n.at;
}

int input_age_check(peil_context *ctx, int64_t now, input_ages *out,
		    peil_error *err)
{
	const peil_settings *s = &ctx->settings;
	int64_t *at = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; rc == 0 && i < s->dataset_count; i++) {
		const settings_dataset *ds = &s->datasets[i];
		int64_t age;

		if (!ds->max_age_at)
			continue;
		/* Read when a dataset sets a limit: few do. */
		if (!at && !(at = newest_inputs(ctx, err)))
			return -1;
		if (!at[i])
			continue;	/* its KPIs are not evaluated */
		age = now - at[i];
		if (age <= (int64_t)ds->max_age_days * 86400)
			continue;
		log_msg(PEIL_LOG_WARNING,
			"dataset %s: its newest input is %lld days old, older "
			"than max_age_days = %llu (%s:%ld)",
			ds->section->name, (long long)(age / 86400),
			(unsigned long long)ds->max_age_days,
			s->cfg->path, ds->max_age_at->line);
		if (input_ages_add(out, ds->section->name, age / 86400,
				   ds->max_age_days) < 0)
			rc = error_set(err, NULL, 0, NULL, "out of memory");
	}
	free(at);
	return rc;
}

int input_age_newest_days(peil_context *ctx, int32_t *days, peil_error *err)
{
	const peil_settings *s = &ctx->settings;
	int64_t *at = newest_inputs(ctx, err);

	if (!at)
		return -1;
	for (size_t i = 0; i < s->dataset_count; i++)
		days[i] = at[i] ? finality_date(at[i]) : INT32_MAX;
	free(at);
	return 0;
}
