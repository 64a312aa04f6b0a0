/*
 * error.h - filling a caller-owned peil_error, the host's one way to report.
 */
#ifndef PEIL_ERROR_H
#define PEIL_ERROR_H

#include <stdarg.h>

#include "peil/plugin.h"

/* Fill err (file and field may be NULL) and return -1, so that
 * "return error_set(err, ...);" reports and fails in one line. */
int error_set(peil_error *err, const char *file, long line, const char *field,
	      const char *fmt, ...) PEIL_PRINTF(5, 6);
int error_setv(peil_error *err, const char *file, long line, const char *field,
	       const char *fmt, va_list ap) PEIL_PRINTF(5, 0);
void error_clear(peil_error *err);
/* "file:line: column 'field': message", or as much of it as is known, into
 * out ("key" instead of "column" when the file is a configuration). */
void error_format(const peil_error *err, char *out, size_t size);

#endif
