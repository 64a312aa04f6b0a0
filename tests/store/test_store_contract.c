/*
 * test_store_contract.c - the contract of peil_storage_ops, run against
 * any storage plugin: what every store must do the same, seen only
 * through the plugin's callbacks (a second open of the same store stands
 * for another process).  ctest runs it against sqlite and postgres.
 *
 *   test_store_contract PLUGIN.so KEY=VALUE... [--setup CMD
 *                       --owner KEY=VALUE... --other KEY=VALUE...]
 *
 * The KEY=VALUEs are the plugin's config section.  With --setup, the
 * store is one shared by municipalities (postgres: [storage] tenant),
 * and the tests run as one tenant while another has rows, runs and
 * ingests of its own in the same tables (see shared_make).  In a value, {tmp} is a
 * temporary directory of this run and {test} the test's name, so each
 * test gets a store of its own: path={tmp}/{test}.db for sqlite,
 * schema=c{pid}_{test} for postgres ({pid}: this process's id, so that
 * runs on one server do not meet).
 *
 * Every expected value was worked out by hand from the rows put in; the
 * fingerprints are SHA-256 of the documented encoding (docs/plugins.md),
 * computed with Python's hashlib.
 */
#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <peil/plugin.h>

#include "harness.h"
#include "store/store_fixtures.h"

#include "store/fake_store_services.h"

/* ------------------------------------------------------------- fixtures */

static const peil_storage_ops *ops;	/* the plugin's, or shared_ops */
static const peil_storage_ops *plugin_ops;
static const char *plugin_name;
static char **config_args;
static int config_count;
static const char *tmpdir;	/* harness_tmp() */
static const char *current;	/* the test's name */

/* The change log of the ingests after run from up to run to, as
 * change_row writes it (valid until the next call), or why not. */
static const char *changes_between(void *st, int64_t from, int64_t to)
{
	static struct changes ch;
	peil_error err;

	memset(&ch, 0, sizeof(ch));
	if (ops->input_changes_scan(st, from, to, change_row, &ch, &err) != 0)
		return "(input_changes_scan failed)";
	return ch.text;
}
/* One per open store of a test (0, 1), and 2 for the shared store's
 * owner and other tenant. */
static struct peil_host hosts[3];

/* A shared store (--setup): who connects (the config as given is the
 * tenant under test), the config keys that differ for the store's owner
 * (--owner KEY=VALUE) and for another tenant (--other KEY=VALUE), and the
 * command that makes the schema and maps the roles, run with {phase}
 * "before" the owner creates the store and "after". */
enum role { TENANT, OWNER, OTHER };
static char **owner_args, **other_args;
static int owner_count, other_count;
static const char *setup_cmd;
static const char *phase = "";

/* Replace {tmp}, {test}, {pid} and {phase} in text into out. */
static void expand(const char *text, char *out, size_t size)
{
	size_t n = 0;

	while (*text && n + 1 < size) {
		const char *with = NULL;
		size_t skip = 0;
		char pid[32];

		if (strncmp(text, "{tmp}", 5) == 0)
			with = tmpdir, skip = 5;
		else if (strncmp(text, "{test}", 6) == 0)
			with = current, skip = 6;
		else if (strncmp(text, "{phase}", 7) == 0)
			with = phase, skip = 7;
		else if (strncmp(text, "{pid}", 5) == 0) {
			snprintf(pid, sizeof(pid), "%ld", (long)getpid());
			with = pid, skip = 5;
		}
		if (with) {
			n += (size_t)snprintf(out + n, size - n, "%s", with);
			if (n >= size)
				n = size - 1;
			text += skip;
		} else {
			out[n++] = *text++;
		}
	}
	out[n] = '\0';
}

/* Free the config of host slot (kept until the slot is opened again). */
static void host_release(int slot)
{
	int i;

	for (i = 0; i < FAKE_KEYS && hosts[slot].keys[i]; i++) {
		free((char *)hosts[slot].keys[i]);
		free((char *)hosts[slot].values[i]);
	}
	memset(&hosts[slot], 0, sizeof(hosts[slot]));
}

/* Set KEY=VALUE arg in host h, replacing the same key. */
static void host_set(struct peil_host *h, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen = (size_t)(eq - arg);
	char value[512];
	int i;

	expand(eq + 1, value, sizeof(value));
	for (i = 0; i < FAKE_KEYS - 1 && h->keys[i]; i++)
		if (strlen(h->keys[i]) == klen &&
		    strncmp(h->keys[i], arg, klen) == 0)
			break;
	if (i == FAKE_KEYS - 1)
		return;
	if (h->keys[i] == NULL)
		h->keys[i] = strndup(arg, klen);
	free((char *)h->values[i]);
	h->values[i] = strdup(value);
}

/* Open the test's store through host slot as role; NULL with the
 * message printed on failure. */
static void *open_as(int slot, enum role role, int existing, peil_error *err)
{
	struct peil_host *h = &hosts[slot];
	void *state = NULL;
	int i;

	host_release(slot);
	for (i = 0; i < config_count; i++)
		host_set(h, config_args[i]);
	for (i = 0; role == OWNER && i < owner_count; i++)
		host_set(h, owner_args[i]);
	for (i = 0; role == OTHER && i < other_count; i++)
		host_set(h, other_args[i]);
	if ((existing ? plugin_ops->open_existing : plugin_ops->open)(
		    &fake_services, h, &state, err) < 0) {
		printf("  open%s: %s\n", role == OWNER ? " as the owner"
					 : role == OTHER ? " as the other tenant"
							 : "",
		       err->message);
		return NULL;
	}
	return state;
}

/* Open the test's store through host slot (0 the first, 1 another
 * "process"); NULL with the message printed on failure. */
static void *open_store(int slot, int existing, peil_error *err)
{
	return open_as(slot, TENANT, existing, err);
}

/* Run the setup command of phase; 0 when it succeeded. */
static int setup_run(const char *which)
{
	char cmd[2048];
	int rc;

	phase = which;
	expand(setup_cmd, cmd, sizeof(cmd));
	fflush(stdout);
	rc = system(cmd);
	if (rc != 0)
		printf("  setup %s failed (%d): %s\n", which, rc, cmd);
	return rc == 0 ? 0 : -1;
}

/* The shared store of the test, made: the schema and roles (setup
 * before), the store created by its owner, the tenants mapped (setup
 * after); then the other tenant records a run with a figure and an
 * ingest, so that whatever forgets the tenant meets them.  0 when done. */
static int shared_make(void)
{
	peil_run_info info = { "run", 1700000000, "2024-01-01", "2024-12-31",
			       "b", "b", "b", NULL, 0, NULL };
	peil_result figure = { 0, "k", "2024", "{}", 99, NAN, NAN, NULL,
			       NAN, 0 };
	peil_ingest_entry e = { "src", "cases", "b.csv", "b", 0, 0,
				1700000000, 0, NULL, 0, 0, 0 };
	peil_error err;
	int64_t run = 0;
	void *st;
	int i, rc = -1;

	if (setup_run("before") < 0 ||
	    (st = open_as(2, OWNER, 0, &err)) == NULL)
		return -1;
	plugin_ops->close(st);
	if (setup_run("after") < 0 || (st = open_as(2, OTHER, 1, &err)) == NULL)
		return -1;
	for (i = 0; i < 2; i++)
		if (plugin_ops->run_begin(st, &info, &run, &err) < 0 ||
		    plugin_ops->result_put(st, run, &figure, &err) < 0 ||
		    plugin_ops->run_end(st, run, "ok", 1700000001, &err) < 0 ||
		    plugin_ops->batch_begin(st, &err) < 0 ||
		    plugin_ops->ingest_log(st, &e, &err) < 0 ||
		    plugin_ops->batch_commit(st, &err) < 0)
			goto out;
	rc = 0;
out:
	if (rc < 0)
		printf("  the other tenant: %s\n", err.message);
	plugin_ops->close(st);
	return rc;
}

/* The datasets the other tenant has put rows in, this test. */
static char other_datasets[16][64];

/* In a shared store, a dataset is created by the owner; the first time
 * in a test, the other tenant then puts three rows in it whose keys the
 * tests' own may repeat ("C1".."C3", 1..3, dates 19001..19003, ...), and
 * logs their ingest; then the tenant under test ensures it. */
static int shared_dataset_ensure(void *state, const peil_schema *schema,
				 peil_error *err)
{
	peil_value row[16];
	char text[3][8];
	peil_error e2;
	void *st;
	size_t i, f;
	int fresh = 1, ok = 1;

	if ((st = open_as(2, OWNER, 1, &e2)) != NULL) {
		if (plugin_ops->dataset_ensure(st, schema, &e2) < 0)
			ok = 0;
		plugin_ops->close(st);
	}
	for (i = 0; i < 16 && other_datasets[i][0]; i++)
		if (strcmp(other_datasets[i], schema->name) == 0)
			fresh = 0;
	if (ok && st && fresh && i < 16 && schema->field_count <= 16) {
		snprintf(other_datasets[i], sizeof(other_datasets[i]), "%s",
			 schema->name);
		if ((st = open_as(2, OTHER, 1, &e2)) == NULL ||
		    plugin_ops->dataset_ensure(st, schema, &e2) < 0 ||
		    plugin_ops->batch_begin(st, &e2) < 0)
			ok = 0;
		for (i = 0; ok && i < 3; i++) {
			snprintf(text[i], sizeof(text[i]), "C%zu", i + 1);
			for (f = 0; f < schema->field_count; f++)
				switch (schema->fields[f].type) {
				case PEIL_TYPE_INTEGER:
					row[f] = v_int((int64_t)i + 1);
					break;
				case PEIL_TYPE_REAL:
					row[f] = v_real((double)i + 1);
					break;
				case PEIL_TYPE_DATE:
					row[f] = v_date((int32_t)(19001 + i));
					break;
				case PEIL_TYPE_BOOLEAN:
					row[f] = v_bool((int)(i & 1));
					break;
				default:
					row[f] = v_text(text[i]);
				}
			if (plugin_ops->record_put(st, schema, row, &e2) < 0)
				ok = 0;
		}
		if (ok && ingest_done(plugin_ops, st, "b.csv", &e2) < 0)
			ok = 0;
		if (!ok) {
			printf("  the other tenant's rows of %s: %s\n",
			       schema->name, e2.message);
			harness_current_failed = 1;
		}
		if (st)
			plugin_ops->close(st);
	}
	return plugin_ops->dataset_ensure(state, schema, err);
}

static peil_storage_ops shared_ops;

/* Open the test's store as st, or fail the test and return. */
#define OPEN_OR_RETURN(st, err)                                            \
	do {                                                               \
		(st) = open_store(0, 0, &(err));                           \
		CHECK((st) != NULL);                                       \
		if ((st) == NULL)                                          \
			return;                                            \
	} while (0)

static int has_version(size_t size)
{
	return ops->size >= size;
}

/* Whether the plugin lacks the version of size (with callback fn set),
 * said as a skipped part of the contract. */
static int lacks(size_t size, int set, int version)
{
	if (has_version(size) && set)
		return 0;
	printf("  (version %d of peil_storage_ops is not there: skipped)\n",
	       version);
	return 1;
}



static int case_put(void *st, const char *id, const char *team,
		    int32_t registered, peil_error *err)
{
	peil_value row[3] = { v_text(id), v_text(team), v_date(registered) };

	return ops->record_put(st, &cases, row, err);
}

/* Every row of a scan as text: fields joined by '|', rows by ';', NULL
 * as "-", dates as days, booleans 0/1, reals with %g. */
struct rows {
	char text[2048];
	int count;
	int stop_after;		/* return 7 after this many rows; 0: never */
	size_t fields;
};

/* Append a formatted text to the NUL-terminated buf of size bytes. */
static void appendf(char *buf, size_t size, const char *fmt, ...)
	PEIL_PRINTF(3, 4);
static void appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* One value as text into buf. */
static void value_text(const peil_value *v, char *buf, size_t size)
{
	switch (v->type) {
	case PEIL_TYPE_TEXT:
		snprintf(buf, size, "%.*s", (int)v->len, v->as.text);
		return;
	case PEIL_TYPE_INTEGER:
		snprintf(buf, size, "%lld", (long long)v->as.integer);
		return;
	case PEIL_TYPE_REAL:
		snprintf(buf, size, "%.17g", v->as.real);
		return;
	case PEIL_TYPE_DATE:
		snprintf(buf, size, "%d", (int)v->as.date);
		return;
	case PEIL_TYPE_BOOLEAN:
		snprintf(buf, size, "%d", v->as.boolean);
		return;
	default:
		snprintf(buf, size, "-");
	}
}

static int rows_row(void *ctx, const peil_value *values)
{
	struct rows *r = ctx;
	char value[256];
	size_t i;

	for (i = 0; i < r->fields; i++) {
		value_text(&values[i], value, sizeof(value));
		appendf(r->text, sizeof(r->text), "%s%s", i ? "|" : "", value);
	}
	appendf(r->text, sizeof(r->text), ";");
	r->count++;
	return r->stop_after && r->count >= r->stop_after ? 7 : 0;
}

/* The rows of schema matching filter, projected, as text; "error: ..."
 * on failure. */
static const char *scan_text(void *st, const peil_schema *schema,
			     const peil_filter *filter, const size_t *proj,
			     size_t count)
{
	static struct rows r;
	peil_error err;

	memset(&r, 0, sizeof(r));
	r.fields = proj ? count : schema->field_count;
	if (ops->scan(st, schema, filter, proj, count, rows_row, &r, &err) < 0)
		snprintf(r.text, sizeof(r.text), "error: %.200s", err.message);
	return r.text;
}

static const size_t first_field[] = { 0 };

static int count_rows(void *st, const peil_schema *schema)
{
	static struct rows r;
	peil_error err;

	memset(&r, 0, sizeof(r));
	r.fields = 0;
	if (ops->scan(st, schema, NULL, first_field, 1, rows_row, &r,
		      &err) < 0) {
		printf("  count %s: %s\n", schema->name, err.message);
		return -1;
	}
	return r.count;
}

/* ------------------------------------------------------------ the tests */

/* C1 put twice: the second replaces the first; scans come in key order. */
TEST(upsert_replaces_on_key)
{
	peil_error err;
	void *st;

	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(case_put(st, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, "C1", "Oost", 19005, &err), 0);
	CHECK_STR(scan_text(st, &cases, NULL, NULL, 0),
		  "C1|Oost|19005;C2|Zuid|19001;");
	ops->close(st);
}

/* records_put of 130 records where record 10 repeats the key of record 5
 * with team "Dubbel" (it wins: 129 rows); then a missing key at record
 * 70 fails the call with *stored = 70 and names the field. */
TEST(records_put_many_names_the_one_at_fault)
{
	enum { N = 130 };
	static char ids[N][8];
	peil_value rows[N * 3];
	peil_filter c005 = { .op = PEIL_OP_EQ, .field = 0 };
	size_t i, stored = 99;
	peil_error err;
	void *st;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V3, ops->records_put != NULL, 3))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	for (i = 0; i < N; i++) {
		snprintf(ids[i], sizeof(ids[i]), "C%03zu", i == 10 ? 5 : i);
		rows[i * 3] = v_text(ids[i]);
		rows[i * 3 + 1] = v_text(i == 10 ? "Dubbel" : "Noord");
		rows[i * 3 + 2] = v_date((int32_t)(19000 + i));
	}
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->records_put(st, &cases, rows, N, &stored, &err), 0);
	CHECK_INT(stored, N);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(count_rows(st, &cases), N - 1);
	c005.value = v_text("C005");
	CHECK_STR(scan_text(st, &cases, &c005, NULL, 0), "C005|Dubbel|19010;");

	rows[70 * 3] = v_null();
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK(ops->records_put(st, &cases, rows, N, &stored, &err) < 0);
	CHECK_INT(stored, 70);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "key field case_id is missing");
	ops->batch_rollback(st);
	CHECK_INT(count_rows(st, &cases), N - 1);
	ops->close(st);
}

/* Without key fields every put adds a row, kept in the order stored;
 * with only key fields the dataset is a set. */
TEST(keyless_appends_all_key_is_a_set)
{
	static const peil_field log_fields[] = {
		{ "team", PEIL_TYPE_TEXT, 0 },
		{ "visits", PEIL_TYPE_INTEGER, 0 },
	};
	static const peil_schema log = { "visit_log", 2, log_fields };
	static const peil_field member_fields[] = {
		{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
		{ "person", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	};
	static const peil_schema members = { "case_members", 2, member_fields };
	peil_value zuid[2] = { v_text("Zuid"), v_int(3) };
	peil_value noord[2] = { v_text("Noord"), v_int(1) };
	peil_value member[2] = { v_text("C1"), v_text("P9") };
	peil_error err;
	void *st;

	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &log, &err), 0);
	CHECK_INT(ops->record_put(st, &log, zuid, &err), 0);
	CHECK_INT(ops->record_put(st, &log, noord, &err), 0);
	CHECK_INT(ops->record_put(st, &log, zuid, &err), 0);
	CHECK_STR(scan_text(st, &log, NULL, NULL, 0), "Zuid|3;Noord|1;Zuid|3;");
	CHECK_INT(ops->dataset_ensure(st, &members, &err), 0);
	CHECK_INT(ops->record_put(st, &members, member, &err), 0);
	CHECK_INT(ops->record_put(st, &members, member, &err), 0);
	CHECK_INT(count_rows(st, &members), 1);
	ops->close(st);
}

/* A batch sees itself; another connection sees nothing of it before
 * commit, and nothing after a rollback. */
TEST(batch_is_atomic)
{
	peil_error err;
	void *st, *other = NULL;

	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	other = open_store(1, 0, &err);
	CHECK(other != NULL);
	if (!other) {
		ops->close(st);
		return;
	}
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(count_rows(st, &cases), 2);
	CHECK_INT(count_rows(other, &cases), 0);
	CHECK(ops->batch_begin(st, &err) < 0);	/* no nesting */
	ops->batch_rollback(st);
	CHECK_INT(count_rows(st, &cases), 0);
	CHECK_INT(count_rows(other, &cases), 0);
	ops->batch_rollback(st);	/* safe with no batch open */
	CHECK(ops->batch_commit(st, &err) < 0);

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C3", "West", 19002, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_STR(scan_text(other, &cases, NULL, NULL, 0), "C3|West|19002;");
	ops->close(other);
	ops->close(st);
}

/* cases with a field added. */
static const peil_field wider_fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, 0 },
	{ "closed", PEIL_TYPE_DATE, 0 },
};
static const peil_schema wider = { "cases", 4, wider_fields };

/* A new field is added (old rows: missing); a changed type, a new key
 * field or a key field that is gone are refused, naming the field. */
TEST(schema_change)
{
	static const peil_field retyped_fields[] = {
		{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
		{ "team", PEIL_TYPE_INTEGER, 0 },
	};
	static const peil_schema retyped = { "cases", 2, retyped_fields };
	static const peil_field rekeyed_fields[] = {
		{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
		{ "team", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	};
	static const peil_schema rekeyed = { "cases", 2, rekeyed_fields };
	static const peil_field keyless_fields[] = {
		{ "team", PEIL_TYPE_TEXT, 0 },
	};
	static const peil_schema keyless = { "cases", 1, keyless_fields };
	peil_value row[4] = { v_text("C2"), v_text("Zuid"), v_date(5),
			      v_date(9) };
	peil_error err;
	void *st;

	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 1, &err), 0);
	CHECK_INT(ops->dataset_ensure(st, &wider, &err), 0);
	CHECK_INT(ops->record_put(st, &wider, row, &err), 0);
	CHECK_STR(scan_text(st, &wider, NULL, NULL, 0),
		  "C1|Noord|1|-;C2|Zuid|5|9;");
	CHECK(ops->dataset_ensure(st, &retyped, &err) < 0);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "field team is stored as text, not integer");
	CHECK(ops->dataset_ensure(st, &rekeyed, &err) < 0);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "the key cannot change");
	CHECK(ops->dataset_ensure(st, &keyless, &err) < 0);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "key field case_id is missing");
	/* The old schema still fits: its rows are all there. */
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(count_rows(st, &cases), 2);
	ops->close(st);
}

TEST(record_put_errors)
{
	peil_value no_key[3] = { v_null(), v_text("Noord"), v_date(1) };
	peil_value wrong[3] = { v_text("C1"), v_int(4), v_date(1) };
	peil_error err;
	void *st;

	OPEN_OR_RETURN(st, err);
	CHECK(case_put(st, "C1", "Noord", 1, &err) < 0);	/* no table */
	CHECK(err.file[0] != '\0');	/* names the store */
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "no such table");
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK(ops->record_put(st, &cases, no_key, &err) < 0);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "key field case_id is missing");
	CHECK(ops->record_put(st, &cases, wrong, &err) < 0);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "team is text, the value is integer");
	CHECK_INT(count_rows(st, &cases), 0);
	ops->close(st);
}



static const size_t id_only[] = { P_ID };

static const char *ids(void *st, const peil_filter *f)
{
	return scan_text(st, &people, f, id_only, 1);
}

/* The five people: which ids each filter selects, worked out by hand. */
TEST(scan_filters)
{
	peil_error err;
	void *st;
	peil_filter f, kids[2];

	OPEN_OR_RETURN(st, err);
	CHECK_INT(people_fill(ops, st, &err), 0);
	CHECK_STR(ids(st, NULL), "1;2;3;4;5;");
	f = cmp(PEIL_OP_EQ, P_AGE, v_int(30));
	CHECK_STR(ids(st, &f), "1;4;");
	f = cmp(PEIL_OP_NE, P_AGE, v_int(30));	/* NULL age: not selected */
	CHECK_STR(ids(st, &f), "3;5;");
	f = cmp(PEIL_OP_LT, P_BORN, v_date(3000));
	CHECK_STR(ids(st, &f), "1;2;");
	f = cmp(PEIL_OP_GE, P_BORN, v_int(3000));	/* a date with a number */
	CHECK_STR(ids(st, &f), "3;5;");
	f = cmp(PEIL_OP_GT, P_SCORE, v_real(6.0));
	CHECK_STR(ids(st, &f), "1;4;");
	f = cmp(PEIL_OP_LE, P_SCORE, v_int(6));	/* a real with an integer */
	CHECK_STR(ids(st, &f), "3;5;");
	f = cmp(PEIL_OP_EQ, P_ACTIVE, v_bool(1));
	CHECK_STR(ids(st, &f), "1;3;");
	f = cmp(PEIL_OP_EQ, P_NAME, v_text("' OR 1=1 --"));	/* data */
	CHECK_STR(ids(st, &f), "5;");
	f = cmp(PEIL_OP_EQ, P_NAME, v_text("O'Brien"));
	CHECK_STR(ids(st, &f), "4;");
	f = cmp(PEIL_OP_LT, P_NAME, v_text("Bob"));	/* bytes: ' < A < B */
	CHECK_STR(ids(st, &f), "1;5;");
	f = cmp(PEIL_OP_EQ, P_AGE, v_null());	/* NULL compares to nothing */
	CHECK_STR(ids(st, &f), "");
	f = cmp(PEIL_OP_IS_NULL, P_AGE, v_null());
	CHECK_STR(ids(st, &f), "2;");
	f = cmp(PEIL_OP_NOT_NULL, P_BORN, v_null());
	CHECK_STR(ids(st, &f), "1;2;3;5;");
	kids[0] = cmp(PEIL_OP_EQ, P_AGE, v_int(30));
	kids[1] = cmp(PEIL_OP_GT, P_SCORE, v_real(8.0));
	f.op = PEIL_OP_AND;
	f.child_count = 2;
	f.children = kids;
	CHECK_STR(ids(st, &f), "4;");
	f.op = PEIL_OP_OR;
	kids[1] = cmp(PEIL_OP_IS_NULL, P_ACTIVE, v_null());
	CHECK_STR(ids(st, &f), "1;4;");
	f.child_count = 0;	/* OR of nothing: nothing; AND: everything */
	CHECK_STR(ids(st, &f), "");
	f.op = PEIL_OP_AND;
	CHECK_STR(ids(st, &f), "1;2;3;4;5;");
	f = cmp(PEIL_OP_EQ, P_NAME, v_int(3));
	CHECK_CONTAINS(ids(st, &f), "error: dataset people: filter compares "
				    "field name (text) with integer value");
	f = cmp(PEIL_OP_EQ, 17, v_int(3));
	CHECK_CONTAINS(ids(st, &f), "filter names field 17");
	ops->close(st);
}

/* Every type, projected in another order, reads back as it went in:
 * texts with quotes, tabs, newlines, backslashes and UTF-8; the largest
 * integer; a real that is not exact in binary; dates before 1970. */
TEST(values_round_trip)
{
	static const char odd[] = "a\tb\nc\\d\"e'f\r ë € 😀";
	static const size_t proj[] = { P_ACTIVE, P_SCORE, P_BORN, P_AGE,
				       P_NAME };
	peil_value row[P_FIELDS] = { v_int(9), v_text(odd),
				     v_int(INT64_MAX), v_date(-719162),
				     v_real(0.1), v_bool(1) };
	char expected[256];
	peil_error err;
	void *st;

	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &people, &err), 0);
	CHECK_INT(ops->record_put(st, &people, row, &err), 0);
	snprintf(expected, sizeof(expected),
		 "1|0.10000000000000001|-719162|9223372036854775807|%s;", odd);
	CHECK_STR(scan_text(st, &people, NULL, proj, 5), expected);
	ops->close(st);
}

/* The length of the row's one text, whole, if its bytes are big's. */
static char big[100001];

static int text_len_row(void *ctx, const peil_value *values)
{
	size_t *len = ctx;

	*len = values[0].type == PEIL_TYPE_TEXT &&
	       memcmp(values[0].as.text, big, values[0].len) == 0
		       ? values[0].len
		       : 1;
	return 0;
}

/* Review: the values of values_round_trip and more, put inside a batch
 * (postgres: binary COPY straight into the table), read inside the batch
 * before it commits, and after: NULLs of every type, an empty text (not
 * NULL), the smallest integer, 9999-12-31, +inf, -inf; a text of 100 000
 * UTF-8 bytes ("ë" 50 000 times: read back whole).  Then id 2 again,
 * changed, and id 6 new in the same batch: the later record wins. */
TEST(values_round_trip_in_a_batch)
{
	static const char odd[] = "a\tb\nc\\d\"e'f\r ë € 😀";
	peil_value rows[5][P_FIELDS] = {
		{ v_int(1), v_text(odd), v_int(INT64_MAX), v_date(-719162),
		  v_real(0.1), v_bool(1) },
		{ v_int(2), v_text(""), v_null(), v_null(), v_null(), v_null() },
		{ v_int(3), v_null(), v_int(INT64_MIN), v_date(2932896),
		  v_real(1.0 / 0.0), v_bool(0) },
		{ v_int(4), v_text(big), v_int(0), v_date(0),
		  v_real(-1.0 / 0.0), v_bool(1) },
		{ v_int(5), v_text("x"), v_int(-1), v_date(-1), v_real(-2.5),
		  v_bool(0) },
	};
	peil_value again[2][P_FIELDS] = {
		{ v_int(2), v_text("twee"), v_int(2), v_date(2), v_real(2),
		  v_bool(1) },
		{ v_int(6), v_text("zes"), v_int(6), v_date(6), v_real(6),
		  v_bool(0) },
	};
	static const size_t name_only[] = { P_NAME };
	peil_filter id4 = { .op = PEIL_OP_EQ, .field = P_ID };
	char expected[1024];
	size_t stored, i, len;
	peil_error err;
	void *st;
	int pass;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V3, ops->records_put != NULL, 3))
		return;
	for (i = 0; i + 2 <= 100000; i += 2)
		memcpy(big + i, "\xc3\xab", 2);
	rows[3][P_NAME] = v_text(big);
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &people, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->records_put(st, &people, &rows[0][0], 5, &stored, &err), 0);
	CHECK_INT(stored, 5);
	for (pass = 0; pass < 2; pass++) {
		char got[2048];

		snprintf(expected, sizeof(expected),
			 "1|%s|9223372036854775807|-719162|0.10000000000000001|1;"
			 "%s"
			 "3|-|-9223372036854775808|2932896|inf|0;4|",
			 odd, pass ? "2|twee|2|2|2|1;" : "2||-|-|-|-;");
		snprintf(got, sizeof(got), "%s", scan_text(st, &people, NULL, NULL, 0));
		if (strncmp(got, expected, strlen(expected)) != 0)
			printf("  got %.300s\n", got);
		CHECK(strncmp(got, expected, strlen(expected)) == 0);
		/* the big text, as far as a value is printed (255 bytes) */
		CHECK(strncmp(got + strlen(expected), big, 254) == 0);
		CHECK_CONTAINS(got, "|0|0|-inf|1;");
		CHECK_CONTAINS(got, "5|x|-1|-1|-2.5|0;");
		id4.value = v_int(4);
		len = 0;
		CHECK_INT(ops->scan(st, &people, &id4, name_only, 1, text_len_row,
				    &len, &err), 0);
		CHECK_INT(len, 100000);
		if (pass == 0) {
			CHECK_INT(ops->records_put(st, &people, &again[0][0], 2,
						   &stored, &err), 0);
			CHECK_CONTAINS(scan_text(st, &people, NULL, NULL, 0),
				       "2|twee|2|2|2|1;");
			CHECK_CONTAINS(scan_text(st, &people, NULL, NULL, 0),
				       "6|zes|6|6|6|0;");
			CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
		}
	}
	CHECK_INT(count_rows(st, &people), 6);
	ops->close(st);
}

/* The row callback's nonzero return stops the scan and is returned. */
TEST(scan_stops)
{
	static struct rows r;
	peil_error err;
	void *st;

	OPEN_OR_RETURN(st, err);
	CHECK_INT(people_fill(ops, st, &err), 0);
	memset(&r, 0, sizeof(r));
	r.fields = 1;
	r.stop_after = 2;
	CHECK_INT(ops->scan(st, &people, NULL, id_only, 1, rows_row, &r, &err),
		  7);
	CHECK_STR(r.text, "1;2;");
	/* The store goes on after a stopped scan. */
	CHECK_INT(count_rows(st, &people), 5);
	ops->close(st);
}

/* A row callback may scan the store again: for each person, the people
 * with an id up to theirs: 1 + 2 + 3 + 4 + 5 = 15, outside a batch and
 * inside one. */
struct nested {
	void *st;
	int total;
};

static int nested_row(void *ctx, const peil_value *values)
{
	struct nested *n = ctx;
	peil_filter upto = cmp(PEIL_OP_LE, P_ID, values[0]);
	static struct rows r;
	peil_error err;

	memset(&r, 0, sizeof(r));
	if (ops->scan(n->st, &people, &upto, id_only, 1, rows_row, &r,
		      &err) < 0) {
		printf("  inner scan: %s\n", err.message);
		return -1;
	}
	n->total += r.count;
	return 0;
}

TEST(scan_inside_a_scan)
{
	struct nested n = { NULL, 0 };
	peil_error err;
	void *st;

	OPEN_OR_RETURN(st, err);
	CHECK_INT(people_fill(ops, st, &err), 0);
	n.st = st;
	CHECK_INT(ops->scan(st, &people, NULL, id_only, 1, nested_row, &n,
			    &err), 0);
	CHECK_INT(n.total, 15);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	n.total = 0;
	CHECK_INT(ops->scan(st, &people, NULL, id_only, 1, nested_row, &n,
			    &err), 0);
	CHECK_INT(n.total, 15);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	ops->close(st);
}

/* Version 15 (scans_from_key): inside a scan's row callback, a scan of
 * cases filtered on id >= a text gives the ids from there on in byte
 * order, shorter first, whatever the collation of a locale says ("B"
 * before "a", "é" after "z", "D10000000" between "D1000000" and
 * "D1000001"), and stops where its callback says.  For each of the five
 * people: the first two from "D1000000", then all from "D1000001". */
struct from_key {
	void *st;
	struct rows first, rest;
	int outer;
};

static int from_key_row(void *ctx, const peil_value *values)
{
	struct from_key *f = ctx;
	peil_filter from = cmp(PEIL_OP_GE, 0, v_text("D1000000"));
	peil_error err;

	(void)values;
	f->outer++;
	memset(&f->first, 0, sizeof(f->first));
	f->first.fields = 1;
	f->first.stop_after = 2;
	if (ops->scan(f->st, &cases, &from, first_field, 1, rows_row,
		      &f->first, &err) != 7)
		return -1;
	from = cmp(PEIL_OP_GE, 0, v_text("D1000001"));
	memset(&f->rest, 0, sizeof(f->rest));
	f->rest.fields = 1;
	return ops->scan(f->st, &cases, &from, first_field, 1, rows_row,
			 &f->rest, &err) < 0 ? -1 : 0;
}

TEST(scans_from_key_in_byte_order)
{
	static const char *const ids[] = { "D999999", "D1000000", "a",
					   "D10000000", "D1000001", "B",
					   "\xc3\xa9", "D1", "z" };
	struct from_key f;
	peil_error err;
	void *st;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V15, ops->scans_from_key, 15))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(people_fill(ops, st, &err), 0);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		CHECK_INT(case_put(st, ids[i], "Oost", 17000, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	memset(&f, 0, sizeof(f));
	f.st = st;
	CHECK_INT(ops->scan(st, &people, NULL, id_only, 1, from_key_row, &f,
			    &err), 0);
	CHECK_INT(f.outer, 5);
	CHECK_STR(f.first.text, "D1000000;D10000000;");
	CHECK_STR(f.rest.text, "D1000001;D999999;a;z;\xc3\xa9;");
	ops->close(st);
}

/* The results of the latest ended run, in KPI, period, breakdown order. */
struct results {
	char text[1024];
	int64_t run_id;
};

static int result_row(void *ctx, const peil_result *r)
{
	struct results *res = ctx;

	res->run_id = r->run_id;
	appendf(res->text, sizeof(res->text), "%s %s %s %g %g %g %s %g %d;",
		r->kpi, r->period, r->breakdown, r->value, r->numerator,
		r->denominator, r->status ? r->status : "-", r->size,
		r->earlier);
	return 0;
}

struct runs {
	char text[512];
};

static int run_row(void *ctx, const peil_run_record *run)
{
	struct runs *r = ctx;

	appendf(r->text, sizeof(r->text), "%lld %s %s %lld-%lld %s..%s;",
		(long long)run->id, run->kind, run->status,
		(long long)run->started, (long long)run->ended,
		run->period_from ? run->period_from : "-",
		run->period_to ? run->period_to : "-");
	return 0;
}

static int kpi_row(void *ctx, const peil_run_kpi *k)
{
	struct runs *r = ctx;

	appendf(r->text, sizeof(r->text), "%s %s %s %s;", k->kpi, k->status,
		k->message ? k->message : "-",
		k->definition ? k->definition : "-");
	return 0;
}

TEST(runs_and_results)
{
	peil_run_info info = { "run", 1000, "2018-01-01", "2018-03-31",
			       "c", "s", "i", NULL, 0, NULL };
	peil_run_kpi ok_kpi = { "b_kpi", "B", "%", "b.lua", "h", "ok", NULL,
				"def B" };
	peil_run_kpi failed_kpi = { "a_kpi", "A", "", "a.lua", "h", "failed",
				    "boom", NULL };
	peil_result r1 = { 0, "b_kpi", "2018-Q1", "{}", 50.0, 1, 2, "met",
			   2, 0 };
	peil_result r2 = { 0, "b_kpi", "2018-01", "{\"team\":\"Z\"}", NAN,
			   NAN, 0, NULL, NAN, 0 };
	peil_result r3 = { 0, "a_kpi", "2017-Q4", "{}", 1.5, NAN, NAN, NULL,
			   NAN, 1 };
	peil_result_query latest = { 0, NULL }, only_b = { 0, "b_kpi" };
	struct results res;
	struct runs runs;
	int64_t run1 = 0, run2 = 0;
	peil_error err;
	void *st;

	OPEN_OR_RETURN(st, err);
	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &latest, result_row, &res, &err), 0);
	CHECK_STR(res.text, "");	/* no run yet: nothing */
	CHECK_INT(ops->run_begin(st, &info, &run1, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK(ops->run_begin(st, &info, &run2, &err) < 0);  /* not in a batch */
	CHECK_INT(ops->run_kpi_put(st, run1, &ok_kpi, &err), 0);
	CHECK_INT(ops->run_kpi_put(st, run1, &failed_kpi, &err), 0);
	CHECK_INT(ops->result_put(st, run1, &r1, &err), 0);
	CHECK_INT(ops->result_put(st, run1, &r2, &err), 0);
	CHECK_INT(ops->result_put(st, run1, &r3, &err), 0);
	r1.value = 75.0;	/* put again: replaced */
	CHECK_INT(ops->result_put(st, run1, &r1, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &latest, result_row, &res, &err), 0);
	CHECK_STR(res.text, "");	/* still running: not the latest */
	CHECK_INT(ops->run_end(st, run1, "kpi failed", 1005, &err), 0);
	info.started = 2000;
	CHECK_INT(ops->run_begin(st, &info, &run2, &err), 0);
	CHECK(run2 > run1);

	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &latest, result_row, &res, &err), 0);
	CHECK_INT(res.run_id, run1);
	if (has_version(PEIL_STORAGE_OPS_SIZE_V10) && ops->keeps_earlier_figures)
		CHECK_STR(res.text,
			  "a_kpi 2017-Q4 {} 1.5 nan nan - nan 1;"
			  "b_kpi 2018-01 {\"team\":\"Z\"} nan nan 0 - nan 0;"
			  "b_kpi 2018-Q1 {} 75 1 2 met 2 0;");
	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &only_b, result_row, &res, &err), 0);
	CHECK_CONTAINS(res.text, "b_kpi 2018-Q1 {} 75 1 2 met");
	CHECK(strstr(res.text, "a_kpi") == NULL);

	memset(&runs, 0, sizeof(runs));
	CHECK_INT(ops->runs_scan(st, 0, run_row, &runs, &err), 0);
	snprintf(res.text, sizeof(res.text),
		 "%lld run running 2000-0 2018-01-01..2018-03-31;"
		 "%lld run kpi failed 1000-1005 2018-01-01..2018-03-31;",
		 (long long)run2, (long long)run1);
	CHECK_STR(runs.text, res.text);
	CHECK(ops->runs_scan(st, run2 + 100, run_row, &runs, &err) < 0);
	CHECK_CONTAINS(err.message, "no run");
	CHECK(ops->run_end(st, run2 + 100, "ok", 1, &err) < 0);

	memset(&runs, 0, sizeof(runs));
	CHECK_INT(ops->run_kpis_scan(st, run1, kpi_row, &runs, &err), 0);
	if (has_version(PEIL_STORAGE_OPS_SIZE_V11) && ops->keeps_kpi_definitions)
		CHECK_STR(runs.text, "a_kpi failed boom -;b_kpi ok - def B;");
	ops->close(st);
}

struct log {
	char text[512];
};

static int ingest_row(void *ctx, const peil_ingest_entry *e)
{
	struct log *l = ctx;

	appendf(l->text, sizeof(l->text), "%s %s %lld %lld %s;", e->source,
		e->path, (long long)e->rows, (long long)e->rejected,
		e->settings_sha256 ? e->settings_sha256 : "-");
	return 0;
}

/* Fingerprints: SHA-256 of nothing, then of "bron\0cases\0/data/a.csv\0"
 * "abab...ab\0" "3\0", then of that and the second entry's encoding. */
TEST(ingest_log_and_fingerprint)
{
	char hash_a[65], hash_b[65], fp[65];
	peil_ingest_entry a = { "bron", "cases", "/data/a.csv", hash_a, 3, 1,
				1000, 0, "S1 csv 1.0", 0, 0, 0 };
	peil_ingest_entry b = { "bron", "cases", "/data/b.csv", hash_b, 12, 0,
				1001, 0, NULL, 0, 0, 0 };
	struct log log;
	int seen = -1, i;
	peil_error err;
	void *st;

	OPEN_OR_RETURN(st, err);
	for (i = 0; i < 64; i++) {
		hash_a[i] = "ab"[i % 2];
		hash_b[i] = "cd"[i % 2];
	}
	hash_a[64] = hash_b[64] = '\0';
	CHECK_INT(ops->inputs_fingerprint(st, fp, &err), 0);
	CHECK_STR(fp, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->ingest_log(st, &a, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(ops->inputs_fingerprint(st, fp, &err), 0);
	CHECK_STR(fp, "d5bd8c0689a412cb22749fccd025c7d2417074545ccc037e8689921924492807");
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->ingest_log(st, &b, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(ops->inputs_fingerprint(st, fp, &err), 0);
	CHECK_STR(fp, "bae0aecdbac4de1569ced97f1717b20947b1122be68a0594585a5a6c472e6f70");

	CHECK_INT(ops->ingest_seen(st, &a, &seen, &err), 0);
	CHECK_INT(seen, 1);
	a.settings_sha256 = "S2 csv 1.0";	/* read another way */
	CHECK_INT(ops->ingest_seen(st, &a, &seen, &err), 0);
	CHECK_INT(seen, 0);
	CHECK_INT(ops->ingest_seen(st, &b, &seen, &err), 0);  /* NULL = NULL */
	CHECK_INT(seen, 1);
	b.source = "andere";
	CHECK_INT(ops->ingest_seen(st, &b, &seen, &err), 0);
	CHECK_INT(seen, 0);
	memset(&log, 0, sizeof(log));
	CHECK_INT(ops->ingest_scan(st, ingest_row, &log, &err), 0);
	CHECK_STR(log.text, "bron /data/a.csv 3 1 S1 csv 1.0;"
			    "bron /data/b.csv 12 0 -;");
	ops->close(st);
}

/* Version 13: the ingest log keeps each file's size, time and inode (0:
 * not known); a run keeps the run it confirms (0: none), and one that
 * ended "unchanged" is never the latest run of results_scan; results_copy
 * copies one KPI's figures of a run, the earlier ones with their flag,
 * into another, and no other KPI's. */
static int file_row(void *ctx, const peil_ingest_entry *e)
{
	struct log *l = ctx;

	appendf(l->text, sizeof(l->text), "%lld %lld %lld;",
		(long long)e->file_size, (long long)e->file_mtime_ns,
		(long long)e->file_inode);
	return 0;
}

static int confirms_row(void *ctx, const peil_run_record *run)
{
	struct runs *r = ctx;

	appendf(r->text, sizeof(r->text), "%lld %s %lld;", (long long)run->id,
		run->status, (long long)run->confirms);
	return 0;
}

/* Version 18: a run keeps the build that evaluated it; a run recorded
 * without one gives NULL back. */
static int build_row(void *ctx, const peil_run_record *run)
{
	struct runs *r = ctx;

	appendf(r->text, sizeof(r->text), "%lld %s;", (long long)run->id,
		run->build_sha256 ? run->build_sha256 : "-");
	return 0;
}

TEST(run_builds)
{
	peil_run_info info = { "run", 1000, "2018-01-01", "2018-03-31",
			       "c", "s", "i", NULL, 0, "b1" };
	int64_t run1 = 0, run2 = 0;
	struct runs runs;
	char want[128];
	peil_error err;
	void *st;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V18, ops->keeps_run_builds, 18))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->run_begin(st, &info, &run1, &err), 0);
	CHECK_INT(ops->run_end(st, run1, "ok", 1001, &err), 0);
	info.build_sha256 = NULL;
	CHECK_INT(ops->run_begin(st, &info, &run2, &err), 0);
	CHECK_INT(ops->run_end(st, run2, "ok", 1002, &err), 0);
	memset(&runs, 0, sizeof(runs));
	CHECK_INT(ops->runs_scan(st, 0, build_row, &runs, &err), 0);
	snprintf(want, sizeof(want), "%lld -;%lld b1;", (long long)run2,
		 (long long)run1);
	CHECK_STR(runs.text, want);
	ops->close(st);
}

TEST(run_confirmations_and_results_copy)
{
	peil_ingest_entry a = { "bron", "cases", "/data/a.csv", "aa", 3, 0,
				1000, 0, NULL, 120, 1700000000123456789,
				4711 };
	peil_ingest_entry b = { "bron", "cases", "/data/b.csv", "bb", 1, 0,
				1001, 0, NULL, 0, 0, 0 };
	peil_run_info info = { "run", 1000, "2018-01-01", "2018-03-31",
			       "c", "s", "i", NULL, 0, NULL };
	peil_result k1 = { 0, "k", "2018-Q1", "{}", 5, 1, 2, "met", 2, 0 };
	peil_result k0 = { 0, "k", "2017-Q4", "{}", 4, NAN, NAN, NULL, NAN,
			   1 };
	peil_result other = { 0, "other", "2018-Q1", "{}", 7, NAN, NAN, NULL,
			      NAN, 0 };
	peil_result_query latest = { 0, NULL }, copied = { 0, NULL };
	int64_t run1 = 0, run2 = 0, run3 = 0;
	struct results res;
	struct runs runs;
	struct log log;
	char want[512];
	peil_error err;
	void *st;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V13,
		  ops->keeps_run_confirmations && ops->results_copy, 13))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->ingest_log(st, &a, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->ingest_log(st, &b, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	memset(&log, 0, sizeof(log));
	CHECK_INT(ops->ingest_scan(st, file_row, &log, &err), 0);
	CHECK_STR(log.text, "120 1700000000123456789 4711;0 0 0;");

	CHECK_INT(ops->run_begin(st, &info, &run1, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->result_put(st, run1, &k1, &err), 0);
	CHECK_INT(ops->result_put(st, run1, &k0, &err), 0);
	CHECK_INT(ops->result_put(st, run1, &other, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(ops->run_end(st, run1, "ok", 1001, &err), 0);
	info.confirms = run1;
	CHECK_INT(ops->run_begin(st, &info, &run2, &err), 0);
	CHECK_INT(ops->run_end(st, run2, "unchanged", 1002, &err), 0);
	memset(&runs, 0, sizeof(runs));
	CHECK_INT(ops->runs_scan(st, 0, confirms_row, &runs, &err), 0);
	snprintf(want, sizeof(want), "%lld unchanged %lld;%lld ok 0;",
		 (long long)run2, (long long)run1, (long long)run1);
	CHECK_STR(runs.text, want);
	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &latest, result_row, &res, &err), 0);
	CHECK_INT(res.run_id, run1);	/* not the run that confirms it */

	info.confirms = 0;
	CHECK_INT(ops->run_begin(st, &info, &run3, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->results_copy(st, run1, run3, "k", &err), 0);
	CHECK(ops->results_copy(st, run1, run3, NULL, &err) < 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(ops->run_end(st, run3, "ok", 1003, &err), 0);
	copied.run_id = run3;
	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &copied, result_row, &res, &err), 0);
	CHECK_STR(res.text, "k 2017-Q4 {} 4 nan nan - nan 1;"
			    "k 2018-Q1 {} 5 1 2 met 2 0;");
	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &latest, result_row, &res, &err), 0);
	CHECK_INT(res.run_id, run3);
	ops->close(st);
}

/* Version 16: public_figures_put takes the public figures of a run in
 * its batch, a hidden one with NaN numbers and no status; a row without
 * a KPI id is refused; they go with their run's batch. */
TEST(public_figures_put)
{
	peil_run_info info = { "run", 1000, "2018-01-01", "2018-03-31",
			       "c", "s", "i", NULL, 0, NULL };
	peil_result total = { 0, "k", "2018-01", "{}", 3, NAN, NAN, NULL,
			      3, 0 };
	peil_result cell = { 0, "k", "2018-01", "{\"team\":\"Zuid\"}", 1,
			     NAN, NAN, NULL, 1, 0 };
	peil_result pub[2] = {
		{ 0, "k", "2018-01", "{\"team\":\"Zuid\"}", NAN, NAN, NAN,
		  NULL, NAN, 0 },
		{ 0, "k", "2018-01", "{}", 3, NAN, NAN, NULL, NAN, 0 },
	};
	peil_result nameless = { 0, NULL, "2018-01", "{}", 3, NAN, NAN, NULL,
				 NAN, 0 };
	int64_t run = 0;
	peil_error err;
	void *st;

	/* Not a field past the plugin's table: sqlite's ends before it. */
	if (lacks(PEIL_STORAGE_OPS_SIZE_V16,
		  has_version(PEIL_STORAGE_OPS_SIZE_V16) &&
			  ops->public_figures_put != NULL, 16))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->run_begin(st, &info, &run, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->result_put(st, run, &total, &err), 0);
	CHECK_INT(ops->result_put(st, run, &cell, &err), 0);
	CHECK_INT(ops->public_figures_put(st, run, pub, 2, &err), 0);
	CHECK_INT(ops->public_figures_put(st, run, pub, 0, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK(ops->public_figures_put(st, run, &nameless, 1, &err) < 0);
	CHECK(strstr(err.message, "KPI") != NULL);
	ops->batch_rollback(st);
	CHECK_INT(ops->run_end(st, run, "ok", 1001, &err), 0);
	ops->close(st);
}

/* The figures results_scan gives, by breakdown: how many, and the value,
 * status and earlier flag of those a test looks at. */
struct many {
	int count;
	double value[4];
	const char *look[4];	/* breakdowns */
	int found[4], earlier[4];
	char status[4][16];
};

static int many_row(void *ctx, const peil_result *r)
{
	struct many *m = ctx;

	m->count++;
	for (int i = 0; i < 4; i++)
		if (m->look[i] && strcmp(r->breakdown, m->look[i]) == 0) {
			m->found[i]++;
			m->value[i] = r->value;
			m->earlier[i] = r->earlier;
			snprintf(m->status[i], sizeof(m->status[i]), "%s",
				 r->status ? r->status : "-");
		}
	return 0;
}

/* Version 17: results_put stores as result_put of each row in turn, over
 * more rows than two statements of the sqlite store take (1024 each):
 * 2051 rows, row i of breakdown {"n":"i"} and value i, but row 1500 has
 * the key of row 1 (value 100000: a row of the statement before
 * replaced), row 1100 that of row 1050 (55555: of the same statement),
 * row 2050 that of row 1030 (7000, status "met", earlier 1: one of the
 * rest, put one by one), row 2047 no breakdown (the total "{}", no
 * value): 2051 - 3 = 2048 figures.  A row without a period is refused
 * before any row of the call is stored. */
TEST(results_put_many)
{
	enum { N = 2051 };
	peil_run_info info = { "run", 1000, "2018-01-01", "2018-01-31",
			       "c", "s", "i", NULL, 0, NULL };
	static char breakdowns[N][16];
	static peil_result rows[N];
	peil_result_query q = { 0, "k" };
	struct many m;
	int64_t run = 0;
	peil_error err;
	void *st;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V17,
		  has_version(PEIL_STORAGE_OPS_SIZE_V17) &&
			  ops->results_put != NULL, 17))
		return;
	for (int i = 0; i < N; i++) {
		int key = i == 1500 ? 1 : i == 1100 ? 1050 : i == 2050 ? 1030 : i;

		snprintf(breakdowns[i], sizeof(breakdowns[i]),
			 "{\"n\":\"%04d\"}", key);
		rows[i] = (peil_result){ 0, "k", "2018-01", breakdowns[i],
					 i, NAN, NAN, NULL, 1, 0 };
	}
	rows[1500].value = 100000;
	rows[1100].value = 55555;
	rows[2050].value = 7000;
	rows[2050].status = "met";
	rows[2050].earlier = 1;
	rows[2047].breakdown = NULL;
	rows[2047].value = NAN;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->run_begin(st, &info, &run, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->results_put(st, run, rows, N, &err), 0);
	CHECK_INT(ops->results_put(st, run, rows, 0, &err), 0);
	rows[2049].period = NULL;	/* refused: no row put again */
	rows[0].value = -1;
	CHECK(ops->results_put(st, run, rows, N, &err) < 0);
	CHECK_CONTAINS(err.message, "period");
	CHECK_INT(ops->batch_commit(st, &err), 0);
	memset(&m, 0, sizeof(m));
	m.look[0] = "{\"n\":\"0001\"}";
	m.look[1] = "{\"n\":\"1030\"}";
	m.look[2] = "{}";
	m.look[3] = "{\"n\":\"1050\"}";
	q.run_id = run;
	CHECK_INT(ops->results_scan(st, &q, many_row, &m, &err), 0);
	CHECK_INT(m.count, 2048);
	CHECK_INT(m.found[0], 1);
	CHECK(m.value[0] == 100000);
	CHECK_INT(m.found[1], 1);
	CHECK(m.value[1] == 7000);
	CHECK_STR(m.status[1], "met");
	if (ops->keeps_earlier_figures)
		CHECK_INT(m.earlier[1], 1);
	CHECK_INT(m.found[2], 1);
	CHECK(isnan(m.value[2]));
	CHECK_INT(m.found[3], 1);
	CHECK(m.value[3] == 55555);
	/* row 0 as first put, not the refused call's -1 */
	memset(&m, 0, sizeof(m));
	m.look[0] = "{\"n\":\"0000\"}";
	CHECK_INT(ops->results_scan(st, &q, many_row, &m, &err), 0);
	CHECK_INT(m.found[0], 1);
	CHECK(m.value[0] == 0);
	CHECK_INT(ops->run_end(st, run, "ok", 1001, &err), 0);
	ops->close(st);
}

/* Ingest 1 puts C1 C2 C3; run 1.  Ingest 2 is a snapshot of C1 (same),
 * C2 (team changed), C4 (new): C3 is removed.  Ingest 3 puts C2 as it is
 * now: nothing changes.  Run 2.  Between the runs: C2 changed, C3 removed,
 * C4 added, all by ingest 2; C1 nowhere. */
TEST(change_log_and_snapshot)
{
	void *st;
	struct changes ch;
	int64_t run1, run2, removed = -1;
	peil_error err;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V2, ops->snapshot_begin != NULL, 2))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, "C2", "Noord", 19001, &err), 0);
	CHECK_INT(case_put(st, "C3", "Zuid", 19002, &err), 0);
	CHECK_INT(case_put(st, "C3", "Zuid", 19003, &err), 0);
	CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
	CHECK((run1 = run_now(ops, st, &err)) > 0);

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->snapshot_begin(st, &cases, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(case_put(st, "C4", "Zuid", 19004, &err), 0);
	CHECK_INT(ops->snapshot_end(st, &cases, &removed, &err), 0);
	CHECK_INT(removed, 1);
	CHECK_INT(ingest_done(ops, st, "b.csv", &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(ingest_done(ops, st, "c.csv", &err), 0);
	CHECK((run2 = run_now(ops, st, &err)) > 0);
	CHECK_INT(count_rows(st, &cases), 3);

	CHECK_STR(changes_between(st, run1, run2), "2:cases:C2:changed:b.csv;2:cases:C3:removed:b.csv;"
			   "2:cases:C4:added:b.csv;");
	/* Up to run 1: the first ingest's adds; C3 put twice is one add. */
	CHECK_STR(changes_between(st, 0, run1), "1:cases:C1:added:a.csv;1:cases:C2:added:a.csv;"
			   "1:cases:C3:added:a.csv;");
	CHECK_INT(ops->run_last_ingest(st, run1, &removed, &err), 0);
	CHECK_INT(removed, 1);
	CHECK_INT(ops->run_last_ingest(st, run2, &removed, &err), 0);
	CHECK_INT(removed, 3);
	CHECK(ops->input_changes_scan(st, 999, 0, change_row, &ch, &err) < 0);
	CHECK_CONTAINS(err.message, "no run 999");

	/* A snapshot rolled back removes nothing and logs nothing. */
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->snapshot_begin(st, &cases, &err), 0);
	CHECK_INT(case_put(st, "C1", "Oost", 19000, &err), 0);
	CHECK_INT(ops->snapshot_end(st, &cases, &removed, &err), 0);
	CHECK_INT(removed, 2);
	ops->batch_rollback(st);
	CHECK_INT(count_rows(st, &cases), 3);
	/* Everything since the first ingest: C3's adding is still told,
	 * though its row went; the rolled back snapshot told nothing. */
	CHECK_STR(changes_between(st, 0, 0), "1:cases:C1:added:a.csv;1:cases:C2:added:a.csv;"
			   "2:cases:C2:changed:b.csv;1:cases:C3:added:a.csv;"
			   "2:cases:C3:removed:b.csv;2:cases:C4:added:b.csv;");
	CHECK(ops->snapshot_end(st, &cases, &removed, &err) < 0);
	CHECK_CONTAINS(err.message, "without snapshot_begin");
	ops->close(st);
}

/* A row changed and changed back in a batch that also
 * removes it, and one changed and back in the same batch's snapshot.
 * Ingest 1 adds C1 and C2 (Noord).  Ingest 2 puts C1 Zuid, reads, C1
 * Noord again; then a snapshot of C2 Zuid, reads, C2 Noord again, which
 * removes C1 (not in it).  What ingest 2 did as a whole: C1 removed; C2
 * as it was, nothing. */
TEST(changed_back_and_removed)
{
	void *st;
	int64_t run1, run2, removed = -1;
	peil_error err;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V2, ops->snapshot_begin != NULL, 2))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, "C2", "Noord", 19001, &err), 0);
	CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
	CHECK((run1 = run_now(ops, st, &err)) > 0);

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Zuid", 19000, &err), 0);
	CHECK_INT(count_rows(st, &cases), 2);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(count_rows(st, &cases), 2);
	CHECK_INT(ops->snapshot_begin(st, &cases, &err), 0);
	CHECK_INT(case_put(st, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(count_rows(st, &cases), 2);
	CHECK_INT(case_put(st, "C2", "Noord", 19001, &err), 0);
	CHECK_INT(ops->snapshot_end(st, &cases, &removed, &err), 0);
	CHECK_INT(removed, 1);
	CHECK_INT(ingest_done(ops, st, "b.csv", &err), 0);
	CHECK((run2 = run_now(ops, st, &err)) > 0);
	CHECK_STR(scan_text(st, &cases, NULL, NULL, 0), "C2|Noord|19001;");

	CHECK_STR(changes_between(st, run1, run2), "2:cases:C1:removed:b.csv;");
	ops->close(st);
}

/* A key stored twice by one ingest, its records apart (a scan between
 * them moves the first into the table): ingest 1 puts C1 Noord, reads,
 * then C1 Zuid and C2: C1 is added once, not changed.  The change log
 * tells what a batch did as a whole, the rows as they were before it
 * against the rows as it left them.  Ingest 2 puts C1 Oost, reads, then
 * C1 Zuid again, as stored before it: C1 did not change; C2 West, reads,
 * then C2 Oost: C2 changed (Noord to Oost).  Ingest 3 puts C1 Oost,
 * reads, C1 Zuid, reads, C1 Oost again: changed once (Zuid to Oost), the
 * row before the batch still the one compared with. */
TEST(key_stored_twice_in_one_ingest)
{
	void *st;
	int64_t run1, run2, run3;
	peil_error err;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V2, ops->input_changes_scan != NULL, 2))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(count_rows(st, &cases), 1);
	CHECK_INT(case_put(st, "C1", "Zuid", 19001, &err), 0);
	CHECK_INT(case_put(st, "C2", "Noord", 19002, &err), 0);
	CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
	CHECK((run1 = run_now(ops, st, &err)) > 0);
	CHECK_STR(scan_text(st, &cases, NULL, NULL, 0),
		  "C1|Zuid|19001;C2|Noord|19002;");

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Oost", 19001, &err), 0);
	CHECK_INT(case_put(st, "C2", "West", 19002, &err), 0);
	CHECK_STR(scan_text(st, &cases, NULL, NULL, 0),
		  "C1|Oost|19001;C2|West|19002;");
	CHECK_INT(case_put(st, "C1", "Zuid", 19001, &err), 0);
	CHECK_INT(case_put(st, "C2", "Oost", 19002, &err), 0);
	CHECK_INT(ingest_done(ops, st, "b.csv", &err), 0);
	CHECK((run2 = run_now(ops, st, &err)) > 0);
	CHECK_STR(scan_text(st, &cases, NULL, NULL, 0),
		  "C1|Zuid|19001;C2|Oost|19002;");

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Oost", 19001, &err), 0);
	CHECK_INT(count_rows(st, &cases), 2);
	CHECK_INT(case_put(st, "C1", "Zuid", 19001, &err), 0);
	CHECK_INT(count_rows(st, &cases), 2);
	CHECK_INT(case_put(st, "C1", "Oost", 19001, &err), 0);
	CHECK_INT(ingest_done(ops, st, "c.csv", &err), 0);
	CHECK((run3 = run_now(ops, st, &err)) > 0);

	CHECK_STR(changes_between(st, 0, run1), "1:cases:C1:added:a.csv;1:cases:C2:added:a.csv;");
	CHECK_STR(changes_between(st, run1, run2), "2:cases:C2:changed:b.csv;");
	CHECK_STR(changes_between(st, run2, run3), "3:cases:C1:changed:c.csv;");
	ops->close(st);
}

/* records_put of cases C000000.. from `from` on, in calls of 512 as the
 * host makes them: count in all; 0 or -1 (err) as the first failing call. */
static int cases_put_many(void *st, int from, int count, peil_error *err)
{
	enum { CALL = 512 };
	static char ids[CALL][12];
	peil_value rows[CALL * 3];
	size_t n, i, stored;
	int at;

	for (at = 0; at < count; at += (int)n) {
		n = count - at < CALL ? (size_t)(count - at) : CALL;
		for (i = 0; i < n; i++) {
			snprintf(ids[i], sizeof(ids[i]), "C%06d",
				 from + at + (int)i);
			rows[i * 3] = v_text(ids[i]);
			rows[i * 3 + 1] = v_text("Noord");
			rows[i * 3 + 2] = v_date(19000 + (int32_t)(i % 365));
		}
		if (ops->records_put(st, &cases, rows, n, &stored, err) < 0)
			return -1;
	}
	return 0;
}

/* The kinds of the change log's entries counted: added, changed. */
struct change_kinds {
	int added, changed;
};

static int change_kind(void *ctx, const peil_input_change *c)
{
	struct change_kinds *k = ctx;

	k->added += strcmp(c->kind, "added") == 0;
	k->changed += strcmp(c->kind, "changed") == 0;
	return 0;
}

/* One batch of more records than a store sends at once (150 000 cases,
 * about 6 MB as COPY data for postgres, which sends 4 MB at a time and
 * the first of a new dataset straight into its table), then C000005 again
 * as team "Dubbel" and one new key: the last record of a key wins however
 * the first went in, 150 001 rows, each logged "added" once and none
 * "changed" (added by this ingest).  Then a batch of 150 000 new keys and
 * a record without its key fails and is rolled back: none of it stays. */
TEST(large_batch_a_key_again)
{
	enum { N = 150000 };
	peil_value again[6] = { v_text("C000005"), v_text("Dubbel"),
				v_date(19999), v_text("C999999"),
				v_text("Zuid"), v_date(19998) };
	peil_value nokey[3] = { v_null(), v_text("Zuid"), v_date(19998) };
	peil_filter c005 = { .op = PEIL_OP_EQ, .field = 0 };
	struct change_kinds kinds = { 0, 0 };
	size_t stored;
	int64_t run1;
	peil_error err;
	void *st;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V3, ops->records_put != NULL, 3) ||
	    lacks(PEIL_STORAGE_OPS_SIZE_V2, ops->input_changes_scan != NULL, 2))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(cases_put_many(st, 0, N, &err), 0);
	CHECK_INT(ops->records_put(st, &cases, again, 2, &stored, &err), 0);
	CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
	CHECK((run1 = run_now(ops, st, &err)) > 0);
	CHECK_INT(count_rows(st, &cases), N + 1);
	c005.value = v_text("C000005");
	CHECK_STR(scan_text(st, &cases, &c005, NULL, 0), "C000005|Dubbel|19999;");
	CHECK_INT(ops->input_changes_scan(st, 0, run1, change_kind, &kinds,
					  &err), 0);
	CHECK_INT(kinds.added, N + 1);
	CHECK_INT(kinds.changed, 0);

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(cases_put_many(st, N, N, &err), 0);
	CHECK(ops->records_put(st, &cases, nokey, 1, &stored, &err) < 0);
	CHECK_INT(stored, 0);
	ops->batch_rollback(st);
	CHECK_INT(count_rows(st, &cases), N + 1);
	ops->close(st);
}

/* The change log of corrected re-exports, one ingest after the other:
 * a (1) adds C1 Noord, C2 Noord, C3 Zuid; b (2) gives the three again as
 * they are: nothing; c (3) C1 Zuid: changed; d (4) C1 Noord, back as it
 * was before c: changed again, each batch changed it, a second entry;
 * e (5) a snapshot of team Zuid without rows removes C3 (C1 is Noord
 * again): removed, its "added" of ingest 1 kept. */
TEST(change_log_of_reexports)
{
	void *st;
	int64_t run1, run2, run5, removed = -1;
	peil_error err;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V7, ops->snapshot_scope_begin != NULL, 7))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, "C2", "Noord", 19001, &err), 0);
	CHECK_INT(case_put(st, "C3", "Zuid", 19002, &err), 0);
	CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
	CHECK((run1 = run_now(ops, st, &err)) > 0);

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, "C2", "Noord", 19001, &err), 0);
	CHECK_INT(case_put(st, "C3", "Zuid", 19002, &err), 0);
	CHECK_INT(ingest_done(ops, st, "b.csv", &err), 0);
	CHECK((run2 = run_now(ops, st, &err)) > 0);
	CHECK_STR(changes_between(st, run1, run2), "");

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Zuid", 19000, &err), 0);
	CHECK_INT(ingest_done(ops, st, "c.csv", &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(ingest_done(ops, st, "d.csv", &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->snapshot_scope_begin(st, &cases, 1, "Zuid", &err), 0);
	CHECK_INT(ops->snapshot_end(st, &cases, &removed, &err), 0);
	CHECK_INT(removed, 1);
	CHECK_INT(ingest_done(ops, st, "e.csv", &err), 0);
	CHECK((run5 = run_now(ops, st, &err)) > 0);
	CHECK_STR(scan_text(st, &cases, NULL, NULL, 0),
		  "C1|Noord|19000;C2|Noord|19001;");

	CHECK_STR(changes_between(st, 0, run5), "1:cases:C1:added:a.csv;3:cases:C1:changed:c.csv;"
			   "4:cases:C1:changed:d.csv;1:cases:C2:added:a.csv;"
			   "1:cases:C3:added:a.csv;5:cases:C3:removed:e.csv;");
	ops->close(st);
}

/* A key changed and changed back by two rows of one records_put call,
 * as the host sends them (512: the stores put them many to a statement):
 * K000..K511 Noord, then in the next ingest K000 Zuid, K000 Noord, K001
 * Zuid and K002..K510 as they were: K001 alone changed. */
TEST(changed_back_within_one_call)
{
	enum { N = 512 };
	static char ids[N][8];
	peil_value rows[N * 3];
	struct change_kinds kinds = { 0, 0 };
	size_t stored, i;
	int64_t run1, run2;
	peil_error err;
	void *st;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V3, ops->records_put != NULL, 3) ||
	    lacks(PEIL_STORAGE_OPS_SIZE_V2, ops->input_changes_scan != NULL, 2))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	for (i = 0; i < N; i++) {
		snprintf(ids[i], sizeof(ids[i]), "K%03zu", i);
		rows[3 * i] = v_text(ids[i]);
		rows[3 * i + 1] = v_text("Noord");
		rows[3 * i + 2] = v_date(19000);
	}
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->records_put(st, &cases, rows, N, &stored, &err), 0);
	CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
	CHECK((run1 = run_now(ops, st, &err)) > 0);

	for (i = N - 1; i >= 2; i--)	/* row i: key i - 1 */
		rows[3 * i] = v_text(ids[i - 1]);
	rows[0] = v_text(ids[0]);
	rows[1] = v_text("Zuid");
	rows[3] = v_text(ids[0]);	/* K000 Noord again */
	rows[7] = v_text("Zuid");	/* K001 */
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->records_put(st, &cases, rows, N, &stored, &err), 0);
	CHECK_INT(ingest_done(ops, st, "b.csv", &err), 0);
	CHECK((run2 = run_now(ops, st, &err)) > 0);
	CHECK_INT(count_rows(st, &cases), N);
	CHECK_INT(ops->input_changes_scan(st, run1, run2, change_kind, &kinds,
					  &err), 0);
	CHECK_INT(kinds.added, 0);
	CHECK_INT(kinds.changed, 1);
	CHECK_STR(changes_between(st, run1, run2), "2:cases:K001:changed:b.csv;");
	ops->close(st);
}

/* A field added to the dataset in the middle of a batch: C1 and C2
 * Noord; then C1 Zuid and C2 Zuid, the field "closed" added, C1 Noord
 * again without a closure (as it was: not changed) and C2 Noord closed
 * on day 7 (changed).  Every store logs C2; postgres logs C1 changed
 * too (it keeps a row before and now as text over the fields that each
 * record had, which differ here): more than happened, never less. */
TEST(changed_back_across_a_new_field)
{
	peil_value c1[4] = { v_text("C1"), v_text("Noord"), v_date(19000),
			     v_null() };
	peil_value c2[4] = { v_text("C2"), v_text("Noord"), v_date(19001),
			     v_date(7) };
	int64_t run1, run2;
	peil_error err;
	void *st;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V2, ops->input_changes_scan != NULL, 2))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, "C2", "Noord", 19001, &err), 0);
	CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
	CHECK((run1 = run_now(ops, st, &err)) > 0);

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Zuid", 19000, &err), 0);
	CHECK_INT(case_put(st, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(ops->dataset_ensure(st, &wider, &err), 0);
	CHECK_INT(ops->record_put(st, &wider, c1, &err), 0);
	CHECK_INT(ops->record_put(st, &wider, c2, &err), 0);
	CHECK_INT(ingest_done(ops, st, "b.csv", &err), 0);
	CHECK((run2 = run_now(ops, st, &err)) > 0);
	CHECK_STR(scan_text(st, &wider, NULL, NULL, 0),
		  "C1|Noord|19000|-;C2|Noord|19001|7;");
	CHECK_STR(changes_between(st, run1, run2), strcmp(plugin_name, "postgres") == 0
				   ? "2:cases:C1:changed:b.csv;"
				     "2:cases:C2:changed:b.csv;"
				   : "2:cases:C2:changed:b.csv;");
	ops->close(st);
}

/* Version 7: a snapshot of one scope removes only that scope's rows
 * C1 C2 of Noord and C3 of Zuid; a snapshot of team Noord
 * with C1 alone removes C2 and leaves C3 of Zuid: 2 rows.  Without a key,
 * a scoped snapshot removes the scope's rows at once: Noord, Zuid, West,
 * then a snapshot of Zuid giving one Zuid row: still 3 rows, the Noord
 * and West rows untouched. */
TEST(scoped_snapshots)
{
	static const peil_field fields[] = {
		{ "team", PEIL_TYPE_TEXT, 0 },
	};
	static const peil_schema log = { "team_log", 1, fields };
	static const char *const teams[] = { "Noord", "Zuid", "West" };
	peil_filter c3 = { .op = PEIL_OP_EQ, .field = 0 };
	peil_filter zuid = { .op = PEIL_OP_EQ, .field = 0 };
	void *st;
	int64_t removed = -1;
	peil_value row[1];
	peil_error err;
	size_t i;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V7, ops->snapshot_scope_begin != NULL, 7))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, "C2", "Noord", 19001, &err), 0);
	CHECK_INT(case_put(st, "C3", "Zuid", 19002, &err), 0);
	CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->snapshot_scope_begin(st, &cases, 1, "Noord", &err), 0);
	CHECK_INT(case_put(st, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(ops->snapshot_end(st, &cases, &removed, &err), 0);
	CHECK_INT(removed, 1);
	CHECK_INT(ingest_done(ops, st, "b.csv", &err), 0);
	CHECK_INT(count_rows(st, &cases), 2);
	c3.value = v_text("C3");
	CHECK_STR(scan_text(st, &cases, &c3, NULL, 0), "C3|Zuid|19002;");
	/* A scope that is not a text field of the dataset is refused. */
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK(ops->snapshot_scope_begin(st, &cases, 2, "Noord", &err) < 0);
	CHECK_CONTAINS(err.message, "a text field");
	CHECK(ops->snapshot_scope_begin(st, &cases, 7, "Noord", &err) < 0);
	ops->batch_rollback(st);

	CHECK_INT(ops->dataset_ensure(st, &log, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	for (i = 0; i < 3; i++) {
		row[0] = v_text(teams[i]);
		CHECK_INT(ops->record_put(st, &log, row, &err), 0);
	}
	CHECK_INT(ingest_done(ops, st, "c.csv", &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->snapshot_scope_begin(st, &log, 0, "Zuid", &err), 0);
	row[0] = v_text("Zuid");
	CHECK_INT(ops->record_put(st, &log, row, &err), 0);
	CHECK_INT(ops->snapshot_end(st, &log, &removed, &err), 0);
	CHECK_INT(ingest_done(ops, st, "d.csv", &err), 0);
	CHECK_INT(count_rows(st, &log), 3);
	zuid.value = v_text("Zuid");
	CHECK_STR(scan_text(st, &log, &zuid, NULL, 0), "Zuid;");
	ops->close(st);
}

/* A dataset without a key is replaced whole by each snapshot; its rows
 * are known by ids that are never given again, so each snapshot removes
 * the rows it replaces and adds new ones, and what a past ingest did
 * stays as it was read: ingest 1 adds ids 1-2; ingest 2, a snapshot of
 * the same two rows, removes 1-2 and adds 3-4; ingest 3 removes 3-4 and
 * adds 5-7. */
TEST(change_log_of_a_dataset_without_key)
{
	static const peil_field fields[] = {
		{ "team", PEIL_TYPE_TEXT, 0 },
	};
	static const peil_schema log = { "visit_log", 1, fields };
	static const char *const teams[] = { "Noord", "Zuid", "West" };
	static const char between_1_2[] =
		"2:visit_log:1:removed:b.csv;2:visit_log:2:removed:b.csv;"
		"2:visit_log:3:added:b.csv;2:visit_log:4:added:b.csv;";
	void *st;
	int64_t run[4], removed;
	peil_value row[1];
	peil_error err;
	size_t i, n;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V2, ops->snapshot_begin != NULL, 2))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &log, &err), 0);
	for (i = 1; i <= 3; i++) {
		const char *file = i == 1 ? "a.csv" : i == 2 ? "b.csv" : "c.csv";

		CHECK_INT(ops->batch_begin(st, &err), 0);
		if (i > 1)
			CHECK_INT(ops->snapshot_begin(st, &log, &err), 0);
		for (n = 0; n < (i == 3 ? 3u : 2u); n++) {
			row[0] = v_text(teams[n]);
			CHECK_INT(ops->record_put(st, &log, row, &err), 0);
		}
		if (i > 1)
			CHECK_INT(ops->snapshot_end(st, &log, &removed, &err),
				  0);
		CHECK_INT(ingest_done(ops, st, file, &err), 0);
		CHECK((run[i] = run_now(ops, st, &err)) > 0);
	}
	CHECK_INT(count_rows(st, &log), 3);
	CHECK_STR(changes_between(st, run[1], run[2]), between_1_2);
	CHECK_STR(changes_between(st, run[2], run[3]), "3:visit_log:3:removed:c.csv;"
			   "3:visit_log:4:removed:c.csv;"
			   "3:visit_log:5:added:c.csv;3:visit_log:6:added:c.csv;"
			   "3:visit_log:7:added:c.csv;");
	CHECK_STR(changes_between(st, run[1], run[2]), between_1_2);
	ops->close(st);
}


/* A key of type real: 2 and 2.0, 2.5 and 2.50 are one key each (the
 * second put replaces the first), and the change log writes them as
 * SQLite writes a real: "2.0", "2.5". */
TEST(real_keys)
{
	static const peil_field fields[] = {
		{ "amount", PEIL_TYPE_REAL, PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED },
		{ "note", PEIL_TYPE_TEXT, 0 },
	};
	static const peil_schema amounts = { "amounts", 2, fields };
	peil_value rows[4][2] = {
		{ v_real(2.0), v_text("a") }, { v_real(2.5), v_text("b") },
		{ v_real(2), v_text("c") }, { v_real(2.50), v_text("d") },
	};
	int64_t run[2];
	peil_error err;
	void *st;
	int i;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V2, ops->snapshot_begin != NULL, 2))
		return;
	OPEN_OR_RETURN(st, err);
	CHECK_INT(ops->dataset_ensure(st, &amounts, &err), 0);
	for (i = 0; i < 2; i++) {
		CHECK_INT(ops->batch_begin(st, &err), 0);
		CHECK_INT(ops->record_put(st, &amounts, rows[2 * i], &err), 0);
		CHECK_INT(ops->record_put(st, &amounts, rows[2 * i + 1], &err),
			  0);
		CHECK_INT(ingest_done(ops, st, i ? "b.csv" : "a.csv", &err), 0);
		CHECK((run[i] = run_now(ops, st, &err)) > 0);
	}
	CHECK_STR(scan_text(st, &amounts, NULL, NULL, 0), "2|c;2.5|d;");
	CHECK_STR(changes_between(st, 0, run[0]), "1:amounts:2.0:added:a.csv;"
			   "1:amounts:2.5:added:a.csv;");
	CHECK_STR(changes_between(st, run[0], run[1]), "2:amounts:2.0:changed:b.csv;"
			   "2:amounts:2.5:changed:b.csv;");
	ops->close(st);
}

/* Whether a period is final: 2017 is, 2018 not yet. */
static int final_2017(void *ctx, const char *period)
{
	(void)ctx;
	return strncmp(period, "2017", 4) == 0;
}

/* The figure of kpi k for period with value, of run. */
static int figure_put(void *st, int64_t run, const char *period,
		      double value, peil_error *err)
{
	peil_result r = { 0, "k", period, "{}", value, NAN, NAN, NULL, NAN,
			  0 };

	return ops->result_put(st, run, &r, err);
}

/* Run 1: k 2017 = 1, k 2018-01 = 1; run 2: k 2018-01 = 2; run 3: k
 * 2018-01 = 3.  Pruning runs 1 and 2 with 2017 final keeps run 1's 2017
 * figure (no later run has it), so run 1 stays with that one figure; its
 * 2018-01 figure and run 2 go: 1 run and 2 figures deleted. */
TEST(prune_keeps_final_figures)
{
	int64_t runs[3], deleted_runs, deleted_figures;
	peil_prune prune = { runs, 2, final_2017, NULL };
	peil_result_query query = { 0, NULL };
	char expected[128];
	struct results res;
	struct runs left;
	peil_error err;
	void *st;
	int i;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V2, ops->runs_prune != NULL, 2))
		return;
	OPEN_OR_RETURN(st, err);
	for (i = 0; i < 3; i++) {
		CHECK((runs[i] = run_now(ops, st, &err)) > 0);
		CHECK_INT(figure_put(st, runs[i], "2018-01", i + 1, &err), 0);
	}
	CHECK_INT(figure_put(st, runs[0], "2017", 1, &err), 0);
	CHECK_INT(ops->runs_prune(st, &prune, &deleted_runs, &deleted_figures,
				  &err), 0);
	CHECK_INT(deleted_runs, 1);
	CHECK_INT(deleted_figures, 2);
	memset(&left, 0, sizeof(left));
	CHECK_INT(ops->runs_scan(st, 0, run_row, &left, &err), 0);
	snprintf(expected, sizeof(expected),
		 "%lld run ok 1700000000-1700000001 2024-01-01..2024-12-31;"
		 "%lld run ok 1700000000-1700000001 2024-01-01..2024-12-31;",
		 (long long)runs[2], (long long)runs[0]);
	CHECK_STR(left.text, expected);
	memset(&res, 0, sizeof(res));
	query.run_id = runs[0];
	CHECK_INT(ops->results_scan(st, &query, result_row, &res, &err), 0);
	CHECK_CONTAINS(res.text, "k 2017 {} 1 nan nan - nan 0;");
	CHECK(strstr(res.text, "2018-01") == NULL);
	query.run_id = runs[1];
	CHECK(ops->results_scan(st, &query, result_row, &res, &err) < 0);
	CHECK_CONTAINS(err.message, "no run");
	ops->close(st);
}

/* Prune figure by figure within a period: run 1 has k 2017 {A} 1, {B} 2,
 * {C} 3 (earlier, there only to be compared with) and 2018-01 {A} 4; run
 * 2 has k 2017 {A} 10; run 3 (not pruned) k 2017 {B} 20, earlier.
 * Pruning runs 1 and 2 with 2017 final keeps of (k, 2017) the latest
 * run's own figure of each breakdown: {A} of run 2, {B} of run 1 (run
 * 3's is earlier, none of its own); run 1's {A}, {C} and 2018-01 go: 3
 * figures and no run deleted. */
TEST(prune_keeps_final_figures_by_breakdown)
{
	int64_t runs[3], deleted_runs, deleted_figures;
	peil_prune prune = { runs, 2, final_2017, NULL };
	peil_result_query query = { 0, NULL };
	peil_result figures[] = {
		{ 0, "k", "2017", "{\"t\":\"A\"}", 1, NAN, NAN, NULL, NAN, 0 },
		{ 0, "k", "2017", "{\"t\":\"B\"}", 2, NAN, NAN, NULL, NAN, 0 },
		{ 0, "k", "2017", "{\"t\":\"C\"}", 3, NAN, NAN, NULL, NAN, 1 },
		{ 0, "k", "2018-01", "{\"t\":\"A\"}", 4, NAN, NAN, NULL, NAN,
		  0 },
		{ 0, "k", "2017", "{\"t\":\"A\"}", 10, NAN, NAN, NULL, NAN, 0 },
		{ 0, "k", "2017", "{\"t\":\"B\"}", 20, NAN, NAN, NULL, NAN, 1 },
	};
	static const int run_of[] = { 0, 0, 0, 0, 1, 2 };
	struct results res;
	peil_error err;
	void *st;
	int i;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V10, ops->runs_prune != NULL &&
		  has_version(PEIL_STORAGE_OPS_SIZE_V10) &&
		  ops->keeps_earlier_figures, 10))
		return;
	OPEN_OR_RETURN(st, err);
	for (i = 0; i < 3; i++)
		CHECK((runs[i] = run_now(ops, st, &err)) > 0);
	for (i = 0; i < 6; i++)
		CHECK_INT(ops->result_put(st, runs[run_of[i]], &figures[i],
					  &err), 0);
	CHECK_INT(ops->runs_prune(st, &prune, &deleted_runs, &deleted_figures,
				  &err), 0);
	CHECK_INT(deleted_runs, 0);
	CHECK_INT(deleted_figures, 3);
	for (i = 0; i < 3; i++) {
		static const char *const left[] = {
			"k 2017 {\"t\":\"B\"} 2 nan nan - nan 0;",
			"k 2017 {\"t\":\"A\"} 10 nan nan - nan 0;",
			"k 2017 {\"t\":\"B\"} 20 nan nan - nan 1;",
		};

		memset(&res, 0, sizeof(res));
		query.run_id = runs[i];
		CHECK_INT(ops->results_scan(st, &query, result_row, &res,
					    &err), 0);
		CHECK_STR(res.text, left[i]);
	}
	ops->close(st);
}

/* open_existing (version 6) refuses a store that was never made. */
TEST(open_existing_refuses_a_missing_store)
{
	peil_error err;
	void *st;

	if (lacks(PEIL_STORAGE_OPS_SIZE_V6, ops->open_existing != NULL, 6))
		return;
	st = open_store(0, 1, &err);
	CHECK(st == NULL);
	CHECK(err.message[0] != '\0');
	if (setup_cmd) {	/* made by its owner, a tenant mapped */
		CHECK_INT(shared_make(), 0);
	} else {
		st = open_store(0, 0, &err);	/* made */
		CHECK(st != NULL);
		if (st)
			ops->close(st);
	}
	st = open_store(0, 1, &err);	/* now there */
	CHECK(st != NULL);
	if (st)
		ops->close(st);
}

/* In a shared store, the test's store is made before it (but for
 * open_existing_refuses_a_missing_store, which makes it itself). */
#define RUN_CONTRACT(name)                                                 \
	do {                                                               \
		current = #name;                                           \
		memset(other_datasets, 0, sizeof(other_datasets));         \
		if (setup_cmd && strcmp(#name, "open_existing_refuses_a_"  \
					"missing_store") != 0 &&           \
		    shared_make() < 0)                                     \
			printf("  the shared store was not made\n");       \
		RUN(name);                                                 \
	} while (0)

/* Take the options --owner, --other and --setup from argv[from..argc-1];
 * 0, or -1 naming what is wrong. */
static int shared_options(int argc, char **argv, int from)
{
	static char *owner[FAKE_KEYS], *other[FAKE_KEYS];
	int i;

	for (i = from; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--setup") == 0)
			setup_cmd = argv[i + 1];
		else if (strcmp(argv[i], "--owner") == 0 &&
			 owner_count < FAKE_KEYS &&
			 strchr(argv[i + 1], '='))
			owner[owner_count++] = argv[i + 1];
		else if (strcmp(argv[i], "--other") == 0 &&
			 other_count < FAKE_KEYS &&
			 strchr(argv[i + 1], '='))
			other[other_count++] = argv[i + 1];
		else
			break;
	}
	if (i != argc || (setup_cmd == NULL) != (owner_count + other_count == 0)) {
		fprintf(stderr, "bad options from %s: --setup CMD with "
				"--owner KEY=VALUE and --other KEY=VALUE\n",
			i < argc ? argv[i] : argv[from]);
		return -1;
	}
	owner_args = owner;
	other_args = other;
	return 0;
}

int main(int argc, char **argv)
{
	const peil_plugin *(*entry)(void);
	const peil_plugin *plugin;
	void *so;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: test_store_contract PLUGIN.so "
				"KEY=VALUE...\n");
		return 2;
	}
	for (i = 2; i < argc && strncmp(argv[i], "--", 2) != 0; i++)
		if (strchr(argv[i], '=') == NULL) {
			fprintf(stderr, "not KEY=VALUE: %s\n", argv[i]);
			return 2;
		}
	config_count = i - 2;
	if (shared_options(argc, argv, i) < 0)
		return 2;
	so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (so == NULL) {
		fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
		return 1;
	}
	*(void **)&entry = dlsym(so, PEIL_PLUGIN_ENTRY_SYMBOL);
	plugin = entry ? entry() : NULL;
	if (plugin == NULL || plugin->kind != PEIL_PLUGIN_STORAGE) {
		fprintf(stderr, "%s is no storage plugin\n", argv[1]);
		return 1;
	}
	plugin_ops = ops = plugin->storage;
	plugin_name = plugin->name;
	if (setup_cmd) {
		memcpy(&shared_ops, ops, ops->size < sizeof(shared_ops)
						 ? ops->size
						 : sizeof(shared_ops));
		shared_ops.dataset_ensure = shared_dataset_ensure;
		ops = &shared_ops;
	}
	config_args = argv + 2;
	tmpdir = harness_tmp();
	printf("contract of storage plugin %s %s\n", plugin->name,
	       plugin->version);
	RUN_CONTRACT(upsert_replaces_on_key);
	RUN_CONTRACT(records_put_many_names_the_one_at_fault);
	RUN_CONTRACT(keyless_appends_all_key_is_a_set);
	RUN_CONTRACT(batch_is_atomic);
	RUN_CONTRACT(schema_change);
	RUN_CONTRACT(record_put_errors);
	RUN_CONTRACT(scan_filters);
	RUN_CONTRACT(values_round_trip);
	RUN_CONTRACT(values_round_trip_in_a_batch);
	RUN_CONTRACT(scan_stops);
	RUN_CONTRACT(scan_inside_a_scan);
	RUN_CONTRACT(scans_from_key_in_byte_order);
	RUN_CONTRACT(runs_and_results);
	RUN_CONTRACT(ingest_log_and_fingerprint);
	RUN_CONTRACT(run_confirmations_and_results_copy);
	RUN_CONTRACT(run_builds);
	RUN_CONTRACT(public_figures_put);
	RUN_CONTRACT(results_put_many);
	RUN_CONTRACT(change_log_and_snapshot);
	RUN_CONTRACT(key_stored_twice_in_one_ingest);
	RUN_CONTRACT(changed_back_and_removed);
	RUN_CONTRACT(large_batch_a_key_again);
	RUN_CONTRACT(change_log_of_reexports);
	RUN_CONTRACT(changed_back_within_one_call);
	RUN_CONTRACT(changed_back_across_a_new_field);
	RUN_CONTRACT(scoped_snapshots);
	RUN_CONTRACT(change_log_of_a_dataset_without_key);
	RUN_CONTRACT(real_keys);
	RUN_CONTRACT(prune_keeps_final_figures);
	RUN_CONTRACT(prune_keeps_final_figures_by_breakdown);
	RUN_CONTRACT(open_existing_refuses_a_missing_store);
	host_release(0);
	host_release(1);
	host_release(2);
	return harness_done();
}
