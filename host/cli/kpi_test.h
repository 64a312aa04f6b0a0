/*
 * kpi_test.h - peil test: KPI scripts run on small fixtures written in a
 * test file, their figures compared with the expected ones, as promtool
 * test rules does for Prometheus rules.  The format is in
 * docs/kpi-scripts.md ("Testing a KPI").
 *
 * A test file is Lua, run in a sandbox of its own, with one function:
 * test { name = ..., period = ..., data = { ... }, expect = { ... } }.
 */
#ifndef PEIL_KPI_TEST_H
#define PEIL_KPI_TEST_H

#include <stdio.h>

#include "kpi/kpi.h"

/* Where a test gets its KPIs: every test gets a fresh set (a test's
 * config and contract_start_month must not reach the next). */
typedef struct kpi_test_env {
	void *ctx;
	/* A fresh set with the configuration applied, or NULL with err. */
	kpi_set *(*open)(void *ctx, peil_error *err);
	void (*close)(void *ctx);	/* frees what open made */
	const peil_schema *(*schema)(void *ctx, const char *dataset);
} kpi_test_env;

typedef struct kpi_test_counts {
	size_t tests, figures, failed;	/* failed: expectations not met */
} kpi_test_counts;

/* Run the tests of the file at path, printing each difference (and a
 * line per file) to out; counts are added to *counts.  0 when the file
 * ran (whether or not figures differed); -1 with err when it could not
 * (a Lua error, an unknown dataset or field, a value that does not fit
 * its field), naming the file and line. */
int kpi_test_file(const char *path, const kpi_test_env *env, FILE *out,
		  kpi_test_counts *counts, peil_error *err);

#endif
