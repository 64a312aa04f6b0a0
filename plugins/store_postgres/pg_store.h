/*
 * pg_store.h - what the files of the postgres storage plugin share: the
 * state of one open store, the query helpers and the SQL text tools.
 *
 * Not an interface for anyone outside plugins/store_postgres: everything
 * here is hidden by the plugin's visibility preset.  The one exported
 * symbol is peil_plugin_entry() in pg_plugin.c.
 *
 * Error convention.  Every failing function fills the caller's peil_error
 * through svc->fail with the store's description as file (its connection
 * string without any password, and its schema), and in field the dataset
 * ("cases") or the dataset and field ("cases.case_id") when known.
 */
#ifndef PEIL_PG_STORE_H
#define PEIL_PG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include <peil/plugin.h>

/* The internal schema this plugin writes; peil_meta holds it under the
 * key 'schema_version'.  A store of a newer version is refused, naming
 * both; an older one is migrated by schema_ensure (storage_postgres.c).
 * 2: peil_run.confirms, and peil_ingest's file_size, file_mtime_ns and
 *    file_inode (storage ops version 13).
 * 3: stores shared by municipalities, [storage] tenant (pg_tenant.c); a
 *    store of one municipality is the same as in 2.
 * 4: peil_public_figure (storage ops version 16, pg_public.c), which
 *    the view peil_public_figures of a shared store reads instead of
 *    peil_result.
 * 5: in a shared store, run, report and row ids of each tenant's own
 *    (peil_counter, peil_next: pg_tenant.c); a store of one municipality
 *    is the same as in 4.
 * 6: peil_run.build_sha256, the build of Peil that evaluated a run
 *    (storage ops version 18; NULL for the runs before). */
#define PG_SCHEMA_VERSION 7

/* The schema (namespace) when [storage] schema does not say. */
#define PG_SCHEMA_DEFAULT "peil"

/* The longest dataset, field or schema name accepted: Peil's own limit.
 * PostgreSQL's identifiers hold PG_IDENT_MAX bytes; a prefixed name
 * longer than that is shortened by pg_ident_of. */
#define PG_NAME_MAX 63
#define PG_IDENT_MAX 63

/* The comment of a dataset's table: this, then the dataset's name. */
#define PG_DATASET_COMMENT "peil dataset "

/* The column of every dataset table that holds the id of the ingest that
 * added the row, which the change log reads. */
#define PG_ADDED_COLUMN "\"peil.added\""

/* The rows a batch changed, as they were before it and as they are now
 * (pg_flush's statement, pg_changes_settle): each "changed" key once,
 * kept until the transaction ends. */
#define PG_BEFORE_TABLE_SQL                                                \
	"CREATE TEMP TABLE IF NOT EXISTS peil_before ("                    \
	" dataset text COLLATE \"C\" NOT NULL,"                             \
	" key text COLLATE \"C\" NOT NULL, before text NOT NULL,"           \
	" now text NOT NULL, PRIMARY KEY (dataset, key))"                  \
	" ON COMMIT DELETE ROWS"

/* In a store shared by municipalities, the column of every table (but
 * peil_meta) that holds the row's tenant: the first column of the key,
 * filled by default with the tenant of the connecting role (pg_tenant.c). */
#define PG_TENANT_COLUMN "\"peil.tenant\""

/* A dataset without key fields: the row's id, in insertion order, which
 * scans order by.  The dot keeps it out of the field names. */
#define PG_ROW_COLUMN "\"peil.row\""

/* The rows a scan fetches from its cursor at a time. */
#define PG_FETCH_ROWS 10000

#define PEIL_PG_STR_(x) #x
#define PEIL_PG_STR(x) PEIL_PG_STR_(x)

/* A growing NUL-terminated string.  After a failed append, ok is 0 and
 * the text is incomplete; check once, at the end. */
struct pg_sql {
	char *text;
	size_t len;
	size_t cap;
	int ok;
};

/* The records of one dataset on this connection that are on their way
 * to its table: records_put encodes them as binary COPY data in buf, and
 * pg_flush sends them when buf is full, before the batch commits and
 * before anything reads (pg_dataset.c): straight into the dataset's
 * table when nothing is staged and none of them is stored, else into the
 * staging table, from which pg_flush moves them (an UPDATE of the stored
 * keys, an INSERT of the new).  fields[] is a private copy of the schema
 * it was made for. */
struct pg_put {
	struct pg_put *next;
	char *name;
	size_t field_count;
	peil_field *fields;	/* names copied */
	struct pg_sql buf;	/* COPY data of the records not yet sent */
	int64_t buffered;	/* the records in buf */
	int64_t staged;		/* rows copied and not yet flushed */
	int refused;		/* a key of the staged rows is stored */
};

/* How a store is opened: by a command that may create it (peil ingest,
 * run), one that needs it there (eval, cases, prune), or one that only
 * reads it (show, report, runs...; storage ops version 14), which
 * connects to [storage] read_conninfo when it is set. */
enum pg_open_mode { PG_OPEN_EXISTING, PG_OPEN_CREATE, PG_OPEN_READER };

/* One open store: one connection, used by one thread at a time. */
struct store {
	const peil_services *svc;
	peil_host *host;
	PGconn *conn;
	char where[512];	/* "postgres: <conninfo without password>
				   schema <schema>", for peil_error.file */
	char *schema;
	/* [storage] tenant: the store is shared by municipalities, and this
	 * is one of them; NULL: the store is this municipality's alone. */
	char *tenant;
	/* The connecting role owns the shared store and is no tenant: it
	 * creates tables, and stores no rows (pg_tenant_writes). */
	int owner_only;
	int connected;		/* the connection was made: a bad one now
				   is a lost one */
	int in_batch;		/* between batch_begin and commit/rollback */
	int before_made;	/* pg_temp.peil_before is there (pg_flush) */
	int atomic_depth;	/* pg_atomic_begin's open, outside a batch:
				   the first is a transaction, the others
				   savepoints; also names a scan's cursor */
	/* The id that the open batch's ingest log entry gets, under which
	 * its changes are logged: max(id) + 1, taken under the batch's
	 * advisory lock, so no other ingest takes it. */
	int64_t batch_ingest;
	struct pg_put *puts;
	/* An open snapshot (pg_changes.c): its dataset, and its scope (the
	 * text field and its value; NULL for the whole dataset).  The keys
	 * it stored go to pg_temp.peil_seen as they are flushed. */
	char *snap_name;
	char *snap_scope_field;
	char *snap_scope_value;
	/* A reader's connection is to a hot standby (pg_is_in_recovery),
	 * which cannot be written; a report it records goes through
	 * primary, the store at conninfo, opened when first needed. */
	int standby;
	struct store *primary;
	/* The figures that result_put gave and pg_flush has not yet sent,
	 * as COPY text (pg_runs.c); cap 0 before the first. */
	struct pg_sql figures;
};

/* ---- errors and queries (storage_postgres.c) ---- */

/* Fail with "dataset <dataset>: <what>: <the server's or libpq's
 * message>" (no "dataset" part when dataset is NULL). */
int pg_fail_db(struct store *st, peil_error *err, const char *dataset,
	       const char *what, const PGresult *res);

/* Fail with "<kind> <name>: <fmt...>": a dataset or a KPI named as one,
 * never as the field of an error, which names an export's column (name
 * NULL: the message alone).  Returns -1. */
int pg_fail_of(struct store *st, peil_error *err, const char *kind,
	       const char *name, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Append " keyword=value" for each option set, but the password. */
void pg_conninfo_describe(struct pg_sql *desc, const PQconninfoOption *opts);

/* Run sql with params (text, NULL for SQL NULL): 0 and *out (to PQclear)
 * when it gives rows or completes, else -1 with err "<what>: ...".  out
 * may be NULL. */
int pg_query(struct store *st, const char *sql, int nparams,
	     const char *const *params, PGresult **out, peil_error *err,
	     const char *dataset, const char *what);

/* Run sql, which gives one whole number (an INSERT ... RETURNING id, a
 * boolean as int), into *out: 0 when it gives no row or NULL. */
int pg_query_int(struct store *st, const char *sql, int nparams,
		 const char *const *params, int64_t *out, peil_error *err,
		 const char *what);

/* A whole number of a result row, 0 for NULL. */
int64_t pg_get_int(const PGresult *res, int row, int col);

/* Run sql without parameters or rows. */
int pg_exec(struct store *st, const char *sql, peil_error *err,
	    const char *what);

/* A transaction of its own unless a batch or another is open (then a
 * savepoint), so that a multi-statement change is atomic alone and inside
 * a batch, and a scan can run inside another's row callback. */
int pg_atomic_begin(struct store *st, peil_error *err);
int pg_atomic_end(struct store *st, int ok, peil_error *err);

/* ---- SQL text (pg_sql.c) ---- */

void pg_sql_init(struct pg_sql *sql);
void pg_sql_release(struct pg_sql *sql);
void pg_sql_append(struct pg_sql *sql, const char *text);
void pg_sql_appendn(struct pg_sql *sql, const char *text, size_t len);
void pg_sql_printf(struct pg_sql *sql, const char *fmt, ...)
	PEIL_PRINTF(2, 3);
/* name as a quoted identifier, with an optional prefix inside the
 * quotes: pg_sql_ident(sql, "ds_", "cases") appends "ds_cases". */
void pg_sql_ident(struct pg_sql *sql, const char *prefix, const char *name);
/* The identifier of prefix (or NULL) + name, unquoted, into out (of
 * PG_IDENT_MAX + 1 bytes): every table Peil names after a dataset is
 * named through it. */
void pg_ident_of(char *out, const char *prefix, const char *name);
/* text as a value of COPY's text format: backslash, tab, newline and
 * carriage return escaped (no NUL in it). */
void pg_copy_text(struct pg_sql *sql, const char *text, size_t len);
/* Whether name is a valid dataset, field or schema name:
 * [a-z_][a-z0-9_]*, at most PG_NAME_MAX bytes. */
int pg_name_valid(const char *name);
/* The column type of a peil type in a dataset table, or NULL. */
const char *pg_sql_type(peil_type type);
/* The peil type's name ("text", "date", ...), or NULL. */
const char *pg_type_name(peil_type type);
/* Whether v is missing. */
int pg_value_is_null(const peil_value *v);

/* ---- stores shared by municipalities (pg_tenant.c) ---- */

/* The internal tables' SQL, with "@T" for the tenant column and "@K" for
 * the tenant's place in keys (storage_postgres.c). */
/* ---- writes by something other than Peil (pg_outside.c) ---- */

/* peil_outside, its functions and the trigger of peil_result and of the
 * datasets' tables already there, into sql. */
void pg_outside_schema(struct store *st, struct pg_sql *sql);

/* The trigger of the new table ds_<name>, into sql. */
void pg_outside_watch(struct store *st, struct pg_sql *sql, const char *name);

int pg_changed_outside(void *state, int64_t *after_run, peil_error *err);

extern const char pg_schema_sql[];
/* Append tmpl with "@T" as pg_tenant_column, "@K" as pg_tenant_key,
 * "@I<table>@" as pg_tenant_id of table's id, "@S" as the schema quoted
 * and "@N" as its name. */
void pg_tenant_expand(struct store *st, struct pg_sql *sql, const char *tmpl);
/* In a shared store: ", "peil.tenant" text ... DEFAULT <its tenant>", the
 * column's definition; else nothing. */
void pg_tenant_column(struct store *st, struct pg_sql *sql);
/* In a shared store: ""peil.tenant", ", the start of a key; else
 * nothing. */
void pg_tenant_key(struct store *st, struct pg_sql *sql);
/* The type and default of the id column of table <prefix><table>: an
 * identity in a store of one municipality; in a shared store, each
 * tenant's own count (peil_next), so that a tenant's runs, reports and
 * rows of a dataset without key are numbered 1, 2, ... whatever the
 * others store.  In pg_schema_sql, "@I<table>@". */
void pg_tenant_id(struct store *st, struct pg_sql *sql, const char *prefix,
		  const char *table, const char *column);
/* The trigger that keeps the tenant's count of ds_<name>, a dataset
 * without key fields, of a shared store (after its CREATE TABLE). */
void pg_tenant_row_counted(struct store *st, struct pg_sql *sql,
			   const char *name);
/* In a shared store: the statements that bring one of schema version 4
 * to the tenants' own counts: the counters, granted to the roles that
 * write peil_run, and every identity column counted by them instead,
 * keeping the ids there; else nothing. */
void pg_tenant_counters_migrate(struct store *st, struct pg_sql *sql);
/* In a shared store: the statements that keep each tenant to its own rows
 * of table <prefix><name> (row-level security, forced); else nothing. */
void pg_tenant_protect(struct store *st, struct pg_sql *sql,
		       const char *prefix, const char *name);
/* The statements that create a shared store: the tenants' mapping and
 * functions, pg_schema_sql with the tenant and the policies (the public
 * figures' table and view: pg_public_schema). */
void pg_tenant_schema(struct store *st, struct pg_sql *sql);
/* Check that the store's layout and [storage] tenant agree, and that the
 * role is that tenant (or owns the store: owner_only). */
int pg_tenant_open(struct store *st, peil_error *err);
/* Refuse storing rows as the owner of a shared store. */
int pg_tenant_writes(struct store *st, peil_error *err);
/* The table of the public figures (pg_public.c), and in a shared store
 * its policies, the dashboards' and the view peil_public_figures: the
 * statements that create them, or bring a store of schema version 3 up
 * to them. */
void pg_public_schema(struct store *st, struct pg_sql *sql);
int pg_public_figures_put(void *state, int64_t run_id,
			  const peil_result *rows, size_t n, peil_error *err);

/* ---- ops, one file per job ---- */

/* storage_postgres.c */
extern const char *const pg_config_keys[];
/* Open a store as mode says; pg_open, pg_open_existing and
 * pg_open_reader are this. */
int pg_open_store(const peil_services *svc, peil_host *host, void **state,
		  enum pg_open_mode mode, peil_error *err);
/* Fail at the place in the config where key was written. */
int pg_config_fail(const peil_services *svc, peil_host *host,
		   const char *key, const char *message, peil_error *err);
int pg_open(const peil_services *svc, peil_host *host, void **state,
	    peil_error *err);
int pg_open_existing(const peil_services *svc, peil_host *host,
		     void **state, peil_error *err);
void pg_close(void *state);
int pg_batch_begin(void *state, peil_error *err);
int pg_batch_commit(void *state, peil_error *err);
void pg_batch_rollback(void *state);

/* pg_session.c */
/* After connecting: whether the server is a standby; a writer there is
 * refused, a reader waits for it to apply what it received (at most
 * read_max_lag_s) and is refused when it does not. */
int pg_session_check(struct store *st, enum pg_open_mode mode,
		     peil_error *err);
int pg_open_reader(const peil_services *svc, peil_host *host, void **state,
		   peil_error *err);
int pg_lock(void *state, long wait_ms, peil_error *err);
/* report_put, through the primary when the store is a standby's. */
int pg_report_put_primary(void *state, const peil_report_record *report,
			  int64_t *report_id, peil_error *err);

/* pg_dataset.c */
int pg_dataset_ensure(void *state, const peil_schema *schema,
		      peil_error *err);
int pg_record_put(void *state, const peil_schema *schema,
		  const peil_value *values, peil_error *err);
int pg_records_put(void *state, const peil_schema *schema,
		   const peil_value *values, size_t count, size_t *stored,
		   peil_error *err);
/* The SQL text of the key of a row of ds_<name> as alias.<column>
 * ("k1 / k2", dates as jjjj-mm-dd, booleans 0/1; "peil.row" without key
 * fields), of the fields that are the table's columns. */
void pg_key_text(struct pg_sql *sql, const char *alias,
		 const peil_field *fields, size_t count);
/* Send buf, COPY text, through copy (a COPY ... FROM STDIN); 0, or -1
 * with err "<what>: ..." naming field. */
int pg_copy_in(struct store *st, const char *copy, const struct pg_sql *buf,
	       const char *field, const char *what, peil_error *err);
/* Move every staged record into its dataset's table, and every figure
 * not yet sent into peil_result. */
int pg_flush(struct store *st, peil_error *err);
/* Forget the staging tables (after a rollback, which may have dropped
 * them, and at close) and the figures not sent. */
void pg_puts_free(struct store *st);

/* pg_changes.c */
/* The ingest id that changes now are logged under. */
int64_t pg_ingest_now(struct store *st, peil_error *err);
/* Before the batch commits: drop its "changed" of the rows that ended
 * as they began (kept in pg_temp.peil_before by pg_flush). */
int pg_changes_settle(struct store *st, peil_error *err);
/* Delete the rows of ds_<name> WHERE cond (with params), logging each
 * as removed by ingest (and when it was added); *removed: how many. */
int pg_remove_rows(struct store *st, const peil_schema *schema,
		   const char *cond, int nparams, const char *const *params,
		   int64_t ingest, int64_t *removed, peil_error *err);
int pg_snapshot_begin(void *state, const peil_schema *schema,
		      peil_error *err);
int pg_snapshot_scope_begin(void *state, const peil_schema *schema,
			    size_t scope_field, const char *scope_value,
			    peil_error *err);
int pg_snapshot_end(void *state, const peil_schema *schema, int64_t *removed,
		    peil_error *err);
void pg_snapshot_forget(struct store *st);
int pg_run_last_ingest(void *state, int64_t run_id, int64_t *ingest_id,
		       peil_error *err);
int pg_input_changes_scan(void *state, int64_t from_run, int64_t to_run,
			  int (*fn)(void *ctx, const peil_input_change *change),
			  void *ctx, peil_error *err);
int pg_backup(void *state, const char *path, peil_error *err);
int pg_runs_prune(void *state, const peil_prune *prune, int64_t *runs_deleted,
		  int64_t *figures_deleted, peil_error *err);
int pg_report_put(void *state, const peil_report_record *report,
		  int64_t *report_id, peil_error *err);
int pg_reports_scan(void *state,
		    int (*fn)(void *ctx, const peil_report_record *report),
		    void *ctx, peil_error *err);

/* pg_scan.c */
int pg_scan(void *state, const peil_schema *schema, const peil_filter *filter,
	    const size_t *projection, size_t projection_count, peil_row_fn row,
	    void *ctx, peil_error *err);

/* pg_runs.c */
int pg_ingest_seen(void *state, const peil_ingest_entry *probe, int *seen,
		   peil_error *err);
int pg_ingest_log(void *state, const peil_ingest_entry *entry,
		  peil_error *err);
int pg_inputs_fingerprint(void *state, char out[65], peil_error *err);
int pg_run_begin(void *state, const peil_run_info *info, int64_t *run_id,
		 peil_error *err);
int pg_run_kpi_put(void *state, int64_t run_id, const peil_run_kpi *kpi,
		   peil_error *err);
int pg_result_put(void *state, int64_t run_id, const peil_result *result,
		  peil_error *err);
/* Send the figures that result_put gathered (pg_flush calls it). */
int pg_results_flush(struct store *st, peil_error *err);
int pg_run_end(void *state, int64_t run_id, const char *status,
	       int64_t ended, peil_error *err);
int pg_results_copy(void *state, int64_t from_run, int64_t to_run,
		    const char *kpi, peil_error *err);
int pg_results_scan(void *state, const peil_result_query *query,
		    int (*fn)(void *ctx, const peil_result *result), void *ctx,
		    peil_error *err);
int pg_runs_scan(void *state, int64_t run_id,
		 int (*fn)(void *ctx, const peil_run_record *run), void *ctx,
		 peil_error *err);
int pg_run_kpis_scan(void *state, int64_t run_id,
		     int (*fn)(void *ctx, const peil_run_kpi *kpi), void *ctx,
		     peil_error *err);
int pg_ingest_scan(void *state,
		   int (*fn)(void *ctx, const peil_ingest_entry *entry),
		   void *ctx, peil_error *err);

#endif /* PEIL_PG_STORE_H */
