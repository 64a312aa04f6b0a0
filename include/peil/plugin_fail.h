/*
 * peil/plugin_fail.h - failing with a message that names what it is
 * about: "dataset cases: cannot read the rows".
 *
 * Not part of the ABI: code that the storage plugins share (not
 * installed).  A dataset or a KPI is named in the message, as "<kind>
 * <name>: ", never as the field of an error, which names an export's
 * column; location is the store (a file's path, a server's address).
 *
 *   va_start(ap, fmt);
 *   rc = peil_fail_vof(st->svc, err, st->path, kind, name, fmt, ap);
 *   va_end(ap);
 */
#ifndef PEIL_PLUGIN_FAIL_H
#define PEIL_PLUGIN_FAIL_H

#include <stdarg.h>
#include <stdio.h>

#include "peil/plugin.h"

/* Fill err through svc->fail with location and "<kind> <name>: <fmt...>"
 * (name NULL: the message alone); returns -1. */
static inline int peil_fail_vof(const peil_services *svc, peil_error *err,
				const char *location, const char *kind,
				const char *name, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));
static inline int peil_fail_vof(const peil_services *svc, peil_error *err,
				const char *location, const char *kind,
				const char *name, const char *fmt, va_list ap)
{
	char text[sizeof(err->message)];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (name == NULL)
		return svc->fail(err, location, 0, NULL, "%s", text);
	return svc->fail(err, location, 0, NULL, "%s %s: %s", kind, name,
			 text);
}

#endif
