/*
 * html.h - writing text into HTML and SVG safely.
 */
#ifndef PEIL_HTML_H
#define PEIL_HTML_H

#include <stdio.h>

/* Write s with & < > " ' escaped, fit for text and attribute values. */
void html_escape(FILE *out, const char *s);

#endif
