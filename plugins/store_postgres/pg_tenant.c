/*
 * pg_tenant.c - a store shared by several municipalities (tenants): the
 * tenant column of every table, the row-level security that keeps each
 * tenant to its own rows, the roles' mapping to tenants, and the view of
 * the published public figures for dashboards.
 *
 * [storage] tenant = NAME makes the store shared.  Every table of it
 * (the datasets' ds_* and the peil_* tables, not peil_meta) then has the
 * column "peil.tenant", the first column of its primary key, which is
 * filled by default with the tenant of the connecting role; with ENABLE
 * and FORCE ROW LEVEL SECURITY, the policy peil_tenant lets a role read,
 * change, delete and add only the rows of its own tenant.  The tenant is
 * bound to the role, not to anything a session can set: the table
 * peil_tenant (role, tenant), which only the store's owner changes, maps
 * each municipality's role to its tenant; peil_current_tenant() reads it
 * for current_user.  A role mapped to no tenant (tenant NULL) is a
 * dashboard: it may read, through the view peil_public_figures only, the
 * public figures (pg_public.c) of published runs of every tenant: what a
 * public output of each run shows, never the raw figures of peil_result.
 *
 * The store's owner (the role that created the schema) creates the store
 * and the datasets' tables; it is no tenant and stores no rows (owner
 * mode).  The municipalities' roles are not owners: an owner could turn
 * the policies off.  Superusers and BYPASSRLS roles see every row and are
 * refused as tenants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

void pg_tenant_key(struct store *st, struct pg_sql *sql)
{
	if (st->tenant)
		pg_sql_append(sql, PG_TENANT_COLUMN ", ");
}

void pg_tenant_column(struct store *st, struct pg_sql *sql)
{
	if (!st->tenant)
		return;
	pg_sql_append(sql, ", " PG_TENANT_COLUMN " text COLLATE \"C\" NOT NULL"
			   " DEFAULT ");
	pg_sql_ident(sql, NULL, st->schema);
	pg_sql_append(sql, ".peil_current_tenant()");
}

void pg_tenant_id(struct store *st, struct pg_sql *sql, const char *prefix,
		  const char *table, const char *column)
{
	char ident[PG_IDENT_MAX + 1];

	if (!st->tenant) {
		pg_sql_append(sql, " bigint GENERATED ALWAYS AS IDENTITY");
		return;
	}
	pg_ident_of(ident, prefix, table);
	pg_sql_append(sql, " bigint NOT NULL DEFAULT ");
	pg_sql_ident(sql, NULL, st->schema);
	pg_sql_printf(sql, ".peil_next('%s', '%s')", ident, column);
}

void pg_tenant_expand(struct store *st, struct pg_sql *sql, const char *tmpl)
{
	const char *at;

	while ((at = strchr(tmpl, '@')) != NULL) {
		pg_sql_appendn(sql, tmpl, (size_t)(at - tmpl));
		if (at[1] == 'T')
			pg_tenant_column(st, sql);
		else if (at[1] == 'K')
			pg_tenant_key(st, sql);
		else if (at[1] == 'S')	/* the schema, quoted */
			pg_sql_ident(sql, NULL, st->schema);
		else if (at[1] == 'N')	/* its bare name */
			pg_sql_append(sql, st->schema);
		else if (at[1] == 'I') {	/* "@I<table>@": its id */
			const char *end = strchr(at + 2, '@');
			char table[64];

			snprintf(table, sizeof(table), "%.*s",
				 (int)(end - at - 2), at + 2);
			pg_tenant_id(st, sql, NULL, table, "id");
			tmpl = end + 1;
			continue;
		} else
			pg_sql_appendn(sql, at, 2);
		tmpl = at + 2;
	}
	pg_sql_append(sql, tmpl);
}

/* CREATE TRIGGER peil_count ON <schema>.<table>, after each INSERT
 * statement: the tenant's counter of table raised to the highest id the
 * statement added in column. */
static void tenant_counted(struct store *st, struct pg_sql *sql,
			   const char *table, const char *column)
{
	char tmpl[320];

	snprintf(tmpl, sizeof(tmpl),
		 "CREATE TRIGGER peil_count AFTER INSERT ON @S.\"%s\""
		 " REFERENCING NEW TABLE AS added FOR EACH STATEMENT"
		 " EXECUTE FUNCTION @S.peil_count('%s');", table, column);
	pg_tenant_expand(st, sql, tmpl);
}

void pg_tenant_row_counted(struct store *st, struct pg_sql *sql,
			   const char *name)
{
	char table[PG_IDENT_MAX + 1];

	pg_ident_of(table, "ds_", name);
	tenant_counted(st, sql, table, "peil.row");
}

/* The tenants' counters: peil_counter holds each tenant's last id of a
 * table (raised by the trigger peil_count after each INSERT statement),
 * and peil_next(table, column), a column's default, gives the next: one
 * more than the highest of the counter and the tenant's ids in the
 * table (so a store of schema version 4, whose ids came from one
 * identity of every tenant, keeps them), then one more each call in the
 * same transaction (kept in a setting of the transaction, so that a
 * statement that adds a million rows does not update one counter row a
 * million times).  A removed row's id never comes back.  Invoker's
 * rights: the tenant's own counter, through its policy.  Two
 * transactions of one tenant adding to one table at once would take the
 * same ids, which the primary key refuses: the writers' batches take
 * turns.  "@S", "@N", "@T", "@K" as pg_tenant_expand says. */
static const char counters_sql[] =
	"CREATE TABLE IF NOT EXISTS peil_counter (name text COLLATE \"C\""
	" NOT NULL, last bigint NOT NULL@T, PRIMARY KEY (@Kname));";
static const char counter_functions_sql[] =
	"CREATE OR REPLACE FUNCTION @S.peil_next(tbl text, col text)"
	" RETURNS bigint LANGUAGE plpgsql VOLATILE SET search_path ="
	" pg_catalog, pg_temp AS $$DECLARE n bigint;"
	" last text := current_setting('peil.@N_' || tbl, true);"
	" BEGIN IF coalesce(last, '') = '' THEN"
	" SELECT c.last INTO n FROM @S.peil_counter c WHERE c.name = tbl;"
	" EXECUTE format('SELECT greatest($1, max(%I)) FROM @S.%I', col, tbl)"
	" INTO n USING coalesce(n, 0);"
	" ELSE n := last::bigint; END IF; n := n + 1;"
	" PERFORM set_config('peil.@N_' || tbl, n::text, true);"
	" RETURN n; END$$;"
	"CREATE OR REPLACE FUNCTION @S.peil_count() RETURNS trigger"
	" LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$BEGIN"
	" EXECUTE format('INSERT INTO @S.peil_counter AS c (name, last)"
	" SELECT %L, max(%I) FROM added HAVING count(*) > 0 ON CONFLICT"
	" (\"peil.tenant\", name) DO UPDATE SET last ="
	" greatest(c.last, excluded.last)', TG_TABLE_NAME, TG_ARGV[0]);"
	" RETURN NULL; END$$;";

static void tenant_counters(struct store *st, struct pg_sql *sql)
{
	pg_tenant_expand(st, sql, counters_sql);
	pg_tenant_protect(st, sql, NULL, "peil_counter");
	pg_tenant_expand(st, sql, counter_functions_sql);
}

/* A shared store of schema version 4 brought to the counters: the roles
 * that write peil_run may count, and every id that came from an identity
 * is counted instead. */
static const char counters_migrate_sql[] =
	"DO $$DECLARE r record; BEGIN"
	" FOR r IN SELECT DISTINCT grantee FROM"
	" information_schema.role_table_grants WHERE table_schema = '@N'"
	" AND table_name = 'peil_run' AND privilege_type = 'INSERT'"
	" AND grantee <> current_user LOOP"
	" EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON"
	" @S.peil_counter TO %I', r.grantee); END LOOP;"
	" FOR r IN SELECT c.relname, a.attname FROM pg_class c"
	" JOIN pg_attribute a ON a.attrelid = c.oid"
	" WHERE c.relnamespace = '@N'::regnamespace AND a.attidentity <> ''"
	" LOOP EXECUTE format('ALTER TABLE @S.%I ALTER COLUMN %I DROP"
	" IDENTITY, ALTER COLUMN %I SET DEFAULT @S.peil_next(%L, %L);"
	" CREATE TRIGGER peil_count AFTER INSERT ON @S.%I REFERENCING NEW"
	" TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION"
	" @S.peil_count(%L)', r.relname, r.attname, r.attname, r.relname,"
	" r.attname, r.relname, r.attname); END LOOP; END$$;";

void pg_tenant_counters_migrate(struct store *st, struct pg_sql *sql)
{
	if (!st->tenant)
		return;
	tenant_counters(st, sql);
	pg_tenant_expand(st, sql, counters_migrate_sql);
}

/* The policy that keeps a tenant to its rows, both what it reads and
 * what it writes; the function runs once per statement. */
#define TENANT_POLICY                                                        \
	" USING (" PG_TENANT_COLUMN " = (SELECT peil_current_tenant()))"     \
	" WITH CHECK (" PG_TENANT_COLUMN " = (SELECT peil_current_tenant()));"

void pg_tenant_protect(struct store *st, struct pg_sql *sql,
		       const char *prefix, const char *name)
{
	if (!st->tenant)
		return;
	pg_sql_append(sql, "ALTER TABLE ");
	pg_sql_ident(sql, prefix, name);
	pg_sql_append(sql, " ENABLE ROW LEVEL SECURITY,"
			   " FORCE ROW LEVEL SECURITY; CREATE POLICY peil_tenant"
			   " ON ");
	pg_sql_ident(sql, prefix, name);
	pg_sql_append(sql, TENANT_POLICY);
}

/* CREATE FUNCTION <schema>.<head> reading the role's row of peil_tenant:
 * SELECT <what> ... WHERE role = current_user<and>.  Invoker's rights, so
 * that the role reads its own row only; every name qualified and the
 * search_path pinned, so that no object of the role's own stands in. */
static void tenant_function(struct store *st, struct pg_sql *sql,
			    const char *head, const char *what,
			    const char *and)
{
	pg_sql_append(sql, "CREATE FUNCTION ");
	pg_sql_ident(sql, NULL, st->schema);
	pg_sql_printf(sql, ".%s LANGUAGE sql STABLE SET search_path ="
			   " pg_catalog, pg_temp AS $$SELECT %s FROM ", head,
		      what);
	pg_sql_ident(sql, NULL, st->schema);
	pg_sql_printf(sql, ".peil_tenant WHERE role = current_user%s$$;",
		      and);
}

/* The whole shared store: the mapping and its functions (first: the
 * tables' default calls one), pg_schema_sql with the tenant and the
 * policies of the peil_* tables. */
void pg_tenant_schema(struct store *st, struct pg_sql *sql)
{
	static const char *const tables[] = { "peil_ingest", "peil_run",
					      "peil_run_kpi", "peil_result",
					      "peil_change", "peil_report" };
	size_t i;

	pg_sql_append(sql,
		      "CREATE TABLE peil_tenant (role name PRIMARY KEY,"
		      " tenant text COLLATE \"C\");"
		      /* Not FORCE: the owner keeps it; a role sees its
		       * own row, to know its tenant. */
		      "ALTER TABLE peil_tenant ENABLE ROW LEVEL SECURITY;"
		      "CREATE POLICY peil_own_role ON peil_tenant FOR SELECT"
		      " USING (role = current_user);");
	tenant_function(st, sql, "peil_current_tenant() RETURNS text",
			"tenant", "");
	tenant_function(st, sql, "peil_is_dashboard() RETURNS boolean",
			"count(*) > 0", " AND tenant IS NULL");
	tenant_counters(st, sql);
	pg_tenant_expand(st, sql, pg_schema_sql);
	tenant_counted(st, sql, "peil_run", "id");
	tenant_counted(st, sql, "peil_report", "id");
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		pg_tenant_protect(st, sql, NULL, tables[i]);
}

/* The tenant of the connecting role, whether it owns the schema, and
 * whether it bypasses row-level security. */
static int role_tenant(struct store *st, PGresult **res, peil_error *err)
{
	struct pg_sql sql;
	int rc;

	pg_sql_init(&sql);
	pg_sql_append(&sql, "SELECT current_user, ");
	pg_sql_ident(&sql, NULL, st->schema);
	pg_sql_append(&sql, ".peil_current_tenant(), pg_has_role(n.nspowner,"
			    " 'MEMBER'), r.rolsuper OR r.rolbypassrls"
			    " FROM pg_namespace n, pg_roles r WHERE n.nspname"
			    " = $1 AND r.rolname = current_user");
	rc = sql.ok ? pg_query(st, sql.text, 1,
			       (const char *const *)&st->schema, res, err,
			       "tenant", "cannot read the role's tenant")
		    : st->svc->fail(err, st->where, 0, NULL, "out of memory");
	pg_sql_release(&sql);
	return rc;
}

int pg_tenant_open(struct store *st, peil_error *err)
{
	const char *params[1] = { st->schema };
	const char *role, *mapped;
	PGresult *res;
	int64_t shared;
	int owner, bypass, rc = 0;

	if (pg_query_int(st, "SELECT (to_regclass(quote_ident($1) ||"
			     " '.peil_tenant') IS NOT NULL)::int",
			 1, params, &shared, err,
			 "cannot read the store's layout") < 0)
		return -1;
	if (!shared && !st->tenant)
		return 0;
	if (!shared)
		return st->svc->fail(err, st->where, 0, "tenant",
				     "[storage] tenant is set, but schema %s "
				     "holds the store of one municipality (no "
				     "peil_tenant): a shared store is made in "
				     "a schema of its own", st->schema);
	if (!st->tenant)
		return st->svc->fail(err, st->where, 0, "tenant",
				     "schema %s holds a store shared by "
				     "municipalities: set [storage] tenant to "
				     "this one's", st->schema);
	if (role_tenant(st, &res, err) < 0)
		return -1;
	role = PQgetvalue(res, 0, 0);
	mapped = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
	owner = PQgetvalue(res, 0, 2)[0] == 't';
	bypass = PQgetvalue(res, 0, 3)[0] == 't';
	if (mapped == NULL && owner)
		st->owner_only = 1;
	else if (mapped == NULL)
		rc = st->svc->fail(err, st->where, 0, "tenant",
				   "role %s is no tenant of the shared store "
				   "in schema %s: its owner maps it (INSERT "
				   "INTO %s.peil_tenant VALUES ('%s', '%s'))",
				   role, st->schema, st->schema, role,
				   st->tenant);
	else if (strcmp(mapped, st->tenant) != 0)
		rc = st->svc->fail(err, st->where, 0, "tenant",
				   "role %s is the tenant %s of this store, "
				   "not %s ([storage] tenant)", role, mapped,
				   st->tenant);
	else if (bypass)
		rc = st->svc->fail(err, st->where, 0, "tenant",
				   "role %s bypasses row-level security "
				   "(superuser or BYPASSRLS) and would see "
				   "every tenant's rows: connect as a role "
				   "of tenant %s's own", role, st->tenant);
	PQclear(res);
	return rc;
}

int pg_tenant_writes(struct store *st, peil_error *err)
{
	if (!st->owner_only)
		return 0;
	return st->svc->fail(err, st->where, 0, "tenant",
			     "this role owns the shared store and is no "
			     "tenant: it creates the store and the datasets' "
			     "tables (peil check), and stores no rows; run "
			     "Peil as a municipality's role");
}
