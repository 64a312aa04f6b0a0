/*
 * fake_fail.h - the services table's fail() for the sqlite plugin's test
 * programs, which run the plugin without the host: fill err, return -1.
 */
#ifndef PEIL_TEST_FAKE_FAIL_H
#define PEIL_TEST_FAKE_FAIL_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <peil/plugin.h>

static int fake_fail(peil_error *err, const char *file, long line,
		     const char *field, const char *fmt, ...) PEIL_PRINTF(5, 6);
static int fake_fail(peil_error *err, const char *file, long line,
		     const char *field, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

#endif
