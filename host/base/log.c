/*
 * log.c - log lines on stderr.
 */
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/error.h"
#include "base/visible.h"

static peil_log_level current = PEIL_LOG_INFO;
static log_format format = LOG_FORMAT_TEXT;

void log_set_format(log_format f)
{
	format = f;
}

log_format log_format_detect(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char extra;

	if (!stream || sscanf(stream, "%llu:%llu%c", &dev, &ino, &extra) != 2 ||
	    fstat(2, &st) < 0)
		return LOG_FORMAT_TEXT;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino ? LOG_FORMAT_JOURNAL
						    : LOG_FORMAT_TEXT;
}

void log_set_level(peil_log_level level)
{
	current = level;
}

static void log_msgv(peil_log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	/* syslog's LOG_ERR, LOG_WARNING, LOG_INFO and LOG_DEBUG. */
	static const int priorities[] = { 3, 4, 6, 7 };
	char raw[2048], line[2048];

	if (level > current)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	/* A value of an export quoted in the message (a line break in a
	 * cell, an escape sequence) stays on this line and off the
	 * terminal. */
	visible_copy(line, sizeof(line), raw);
	/* One fprintf per line, so lines of concurrent processes don't mix. */
	if (format == LOG_FORMAT_JOURNAL)
		fprintf(stderr, "<%d>%s: %s\n", priorities[level], names[level],
			line);
	else
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
