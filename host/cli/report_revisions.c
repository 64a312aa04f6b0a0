/*
 * report_revisions.c - the revisions a report shows, and the record of
 * each report written (peil report -o; docs/output.md, "Revisions").
 *
 * A report of period P of run R compares its figures with those of the
 * previous report of P (the latest recorded of a run before R, with the
 * same period and --kpi: the figures of its run), else with the previous
 * published run covering P (before R).  Both go through the small-cell rules
 * of today before they are compared (model/revision.h).
 */
/* realpath is XSI in glibc's headers, beyond _POSIX_C_SOURCE. */
#define _XOPEN_SOURCE 700

#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/calendar.h"
#include "base/error.h"
#include "engine/history.h"
#include "base/log.h"

struct basis {
	const char *from, *to, *kpi;
	int64_t run_id;		/* the report's run */
	int64_t found_run, found_report;
};

static int same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int previous_report(void *arg, const peil_report_record *r)
{
	struct basis *b = arg;

	/* Of an earlier run: the html, csv and json of one run all show
	 * what changed since the edition before theirs. */
	if (r->run_id >= b->run_id || strcmp(r->period_from, b->from) != 0 ||
	    strcmp(r->period_to, b->to) != 0 || !same_text(r->kpi, b->kpi))
		return 0;
	b->found_report = r->id;
	b->found_run = r->run_id;
	return 1;	/* newest first */
}

static int previous_run(void *arg, const peil_run_record *run)
{
	struct basis *b = arg;

	if (run->id >= b->run_id || !history_run_published(run, b->from, b->to))
		return 0;
	b->found_run = run->id;
	return 1;
}

/* A KPI's script hash in one run. */
struct kpi_hash {
	char kpi[128], sha256[65];
};

struct run_hashes {
	struct kpi_hash *items;
	size_t count;
	char inputs[65];
};

static int add_hash(void *arg, const peil_run_kpi *k)
{
	struct run_hashes *h = arg;
	struct kpi_hash *grown = realloc(h->items,
					 (h->count + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	h->items = grown;
	snprintf(grown[h->count].kpi, sizeof(grown->kpi), "%s", k->kpi);
	snprintf(grown[h->count].sha256, sizeof(grown->sha256), "%s",
		 k->script_sha256 ? k->script_sha256 : "");
	h->count++;
	return 0;
}

static int inputs_of(void *arg, const peil_run_record *run)
{
	struct run_hashes *h = arg;

	snprintf(h->inputs, sizeof(h->inputs), "%s",
		 run->inputs_sha256 ? run->inputs_sha256 : "");
	return 0;
}

static void read_hashes(peil_context *ctx, int64_t run_id,
			struct run_hashes *h)
{
	peil_error err;

	memset(h, 0, sizeof(*h));
	error_clear(&err);
	/* Without them a cause is unknown, which the outputs say. */
	store_run_kpis_scan(ctx->store, run_id, add_hash, h, &err);
	store_runs_scan(ctx->store, run_id, inputs_of, h, &err);
}

static const char *hash_of(const struct run_hashes *h, const char *kpi)
{
	size_t i;

	for (i = 0; i < h->count; i++)
		if (strcmp(h->items[i].kpi, kpi) == 0)
			return h->items[i].sha256;
	return NULL;
}

struct cli_causes {
	struct run_hashes old_run, new_run;
};

cli_causes *cli_causes_read(peil_context *ctx, int64_t old_run,
			    int64_t new_run)
{
	cli_causes *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	read_hashes(ctx, old_run, &c->old_run);
	read_hashes(ctx, new_run, &c->new_run);
	return c;
}

void cli_causes_free(cli_causes *c)
{
	if (!c)
		return;
	free(c->old_run.items);
	free(c->new_run.items);
	free(c);
}

enum revision_cause cli_cause_of(void *arg, const char *kpi)
{
	const cli_causes *c = arg;
	const char *a = hash_of(&c->old_run, kpi), *b = hash_of(&c->new_run,
								 kpi);

	if (a && b && a[0] && b[0] && strcmp(a, b) != 0)
		return REVISION_CAUSE_DEFINITION;
	if (a && b && c->old_run.inputs[0] && c->new_run.inputs[0] &&
	    strcmp(c->old_run.inputs, c->new_run.inputs) != 0)
		return REVISION_CAUSE_INPUT;
	return REVISION_CAUSE_UNKNOWN;
}

/* Revisions cannot be shown: why, into r and on stderr. */
static void unknown(revisions *r, const char *fmt, ...)
{
	va_list ap;

	r->known = 0;
	va_start(ap, fmt);
	vsnprintf(r->why_unknown, sizeof(r->why_unknown), fmt, ap);
	va_end(ap);
	log_msg(PEIL_LOG_WARNING, "revisions cannot be shown: %s",
		r->why_unknown);
}

void cli_revisions(peil_context *ctx, int64_t run_id, int32_t from,
		   int32_t to, const char *kpi, int public_only,
		   result_table *figures, revisions *r)
{
	char a[11], b[11];
	struct basis basis = { a, b, kpi, run_id, 0, 0 };
	cli_causes *causes;
	result_table old;
	peil_error err;

	memset(r, 0, sizeof(*r));
	r->known = 1;
	date_format_iso(from, a);
	date_format_iso(to, b);
	error_clear(&err);
	if (store_require(ctx->store, STORE_V8_REPORTS, NULL, &err) < 0) {
		unknown(r, "%s", err.message);
		return;
	}
	if (store_reports_scan(ctx->store, previous_report, &basis, &err) <
		    0 ||
	    (!basis.found_run &&
	     store_runs_scan(ctx->store, 0, previous_run, &basis, &err) < 0)) {
		unknown(r, "%s", err.message);
		return;
	}
	r->basis_run = basis.found_run;
	r->basis_report = basis.found_report;
	if (!r->basis_run)
		return;	/* the first report of the period */
	memset(&old, 0, sizeof(old));
	if (cli_read_figures(ctx, r->basis_run, kpi, 1, from, to, &old) != 0 ||
	    old.count == 0 ||
	    (public_only ? cli_disclose_public(ctx, &old)
			 : cli_disclose(ctx, &old)) != 0) {
		unknown(r, "the figures of run %lld, which the previous "
			"report showed, are no longer stored (peil prune)",
			(long long)r->basis_run);
		result_table_release(&old);
		return;
	}
	causes = cli_causes_read(ctx, r->basis_run, run_id);
	if (!causes ||
	    revision_compare(&old, figures, cli_cause_of, causes, r) < 0)
		unknown(r, "out of memory");
	cli_causes_free(causes);
	result_table_release(&old);
}

void cli_record_report(peil_context *ctx, const cli_options *o,
		       int64_t run_id, const char *period_id, int32_t from,
		       int32_t to, const char *format)
{
	char a[11], b[11];
	char *path = realpath(o->output, NULL);
	peil_report_record rec;
	peil_error err;
	int64_t id;

	date_format_iso(from, a);
	date_format_iso(to, b);
	memset(&rec, 0, sizeof(rec));
	rec.run_id = run_id;
	rec.period = period_id;
	rec.period_from = a;
	rec.period_to = b;
	rec.kpi = o->kpi;
	rec.format = format;
	rec.lang = o->lang ? o->lang : "nl";
	rec.path = path ? path : o->output;
	rec.written = (int64_t)time(NULL);
	error_clear(&err);
	if (store_report_put(ctx->store, &rec, &id, &err) < 0)
		log_msg(PEIL_LOG_WARNING, "%s was written but not recorded, so "
			"a later report of the period cannot compare with it: "
			"%s", o->output, err.message);
	free(path);
}
