/*
 * storage_postgres.c - the postgres storage plugin: its configuration,
 * opening and closing a store, the internal tables and their schema
 * version, and batches.
 *
 * One schema (namespace) of one database holds a store: a table ds_<name>
 * per dataset and the peil_* tables for the ingest log, runs and results.
 * A batch is one transaction, so that a failure or a lost connection
 * before commit leaves nothing of it.
 *
 * Configuration (the plugin's section, [storage]):
 *   conninfo   a libpq connection string or URI ("host=/run/postgresql
 *              dbname=peil", "service=peil"); empty or absent: libpq's
 *              defaults and environment (PGSERVICE, PGHOST, ...).  A
 *              password is refused: it belongs in ~/.pgpass (PGPASSFILE)
 *              or the service file, never in peil.ini.
 *   schema     the schema that holds the store (peil)
 *   tenant     the municipality whose Peil this is, in a store that
 *              several share (pg_tenant.c); unset: the store is this
 *              municipality's alone
 *   read_conninfo  where the commands that only read connect (a hot
 *              standby, say); absent: conninfo (pg_session.c)
 *   read_max_lag_s  how long a reader on a standby waits for it to apply
 *              what it received before it refuses (10)
 *
 * The descriptor is in pg_plugin.c; datasets and records in pg_dataset.c,
 * scans in pg_scan.c, the ingest log, runs and results in pg_runs.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peil/plugin_fail.h"
#include "pg_store.h"

const char *const pg_config_keys[] = { "conninfo", "schema", "tenant",
					 "read_conninfo", "read_max_lag_s",
					 NULL };

/* ---------------------------------------------------------------- errors */

int pg_fail_of(struct store *st, peil_error *err, const char *kind,
	       const char *name, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = peil_fail_vof(st->svc, err, st->where, kind, name, fmt, ap);
	va_end(ap);
	return rc;
}

int pg_fail_db(struct store *st, peil_error *err, const char *dataset,
	       const char *what, const PGresult *res)
{
	const char *msg = res ? PQresultErrorField(res,
						   PG_DIAG_MESSAGE_PRIMARY)
			      : NULL;
	char text[sizeof(err->message)];
	size_t len;

	if (msg == NULL || msg[0] == '\0')
		msg = PQerrorMessage(st->conn);
	snprintf(text, sizeof(text), "%s", msg && msg[0] ? msg : "unknown error");
	/* One line, as every message: libpq's own go on with the statement
	 * ("LINE 1: ...") and its advice. */
	text[strcspn(text, "\n")] = '\0';
	len = strlen(text);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	if (st->connected && PQstatus(st->conn) == CONNECTION_BAD)
		return pg_fail_of(st, err, "dataset", dataset,
				     "%s: the connection to the server is "
				     "lost: %s", what, text);
	return pg_fail_of(st, err, "dataset", dataset, "%s: %s", what, text);
}

int pg_query(struct store *st, const char *sql, int nparams,
	     const char *const *params, PGresult **out, peil_error *err,
	     const char *dataset, const char *what)
{
	PGresult *res = PQexecParams(st->conn, sql, nparams, NULL, params,
				     NULL, NULL, 0);
	ExecStatusType status = PQresultStatus(res);

	if (out)
		*out = NULL;
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
		pg_fail_db(st, err, dataset, what, res);
		PQclear(res);
		return -1;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return 0;
}

int pg_query_int(struct store *st, const char *sql, int nparams,
		 const char *const *params, int64_t *out, peil_error *err,
		 const char *what)
{
	PGresult *res;

	*out = 0;
	if (pg_query(st, sql, nparams, params, &res, err, NULL, what) < 0)
		return -1;
	*out = pg_get_int(res, 0, 0);
	PQclear(res);
	return 0;
}

int64_t pg_get_int(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col)
		       ? 0
		       : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

int pg_exec(struct store *st, const char *sql, peil_error *err,
	    const char *what)
{
	PGresult *res = PQexec(st->conn, sql);
	ExecStatusType status = PQresultStatus(res);
	int rc = 0;

	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
		rc = pg_fail_db(st, err, NULL, what, res);
	PQclear(res);
	return rc;
}

int pg_atomic_begin(struct store *st, peil_error *err)
{
	int nested = st->in_batch || st->atomic_depth > 0;

	if (pg_exec(st, nested ? "SAVEPOINT peil_atomic" : "BEGIN", err,
		    "cannot begin a transaction") < 0)
		return -1;
	st->atomic_depth++;
	return 0;
}

int pg_atomic_end(struct store *st, int ok, peil_error *err)
{
	peil_error ignored;
	int nested;

	st->atomic_depth--;
	nested = st->in_batch || st->atomic_depth > 0;
	if (ok)
		return pg_exec(st, nested ? "RELEASE peil_atomic" : "COMMIT",
			       err, "cannot commit");
	pg_exec(st, nested ? "ROLLBACK TO peil_atomic; RELEASE peil_atomic"
			   : "ROLLBACK",
		&ignored, "cannot roll back");
	return -1;
}

/* ---------------------------------------------------------------- config */

struct config_where {
	const char *key;
	char file[512];
	long line;
};

static int config_where_fn(void *ctx, const char *key, const char *value,
			   const char *file, long line)
{
	struct config_where *where = ctx;

	(void)value;
	if (strcmp(key, where->key) != 0)
		return 0;
	snprintf(where->file, sizeof(where->file), "%s", file ? file : "");
	where->line = line;
	return 1;
}

/* Fail at the place in the config where key was written. */
int pg_config_fail(const peil_services *svc, peil_host *host,
		       const char *key, const char *message, peil_error *err)
{
	struct config_where where = { .key = key };

	svc->config_each(host, key, config_where_fn, &where);
	return svc->fail(err, where.file[0] ? where.file : NULL, where.line,
			 key, "%s", message);
}

void pg_conninfo_describe(struct pg_sql *desc, const PQconninfoOption *opts)
{
	for (; opts && opts->keyword; opts++)
		if (opts->val != NULL && opts->val[0] != '\0' &&
		    strcmp(opts->keyword, "password") != 0)
			pg_sql_printf(desc, " %s=%s", opts->keyword,
				      opts->val);
}

/* Check conninfo, the value of key, and describe it into st->where
 * without its password. */
static int conninfo_check(struct store *st, const char *key,
			  const char *conninfo, const char *schema,
			  peil_error *err)
{
	char *parse_err = NULL, message[768];
	PQconninfoOption *opts = PQconninfoParse(conninfo, &parse_err);
	PQconninfoOption *o;
	struct pg_sql desc;
	int rc = 0;

	if (opts == NULL) {
		snprintf(message, sizeof(message),
			 "%s is not a libpq connection string: %s", key,
			 parse_err ? parse_err : "out of memory");
		PQfreemem(parse_err);
		return pg_config_fail(st->svc, st->host, key, message, err);
	}
	for (o = opts; o->keyword; o++)
		if (o->val != NULL && o->val[0] != '\0' &&
		    strcmp(o->keyword, "password") == 0) {
			snprintf(message, sizeof(message),
				 "%s holds a password: never write one in "
				 "peil.ini; put it in ~/.pgpass (PGPASSFILE) "
				 "or the service file (PGSERVICEFILE)", key);
			rc = pg_config_fail(st->svc, st->host, key, message,
					    err);
			break;
		}
	pg_sql_init(&desc);
	pg_sql_append(&desc, "postgres:");
	pg_conninfo_describe(&desc, opts);
	pg_sql_printf(&desc, " schema=%s", schema);
	snprintf(st->where, sizeof(st->where), "%s",
		 desc.ok ? desc.text : "postgres");
	pg_sql_release(&desc);
	PQconninfoFree(opts);
	return rc;
}

/* Server notices go to the host's log, not to stderr. */
static void notice_log(void *arg, const char *message)
{
	struct store *st = arg;

	st->svc->log(st->host, PEIL_LOG_DEBUG, "%s", message);
}

/* ------------------------------------------------------ internal tables */

/* The internal tables, for pg_tenant_expand: "@T" is the tenant column of
 * a shared store (last, so that an INSERT without a column list fills the
 * others), "@K" the tenant as the first key column; both nothing in the
 * store of one municipality.  peil_meta is the store's, not a tenant's. */
const char pg_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS peil_meta ("
	" key text PRIMARY KEY,"
	" value text NOT NULL);"
	/* Not UNIQUE: an operator may force a file in again. */
	/* id: max(id) + 1, taken under the batch's lock (batch_begin). */
	"CREATE TABLE IF NOT EXISTS peil_ingest ("
	" id bigint NOT NULL,"
	" source text NOT NULL,"
	" dataset text NOT NULL,"
	" path text NOT NULL,"
	" sha256 text NOT NULL,"
	" \"rows\" bigint NOT NULL,"
	" rejected bigint NOT NULL,"
	" at bigint NOT NULL,"
	" settings_sha256 text,"
	" file_size bigint,"
	" file_mtime_ns bigint,"
	" file_inode bigint@T,"
	" PRIMARY KEY (@Kid));"
	"CREATE INDEX IF NOT EXISTS peil_ingest_sha256 ON peil_ingest"
	" (@Ksha256, source);"
	/* An identity (in a shared store each tenant's count) never hands
	 * out an id twice: the latest run is always the highest id. */
	"CREATE TABLE IF NOT EXISTS peil_run ("
	" id@Ipeil_run@,"
	" kind text NOT NULL,"
	" started bigint NOT NULL,"
	" ended bigint,"
	" status text NOT NULL,"
	" period_from text,"
	" period_to text,"
	" config_sha256 text,"
	" scripts_sha256 text,"
	" inputs_sha256 text,"
	" listing text,"
	" last_ingest bigint,"
	" confirms bigint,"
	" build_sha256 text@T,"
	" PRIMARY KEY (@Kid));"
	"CREATE TABLE IF NOT EXISTS peil_run_kpi ("
	" run_id bigint NOT NULL,"
	" kpi text COLLATE \"C\" NOT NULL,"
	" title text,"
	" unit text,"
	" script text,"
	" script_sha256 text,"
	" status text NOT NULL,"
	" message text,"
	" definition text@T,"
	" FOREIGN KEY (@Krun_id) REFERENCES peil_run (@Kid),"
	" PRIMARY KEY (@Krun_id, kpi));"
	/* Missing numbers (NaN) are NULL. */
	"CREATE TABLE IF NOT EXISTS peil_result ("
	" run_id bigint NOT NULL,"
	" kpi text COLLATE \"C\" NOT NULL,"
	" period text COLLATE \"C\" NOT NULL,"
	" breakdown text COLLATE \"C\" NOT NULL,"
	" value double precision,"
	" numerator double precision,"
	" denominator double precision,"
	" status text,"
	" size double precision,"
	" earlier boolean NOT NULL DEFAULT false@T,"
	" FOREIGN KEY (@Krun_id) REFERENCES peil_run (@Kid),"
	" PRIMARY KEY (@Krun_id, kpi, period, breakdown));"
	/* What each ingest changed or removed; the rows it added carry its
	 * id in "peil.added" (pg_changes.c). */
	"CREATE TABLE IF NOT EXISTS peil_change ("
	" ingest_id bigint NOT NULL,"
	" dataset text COLLATE \"C\" NOT NULL,"
	" key text COLLATE \"C\" NOT NULL,"
	" kind text NOT NULL@T,"
	" PRIMARY KEY (@Kingest_id, dataset, key));"
	/* run_id has no REFERENCES: a pruned run leaves its reports. */
	"CREATE TABLE IF NOT EXISTS peil_report ("
	" id@Ipeil_report@,"
	" run_id bigint NOT NULL,"
	" period text NOT NULL,"
	" period_from text NOT NULL,"
	" period_to text NOT NULL,"
	" kpi text,"
	" format text NOT NULL,"
	" lang text NOT NULL,"
	" path text NOT NULL,"
	" written bigint NOT NULL@T,"
	" PRIMARY KEY (@Kid));";

/* The schema version stored, 0 when the schema holds no store. */
static int schema_version(struct store *st, int *version, peil_error *err)
{
	const char *params[1] = { st->schema };
	PGresult *res;
	int64_t there;

	*version = 0;
	if (pg_query_int(st,
			 "SELECT (to_regclass(quote_ident($1) || '.peil_meta')"
			 " IS NOT NULL)::int",
			 1, params, &there, err,
			 "cannot read the schema version") < 0)
		return -1;
	if (!there)
		return 0;
	if (pg_query(st,
		     "SELECT value FROM peil_meta WHERE key = 'schema_version'",
		     0, NULL, &res, err, NULL,
		     "cannot read the schema version") < 0)
		return -1;
	if (PQntuples(res) == 1)
		*version = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Whether the role has the rights the store needs, naming the first one
 * it lacks rather than leaving the server's "permission denied": CREATE
 * on the database to create the schema; USAGE on the schema; to write
 * (create: ingest, run), CREATE on it for the tables of new datasets and
 * TEMPORARY on the database for the staging tables; SELECT on the store's
 * tables, and to write INSERT, UPDATE and DELETE.  In a shared store
 * ([storage] tenant), the owner creates the tables: a tenant needs no
 * CREATE on the schema, and only SELECT on peil_meta and peil_tenant.
 * *exists: whether the schema is there. */
static int rights_check(struct store *st, int create, int *exists,
			peil_error *err)
{
	static const char sql[] =
		"SELECT current_user, current_database(), n.oid IS NOT NULL,"
		" has_database_privilege(current_database(), 'CREATE'),"
		" n.oid IS NULL OR has_schema_privilege(n.oid, 'USAGE'),"
		" n.oid IS NULL OR has_schema_privilege(n.oid, 'CREATE'),"
		" has_database_privilege(current_database(), 'TEMPORARY'),"
		" (SELECT p || ' ' || c.relname FROM pg_class c,"
		"   unnest(CASE WHEN $2 THEN ARRAY['SELECT', 'INSERT',"
		"   'UPDATE', 'DELETE'] ELSE ARRAY['SELECT'] END) p"
		"  WHERE c.relnamespace = n.oid AND c.relkind = 'r'"
		"   AND (c.relname LIKE 'peil\\_%' OR c.relname LIKE 'ds\\_%')"
		"   AND NOT ($3 AND p <> 'SELECT' AND c.relname IN"
		"   ('peil_meta', 'peil_tenant'))"
		"   AND NOT has_table_privilege(c.oid, p)"
		"  ORDER BY c.relname, p LIMIT 1)"
		" FROM (SELECT 1) one LEFT JOIN pg_namespace n"
		" ON n.nspname = $1";
	const char *params[3] = { st->schema, create ? "t" : "f",
				  st->tenant ? "t" : "f" };
	char on[128], grant[192], *table;
	const char *role, *db, *right = NULL, *why = "";
	PGresult *res;
	int rc = 0;

	if (pg_query(st, sql, 3, params, &res, err, NULL,
		     "cannot check the role's rights") < 0)
		return -1;
	role = PQgetvalue(res, 0, 0);
	db = PQgetvalue(res, 0, 1);
	*exists = PQgetvalue(res, 0, 2)[0] == 't';
	table = PQgetvalue(res, 0, 7);	/* "RIGHT relname", or empty */
	snprintf(on, sizeof(on), "schema %s", st->schema);
	if (!*exists) {
		if (create && PQgetvalue(res, 0, 3)[0] != 't') {
			right = "CREATE";
			snprintf(on, sizeof(on), "database %s", db);
			why = ", which creating the schema needs";
		}
	} else if (PQgetvalue(res, 0, 4)[0] != 't') {
		right = "USAGE";
	} else if (create && !st->tenant && PQgetvalue(res, 0, 5)[0] != 't') {
		right = "CREATE";
		why = ", which ingest needs for the tables of new datasets";
	} else if (create && PQgetvalue(res, 0, 6)[0] != 't') {
		right = "TEMPORARY";
		snprintf(on, sizeof(on), "database %s", db);
		why = ", which ingest needs for its staging tables";
	} else if (table[0] != '\0') {
		size_t len = strcspn(table, " ");

		table[len] = '\0';
		right = table;
		snprintf(on, sizeof(on), "table %s.%s", st->schema,
			 table + len + 1);
		snprintf(grant, sizeof(grant), "%s ON ALL TABLES IN SCHEMA %s",
			 right, st->schema);
	}
	if (right && right != table)
		snprintf(grant, sizeof(grant), "%s ON %s", right, on);
	if (right)
		rc = st->svc->fail(err, st->where, 0, NULL,
				   "role %s lacks the right %s on %s%s (GRANT "
				   "%s TO %s)", role, right, on, why, grant,
				   role);
	PQclear(res);
	return rc;
}

/* *owned: whether the connecting role owns the schema. */
static int schema_owned(struct store *st, int *owned, peil_error *err)
{
	const char *params[1] = { st->schema };
	int64_t is;
	int rc;

	rc = pg_query_int(st, "SELECT pg_has_role(nspowner, 'MEMBER')::int"
			      " FROM pg_namespace WHERE nspname = $1",
			  1, params, &is, err, "cannot read the schema's owner");
	*owned = is != 0;
	return rc;
}

/* The step of the migration to schema version to: the statements that
 * build writes into sql (emptied first), run. */
static int migrate_to(struct store *st, struct pg_sql *sql,
		      void (*build)(struct store *, struct pg_sql *), int to,
		      peil_error *err)
{
	char what[64];

	pg_sql_release(sql);
	build(st, sql);
	if (!sql->ok || sql->text == NULL)
		return st->svc->fail(err, st->where, 0, NULL, "out of memory");
	snprintf(what, sizeof(what),
		 "cannot update the store to schema version %d", to);
	return pg_exec(st, sql->text, err, what);
}

/* A schema without peil_meta is new only when it holds no table, view or
 * sequence: one that does is another program's (schema = public of an
 * application's database), and Peil's tables are not added to it.  0, or
 * -1 naming one of its relations. */
static int schema_foreign(struct store *st, peil_error *err)
{
	const char *params[1] = { st->schema };
	PGresult *res;
	int rc = 0;

	if (pg_query(st,
		     "SELECT c.relname FROM pg_class c JOIN pg_namespace n"
		     " ON n.oid = c.relnamespace WHERE n.nspname = $1"
		     " AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"
		     " ORDER BY 1 LIMIT 1",
		     1, params, &res, err, NULL,
		     "cannot list the schema's tables") < 0)
		return -1;
	if (PQntuples(res) == 1)
		rc = st->svc->fail(err, st->where, 0, NULL,
				   "schema %s holds tables (such as '%.100s') "
				   "but no peil_meta: not a Peil store, and "
				   "Peil does not write into it (does [storage] "
				   "schema name another program's?)",
				   st->schema, PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

/* Create the store, or check and migrate the one there, under a lock of
 * the schema, so that two Peils opening a new store at once do not both
 * create it. */
static int schema_ensure(struct store *st, int create, peil_error *err)
{
	struct pg_sql sql;
	int version, exists, ok = 0;

	if (pg_atomic_begin(st, err) < 0)
		return -1;
	pg_sql_init(&sql);
	if (rights_check(st, create, &exists, err) < 0)
		goto out;
	pg_sql_append(&sql, "SELECT pg_advisory_xact_lock(hashtext(");
	pg_sql_printf(&sql, "'peil schema %s'));", st->schema);
	/* Not when it is there: CREATE SCHEMA IF NOT EXISTS asks for CREATE
	 * on the database all the same. */
	if (create && !exists) {
		pg_sql_append(&sql, "CREATE SCHEMA IF NOT EXISTS ");
		pg_sql_ident(&sql, NULL, st->schema);
		pg_sql_append(&sql, ";");
	}
	if (!sql.ok || pg_exec(st, sql.text, err, "cannot lock the schema") < 0 ||
	    schema_version(st, &version, err) < 0)
		goto out;
	if (version > PG_SCHEMA_VERSION) {
		st->svc->fail(err, st->where, 0, NULL,
			      "the store has schema version %d, written by a "
			      "newer Peil; this one knows up to %d", version,
			      PG_SCHEMA_VERSION);
		goto out;
	}
	/* A shared store is created by the schema's owner, who may make
	 * the schema first and then run peil check: not a typo. */
	if (version == 0 && !create && st->tenant &&
	    schema_owned(st, &create, err) < 0)
		goto out;
	if (version == 0 && !create) {
		st->svc->fail(err, st->where, 0, NULL,
			      "no Peil store here (schema %s holds no "
			      "peil_meta): check [storage] conninfo and "
			      "schema, or run peil ingest first", st->schema);
		goto out;
	}
	if (version < PG_SCHEMA_VERSION && st->standby) {
		st->svc->fail(err, st->where, 0, NULL,
			      "the store has schema version %d, which this "
			      "Peil brings to %d, and a standby cannot be "
			      "written: run peil ingest or peil run on the "
			      "primary first", version, PG_SCHEMA_VERSION);
		goto out;
	}
	/* Each later version's steps, from version up.  2: the run a run
	 * that changed nothing confirms, and the size, time and inode of
	 * each file ingested (none before).  3: shared stores (pg_tenant.c),
	 * which a Peil that knows only 2 must not open; nothing changes in
	 * the store of one municipality.  4: the public figures of runs
	 * (pg_public.c), none for the runs recorded before.  5: in a shared
	 * store, each tenant's own run, report and row ids (pg_tenant.c),
	 * the ids there kept.  6: the build that evaluated each run (none
	 * before).  7: the trigger that notes a write by something other
	 * than Peil (pg_outside.c), on the tables there. */
	if (version >= 1 && version < 2 &&
	    pg_exec(st,
		    "ALTER TABLE peil_run ADD COLUMN IF NOT EXISTS confirms"
		    " bigint;"
		    "ALTER TABLE peil_ingest"
		    " ADD COLUMN IF NOT EXISTS file_size bigint,"
		    " ADD COLUMN IF NOT EXISTS file_mtime_ns bigint,"
		    " ADD COLUMN IF NOT EXISTS file_inode bigint;",
		    err, "cannot update the store to schema version 2") < 0)
		goto out;
	if (version >= 1 && version < 4 &&
	    migrate_to(st, &sql, pg_public_schema, 4, err) < 0)
		goto out;
	if (version >= 1 && version < 5 && st->tenant &&
	    migrate_to(st, &sql, pg_tenant_counters_migrate, 5, err) < 0)
		goto out;
	if (version >= 1 && version < 6 &&
	    pg_exec(st,
		    "ALTER TABLE peil_run ADD COLUMN IF NOT EXISTS"
		    " build_sha256 text;",
		    err, "cannot update the store to schema version 6") < 0)
		goto out;
	if (version >= 1 && version < 7 &&
	    migrate_to(st, &sql, pg_outside_schema, 7, err) < 0)
		goto out;
	if (version >= 1 && version < PG_SCHEMA_VERSION &&
	    pg_exec(st,
		    "UPDATE peil_meta SET value = '"
		    PEIL_PG_STR(PG_SCHEMA_VERSION) "'"
		    " WHERE key = 'schema_version'",
		    err, "cannot update the store's schema version") < 0)
		goto out;
	if (version == 0 && schema_foreign(st, err) < 0)
		goto out;
	if (version == 0) {
		pg_sql_release(&sql);
		if (st->tenant)
			pg_tenant_schema(st, &sql);
		else
			pg_tenant_expand(st, &sql, pg_schema_sql);
		pg_public_schema(st, &sql);
		pg_outside_schema(st, &sql);
		pg_sql_append(&sql, "INSERT INTO peil_meta VALUES"
				    " ('schema_version', '"
				    PEIL_PG_STR(PG_SCHEMA_VERSION) "')");
		if (!sql.ok) {
			st->svc->fail(err, st->where, 0, NULL,
				      "out of memory");
			goto out;
		}
		if (pg_exec(st, sql.text, err, "cannot create the store") < 0)
			goto out;
	}
	if (pg_tenant_open(st, err) < 0)
		goto out;
	ok = 1;
out:
	pg_sql_release(&sql);
	return pg_atomic_end(st, ok, err);
}

/* ----------------------------------------------------------- open, close */

int pg_open_store(const peil_services *svc, peil_host *host, void **state,
		  enum pg_open_mode mode, peil_error *err)
{
	const char *key = mode == PG_OPEN_READER &&
					  svc->config_get(host, "read_conninfo")
				  ? "read_conninfo"
				  : "conninfo";
	const char *conninfo = svc->config_get(host, key);
	const char *schema = svc->config_get(host, "schema");
	const char *tenant = svc->config_get(host, "tenant");
	struct store *st = calloc(1, sizeof(*st));
	struct pg_sql setup;

	*state = NULL;
	if (st == NULL)
		return svc->fail(err, NULL, 0, NULL, "out of memory");
	st->svc = svc;
	st->host = host;
	if (schema == NULL)
		schema = PG_SCHEMA_DEFAULT;
	if (!pg_name_valid(schema)) {
		free(st);
		return pg_config_fail(svc, host, "schema",
				   "schema must be a name of a-z, 0-9 and _, "
				   "not first a digit", err);
	}
	if (tenant != NULL && !pg_name_valid(tenant)) {
		free(st);
		return pg_config_fail(svc, host, "tenant",
				   "tenant must be a name of a-z, 0-9 and _, "
				   "not first a digit", err);
	}
	if (conninfo == NULL)
		conninfo = "";
	st->schema = strdup(schema);
	st->tenant = tenant ? strdup(tenant) : NULL;
	if (st->schema == NULL || (tenant && st->tenant == NULL) ||
	    conninfo_check(st, key, conninfo, schema, err) < 0) {
		if (st->schema == NULL || (tenant && st->tenant == NULL))
			svc->fail(err, NULL, 0, NULL, "out of memory");
		free(st->schema);
		free(st->tenant);
		free(st);
		return -1;
	}
	st->conn = PQconnectdb(conninfo);
	if (st->conn == NULL || PQstatus(st->conn) != CONNECTION_OK) {
		char what[128];

		snprintf(what, sizeof(what), "[storage] %s: cannot connect",
			 key);
		pg_fail_db(st, err, NULL, what, NULL);
		pg_close(st);
		return -1;
	}
	st->connected = 1;
	PQsetNoticeProcessor(st->conn, notice_log, st);
	pg_sql_init(&setup);
	pg_sql_append(&setup, "SET search_path TO ");
	pg_sql_ident(&setup, NULL, schema);
	/* The shortest text that reads back as the same double.  No JIT:
	 * Peil's statements are scans and set-based upserts of trivial
	 * expressions, and PostgreSQL compiles a statement whose estimated
	 * cost passes jit_above_cost anew for each execution -- with
	 * inlining and optimisation past 500000, about 50-90 ms a cursor
	 * on a 10M-row ds_cases, paid by every nested scan of a join's
	 * chunk (docs/benchmarks.md, PostgreSQL at 10M). */
	pg_sql_append(&setup, "; SET extra_float_digits = 1;"
			      " SET client_encoding = 'UTF8';"
			      " SET DateStyle = 'ISO'; SET jit = off;"
			      /* Peil's own writes (pg_outside.c). */
			      " SET peil.writer = 'on'");
	if (!setup.ok || pg_exec(st, setup.text, err,
				 "cannot set up the connection") < 0 ||
	    pg_session_check(st, mode, err) < 0 ||
	    schema_ensure(st, mode == PG_OPEN_CREATE, err) < 0) {
		pg_sql_release(&setup);
		pg_close(st);
		return -1;
	}
	pg_sql_release(&setup);
	*state = st;
	return 0;
}

int pg_open(const peil_services *svc, peil_host *host, void **state,
	    peil_error *err)
{
	return pg_open_store(svc, host, state, PG_OPEN_CREATE, err);
}

int pg_open_existing(const peil_services *svc, peil_host *host,
		     void **state, peil_error *err)
{
	return pg_open_store(svc, host, state, PG_OPEN_EXISTING, err);
}

void pg_close(void *state)
{
	struct store *st = state;

	if (st == NULL)
		return;
	pg_close(st->primary);
	pg_puts_free(st);
	pg_snapshot_forget(st);
	PQfinish(st->conn);	/* an open batch is rolled back, the lock
				   of the writers let go */
	free(st->schema);
	free(st->tenant);
	free(st);
}

/* ---------------------------------------------------------------- batches */

/* One batch at a time per store: the lock also makes max(id) + 1 the
 * batch's own ingest id until it commits. */
int pg_batch_begin(void *state, peil_error *err)
{
	struct store *st = state;
	const char *params[1] = { st->schema };
	PGresult *res;

	if (st->in_batch)
		return st->svc->fail(err, st->where, 0, NULL,
				     "batch_begin inside a batch: a batch is "
				     "open");
	if (pg_tenant_writes(st, err) < 0 ||
	    pg_exec(st, "BEGIN", err, "cannot begin the batch") < 0)
		return -1;
	st->in_batch = 1;
	if (pg_query(st,
		     "SELECT pg_advisory_xact_lock(hashtext('peil batch ' ||"
		     " $1)), (SELECT coalesce(max(id), 0) + 1 FROM"
		     " peil_ingest)",
		     1, params, &res, err, NULL, "cannot begin the batch") < 0) {
		pg_batch_rollback(st);
		return -1;
	}
	st->batch_ingest = pg_get_int(res, 0, 1);
	PQclear(res);
	return 0;
}

int pg_batch_commit(void *state, peil_error *err)
{
	struct store *st = state;

	if (!st->in_batch)
		return st->svc->fail(err, st->where, 0, NULL,
				     "batch_commit without a batch");
	if (pg_flush(st, err) < 0 || pg_changes_settle(st, err) < 0 ||
	    pg_exec(st, "COMMIT", err, "cannot commit the batch") < 0) {
		pg_batch_rollback(st);
		return -1;
	}
	st->in_batch = 0;
	return 0;
}

void pg_batch_rollback(void *state)
{
	struct store *st = state;
	peil_error ignored;

	if (!st->in_batch)
		return;
	pg_exec(st, "ROLLBACK", &ignored, "cannot roll back the batch");
	st->in_batch = 0;
	/* Staging tables made in the batch are gone with it, and maybe
	 * pg_temp.peil_before. */
	pg_puts_free(st);
	st->before_made = 0;
	pg_snapshot_forget(st);
}
