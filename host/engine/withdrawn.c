/*
 * withdrawn.c - KPIs published before and defined no more (withdrawn.h).
 *
 * With every script of the directory run, a script removed took its
 * KPI's figures out of the next published run without a word, exit 0
 * (tests/e2e/cases_lifecycle.sh): a reader of the outputs saw a figure
 * vanish.  Now each such KPI is a row of the run, "not evaluated" with
 * why, so that the run is incomplete (exit 6), peil show and peil runs
 * list it, and the next run finds it again, until [run] withdrawn says
 * the removal was meant.
 */
#include "engine/withdrawn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/grow.h"
#include "base/parse.h"
#include "base/log.h"
#include "engine/history.h"

/* The newest published run of kind "run", or the run it confirms. */
static int pick_published(void *arg, const peil_run_record *run)
{
	int64_t *id = arg;

	if (!history_run_published(run, NULL, NULL))
		return 0;
	*id = run->confirms ? run->confirms : run->id;
	return 1;	/* newest first */
}

/* Whether list (NULL: none) names id. */
static int list_names(const char *list, const char *id)
{
	size_t n;

	for (; list && (n = parse_list_next(&list)); list += n)
		if (n == strlen(id) && strncmp(list, id, n) == 0)
			return 1;
	return 0;
}

struct scan {
	peil_context *ctx;
	int64_t run_id;
	withdrawn_list *out;
	int oom;
};

static char *copy(const char *text)
{
	return text ? strdup(text) : NULL;
}

static int add(struct scan *s, const peil_run_kpi *k, int64_t published)
{
	peil_run_kpi *grown = grow_for(s->out->items, s->out->count,
				       sizeof(*grown));
	char message[64];

	if (!grown)
		return -1;
	s->out->items = grown;
	grown += s->out->count;
	snprintf(message, sizeof(message), WITHDRAWN_PREFIX "%" PRId64,
		 published);
	memset(grown, 0, sizeof(*grown));
	grown->kpi = copy(k->kpi);
	grown->title = copy(k->title);
	grown->unit = copy(k->unit);
	grown->script = copy(k->script);
	grown->script_sha256 = copy(k->script_sha256);
	grown->status = "not evaluated";
	grown->message = copy(message);
	s->out->count++;
	if (!grown->kpi || !grown->message)
		return -1;
	return 0;
}

static int check_kpi(void *arg, const peil_run_kpi *k)
{
	struct scan *s = arg;
	const peil_settings *set = &s->ctx->settings;
	long long published = s->run_id;

	if (kpi_set_find(s->ctx->kpis, k->kpi))
		return 0;
	/* Withdrawn before: the run that last published its figures. */
	if (k->message && strncmp(k->message, WITHDRAWN_PREFIX,
				  sizeof(WITHDRAWN_PREFIX) - 1) == 0)
		sscanf(k->message + sizeof(WITHDRAWN_PREFIX) - 1, "%lld",
		       &published);
	if (list_names(set->withdrawn, k->kpi)) {
		log_msg(PEIL_LOG_INFO, "KPI %s, published in run %lld, is "
			"withdrawn ([run] withdrawn)", k->kpi, published);
		return 0;
	}
	if (s->ctx->script_errors && k->script &&
	    access(k->script, F_OK) == 0) {
		log_msg(PEIL_LOG_WARNING, "KPI %s, published in run %lld, is "
			"not defined now, and its script %s is there: a "
			"script that did not load is a failed KPI, not a "
			"withdrawn one", k->kpi, published, k->script);
		return 0;
	}
	log_msg(PEIL_LOG_WARNING, "KPI %s, published in run %lld, is no "
		"longer defined (its script %s is gone or no longer defines "
		"it): its figures are withdrawn and the run is incomplete; "
		"[run] withdrawn = %s states that this is meant", k->kpi,
		published, k->script ? k->script : "?", k->kpi);
	if (add(s, k, published) < 0) {
		s->oom = 1;
		return -1;
	}
	return 0;
}

/* The KPI whose id is the len bytes at id, or NULL. */
static const kpi_info *defined_kpi(const peil_context *ctx,
				      const char *id, size_t len)
{
	char copy[256];

	if (len >= sizeof(copy))
		return NULL;	/* longer than any id */
	memcpy(copy, id, len);
	copy[len] = '\0';
	return kpi_set_find(ctx->kpis, copy);
}

int withdrawn_find(peil_context *ctx, withdrawn_list *out, peil_error *err)
{
	struct scan s = { ctx, 0, out, 0 };
	const char *list = ctx->settings.withdrawn;
	size_t len;

	memset(out, 0, sizeof(*out));
	/* A stated KPI that is defined: evaluated, but said. */
	for (; list && (len = parse_list_next(&list)); list += len)
		if (defined_kpi(ctx, list, len))
			log_msg(PEIL_LOG_WARNING, "[run] withdrawn names KPI "
				"%.*s, which a script defines: it is "
				"evaluated", (int)len, list);
	if (store_runs_scan(ctx->store, 0, pick_published, &s.run_id, err) < 0)
		return -1;
	if (!s.run_id)
		return 0;
	if (store_run_kpis_scan(ctx->store, s.run_id, check_kpi, &s, err) < 0) {
		if (s.oom)
			error_set(err, NULL, 0, NULL, "out of memory");
		withdrawn_release(out);
		return -1;
	}
	return 0;
}

void withdrawn_release(withdrawn_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		peil_run_kpi *k = &list->items[i];

		free((char *)k->kpi);
		free((char *)k->title);
		free((char *)k->unit);
		free((char *)k->script);
		free((char *)k->script_sha256);
		free((char *)k->message);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}
