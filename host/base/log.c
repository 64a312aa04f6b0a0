/*
 * log.c - log lines on stderr.
 */
#include "base/log.h"

#include <stdio.h>

#include "base/error.h"

static peil_log_level current = PEIL_LOG_INFO;

void log_set_level(peil_log_level level)
{
	current = level;
}

static void log_msgv(peil_log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	char line[2048];

	if (level > current)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line, so lines of concurrent processes don't mix. */
	fprintf(stderr, "peil: %s: %s\n", names[level], line);
}

void log_msg(peil_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_msgv(level, fmt, ap);
	va_end(ap);
}

void log_error(const peil_error *err)
{
	char text[2048];

	error_format(err, text, sizeof(text));
	log_msg(PEIL_LOG_ERROR, "%s", text);
}
