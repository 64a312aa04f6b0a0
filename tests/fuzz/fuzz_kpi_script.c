/*
 * fuzz_kpi_script.c - libFuzzer target: the decoding of what a KPI script
 * hands the host (kpi{...} tables: keys, helpers, rules, targets) and its
 * check against a dataset, on any script text, in a small sandbox.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/calendar.h"
#include "kpi/kpi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const peil_field fuzz_fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED },
	{ "team", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, PEIL_FIELD_REQUIRED },
	{ "closed", PEIL_TYPE_DATE, 0 },
	{ "mark", PEIL_TYPE_INTEGER, 0 },
	{ "score", PEIL_TYPE_REAL, 0 },
	{ "done", PEIL_TYPE_BOOLEAN, 0 },
};
static const peil_schema fuzz_schema = { "cases", 7, fuzz_fields };

static const peil_schema *schema_of(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return &fuzz_schema;
}

static void ignore(void *ctx, const peil_error *problem)
{
	(void)ctx;
	(void)problem;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[512];
	static calendar *cal;
	kpi_limits limits = { (size_t)8 << 20, 2000000, 0, 0, 0, 0 };
	kpi_set *set;
	peil_error err;
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "%s/peil-fuzz-kpi-%d.lua",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 (int)getpid());
	if (!cal)
		cal = calendar_new(NULL);
	f = fopen(path, "wb");
	if (!f || !cal)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	set = kpi_set_new(cal, &limits, 1);
	if (set && kpi_set_load_file(set, path, &err) == 0)
		kpi_set_check(set, schema_of, NULL, ignore);
	kpi_set_free(set);
	return 0;
}
