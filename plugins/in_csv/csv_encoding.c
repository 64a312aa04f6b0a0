/*
 * csv_encoding.c - UTF-8 checking and Windows-1252 decoding.
 *
 * Exports from Dutch registration systems come in UTF-8 or Windows-1252
 * (docs/domain.md, "Exports as they come in").  Which one is configuration: a byte
 * that does not fit is an error, never a guess, because a guessed "Ã«"
 * for "ë" would silently break the column mapping and every text compare.
 */
#include "csv_encoding.h"

int csv_utf8_sequence(const unsigned char *p, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xBF;	/* range of the second byte */
	size_t n, i;

	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		if (p[0] == 0xE0)
			lo = 0xA0;	/* below is an overlong form */
		else if (p[0] == 0xED)
			hi = 0x9F;	/* above are the UTF-16 surrogates */
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		if (p[0] == 0xF0)
			lo = 0x90;	/* overlong */
		else if (p[0] == 0xF4)
			hi = 0x8F;	/* above U+10FFFF */
	} else {
		return -1;	/* a continuation byte, C0, C1 or F5..FF */
	}
	for (i = 1; i < n; i++) {
		if (i >= avail)
			return 0;
		if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xBF))
			return -1;
	}
	return (int)n;
}

/*
 * 0x80..0x9F are where Windows-1252 differs from ISO 8859-1: these are the
 * code points from Microsoft's table (cp1252.txt at unicode.org); 0 marks
 * the five undefined bytes.  0xA0..0xFF map to U+00A0..U+00FF.
 */
static const unsigned short windows_1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

size_t csv_windows_1252_to_utf8(unsigned char b, char out[3])
{
	unsigned cp = b >= 0xA0 ? b : windows_1252_high[b - 0x80];

	if (cp == 0)
		return 0;
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}
