/*
 * quality.c - empty fields and late registrations per team (quality.h).
 *
 * One scan of the cases dataset fills counters per team; the counters then
 * become figures.  Teams are few (tens), so a linear lookup will do.
 */
#include "engine/quality.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define QUALITY_MAX_FIELDS 32

/* What the scan projects: team, registered, closed, entered, then the
 * fields checked over registered cases, then those over closed ones. */
enum { COL_TEAM, COL_REGISTERED, COL_CLOSED, COL_ENTERED, COL_FIRST };

struct team_counts {
	char *team;
	long registered, closed, entered, late;
	long missing[QUALITY_MAX_FIELDS];
	long missing_closed[QUALITY_MAX_FIELDS];
};

struct quality_scan {
	int32_t from, to;
	long late_days;
	size_t field_count, closure_count;
	int have_closed, have_entered;
	size_t team_count;
	struct team_counts *teams;	/* [team_count + 1]; the last is the
					   total while counting */
	int oom;
};

void quality_settings_init(const peil_settings *s, quality_settings *out)
{
	out->late_after_days = (long)s->late_after_days;
	out->fields = &s->quality_fields;
	out->closure_fields = &s->quality_closure_fields;
}

struct field_list {
	const peil_schema *schema;
	size_t *projection;
	size_t count, max;
};

static int add_field(void *arg, const char *name)
{
	struct field_list *l = arg;
	long index = schema_field_index(l->schema, name);

	/* A field the dataset does not have is left out: the defaults name
	 * the shipped dataset's fields, a municipality's may lack some. */
	if (index < 0 || l->count == l->max)
		return 0;
	l->projection[l->count++] = (size_t)index;
	return 0;
}

static struct team_counts *team_find(struct quality_scan *q,
				     const peil_value *v)
{
	struct team_counts *grown;
	size_t i;

	for (i = 0; i < q->team_count; i++)
		if (strlen(q->teams[i].team) == v->len &&
		    memcmp(q->teams[i].team, v->as.text, v->len) == 0)
			return &q->teams[i];
	/* Keep the total at the end: move it up one. */
	grown = realloc(q->teams, (q->team_count + 2) * sizeof(*grown));
	if (!grown)
		return NULL;
	q->teams = grown;
	grown[q->team_count + 1] = grown[q->team_count];
	memset(&grown[q->team_count], 0, sizeof(*grown));
	grown[q->team_count].team = malloc(v->len + 1);
	if (!grown[q->team_count].team)
		return NULL;
	memcpy(grown[q->team_count].team, v->as.text, v->len);
	grown[q->team_count].team[v->len] = '\0';
	return &grown[q->team_count++];
}

static int in_range(const struct quality_scan *q, const peil_value *v)
{
	return v->type == PEIL_TYPE_DATE && v->as.date >= q->from &&
	       v->as.date <= q->to;
}

static void count_row(struct quality_scan *q, struct team_counts *c,
		      const peil_value *values)
{
	size_t i;

	if (in_range(q, &values[COL_REGISTERED])) {
		c->registered++;
		for (i = 0; i < q->field_count; i++)
			c->missing[i] += values[COL_FIRST + i].type ==
					 PEIL_TYPE_NULL;
		if (q->have_entered &&
		    values[COL_ENTERED].type == PEIL_TYPE_DATE) {
			c->entered++;
			c->late += values[COL_ENTERED].as.date -
					   values[COL_REGISTERED].as.date >
				   q->late_days;
		}
	}
	if (q->have_closed && in_range(q, &values[COL_CLOSED])) {
		c->closed++;
		for (i = 0; i < q->closure_count; i++)
			c->missing_closed[i] +=
				values[COL_FIRST + q->field_count + i].type ==
				PEIL_TYPE_NULL;
	}
}

static int quality_row(void *arg, const peil_value *values)
{
	struct quality_scan *q = arg;
	struct team_counts *team;

	if (values[COL_TEAM].type != PEIL_TYPE_TEXT)
		return 0;
	team = team_find(q, &values[COL_TEAM]);
	if (!team) {
		q->oom = 1;
		return -1;
	}
	count_row(q, team, values);
	count_row(q, &q->teams[q->team_count], values);
	return 0;
}

static int add_share(result_table *out, const char *kpi, const char *period_id,
		     const char *breakdown, long hits, long base)
{
	return result_table_add_figure(out, kpi, period_id, breakdown,
				       base ? 100.0 * (double)hits /
						      (double)base
					    : NAN,
				       (double)hits, (double)base, NULL);
}

static int team_figures(const struct quality_scan *q,
			const struct team_counts *c, const char *breakdown,
			const peil_schema *schema, const size_t *projection,
			const char *period_id, result_table *out)
{
	char kpi[160];
	size_t i;
	int rc = 0;

	for (i = 0; i < q->field_count; i++) {
		snprintf(kpi, sizeof(kpi), "missing.%s",
			 schema->fields[projection[COL_FIRST + i]].name);
		rc |= add_share(out, kpi, period_id, breakdown, c->missing[i],
				c->registered);
	}
	for (i = 0; q->have_closed && i < q->closure_count; i++) {
		snprintf(kpi, sizeof(kpi), "missing_closed.%s",
			 schema->fields[projection[COL_FIRST + q->field_count +
						   i]].name);
		rc |= add_share(out, kpi, period_id, breakdown,
				c->missing_closed[i], c->closed);
	}
	if (q->have_entered)
		rc |= add_share(out, "late", period_id, breakdown, c->late,
				c->entered);
	return rc;
}

/* The breakdown of team as the KPIs write one, {"team":"..."} with the
 * JSON escapes, into a malloc'd string (NULL when out of memory): a name
 * with a quote, backslash or line break is the same team as in the KPI
 * tables, and two such names stay two teams. */
static char *team_breakdown(const char *team)
{
	char *out = malloc(strlen(team) * 6 + 16), *p = out;

	if (!out)
		return NULL;
	p += sprintf(p, "{\"team\":\"");
	for (; *team; team++) {
		unsigned char c = (unsigned char)*team;

		if (c == '"' || c == '\\')
			p += sprintf(p, "\\%c", c);
		else if (c < 0x20)
			p += sprintf(p, "\\u%04x", c);
		else
			*p++ = (char)c;
	}
	strcpy(p, "\"}");
	return out;
}

/* The figures of every team and the total into out. */
static int quality_figures(const struct quality_scan *q,
			   const peil_schema *schema, const size_t *projection,
			   const char *period_id, result_table *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; i <= q->team_count; i++) {
		char *breakdown = i == q->team_count
					  ? strdup("{}")
					  : team_breakdown(q->teams[i].team);

		if (!breakdown)
			return -1;
		rc |= team_figures(q, &q->teams[i], breakdown, schema,
				   projection, period_id, out);
		free(breakdown);
	}
	return rc;
}

int quality_compute(const peil_context *ctx, const quality_settings *s,
		    int32_t from, int32_t to, const char *period_id,
		    result_table *out, peil_error *err)
{
	const peil_schema *schema = schema_set_find(&ctx->schemas, "cases");
	size_t projection[COL_FIRST + 2 * QUALITY_MAX_FIELDS];
	struct field_list list;
	struct quality_scan q;
	long team, registered, closed, entered;
	size_t i;
	int rc;

	if (!schema)
		return 1;
	team = schema_field_index(schema, "team");
	registered = schema_field_index(schema, "registered");
	closed = schema_field_index(schema, "closed");
	entered = schema_field_index(schema, "entered");
	if (team < 0 || registered < 0)
		return 1;
	memset(&q, 0, sizeof(q));
	q.from = from;
	q.to = to;
	q.late_days = s->late_after_days;
	q.have_closed = closed >= 0;
	q.have_entered = entered >= 0;
	projection[COL_TEAM] = (size_t)team;
	projection[COL_REGISTERED] = (size_t)registered;
	projection[COL_CLOSED] = (size_t)(closed >= 0 ? closed : registered);
	projection[COL_ENTERED] = (size_t)(entered >= 0 ? entered : registered);
	list.schema = schema;
	list.projection = projection + COL_FIRST;
	list.count = 0;
	list.max = QUALITY_MAX_FIELDS;
	for (i = 0; i < s->fields->count; i++)
		add_field(&list, s->fields->items[i]);
	q.field_count = list.count;
	list.projection = projection + COL_FIRST + q.field_count;
	list.count = 0;
	for (i = 0; i < s->closure_fields->count; i++)
		add_field(&list, s->closure_fields->items[i]);
	q.closure_count = list.count;
	q.teams = calloc(1, sizeof(*q.teams));	/* the total */
	if (!q.teams)
		return error_set(err, NULL, 0, NULL, "out of memory");
	rc = store_scan(ctx->store, schema, NULL, projection,
			COL_FIRST + q.field_count + q.closure_count,
			quality_row, &q, err);
	if (rc == 0 && q.oom)
		rc = error_set(err, NULL, 0, NULL, "out of memory");
	if (rc == 0 && quality_figures(&q, schema, projection, period_id,
				       out) != 0)
		rc = error_set(err, NULL, 0, NULL, "out of memory");
	for (i = 0; i < q.team_count; i++)
		free(q.teams[i].team);
	free(q.teams);
	return rc < 0 ? -1 : 0;
}
