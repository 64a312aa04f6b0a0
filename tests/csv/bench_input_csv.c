/*
 * bench_input_csv.c - throughput of the built csv.so with a services table
 * that does nothing, so that only reading, parsing and decoding count.
 *
 *   bench_input_csv [MB] [utf-8|windows-1252]
 *
 * Writes a cases export of about MB megabytes (default 100) in the given
 * encoding to a directory of its own under TMPDIR (bench_dir.h), reads it
 * three times and prints the best MB/s and rows/s.
 */
#define _POSIX_C_SOURCE 200809L
#include <peil/plugin.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_dir.h"

static const char *const bench_files[] = { "cases.csv" };
static char export_path[sizeof(bench_dir) + 64];

struct peil_host {
	long rows;
	const char *encoding;
};

static const char *const columns[][2] = {
	{ "column.Dossiernummer", "case_id" },
	{ "column.Team", "team" },
	{ "column.Organisatie", "organisation" },
	{ "column.Wijkcode", "district" },
	{ "column.Buurtcode", "neighbourhood" },
	{ "column.Datum aanmelding", "registered" },
	{ "column.Datum eerste kennismaking", "first_meeting" },
	{ "column.Datum afsluiting", "closed" },
	{ "column.Melder", "referrer" },
	{ "column.Reden be\xC3\xABindiging", "closure_reason" },
	{ "column.Zelfredzaam bij afsluiting", "self_reliant" },
	{ "column.Rapportcijfer", "mark" },
	{ "column.Persoonsnummer", "person" },
	{ "column.Datum invoer", "entered" },
};
#define COLUMN_COUNT (sizeof(columns) / sizeof(columns[0]))

static peil_field fields[COLUMN_COUNT];
static peil_schema schema = { "cases", COLUMN_COUNT, fields };

static const char *bench_config_get(peil_host *h, const char *key)
{
	return strcmp(key, "encoding") == 0 ? h->encoding : NULL;
}

static int bench_config_each(peil_host *h, const char *prefix,
			     peil_config_fn fn, void *ctx)
{
	size_t i;
	int rc;

	if (strcmp(prefix, "encoding") == 0)
		return fn(ctx, "encoding", h->encoding, "bench", 1);
	if (strcmp(prefix, "separator") == 0)
		return fn(ctx, "separator", ";", "bench", 2);
	if (strcmp(prefix, "column.") != 0)
		return 0;
	for (i = 0; i < COLUMN_COUNT; i++) {
		rc = fn(ctx, columns[i][0], columns[i][1], "bench", (long)i + 3);
		if (rc)
			return rc;
	}
	return 0;
}

static const peil_schema *bench_schema(peil_host *h)
{
	(void)h;
	return &schema;
}

#include "null_input_host.h"

/* Writes about mb megabytes of export; returns its size in bytes. */
static long long write_export(long mb, int windows_1252)
{
	static const char *const teams[] = { "Noord", "Zuid", "Oost", "West" };
	static const char *const reasons[] = {
		"Be\xC3\xABindigd volgens plan", "\"Eenzijdig; door cli\xC3\xABnt\"",
		"", "Voortijdig in overleg"
	};
	FILE *f = fopen(export_path, "wb");
	long long size = 0, limit = mb * 1000000LL;
	long i;
	size_t k;

	if (f == NULL)
		return -1;
	size += fprintf(f, "Dossiernummer;Team;Organisatie;Wijkcode;Buurtcode;Datum aanmelding;Datum eerste kennismaking;Datum afsluiting;Melder;Reden be%s;Zelfredzaam bij afsluiting;Rapportcijfer;Persoonsnummer;Datum invoer\r\n",
			windows_1252 ? "\xEBindiging" : "\xC3\xABindiging");
	for (i = 0; size < limit; i++) {
		char reason[64];
		const char *r = reasons[i % 4];

		/* Windows-1252: the one non-ASCII character is the e-diaeresis. */
		for (k = 0; *r; r++) {
			if (windows_1252 && (unsigned char)*r == 0xC3) {
				reason[k++] = '\xEB';
				r++;
			} else {
				reason[k++] = *r;
			}
		}
		reason[k] = '\0';
		size += fprintf(f, "D%07ld;%s;Stichting Welzijn Peilstad;W%02ld;B%04ld;%02ld-%02ld-2018;%02ld-%02ld-2018;%s;Huisarts;%s;%s;%ld;%08lx%08lx;%02ld-%02ld-2018\r\n",
				i, teams[i % 4], i % 12, i % 97, 1 + i % 28, 1 + i % 12,
				1 + (i + 3) % 28, 1 + i % 12,
				i % 3 ? "" : "15-12-2018", reason,
				i % 2 ? "ja" : "nee", 1 + i % 10, i * 2654435761L,
				i, 1 + i % 28, 1 + i % 12);
	}
	fclose(f);
	return size;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long mb = argc > 1 ? atol(argv[1]) : 100;
	const char *encoding = argc > 2 ? argv[2] : "utf-8";
	const peil_plugin *(*entry)(void);
	const peil_plugin *plugin;
	void *handle = dlopen(CSV_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
	peil_host host = { 0, encoding };
	peil_error err;
	void *state;
	double best = 1e9;
	long long size;
	size_t i;
	int run;

	if (handle == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	*(void **)(&entry) = dlsym(handle, PEIL_PLUGIN_ENTRY_SYMBOL);
	plugin = entry();
	for (i = 0; i < COLUMN_COUNT; i++)
		fields[i] = (peil_field){ columns[i][1], PEIL_TYPE_TEXT, 0 };
	bench_dir_open("csv", bench_files, 1);
	bench_path(export_path, sizeof(export_path), bench_files[0]);

	size = write_export(mb, strcmp(encoding, "windows-1252") == 0);
	if (size < 0 || plugin->input->open(&services, &host, &state, &err)) {
		fprintf(stderr, "setup failed: %s\n", err.message);
		return 1;
	}
	for (run = 0; run < 3; run++) {
		double start = now(), took;

		host.rows = 0;
		if (plugin->input->read(state, export_path, &err)) {
			fprintf(stderr, "read failed: %s\n", err.message);
			return 1;
		}
		took = now() - start;
		if (took < best)
			best = took;
	}
	plugin->input->close(state);
	printf("%s: %.1f MB, %ld rows, %s: best of 3 %.3f s: %.0f MB/s, %.2f M rows/s\n",
	       export_path, (double)size / 1e6, host.rows, encoding, best,
	       (double)size / 1e6 / best, (double)host.rows / 1e6 / best);
	dlclose(handle);
	return 0;
}
