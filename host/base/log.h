/*
 * log.h - log lines with levels on stderr.
 *
 * stderr is what journald collects under systemd, and what an operator
 * reads at a terminal; stdout is kept for figures.  The level is the one
 * piece of process-wide state in Peil, set once by main().
 */
#ifndef PEIL_LOG_H
#define PEIL_LOG_H

#include <stdarg.h>

#include "peil/plugin.h"

void log_set_level(peil_log_level level);
/* "peil: warning: ..." on stderr when level is within the set level. */
void log_msg(peil_log_level level, const char *fmt, ...) PEIL_PRINTF(2, 3);
/* An error as "file:line: column 'x': message" at level error. */
void log_error(const peil_error *err);

#endif
