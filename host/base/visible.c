/*
 * visible.c - text with its control characters made visible (visible.h).
 */
#include "base/visible.h"

#include <string.h>

static const char controls[] =
	"\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10"
	"\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f";

/* The Control Picture of control character c, 3 bytes of UTF-8. */
static void picture(char c, char out[3])
{
	out[0] = '\xE2';
	out[1] = '\x90';
	out[2] = (char)(c == 0x7f ? 0xA1 : 0x80 + c);
}

void visible_write(FILE *out, const char *s)
{
	char pic[3];

	for (;;) {
		size_t n = strcspn(s, controls);

		fwrite(s, 1, n, out);
		s += n;
		if (!*s)
			return;
		picture(*s++, pic);
		fwrite(pic, 1, sizeof(pic), out);
	}
}

size_t visible_copy(char *out, size_t size, const char *s)
{
	size_t used = 0;

	while (*s) {
		size_t n = strcspn(s, controls);

		if (n == 0) {
			if (used + 3 >= size)
				break;
			picture(*s++, out + used);
			used += 3;
			continue;
		}
		if (used + n >= size) {
			/* cut before a UTF-8 continuation byte's lead */
			n = size - 1 - used;
			while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
				n--;
			memcpy(out + used, s, n);
			used += n;
			break;
		}
		memcpy(out + used, s, n);
		used += n;
		s += n;
	}
	out[used] = '\0';
	return used;
}
