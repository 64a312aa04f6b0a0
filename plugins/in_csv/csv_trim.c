/*
 * csv_trim.c - trimming white space and NO-BREAK SPACE off a cell.
 */
#include "csv_trim.h"

#include <string.h>

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

const char *csv_trim(const char *text, size_t *len)
{
	size_t n = *len;

	for (;;) {
		if (n > 0 && is_blank((unsigned char)text[0])) {
			text++;
			n--;
		} else if (n > 1 && (unsigned char)text[0] == 0xC2 &&
			   (unsigned char)text[1] == 0xA0) {
			text += 2;
			n -= 2;
		} else {
			break;
		}
	}
	for (;;) {
		if (n > 0 && is_blank((unsigned char)text[n - 1])) {
			n--;
		} else if (n > 1 && (unsigned char)text[n - 2] == 0xC2 &&
			   (unsigned char)text[n - 1] == 0xA0) {
			n -= 2;
		} else {
			break;
		}
	}
	*len = n;
	return text;
}

int csv_is_header_name(const char *text, size_t len, const char *name)
{
	text = csv_trim(text, &len);
	return strncmp(name, text, len) == 0 && name[len] == '\0';
}
