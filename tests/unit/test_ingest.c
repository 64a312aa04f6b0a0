/*
 * test_ingest.c - ingest through the real csv and sqlite plugins: types
 * and encodings arrive intact, a file goes in whole or not at all, reject
 * mode keeps the good rows and writes the bad ones aside, and the same
 * content is never ingested twice.
 *
 * The fixture tests/data/e2e/cases.csv is a Windows-1252 export with ten
 * cases (see tests/e2e for the figures worked out from it);
 * cases_bad_date.csv is the same with 31-02-2018 as the registration date
 * of D4 on physical line 5.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <sqlite3.h>

#include "engine/context.h"
#include "base/digest.h"
#include "base/error.h"
#include "harness.h"
#include "engine/ingest.h"
#include "base/log.h"

static const char *dir;	/* harness_tmp() */

static const char dataset_section[] =
	"[dataset cases]\n"
	"field.case_id = text key\n"
	"field.team = text required\n"
	"field.organisation = text\n"
	"field.registered = date required\n"
	"field.first_meeting = date\n"
	"field.closed = date\n"
	"field.closure_reason = text\n"
	"field.mark = integer\n"
	"field.person = text\n";

/* A config in dir/NAME.ini whose single source reads the files matching
 * pattern with on_error; the store is dir/NAME.db, with a page cache of
 * cache_mib MiB when not NULL. */
static const char *write_config_cache(const char *name, const char *pattern,
				      const char *on_error,
				      const char *cache_mib)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.ini", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fprintf(f,
		"[peil]\nstorage = sqlite\nplugin_dirs = %s\n"
		"script_dirs = %s\nreject_dir = %s/rejects\n"
		"[storage]\npath = %s/%s.db\n%s%s%s%s"
		"[source export]\nplugin = csv\ndataset = cases\npath = %s\n"
		"encoding = windows-1252\nseparator = semicolon\n"
		"date_format = dd-mm-jjjj\non_error = %s\n"
		"column.Dossiernummer = case_id\ncolumn.Team = team\n"
		"column.Organisatie = organisation\n"
		"column.Datum aanmelding = registered\n"
		"column.Datum eerste kennismaking = first_meeting\n"
		"column.Datum afsluiting = closed\n"
		"column.Reden beëindiging = closure_reason\n"
		"column.Rapportcijfer = mark\n"
		"column.Persoonsnummer = person\n",
		PEIL_BUILD_PLUGIN_DIR, dir, dir, dir, name,
		cache_mib ? "cache_size_mib = " : "", cache_mib ? cache_mib : "",
		cache_mib ? "\n" : "", dataset_section, pattern, on_error);
	fclose(f);
	return path;
}

static const char *write_config(const char *name, const char *pattern,
				const char *on_error)
{
	return write_config_cache(name, pattern, on_error, NULL);
}

struct rows {
	size_t count;
	char ids[32][16];
	int32_t registered[32];
	char organisation_d3[64];
	char reason_d1[64];
	long long mark_d1;
	int closed_null_d2;
};

/* Projection: case_id, registered, organisation, closure_reason, mark,
 * closed (schema order 0, 3, 2, 6, 7, 5). */
static int collect(void *ctx, const peil_value *v)
{
	struct rows *r = ctx;

	if (r->count < 32) {
		snprintf(r->ids[r->count], sizeof(r->ids[0]), "%s",
			 v[0].as.text);
		r->registered[r->count] = v[1].as.date;
	}
	if (strcmp(v[0].as.text, "D3") == 0 && v[2].type == PEIL_TYPE_TEXT)
		snprintf(r->organisation_d3, sizeof(r->organisation_d3), "%s",
			 v[2].as.text);
	if (strcmp(v[0].as.text, "D1") == 0) {
		if (v[3].type == PEIL_TYPE_TEXT)
			snprintf(r->reason_d1, sizeof(r->reason_d1), "%s",
				 v[3].as.text);
		r->mark_d1 = v[4].type == PEIL_TYPE_INTEGER ? v[4].as.integer
							    : -1;
	}
	if (strcmp(v[0].as.text, "D2") == 0)
		r->closed_null_d2 = v[5].type == PEIL_TYPE_NULL;
	r->count++;
	return 0;
}

static int count_rows(void *ctx, const peil_value *v)
{
	(void)v;
	((struct rows *)ctx)->count++;
	return 0;
}

static int scan_all(peil_context *ctx, struct rows *r)
{
	static const size_t projection[] = { 0, 3, 2, 6, 7, 5 };
	const peil_schema *s = schema_set_find(&ctx->schemas, "cases");
	peil_error err;

	memset(r, 0, sizeof(*r));
	error_clear(&err);
	return store_scan(ctx->store, s, NULL, projection, 6, collect, r,
			  &err);
}

static int open_ctx(peil_context *ctx, const char *config_path)
{
	peil_error err;
	int rc;

	error_clear(&err);
	rc = context_open(ctx, config_path, CONTEXT_STORAGE | CONTEXT_CREATE,
			  NULL, NULL, &err);
	if (rc < 0) {
		char text[2048];

		error_format(&err, text, sizeof(text));
		printf("  context_open: %s\n", text);
	}
	return rc;
}

TEST(a_messy_export_arrives_typed_and_decoded)
{
	peil_context ctx;
	ingest_summary sum;
	struct rows rows;
	peil_error err;

	CHECK_INT(open_ctx(&ctx, write_config("good", PEIL_TEST_DATA
					      "/e2e/cases.csv", "stop")), 0);
	error_clear(&err);
	CHECK_INT(ingest_sources(&ctx, NULL, 0, &sum, &err), 0);
	CHECK_INT(sum.files, 1);
	CHECK_INT(sum.rows, 10);
	CHECK_INT(sum.failed, 0);
	CHECK_INT(scan_all(&ctx, &rows), 0);
	CHECK_INT(rows.count, 10);
	/* "2-1-2018" without leading zeros is 2 January 2018. */
	{
		size_t i;
		int found = 0;

		for (i = 0; i < rows.count; i++)
			if (strcmp(rows.ids[i], "D1") == 0) {
				CHECK_INT(rows.registered[i],
					  date_from_civil(2018, 1, 2));
				found = 1;
			}
		CHECK(found);
	}
	/* A quoted field with the separator inside, and a 1252 'ë'. */
	CHECK_STR(rows.organisation_d3, "Welzijn; Noord");
	CHECK_STR(rows.reason_d1, "Beëindigd volgens plan");
	CHECK_INT(rows.mark_d1, 8);
	CHECK(rows.closed_null_d2);

	/* Again: the same content is skipped and nothing changes. */
	CHECK_INT(ingest_sources(&ctx, NULL, 0, &sum, &err), 0);
	CHECK_INT(sum.files, 0);
	CHECK_INT(sum.skipped, 1);
	CHECK_INT(scan_all(&ctx, &rows), 0);
	CHECK_INT(rows.count, 10);
	context_close(&ctx);
}

TEST(a_bad_row_stops_the_file_and_nothing_is_stored)
{
	peil_context ctx;
	ingest_summary sum;
	struct rows rows;
	peil_error err;

	CHECK_INT(open_ctx(&ctx, write_config("stop", PEIL_TEST_DATA
					      "/e2e/cases_bad_date.csv",
					      "stop")), 0);
	error_clear(&err);
	CHECK_INT(ingest_sources(&ctx, NULL, 0, &sum, &err), 0);
	CHECK_INT(sum.failed, 1);
	CHECK_INT(sum.files, 0);
	/* Rows before the bad one (D1..D3) were put in the batch, and the
	 * rollback must have taken them out again. */
	CHECK_INT(scan_all(&ctx, &rows), 0);
	CHECK_INT(rows.count, 0);
	context_close(&ctx);
}

TEST(reject_mode_keeps_the_good_rows_and_writes_the_bad_aside)
{
	char reject[512], line[512];
	peil_context ctx;
	ingest_summary sum;
	struct rows rows;
	peil_error err;
	FILE *f;
	int lines = 0, found = 0;

	CHECK_INT(open_ctx(&ctx, write_config("reject", PEIL_TEST_DATA
					      "/e2e/cases_bad_date.csv",
					      "reject")), 0);
	error_clear(&err);
	CHECK_INT(ingest_sources(&ctx, NULL, 0, &sum, &err), 0);
	CHECK_INT(sum.files, 1);
	CHECK_INT(sum.rows, 9);
	CHECK_INT(sum.rejected, 1);
	CHECK_INT(scan_all(&ctx, &rows), 0);
	CHECK_INT(rows.count, 9);
	char sha[65];

	/* Named by source, the first 12 digits of the export's SHA-256 (so
	 * that two exports of one name do not overwrite each other's) and
	 * the export's name. */
	CHECK_INT(digest_file_sha256_hex(PEIL_TEST_DATA
					 "/e2e/cases_bad_date.csv", sha), 0);
	snprintf(reject, sizeof(reject),
		 "%s/rejects/export_%.12s_cases_bad_date.csv.rejected", dir,
		 sha);
	f = fopen(reject, "rb");
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		lines++;
		if (strncmp(line, "D4;", 3) == 0 && strstr(line, "31-02-2018"))
			found = 1;
	}
	fclose(f);
	/* The export's header, then the one bad row. */
	CHECK_INT(lines, 2);
	CHECK(found);
	remove(reject);
	context_close(&ctx);
}

/* The example plugin through the same host: it only splits lines, and
 * the host converts, checks and stores. */
TEST(the_example_plugin_ingests_through_the_host)
{
	char path[512], data[512];
	peil_context ctx;
	ingest_summary sum;
	struct rows rows;
	peil_error err;
	FILE *f;

	snprintf(data, sizeof(data), "%s/notes.txt", dir);
	f = fopen(data, "w");
	CHECK(f != NULL);
	fputs("# case|team|registered|mark\n"
	      "N1|Buurtteam Oost|03-04-2018|7\n"
	      "\n"
	      "N2|Buurtteam West|2018-04-05|\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/example.ini", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fprintf(f,
		"[peil]\nplugin_dirs = %s\nscript_dirs = %s\n"
		"[storage]\npath = %s/example.db\n%s"
		"[source notes]\nplugin = example\ndataset = cases\n"
		"path = %s\nfields = case_id, team, registered, mark\n",
		PEIL_BUILD_PLUGIN_DIR, dir, dir, dataset_section, data);
	fclose(f);
	CHECK_INT(open_ctx(&ctx, path), 0);
	error_clear(&err);
	CHECK_INT(ingest_sources(&ctx, NULL, 0, &sum, &err), 0);
	CHECK_INT(sum.files, 1);
	CHECK_INT(sum.rows, 2);
	CHECK_INT(scan_all(&ctx, &rows), 0);
	CHECK_INT(rows.count, 2);
	/* Both date formats of the default date_format. */
	CHECK_STR(rows.ids[0], "N1");
	CHECK_INT(rows.registered[0], date_from_civil(2018, 4, 3));
	CHECK_INT(rows.registered[1], date_from_civil(2018, 4, 5));
	context_close(&ctx);
	remove(data);
}

/* A config in dir/NAME.ini whose source reads data with a test plugin
 * into cases (case_id, team); the store is dir/NAME.db. */
static const char *plugin_config(const char *name, const char *plugin,
				 const char *data)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.ini", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fprintf(f,
		"[peil]\nplugin_dirs = %s\nscript_dirs = %s\n"
		"[storage]\npath = %s/%s.db\n"
		"[dataset cases]\nfield.case_id = text key\n"
		"field.team = text required\n"
		"[source src]\nplugin = %s\ndataset = cases\n"
		"path = %s\n",
		PEIL_TEST_PLUGIN_DIR ", " PEIL_BUILD_PLUGIN_DIR, dir, dir,
		name, plugin, data);
	fclose(f);
	return path;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* How many cases the store of ctx holds. */
static size_t stored_cases(peil_context *ctx)
{
	static const size_t projection[] = { 0 };
	const peil_schema *s = schema_set_find(&ctx->schemas, "cases");
	struct rows rows;
	peil_error err;

	memset(&rows, 0, sizeof(rows));
	if (store_scan(ctx->store, s, NULL, projection, 1, count_rows, &rows,
		       &err) < 0)
		return (size_t)-1;
	return rows.count;
}

/* A plugin that ignores a refused record and reports success: the host
 * remembers the refusal and rolls the file back. */
TEST(a_refused_record_fails_the_file_even_if_the_plugin_goes_on)
{
	char data[512];
	peil_context ctx;
	ingest_summary sum;
	peil_error err;

	snprintf(data, sizeof(data), "%s/sloppy.txt", dir);
	/* Line 2 has no team, which the dataset requires. */
	write_file(data, "S1,Buurtteam Oost\nS2\nS3,Buurtteam West\n");
	CHECK_INT(open_ctx(&ctx, plugin_config("sloppy", "sloppy", data)), 0);
	error_clear(&err);
	CHECK_INT(ingest_sources(&ctx, NULL, 0, &sum, &err), 0);
	CHECK_INT(sum.failed, 1);
	CHECK_INT(sum.files, 0);
	CHECK_INT(stored_cases(&ctx), 0);
	context_close(&ctx);
	remove(data);
}

/* Ingest everything ctx configures; what the log said in log[]. */
static int ingest_capturing(peil_context *ctx, const char *name,
			    ingest_summary *sum, char *log, size_t size)
{
	char logged[512];
	peil_error err;
	int saved, fd, rc;
	FILE *f;

	snprintf(logged, sizeof(logged), "%s/%s.log", dir, name);
	fflush(stderr);
	saved = dup(2);
	fd = open(logged, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	error_clear(&err);
	rc = ingest_sources(ctx, NULL, 0, sum, &err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(logged, "r");
	size = f ? fread(log, 1, size - 1, f) : 0;
	log[size] = '\0';
	if (f)
		fclose(f);
	return rc;
}

/* Ingest data (name.txt) with plugin; what the log said in log[]. */
static int ingest_logged(const char *name, const char *plugin,
			 ingest_summary *sum, size_t *stored, char *log,
			 size_t size)
{
	char data[512];
	peil_context ctx;
	int rc;

	snprintf(data, sizeof(data), "%s/%s.txt", dir, name);
	write_file(data, "S1,Buurtteam Oost\nS2,Buurtteam West\n"
			 "S3,Buurtteam Noord\n");
	if (open_ctx(&ctx, plugin_config(name, plugin, data)) < 0)
		return -1;
	rc = ingest_capturing(&ctx, name, sum, log, size);
	*stored = stored_cases(&ctx);
	context_close(&ctx);
	return rc;
}

/* The store refuses record 600 of 3000 (a trigger of the test's), while
 * the plugin ignores what record_end says and reads on: the host keeps
 * nothing more of the file, names the record's line, and stores nothing
 * (this wrote past the record queue's block before). */
/* dir/NAME.csv: rows cases of the demo's kind, about 80 bytes each; the
 * row of case bad (0: none) has a date that is none. */
static const char *write_cases(const char *name, int rows, int bad)
{
	static char path[512];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/%s.csv", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs("Dossiernummer;Team;Organisatie;Datum aanmelding;"
	      "Datum eerste kennismaking;Datum afsluiting;"
	      "Reden be\xebindiging;Rapportcijfer;Persoonsnummer\r\n", f);
	for (i = 1; i <= rows; i++)
		fprintf(f, "L%06d;Buurtteam Noord;Welzijn Noord;%s-03-2018;"
			"05-03-2018;;;%d;P%06d\r\n", i,
			i == bad ? "32" : "01", i % 10 + 1, i % 5000);
	fclose(f);
	return path;
}

/* An ingest larger than the store's page cache takes the store for itself
 * under a rollback journal (storage_sqlite.c): it stores the same, rolls a
 * failed file back whole, and leaves the store in WAL mode. */
TEST(a_load_larger_than_the_cache_is_whole_or_nothing)
{
	char db[512], mode[16] = "";
	peil_context ctx;
	ingest_summary sum;
	peil_error err;
	sqlite3 *conn;
	sqlite3_stmt *stmt;
	int i;

	for (i = 0; i < 2; i++) {
		const char *name = i ? "load_bad" : "load";
		/* 40000 rows, some 3.3 MB: more than a 1 MiB cache holds. */
		const char *csv = write_cases(name, 40000, i ? 39000 : 0);

		CHECK_INT(open_ctx(&ctx, write_config_cache(name, csv, "stop",
							    "1")), 0);
		error_clear(&err);
		CHECK_INT(ingest_sources(&ctx, NULL, 0, &sum, &err), 0);
		CHECK_INT(sum.files, i ? 0 : 1);
		CHECK_INT(sum.failed, i ? 1 : 0);
		CHECK_INT(stored_cases(&ctx), i ? 0 : 40000);
		context_close(&ctx);

		snprintf(db, sizeof(db), "%s/%s.db", dir, name);
		CHECK(sqlite3_open(db, &conn) == SQLITE_OK);
		CHECK(sqlite3_prepare_v2(conn, "PRAGMA journal_mode", -1,
					 &stmt, NULL) == SQLITE_OK);
		CHECK(sqlite3_step(stmt) == SQLITE_ROW);
		snprintf(mode, sizeof(mode), "%s",
			 (const char *)sqlite3_column_text(stmt, 0));
		sqlite3_finalize(stmt);
		sqlite3_close(conn);
		CHECK_STR(mode, "wal");
	}
}

/* The store is asked to prepare a load only when a file is read: an
 * ingest whose files are all skipped as read before leaves it alone.
 * With another connection open the sqlite plugin says, when asked, that
 * it loads through the WAL: the log shows whether it was asked. */
TEST(a_load_begins_only_at_a_file_that_is_read)
{
	char db[512], log[8192];
	const char *csv = write_cases("load_skip", 40000, 0);
	peil_context ctx;
	ingest_summary sum;
	sqlite3 *reader;
	sqlite3_stmt *stmt;
	FILE *f;

	log_set_level(PEIL_LOG_INFO);	/* what the store says of a load */
	CHECK_INT(open_ctx(&ctx, write_config_cache("load_skip", csv, "stop",
						    "1")), 0);
	CHECK_INT(ingest_capturing(&ctx, "load_skip", &sum, log, sizeof(log)),
		  0);
	CHECK_INT(sum.files, 1);
	CHECK(strstr(log, "loading through the WAL") == NULL);

	snprintf(db, sizeof(db), "%s/load_skip.db", dir);
	CHECK(sqlite3_open(db, &reader) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(reader, "SELECT count(*) FROM ds_cases", -1,
				 &stmt, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(stmt) == SQLITE_ROW);	/* a read stays open */
	CHECK_INT(ingest_capturing(&ctx, "load_skip", &sum, log, sizeof(log)),
		  0);
	CHECK_INT(sum.skipped, 1);
	CHECK(strstr(log, "loading through the WAL") == NULL);

	f = fopen(csv, "a");	/* new content: read again */
	CHECK(f != NULL);
	if (f) {
		fputs("L999999;Buurtteam Noord;Welzijn Noord;01-04-2018;"
		      "02-04-2018;;;7;P000001\r\n", f);
		fclose(f);
	}
	CHECK_INT(ingest_capturing(&ctx, "load_skip", &sum, log, sizeof(log)),
		  0);
	CHECK_INT(sum.files, 1);
	CHECK_CONTAINS(log, "loading through the WAL");
	CHECK_INT(sqlite3_column_int(stmt, 0), 40000);
	sqlite3_finalize(stmt);
	sqlite3_close(reader);
	CHECK_INT(stored_cases(&ctx), 40001);
	context_close(&ctx);
	log_set_level(PEIL_LOG_ERROR);
}

TEST(a_record_the_store_refuses_fails_the_file_and_names_its_line)
{
	char data[512], db[512], log[8192];
	ingest_summary sum;
	peil_context ctx;
	sqlite3 *conn;
	FILE *f;
	int i;

	snprintf(data, sizeof(data), "%s/refused.txt", dir);
	f = fopen(data, "w");
	CHECK(f != NULL);
	for (i = 1; i <= 3000; i++)
		fprintf(f, "S%d,Buurtteam Oost\n", i);
	fclose(f);
	CHECK_INT(open_ctx(&ctx, plugin_config("refused", "sloppy", data)), 0);
	snprintf(db, sizeof(db), "%s/refused.db", dir);
	CHECK(sqlite3_open(db, &conn) == SQLITE_OK);
	CHECK(sqlite3_exec(conn, "CREATE TRIGGER refuse BEFORE INSERT ON"
				 " ds_cases WHEN NEW.case_id = 'S600' BEGIN"
				 " SELECT RAISE(ABORT, 'refused by the test');"
				 " END", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(conn);
	CHECK_INT(ingest_capturing(&ctx, "refused", &sum, log, sizeof(log)),
		  0);
	CHECK_INT(sum.failed + sum.storage_failed, 1);
	CHECK_INT(sum.files, 0);
	CHECK_INT(stored_cases(&ctx), 0);
	CHECK_CONTAINS(log, "refused.txt:600: the store failed while storing "
			    "the record of this line");
	CHECK_INT(sum.storage_failed, 1);	/* exit 4, not 2 */
	CHECK_CONTAINS(log, "refused by the test");
	context_close(&ctx);
}

/* An export still being written while it is read, longer or rewritten in
 * place, is refused whole; the same content read as it is goes in. */
TEST(a_file_that_changes_while_read_is_refused)
{
	static const char *const names[] = { "grow", "rewrite" };
	ingest_summary sum;
	char log[4096];
	size_t stored, i;

	CHECK_INT(ingest_logged("steady", "sloppy", &sum, &stored, log,
				sizeof(log)), 0);
	CHECK_INT(sum.files, 1);
	CHECK_INT(stored, 3);
	for (i = 0; i < 2; i++) {
		CHECK_INT(ingest_logged(names[i], "sloppy", &sum, &stored, log,
					sizeof(log)), 0);
		CHECK_INT(sum.failed, 1);
		CHECK_INT(sum.files, 0);
		CHECK_INT(stored, 0);
		CHECK_CONTAINS(log, "the file changed while it was read");
	}
}

int main(void)
{
	dir = harness_tmp();
	log_set_level(PEIL_LOG_ERROR);
	RUN(a_messy_export_arrives_typed_and_decoded);
	RUN(a_bad_row_stops_the_file_and_nothing_is_stored);
	RUN(a_load_larger_than_the_cache_is_whole_or_nothing);
	RUN(a_load_begins_only_at_a_file_that_is_read);
	RUN(reject_mode_keeps_the_good_rows_and_writes_the_bad_aside);
	RUN(the_example_plugin_ingests_through_the_host);
	RUN(a_refused_record_fails_the_file_even_if_the_plugin_goes_on);
	RUN(a_file_that_changes_while_read_is_refused);
	RUN(a_record_the_store_refuses_fails_the_file_and_names_its_line);
	return harness_done();
}
