/*
 * visible.h - text of the data with its control characters made visible,
 * for a terminal, a text table or a log line: a line break inside a quoted
 * team name, a tab, an escape sequence.  Each control character (U+0001
 * to U+001F, and DEL) is written as its symbol of Unicode's Control
 * Pictures (U+2400 + c, U+2421 for DEL): one character for one, so that a
 * value neither breaks a table's rows or a log's lines nor reaches the
 * terminal as a command.
 */
#ifndef PEIL_VISIBLE_H
#define PEIL_VISIBLE_H

#include <stddef.h>
#include <stdio.h>

/* s to out, made visible. */
void visible_write(FILE *out, const char *s);

/* s into out (size bytes, at least 1), made visible and cut, when it does
 * not fit, before the character that does not.  The bytes written. */
size_t visible_copy(char *out, size_t size, const char *s);

#endif
