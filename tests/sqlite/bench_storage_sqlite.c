/*
 * bench_storage_sqlite.c - record_put throughput of the sqlite plugin:
 * ROWS records of a 14-field "cases" dataset in one batch.
 *
 *   bench_storage_sqlite ROWS DIR [shuffled] [CSV]
 *
 * DIR gets bench.db (removed first).  "shuffled" puts the keys in a
 * scrambled order instead of ascending.  With CSV, the same rows are also
 * written there, so that the figure can be compared with
 *   sqlite3 x.db '.import --csv CSV cases'
 * Not a test: run by hand; it prints rows per second.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <peil/plugin.h>

#include "fake_fail.h"

struct peil_host {
	const char *path;
};

static void bench_log(peil_host *host, peil_log_level level, const char *fmt,
		      ...) PEIL_PRINTF(3, 4);
static void bench_log(peil_host *host, peil_log_level level, const char *fmt,
		      ...)
{
	va_list ap;

	(void)host;
	(void)level;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *bench_config(peil_host *host, const char *key)
{
	return strcmp(key, "path") == 0 ? host->path : NULL;
}

static int bench_each(peil_host *host, const char *prefix, peil_config_fn fn,
		      void *ctx)
{
	(void)host;
	(void)prefix;
	(void)fn;
	(void)ctx;
	return 0;
}

static const peil_services services = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_services),
	.log = bench_log,
	.fail = fake_fail,
	.config_get = bench_config,
	.config_each = bench_each,
	.config_path = bench_config,
};

static const peil_field fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, 0 },
	{ "organisation", PEIL_TYPE_TEXT, 0 },
	{ "district", PEIL_TYPE_TEXT, 0 },
	{ "neighbourhood", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, 0 },
	{ "first_meeting", PEIL_TYPE_DATE, 0 },
	{ "closed", PEIL_TYPE_DATE, 0 },
	{ "referral", PEIL_TYPE_TEXT, 0 },
	{ "closure_reason", PEIL_TYPE_TEXT, 0 },
	{ "self_reliant", PEIL_TYPE_BOOLEAN, 0 },
	{ "mark", PEIL_TYPE_INTEGER, 0 },
	{ "person", PEIL_TYPE_TEXT, 0 },
	{ "score", PEIL_TYPE_REAL, 0 },
};

#define FIELDS (sizeof(fields) / sizeof(fields[0]))

static const peil_schema cases = { "cases", FIELDS, fields };

static const char *const teams[] = { "Noord", "Zuid", "Oost", "West",
				     "Centrum" };
static const char *const referrals[] = { "zelf", "huisarts", "familie",
					 "Veilig Thuis", "woningcorporatie" };
static const char *const reasons[] = { "volgens plan", "extern",
				       "eenzijdig aanbieder",
				       "eenzijdig client", "" };

static peil_value text(const char *s)
{
	peil_value v = { .type = PEIL_TYPE_TEXT, .len = strlen(s) };

	v.as.text = s;
	if (v.len == 0)
		v.type = PEIL_TYPE_NULL;
	return v;
}

static peil_value number(peil_type type, int64_t i)
{
	peil_value v = { .type = type };

	if (type == PEIL_TYPE_DATE)
		v.as.date = (int32_t)i;
	else if (type == PEIL_TYPE_BOOLEAN)
		v.as.boolean = (int)i;
	else
		v.as.integer = i;
	return v;
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char id[32], org[32], district[32], hood[32], person[32];
	const peil_plugin *(*entry)(void);
	const peil_storage_ops *ops;
	struct peil_host host;
	peil_value row[FIELDS];
	char path[1024], wal[1100];
	FILE *csv = NULL;
	peil_error err;
	void *dl, *st;
	long rows, i, k;
	int shuffled;
	double t0, t1, t2;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ROWS DIR [shuffled] [CSV]\n",
			argv[0]);
		return 2;
	}
	rows = atol(argv[1]);
	shuffled = argc > 3 && strcmp(argv[3], "shuffled") == 0;
	if (argc > 3 + shuffled) {
		csv = fopen(argv[3 + shuffled], "w");
		if (csv == NULL) {
			perror(argv[3 + shuffled]);
			return 1;
		}
	}
	snprintf(path, sizeof(path), "%s/bench.db", argv[2]);
	unlink(path);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	host.path = path;

	dl = dlopen(PEIL_SQLITE_PLUGIN, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	*(void **)(&entry) = dlsym(dl, PEIL_PLUGIN_ENTRY_SYMBOL);
	ops = entry()->storage;
	if (ops->open(&services, &host, &st, &err) < 0 ||
	    ops->dataset_ensure(st, &cases, &err) < 0 ||
	    ops->batch_begin(st, &err) < 0)
		goto fail;
	if (csv)
		fprintf(csv, "case_id,team,organisation,district,"
			     "neighbourhood,registered,first_meeting,closed,"
			     "referral,closure_reason,self_reliant,mark,"
			     "person,score\n");

	t0 = seconds();
	for (i = 0; i < rows; i++) {
		/* A bijection of [0, 2^32) scatters the keys. */
		k = shuffled ? (long)(((uint32_t)i * 2654435761u) ^ 0x5bd1e995u)
			     : i;
		snprintf(id, sizeof(id), "C%010ld", k);
		snprintf(org, sizeof(org), "org%ld", i % 7);
		snprintf(district, sizeof(district), "W%02ld", i % 23);
		snprintf(hood, sizeof(hood), "BU%06ld", i % 997);
		snprintf(person, sizeof(person), "p%08lx", (i * 7919) % 1000003);
		row[0] = text(id);
		row[1] = text(teams[i % 5]);
		row[2] = text(org);
		row[3] = text(district);
		row[4] = text(hood);
		row[5] = number(PEIL_TYPE_DATE, 17000 + i % 2000);
		row[6] = number(PEIL_TYPE_DATE, 17005 + i % 2000);
		row[7] = i % 3 ? number(PEIL_TYPE_DATE, 17100 + i % 2000)
			       : text("");
		row[8] = text(referrals[i % 5]);
		row[9] = text(reasons[i % 5]);
		row[10] = number(PEIL_TYPE_BOOLEAN, i % 2);
		row[11] = number(PEIL_TYPE_INTEGER, 1 + i % 10);
		row[12] = text(person);
		row[13].type = PEIL_TYPE_REAL;
		row[13].as.real = (double)(i % 1000) / 7.0;
		if (ops->record_put(st, &cases, row, &err) < 0)
			goto fail;
		if (csv)
			fprintf(csv, "%s,%s,%s,%s,%s,%ld,%ld,%.0ld,%s,%s,%ld,%ld,"
				     "%s,%.17g\n", id, teams[i % 5], org,
				district, hood, 17000 + i % 2000,
				17005 + i % 2000,
				i % 3 ? 17100 + i % 2000 : 0, referrals[i % 5],
				reasons[i % 5], i % 2, 1 + i % 10, person,
				row[13].as.real);
	}
	t1 = seconds();
	if (ops->batch_commit(st, &err) < 0)
		goto fail;
	t2 = seconds();
	ops->close(st);
	if (csv)
		fclose(csv);
	printf("%ld rows, %s keys: put %.2f s, commit %.2f s, "
	       "%.0f rows/s overall\n", rows, shuffled ? "shuffled" : "ascending",
	       t1 - t0, t2 - t1, (double)rows / (t2 - t0));
	dlclose(dl);
	return 0;
fail:
	fprintf(stderr, "%s: %s: %s\n", err.file, err.field, err.message);
	return 1;
}
