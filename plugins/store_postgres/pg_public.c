/*
 * pg_public.c - the public figures of runs that can be published
 * (storage ops version 16): what a public output of the run shows, after
 * the small-cell rules of [privacy public], as the host worked it out.
 * Dashboards of a shared store read them through the view
 * peil_public_figures (pg_tenant.c); they never read peil_result, whose
 * raw figures include the small cells.
 */
#include <math.h>
#include <stdio.h>

#include "pg_store.h"

/* "@T" and "@K" as in pg_schema_sql.  No size column: a size would tell
 * a hidden figure.  Missing numbers (NaN, and every number of a hidden
 * figure) are NULL. */
const char pg_public_sql[] =
	"CREATE TABLE IF NOT EXISTS peil_public_figure ("
	" run_id bigint NOT NULL,"
	" kpi text COLLATE \"C\" NOT NULL,"
	" period text COLLATE \"C\" NOT NULL,"
	" breakdown text COLLATE \"C\" NOT NULL,"
	" value double precision,"
	" numerator double precision,"
	" denominator double precision,"
	" status text@T,"
	" FOREIGN KEY (@Krun_id) REFERENCES peil_run (@Kid),"
	" PRIMARY KEY (@Krun_id, kpi, period, breakdown));";

/* Readable by a dashboard, through the view only. */
static const char *const public_tables[] = { "peil_run", "peil_run_kpi",
					     "peil_public_figure" };

void pg_public_schema(struct store *st, struct pg_sql *sql)
{
	size_t i;

	pg_tenant_expand(st, sql, pg_public_sql);
	if (!st->tenant)
		return;
	pg_tenant_protect(st, sql, NULL, "peil_public_figure");
	for (i = 0; i < sizeof(public_tables) / sizeof(public_tables[0]); i++)
		pg_sql_printf(sql, "DROP POLICY IF EXISTS peil_dashboard ON %s;"
				   "CREATE POLICY peil_dashboard ON %s FOR"
				   " SELECT USING ((SELECT peil_is_dashboard()));",
			      public_tables[i], public_tables[i]);
	/* A store of schema version 3 let dashboards read peil_result. */
	pg_sql_append(sql, "DROP POLICY IF EXISTS peil_dashboard ON"
			   " peil_result;");
	/* security_barrier: a dashboard's own functions in a WHERE on the
	 * view see no row that the view leaves out.  The columns are those
	 * of schema version 3 (earlier: never, the host hands over none),
	 * so that CREATE OR REPLACE keeps the grants. */
	pg_sql_append(sql,
		      "CREATE OR REPLACE VIEW peil_public_figures WITH"
		      " (security_barrier) AS SELECT r." PG_TENANT_COLUMN
		      " AS tenant, r.id AS run_id, r.period_from, r.period_to,"
		      " k.kpi, k.title, k.unit, f.period, f.breakdown, f.value,"
		      " f.numerator, f.denominator, f.status, false AS earlier"
		      " FROM peil_run r JOIN peil_run_kpi k ON k."
		      PG_TENANT_COLUMN " = r." PG_TENANT_COLUMN
		      " AND k.run_id = r.id JOIN peil_public_figure f ON f."
		      PG_TENANT_COLUMN " = k." PG_TENANT_COLUMN
		      " AND f.run_id = k.run_id AND f.kpi = k.kpi"
		      " WHERE r.kind = 'run' AND r.status IN ('ok',"
		      " 'incomplete');");
}

static const char *real_param(char *buf, size_t size, double v)
{
	if (isnan(v))
		return NULL;
	snprintf(buf, size, "%.17g", v);
	return buf;
}

int pg_public_figures_put(void *state, int64_t run_id,
			  const peil_result *rows, size_t n, peil_error *err)
{
	struct store *st = state;
	char id[24], value[32], numerator[32], denominator[32];
	const char *params[8];

	snprintf(id, sizeof(id), "%lld", (long long)run_id);
	params[0] = id;
	for (size_t i = 0; i < n; i++) {
		const peil_result *r = &rows[i];

		if (r->kpi == NULL || r->period == NULL)
			return st->svc->fail(err, st->where, 0, NULL,
					     "public_figures_put needs a KPI "
					     "id and period");
		params[1] = r->kpi;
		params[2] = r->period;
		params[3] = r->breakdown ? r->breakdown : "{}";
		params[4] = real_param(value, sizeof(value), r->value);
		params[5] = real_param(numerator, sizeof(numerator),
				       r->numerator);
		params[6] = real_param(denominator, sizeof(denominator),
				       r->denominator);
		params[7] = r->status;
		if (pg_query(st,
			     "INSERT INTO peil_public_figure (run_id, kpi,"
			     " period, breakdown, value, numerator,"
			     " denominator, status)"
			     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			     8, params, NULL, err, r->kpi,
			     "cannot store the public figure") < 0)
			return -1;
	}
	return 0;
}
