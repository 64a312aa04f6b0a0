/*
 * utf8.h - whether text is well-formed UTF-8.
 *
 * Every output Peil writes (JSON, HTML, CSV, the text tables) is UTF-8 and
 * copies the text it is given; text that came in from somewhere other than
 * an export (the configuration, a KPI script's strings) is checked here
 * when it comes in, so that an output is never invalid UTF-8 (which a JSON
 * reader refuses and a browser shows as replacement characters).
 */
#ifndef PEIL_BASE_UTF8_H
#define PEIL_BASE_UTF8_H

#include <stddef.h>

/* The offset of the first byte of text[0..len) that does not begin or
 * continue a well-formed UTF-8 sequence (Unicode's Table 3-7: no overlong
 * forms, no surrogates, nothing above U+10FFFF); len when there is none. */
size_t utf8_invalid_at(const char *text, size_t len);

#endif
