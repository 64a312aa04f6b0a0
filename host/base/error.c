/*
 * error.c - filling and printing peil_error.
 */
#include "base/error.h"

#include <stdio.h>
#include <string.h>

static void copy(char *dst, size_t size, const char *src)
{
	if (!src)
		src = "";
	snprintf(dst, size, "%s", src);
}

int error_setv(peil_error *err, const char *file, long line, const char *field,
	       const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	copy(err->file, sizeof(err->file), file);
	err->line = line;
	copy(err->field, sizeof(err->field), field);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	return -1;
}

int error_set(peil_error *err, const char *file, long line, const char *field,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_setv(err, file, line, field, fmt, ap);
	va_end(ap);
	return -1;
}

void error_clear(peil_error *err)
{
	memset(err, 0, sizeof(*err));
}

/* Fields of errors in the configuration are its keys; in exports, their
 * columns. */
static int in_config(const char *file)
{
	size_t n = strlen(file);

	return n >= 4 && strcmp(file + n - 4, ".ini") == 0;
}

void error_format(const peil_error *err, char *out, size_t size)
{
	char where[900] = "";
	size_t n = 0;

	if (err->file[0]) {
		n += (size_t)snprintf(where + n, sizeof(where) - n, "%s:",
				      err->file);
		if (err->line > 0 && n < sizeof(where))
			n += (size_t)snprintf(where + n, sizeof(where) - n,
					      "%ld:", err->line);
	}
	if (err->field[0] && n < sizeof(where))
		snprintf(where + n, sizeof(where) - n, "%s%s '%s':",
			 n ? " " : "", in_config(err->file) ? "key" : "column",
			 err->field);
	snprintf(out, size, "%s%s%s", where, where[0] ? " " : "",
		 err->message[0] ? err->message : "unknown error");
}
