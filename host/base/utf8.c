/*
 * utf8.c - whether text is well-formed UTF-8 (utf8.h).
 */
#include "base/utf8.h"

size_t utf8_invalid_at(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		/* the second byte's range, and how many continue after it */
		unsigned lo = 0x80, hi = 0xBF;
		size_t more, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			more = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			more = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			more = 3;
		else
			return i;
		if (c == 0xE0)
			lo = 0xA0;	/* overlong */
		else if (c == 0xED)
			hi = 0x9F;	/* surrogates */
		else if (c == 0xF0)
			lo = 0x90;	/* overlong */
		else if (c == 0xF4)
			hi = 0x8F;	/* above U+10FFFF */
		if (i + more >= len)
			return i;	/* cut short */
		for (k = 1; k <= more; k++) {
			unsigned b = s[i + k];

			if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
				return i;
		}
		i += more + 1;
	}
	return len;
}
