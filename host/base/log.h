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

typedef enum log_format {
	LOG_FORMAT_TEXT,	/* "peil: warning: ..." */
	LOG_FORMAT_JOURNAL	/* "<4>warning: ...": the priority prefix of
				   sd-daemon(3) that journald reads */
} log_format;

void log_set_level(peil_log_level level);
void log_set_format(log_format format);
/* LOG_FORMAT_JOURNAL when stderr is the journal's stream, as systemd
 * says in $JOURNAL_STREAM ("DEVICE:INODE" of that stream,
 * systemd.exec(5)); LOG_FORMAT_TEXT otherwise, also when stderr was
 * redirected elsewhere by a unit's child. */
log_format log_format_detect(void);
/* "peil: warning: ..." on stderr when level is within the set level. */
void log_msg(peil_log_level level, const char *fmt, ...) PEIL_PRINTF(2, 3);
/* An error as "file:line: column 'x': message" at level error. */
void log_error(const peil_error *err);

#endif
