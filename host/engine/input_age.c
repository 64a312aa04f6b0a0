/*
 * input_age.c - stale datasets from the ingest log (input_age.h).
 */
#include "engine/input_age.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "model/finality.h"

struct newest {
	const char *dataset;
	int64_t at;		/* 0: no input */
};

static int note_entry(void *arg, const peil_ingest_entry *e)
{
	struct newest *n = arg;

	if (e->dataset && strcmp(e->dataset, n->dataset) == 0 &&
	    e->at > n->at)
		n->at = e->at;
	return 0;
}

int input_age_check(peil_context *ctx, int64_t now, input_ages *out,
		    peil_error *err)
{
	const peil_settings *s = &ctx->settings;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < s->dataset_count; i++) {
		const settings_dataset *ds = &s->datasets[i];
		struct newest n = { ds->section->name, 0 };
		int64_t age;

		if (!ds->max_age_at)
			continue;
		/* One scan per dataset with a limit: the log has a line per
		 * file read, and few datasets set one. */
		if (store_ingest_scan(ctx->store, note_entry, &n, err) != 0)
			return -1;
		if (!n.at)
			continue;	/* its KPIs are not evaluated */
		age = now - n.at;
		if (age <= (int64_t)ds->max_age_days * 86400)
			continue;
		log_msg(PEIL_LOG_WARNING,
			"dataset %s: its newest input is %lld days old, older "
			"than max_age_days = %llu (%s:%ld)", n.dataset,
			(long long)(age / 86400),
			(unsigned long long)ds->max_age_days,
			s->cfg->path, ds->max_age_at->line);
		if (input_ages_add(out, n.dataset, age / 86400,
			      ds->max_age_days) < 0)
			return error_set(err, NULL, 0, NULL, "out of memory");
	}
	return 0;
}

struct newest_all {
	const peil_settings *s;
	int64_t *at;		/* per dataset; 0: no input */
};

static int note_any(void *arg, const peil_ingest_entry *e)
{
	struct newest_all *n = arg;

	for (size_t i = 0; e->dataset && i < n->s->dataset_count; i++)
		if (strcmp(e->dataset, n->s->datasets[i].section->name) == 0 &&
		    e->at > n->at[i])
			n->at[i] = e->at;
	return 0;
}

int input_age_newest_days(peil_context *ctx, int32_t *days, peil_error *err)
{
	const peil_settings *s = &ctx->settings;
	struct newest_all n = { s, calloc(s->dataset_count + 1,
					  sizeof(*n.at)) };

	if (!n.at)
		return error_set(err, NULL, 0, NULL, "out of memory");
	if (store_ingest_scan(ctx->store, note_any, &n, err) != 0) {
		free(n.at);
		return -1;
	}
	for (size_t i = 0; i < s->dataset_count; i++)
		days[i] = n.at[i] ? finality_date(n.at[i]) : INT32_MAX;
	free(n.at);
	return 0;
}
