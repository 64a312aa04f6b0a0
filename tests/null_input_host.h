/*
 * null_input_host.h - the services table of the input plugins'
 * benchmarks (tests/csv, tests/xlsx): every record call does nothing but
 * count record_end, so that only the plugin's reading counts.
 *
 * Include it after defining struct peil_host (with a long rows) and the
 * three callbacks that differ per benchmark: bench_config_get,
 * bench_config_each and bench_schema.
 */
#ifndef PEIL_TEST_NULL_INPUT_HOST_H
#define PEIL_TEST_NULL_INPUT_HOST_H

#include <peil/plugin.h>

#include <stdarg.h>
#include <stdio.h>

static void quiet_log(peil_host *h, peil_log_level level, const char *fmt, ...)
{
	(void)h;
	(void)level;
	(void)fmt;
}

static int bench_fail(peil_error *err, const char *file, long line,
		      const char *field, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err->message, sizeof(err->message), "%s:%ld: %s: ",
			 file ? file : "", line, field ? field : "");

	if (n < 0 || (size_t)n >= sizeof(err->message))
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->message + n, sizeof(err->message) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *bench_config_path(peil_host *h, const char *key)
{
	(void)h;
	(void)key;
	return NULL;
}

static void bench_begin(peil_host *h, const char *file, long line)
{
	(void)h;
	(void)file;
	(void)line;
}

static void bench_text(peil_host *h, size_t field, const char *origin,
		       const char *text, size_t len)
{
	(void)h;
	(void)field;
	(void)origin;
	(void)text;
	(void)len;
}

static void bench_value(peil_host *h, size_t field, const char *origin,
			const peil_value *value)
{
	(void)h;
	(void)field;
	(void)origin;
	(void)value;
}

static int bench_end(peil_host *h, const char *raw, size_t len, peil_error *err)
{
	(void)raw;
	(void)len;
	(void)err;
	h->rows++;
	return 0;
}

static int bench_end_lazy(peil_host *h,
			  int (*raw)(void *ctx, const char **text, size_t *len),
			  void *ctx, peil_error *err)
{
	(void)raw;
	(void)ctx;
	return bench_end(h, NULL, 0, err);
}

static void bench_invalid(peil_host *h, const char *origin, const char *fmt, ...)
{
	(void)h;
	(void)origin;
	(void)fmt;
}

static void bench_header(peil_host *h, const char *raw, size_t len)
{
	(void)h;
	(void)raw;
	(void)len;
}

static const peil_services services = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_services),
	.log = quiet_log,
	.fail = bench_fail,
	.config_get = bench_config_get,
	.config_each = bench_config_each,
	.config_path = bench_config_path,
	.record_schema = bench_schema,
	.record_begin = bench_begin,
	.record_text = bench_text,
	.record_value = bench_value,
	.record_end = bench_end,
	.record_invalid = bench_invalid,
	.record_header = bench_header,
	.record_end_lazy = bench_end_lazy,
};

#endif
