/*
 * test_eval_threads.c - evaluation on two threads: the declarative scans
 * on a second thread through a reader give the same figures as one
 * thread, and those figures are the ones worked out by brute force from
 * the fixture; the sqlite store can be opened twice and scanned from two
 * threads at once; a whole evaluation through the store gives the same
 * figures with [run] threads = 1 as with two threads.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/calendar.h"
#include "engine/context.h"
#include "base/error.h"
#include "engine/evaluation.h"
#include "harness.h"
#include "plugin/host.h"
#include "kpi/kpi.h"
#include "kpi/kpi_model.h"
#include "peil_values.h"

static const char *dir;	/* harness_tmp() */
static calendar *cal;

/* ------------------------------------------------------------ fixture */

/* cases C0000 .. C0599: team T(i / 7 % 5), registered 2017-06-01 + i*37 %
 * 700 days, closed (but every fourth) registered + 20 + i*13 % 300 days.
 * members M000000 .. M001499 of case j*3 % 650 (C0600 and up: no such
 * case), person P(j*11 % 400), none for every 17th: a person is in cases
 * of several teams. */
#define CASES 600
#define TEAMS 5
/* 1500; more where count_distinct is to be counted in pieces */
static int members_n = 1500;
#define MEMBERS members_n

static int32_t registered_of(int i)
{
	return date_from_civil(2017, 6, 1) + i * 37 % 700;
}

static int closed_of(int i, int32_t *closed)
{
	if (i % 4 == 0)
		return 0;
	*closed = registered_of(i) + 20 + i * 13 % 300;
	return 1;
}

static int team_of(int i)
{
	return i / 7 % TEAMS;
}

static int case_of(int j)
{
	return j * 3 % 650;
}

static int person_of(int j)
{
	return j % 17 == 0 ? -1 : j * 11 % 400;
}

static const peil_field case_fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, 0 },
	{ "closed", PEIL_TYPE_DATE, 0 },
};
static const peil_schema cases = { "cases", 4, case_fields };
static const peil_field member_fields[] = {
	{ "member_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "case_id", PEIL_TYPE_TEXT, 0 },
	{ "person", PEIL_TYPE_TEXT, 0 },
};
static const peil_schema members = { "case_members", 3, member_fields };

/* The full row i of a dataset into v, texts in buf. */
static void case_row(int i, peil_value *v, char buf[2][16])
{
	int32_t closed;

	snprintf(buf[0], 16, "C%04d", i);
	snprintf(buf[1], 16, "T%d", team_of(i));
	v[0] = value_text(buf[0]);
	v[1] = value_text(buf[1]);
	v[2].type = PEIL_TYPE_DATE;
	v[2].as.date = registered_of(i);
	v[3] = value_text(NULL);
	if (closed_of(i, &closed)) {
		v[3].type = PEIL_TYPE_DATE;
		v[3].as.date = closed;
	}
}

static void member_row(int j, peil_value *v, char buf[3][16])
{
	snprintf(buf[0], 16, "M%06d", j);
	snprintf(buf[1], 16, "C%04d", case_of(j));
	snprintf(buf[2], 16, "P%03d", person_of(j));
	v[0] = value_text(buf[0]);
	v[1] = value_text(buf[1]);
	v[2] = value_text(person_of(j) < 0 ? NULL : buf[2]);
}

/* ------------------------------------------------- sources, two kinds */

static pthread_t main_thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reader_began = PTHREAD_COND_INITIALIZER;
static int scans_here, scans_reader, reader_scans_on_main;
/* The caller's scans wait (10 s at most) for the reader to begin one: on
 * a busy machine, or under a sanitizer, the caller could otherwise take
 * every group before the second thread starts. */
static int wait_for_reader;
static int readers_opened, readers_closed;
static atomic_int rows_delivered;

static const peil_schema *schema_of(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "cases") == 0 ? &cases :
	       strcmp(name, "case_members") == 0 ? &members : NULL;
}

static int reader_tag;		/* the reader's ctx */

static int scan(void *ctx, const peil_schema *schema,
		const peil_filter *filter, const size_t *projection,
		size_t count, peil_row_fn row, void *row_ctx, peil_error *err)
{
	int n = schema == &cases ? CASES : MEMBERS;

	(void)filter, (void)err;
	pthread_mutex_lock(&lock);
	if (ctx == &reader_tag) {
		scans_reader++;
		reader_scans_on_main += pthread_equal(pthread_self(),
						      main_thread) != 0;
		pthread_cond_broadcast(&reader_began);
	} else {
		struct timespec until;

		scans_here++;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 10;
		while (wait_for_reader && !scans_reader &&
		       pthread_cond_timedwait(&reader_began, &lock,
					      &until) == 0)
			;
	}
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < n; i++) {
		peil_value full[4], out[4];
		char buf[3][16];

		if (schema == &cases)
			case_row(i, full, buf);
		else
			member_row(i, full, buf);
		for (size_t f = 0; f < count; f++)
			out[f] = full[projection[f]];
		atomic_fetch_add(&rows_delivered, 1);
		if (row(row_ctx, out))
			return -1;
	}
	return 0;
}

static int reader_open(void *ctx, kpi_source *reader)
{
	(void)ctx;
	readers_opened++;
	*reader = (kpi_source){ &reader_tag, schema_of, scan, NULL, NULL, 0, NULL,
			       NULL };
	return 0;
}

static void reader_close(void *ctx, kpi_source *reader)
{
	(void)ctx;
	readers_closed += reader->ctx == &reader_tag;
}

/* --------------------------------------------------------- the figures */

#define MAX_FIGURES 8192

static struct figure {
	char line[256];		/* kpi|period|breakdown|value|num|den */
} figures[2][MAX_FIGURES];
static size_t figure_count[2];
static int run_index;
static char failure[2048];

static int collect(void *ctx, const kpi_info *k, const peil_result *r)
{
	size_t *n = &figure_count[run_index];

	(void)ctx, (void)k;
	if (*n < MAX_FIGURES)
		snprintf(figures[run_index][*n].line, 256, "%s|%s|%s|%.17g|"
			 "%.17g|%.17g", r->kpi, r->period, r->breakdown,
			 r->value, r->numerator, r->denominator);
	(*n)++;
	return 0;
}

static void collect_failure(void *ctx, const kpi_info *k,
			    const peil_error *err)
{
	(void)ctx, (void)k;
	snprintf(failure, sizeof(failure), "%s:%ld: %s", err->file, err->line,
		 err->message);
}

static double value(int run, const char *id, const char *period_id,
		    const char *breakdown)
{
	char prefix[256];
	size_t len = (size_t)snprintf(prefix, sizeof(prefix), "%s|%s|%s|", id,
				      period_id, breakdown);

	for (size_t i = 0; i < figure_count[run] && i < MAX_FIGURES; i++)
		if (strncmp(figures[run][i].line, prefix, len) == 0)
			return strtod(figures[run][i].line + len, NULL);
	return -1;
}

static const char script[] =
	"kpi { id = 'personen', title = 't', unit = 'u',\n"
	"  dataset = 'case_members',\n"
	"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
	"  grain = 'month', breakdown = { 'case.team' },\n"
	"  select = running_in('case.registered', 'case.closed'),\n"
	"  rule = count_distinct('person') }\n"
	"kpi { id = 'zonder', title = 't', unit = 'u',\n"
	"  dataset = 'case_members',\n"
	"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
	"  grain = 'month', breakdown = { 'case.team' },\n"
	"  select = running_in('case.registered', 'case.closed'),\n"
	"  where = is_empty('person'), rule = count_distinct('case_id') }\n"
	"kpi { id = 'leden', title = 't', unit = 'u',\n"
	"  dataset = 'case_members', grain = 'year', rule = count() }\n"
	"kpi { id = 'gestart', title = 't', unit = 'u', dataset = 'cases',\n"
	"  grain = 'month', breakdown = { 'team' },\n"
	"  select = started_in('registered'), rule = count() }\n"
	"kpi { id = 'lopend_lua', title = 't', unit = 'u',\n"
	"  dataset = 'cases', grain = 'quarter', breakdown = { 'team' },\n"
	"  select = running_in('registered', 'closed'),\n"
	"  rule = count(function(row) return row.team ~= 'T1' end) }\n";

static kpi_set *load_set(void)
{
	char path[256];
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	peil_error err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/threads.lua", dir);
	f = fopen(path, "w");
	if (!f || !set)
		abort();
	fputs(script, f);
	fclose(f);
	if (kpi_set_load_file(set, path, &err) < 0) {
		printf("  %s:%ld: %s\n", err.file, err.line, err.message);
		kpi_set_free(set);
		return NULL;
	}
	return set;
}

static int evaluate_years(kpi_set *set, int run, int threaded, int from,
			  int to)
{
	kpi_source source = { NULL, schema_of, scan,
			      threaded ? reader_open : NULL,
			      threaded ? reader_close : NULL, 0, NULL,
			      NULL };
	kpi_sink sink = { NULL, collect, collect_failure, NULL, NULL, NULL };
	peil_error err;

	run_index = run;
	figure_count[run] = 0;
	failure[0] = '\0';
	return kpi_evaluate(set, date_from_civil(from, 1, 1),
			    date_from_civil(to, 12, 31), NULL, &source,
			    &sink, &err);
}

static int evaluate(kpi_set *set, int run, int threaded)
{
	return evaluate_years(set, run, threaded, 2018, 2018);
}

/* Unique persons by brute force: persons of members whose case is known,
 * registered on or before the month's last day and not closed before its
 * first; team -1 for all teams. */
static int brute_persons_in(int year, int month, int team)
{
	int32_t first = date_from_civil(year, month, 1);
	int32_t last = date_from_civil(year, month,
				       date_days_in_month(year, month));
	unsigned char seen[400] = { 0 };
	int n = 0;

	for (int j = 0; j < MEMBERS; j++) {
		int c = case_of(j), p = person_of(j);
		int32_t closed;

		if (c >= CASES || p < 0 || (team >= 0 && team_of(c) != team))
			continue;
		if (registered_of(c) > last ||
		    (closed_of(c, &closed) && closed < first))
			continue;
		n += !seen[p];
		seen[p] = 1;
	}
	return n;
}

/* Whether some member row's case was registered by the month's end:
 * before that the dataset holds no data for it, and the month is not
 * evaluated rather than 0.  (After the last registration it is: the
 * joined cases' dates do not say where the members end.) */
static int brute_any_row_by(int year, int month)
{
	int32_t last = date_from_civil(year, month,
				       date_days_in_month(year, month));

	for (int j = 0; j < MEMBERS; j++)
		if (case_of(j) < CASES && registered_of(case_of(j)) <= last)
			return 1;
	return 0;
}

static int brute_persons(int month, int team)
{
	return brute_persons_in(2018, month, team);
}

/* Cases with a member without a person, running in the month. */
static int brute_without(int month, int team)
{
	int32_t first = date_from_civil(2018, month, 1);
	int32_t last = date_from_civil(2018, month,
				       date_days_in_month(2018, month));
	unsigned char seen[CASES] = { 0 };
	int n = 0;

	for (int j = 0; j < MEMBERS; j++) {
		int c = case_of(j);
		int32_t closed;

		if (c >= CASES || person_of(j) >= 0 ||
		    (team >= 0 && team_of(c) != team))
			continue;
		if (registered_of(c) > last ||
		    (closed_of(c, &closed) && closed < first))
			continue;
		n += !seen[c];
		seen[c] = 1;
	}
	return n;
}

/* The figures of the threaded run (1) are those of one thread (run 0),
 * and those of 2018 the brute force's. */
static void check_2018(void)
{
	CHECK_INT(figure_count[1], figure_count[0]);
	for (size_t i = 0; i < figure_count[0] && i < MAX_FIGURES; i++)
		if (strcmp(figures[0][i].line, figures[1][i].line) != 0) {
			CHECK_STR(figures[1][i].line, figures[0][i].line);
			break;
		}
	for (int m = 1; m <= 12; m++) {
		char period_id[8], cell[64];

		snprintf(period_id, sizeof(period_id), "2018-%02d", m);
		CHECK_DOUBLE(value(1, "personen", period_id, "{}"),
			     brute_persons(m, -1), 0);
		CHECK_DOUBLE(value(1, "zonder", period_id, "{}"),
			     brute_without(m, -1), 0);
		for (int t = 0; t < TEAMS; t++) {
			snprintf(cell, sizeof(cell), "{\"case.team\":\"T%d\"}",
				 t);
			CHECK_DOUBLE(value(1, "personen", period_id, cell),
				     brute_persons(m, t), 0);
			CHECK_DOUBLE(value(1, "zonder", period_id, cell),
				     brute_without(m, t), 0);
		}
	}
	CHECK_DOUBLE(value(1, "leden", "2018", "{}"), MEMBERS, 0);
}

/* --------------------------------------------------------------- tests */

TEST(two_threads_give_the_figures_of_one)
{
	kpi_set *set = load_set();
	int persons_in_several_teams = 0;

	CHECK(set != NULL);
	if (!set)
		return;
	main_thread = pthread_self();
	CHECK_INT(evaluate(set, 0, 0), 0);
	CHECK_STR(failure, "");
	CHECK_INT(scans_reader, 0);
	wait_for_reader = 1;
	CHECK_INT(evaluate(set, 1, 1), 0);
	wait_for_reader = 0;
	CHECK_STR(failure, "");
	CHECK_INT(readers_opened, 1);
	CHECK_INT(readers_closed, 1);
	/* the reader served scans, never on the caller's thread */
	CHECK(scans_reader > 0);
	CHECK_INT(reader_scans_on_main, 0);
	CHECK(figure_count[0] > 100 && figure_count[0] <= MAX_FIGURES);
	/* the figures are right, not only the same */
	check_2018();
	/* persons in cases of more than one team: the distinct count keeps
	 * a value's first team apart from the others */
	for (int p = 0; p < 400; p++) {
		int team = -1, several = 0;

		for (int j = 0; j < MEMBERS; j++)
			if (person_of(j) == p && case_of(j) < CASES) {
				several |= team >= 0 &&
					   team != team_of(case_of(j));
				team = team_of(case_of(j));
			}
		persons_in_several_teams += several;
	}
	CHECK(persons_in_several_teams > 50);
	kpi_set_free(set);
}

/* Eleven years of months: 132 periods, three words of 64, which
 * count_distinct keeps in its hash table rather than by value; a case
 * runs across the words' edges. */
TEST(many_periods_on_two_threads)
{
	kpi_set *set = load_set();

	CHECK(set != NULL);
	if (!set)
		return;
	CHECK_INT(evaluate_years(set, 0, 0, 2010, 2020), 0);
	CHECK_INT(evaluate_years(set, 1, 1, 2010, 2020), 0);
	CHECK_STR(failure, "");
	CHECK_INT(figure_count[1], figure_count[0]);
	for (size_t i = 0; i < figure_count[0] && i < MAX_FIGURES; i++)
		if (strcmp(figures[0][i].line, figures[1][i].line) != 0) {
			CHECK_STR(figures[1][i].line, figures[0][i].line);
			break;
		}
	for (int y = 2017; y <= 2019; y++)
		for (int m = 1; m <= 12; m++) {
			char period_id[8], cell[64];

			snprintf(period_id, sizeof(period_id), "%d-%02d", y, m);
			if (!brute_any_row_by(y, m)) {
				CHECK(isnan(value(1, "personen", period_id,
						  "{}")));
				continue;
			}
			CHECK_DOUBLE(value(1, "personen", period_id, "{}"),
				     brute_persons_in(y, m, -1), 0);
			snprintf(cell, sizeof(cell), "{\"case.team\":\"T3\"}");
			CHECK_DOUBLE(value(1, "personen", period_id, cell),
				     brute_persons_in(y, m, 3), 0);
		}
	/* before the first case: not evaluated, not 0 */
	CHECK(isnan(value(1, "personen", "2010-01", "{}")));
	kpi_set_free(set);
}

/* 120 000 members: count_distinct's 2 records a member (the total and
 * the team) of the members whose case runs in 2018 are more than
 * KPI_PIECE_RECORDS, so its values are counted after the scans in pieces
 * that either thread takes, each into counts of its own; the figures
 * are those of one thread (counted whole) and of the brute force. */
TEST(count_distinct_in_pieces_on_two_threads)
{
	kpi_set *set = load_set();
	size_t pieces;

	CHECK(set != NULL);
	if (!set)
		return;
	members_n = 120000;
	CHECK_INT(evaluate(set, 0, 0), 0);
	CHECK_STR(failure, "");
	CHECK_INT((long)atomic_load(&set->distinct_pieces), 0);
	CHECK_INT(evaluate(set, 1, 1), 0);
	CHECK_STR(failure, "");
	pieces = atomic_load(&set->distinct_pieces);
	/* personen's pieces, and zonder's one */
	CHECK(pieces >= 3 && pieces <= 17);
	check_2018();
	members_n = 1500;
	kpi_set_free(set);
}

/* ------------------------------------------------- through the store */

static const char *threads_line = "";	/* "[run]\nthreads = 1\n" */
static const char *storage_line = "";	/* more keys of [storage] */

static const char *write_config(void)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/peil.ini", dir);
	f = fopen(path, "w");
	if (!f)
		abort();
	fprintf(f, "[peil]\nstorage = sqlite\nplugin_dirs = %s\n"
		"script_dirs = %s/scripts\n"
		"[storage]\npath = %s/peil.db\n%s"
		"[dataset cases]\nfield.case_id = text key\n"
		"field.team = text\nfield.registered = date\n"
		"field.closed = date\n"
		"[dataset case_members]\nfield.member_id = text key\n"
		"field.case_id = text\nfield.person = text\n%s",
		PEIL_BUILD_PLUGIN_DIR, dir, dir, storage_line, threads_line);
	fclose(f);
	return path;
}

static int open_ctx(peil_context *ctx, unsigned what)
{
	peil_error err;
	int rc;

	error_clear(&err);
	rc = context_open(ctx, write_config(), what, NULL, NULL, &err);
	if (rc < 0) {
		char text[2048];

		error_format(&err, text, sizeof(text));
		printf("  context_open: %s\n", text);
	}
	return rc;
}

static int store_fixture(peil_context *ctx)
{
	store *st = ctx->store;
	const peil_schema *c = schema_set_find(&ctx->schemas, "cases");
	const peil_schema *m = schema_set_find(&ctx->schemas, "case_members");
	peil_error err;
	int rc = 0;

	error_clear(&err);
	if (!c || !m || store_batch_begin(st, &err) < 0)
		return -1;
	for (int i = 0; rc == 0 && i < CASES; i++) {
		peil_value v[4];
		char buf[3][16];

		case_row(i, v, buf);
		rc = store_record_put(st, c, v, &err);
	}
	for (int j = 0; rc == 0 && j < MEMBERS; j++) {
		peil_value v[3];
		char buf[3][16];

		member_row(j, v, buf);
		rc = store_record_put(st, m, v, &err);
	}
	if (rc == 0)
		return store_batch_commit(st, &err);
	store_batch_rollback(st);
	return -1;
}

struct scanner {
	store *store;
	const peil_schema *schema;
	long rows, sum;		/* sum of the registered dates */
	int rc;
};

static int count_row(void *ctx, const peil_value *v)
{
	struct scanner *s = ctx;

	s->rows++;
	s->sum += v[1].type == PEIL_TYPE_DATE ? v[1].as.date : 0;
	return 0;
}

static void *scan_thread(void *arg)
{
	static const size_t projection[] = { 0, 2 };
	struct scanner *s = arg;
	peil_error err;

	error_clear(&err);
	for (int i = 0; i < 20 && s->rc == 0; i++)
		s->rc = store_scan(s->store, s->schema, NULL, projection, 2,
				   count_row, s, &err);
	return NULL;
}

TEST(a_second_store_connection_scans_beside_the_first)
{
	peil_context ctx;
	struct scanner a, b;
	pthread_t thread;
	store *second;
	peil_error err;
	long sum = 0;

	CHECK_INT(open_ctx(&ctx, CONTEXT_STORAGE | CONTEXT_CREATE), 0);
	CHECK_INT(store_fixture(&ctx), 0);
	error_clear(&err);
	second = store_open_another(ctx.store, &err);
	CHECK(second != NULL);
	for (int i = 0; i < CASES; i++)
		sum += registered_of(i);
	memset(&a, 0, sizeof(a));
	a.store = ctx.store;
	a.schema = schema_set_find(&ctx.schemas, "cases");
	b = a;
	b.store = second;
	CHECK_INT(pthread_create(&thread, NULL, scan_thread, &b), 0);
	scan_thread(&a);
	pthread_join(thread, NULL);
	CHECK_INT(a.rc, 0);
	CHECK_INT(b.rc, 0);
	CHECK_INT(a.rows, 20 * CASES);
	CHECK_INT(b.rows, 20 * CASES);
	CHECK_INT(a.sum, 20 * sum);
	CHECK_INT(b.sum, 20 * sum);
	store_free(second);
	context_close(&ctx);
}

static int run_eval(result_table *copy)
{
	peil_context ctx;
	evaluation ev;
	peil_error err;
	int rc;

	if (open_ctx(&ctx, CONTEXT_STORAGE | CONTEXT_SCRIPTS | CONTEXT_CREATE) < 0) {
		context_close(&ctx);
		return -1;
	}
	error_clear(&err);
	rc = evaluation_run(&ctx, "eval", NULL, date_from_civil(2018, 1, 1),
			    date_from_civil(2018, 12, 31), NULL, 0, &ev, &err);
	if (rc < 0) {
		char text[2048];

		error_format(&err, text, sizeof(text));
		printf("  evaluation_run: %s\n", text);
	} else {
		*copy = ev.results;
		memset(&ev.results, 0, sizeof(ev.results));
		rc = (int)ev.failed;
	}
	evaluation_release(&ev);
	context_close(&ctx);
	return rc;
}

TEST(an_evaluation_through_the_store_is_the_same_on_one_thread)
{
	result_table two, one;
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/scripts", dir);
	CHECK_INT(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/scripts/threads.lua", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(script, f);
	fclose(f);
	CHECK_INT(run_eval(&two), 0);
	threads_line = "[run]\nthreads = 1\n";
	CHECK_INT(run_eval(&one), 0);
	threads_line = "[run]\nthreads = 3\n";	/* refused, named */
	CHECK(run_eval(&one) < 0);
	threads_line = "";
	CHECK_INT(two.count, one.count);
	CHECK(one.count > 100);
	for (size_t i = 0; i < one.count && i < two.count; i++) {
		const result_row *x = &one.rows[i], *y = &two.rows[i];

		if (strcmp(x->kpi, y->kpi) || strcmp(x->period, y->period) ||
		    strcmp(x->breakdown, y->breakdown) ||
		    !(x->value == y->value ||
		      (x->value != x->value && y->value != y->value))) {
			CHECK_STR(y->kpi, x->kpi);
			CHECK_STR(y->period, x->period);
			CHECK_STR(y->breakdown, x->breakdown);
			CHECK_DOUBLE(y->value, x->value, 0);
			break;
		}
	}
	for (size_t i = 0; i < one.count; i++)
		if (strcmp(one.rows[i].kpi, "personen") == 0 &&
		    strcmp(one.rows[i].period, "2018-06") == 0 &&
		    strcmp(one.rows[i].breakdown, "{}") == 0)
			CHECK_DOUBLE(one.rows[i].value, brute_persons(6, -1),
				     0);
	result_table_release(&two);
	result_table_release(&one);
}

/* A run that cannot begin, another connection holding the store's
 * write lock past busy_timeout_ms, fails saying so, and keeps nothing
 * of what it had made (the days of the datasets' newest inputs were
 * left behind: LeakSanitizer). */
TEST(a_run_that_cannot_begin_fails_whole)
{
	peil_context ctx;
	evaluation ev;
	peil_error err;
	store *other = NULL;
	int rc = -1;

	storage_line = "busy_timeout_ms = 20\n";
	error_clear(&err);
	if (open_ctx(&ctx, CONTEXT_STORAGE | CONTEXT_SCRIPTS |
			   CONTEXT_CREATE) == 0 &&
	    (other = store_open_another(ctx.store, &err)) != NULL &&
	    store_batch_begin(other, &err) == 0) {
		rc = evaluation_run(&ctx, "eval", NULL,
				    date_from_civil(2018, 1, 1),
				    date_from_civil(2018, 12, 31), NULL, 0,
				    &ev, &err);
		store_batch_rollback(other);
		evaluation_release(&ev);
	}
	storage_line = "";
	store_free(other);
	context_close(&ctx);
	CHECK_INT(rc, -1);
	CHECK_CONTAINS(err.message, "lock");
}

int main(void)
{
	dir = harness_tmp();
	cal = calendar_new(NULL);
	RUN(two_threads_give_the_figures_of_one);
	RUN(many_periods_on_two_threads);
	RUN(count_distinct_in_pieces_on_two_threads);
	RUN(a_second_store_connection_scans_beside_the_first);
	RUN(an_evaluation_through_the_store_is_the_same_on_one_thread);
	RUN(a_run_that_cannot_begin_fails_whole);
	calendar_free(cal);
	return harness_done();
}
