/*
 * csv_encoding.h - byte-level text decoding for the csv reader: checking
 * UTF-8 and turning Windows-1252 into UTF-8.
 *
 * Both work on one character at a time and only for bytes >= 0x80: ASCII
 * is the same in every encoding Peil accepts, and the reader copies it in
 * runs without calling in here.
 */
#ifndef PEIL_CSV_ENCODING_H
#define PEIL_CSV_ENCODING_H

#include <stddef.h>

/*
 * Checks the UTF-8 sequence that starts at p (p[0] >= 0x80), of which avail
 * bytes (at least 1) are at hand.  Returns its length (2 to 4) when it is a
 * valid sequence by RFC 3629 (no overlong forms, no surrogates, nothing
 * above U+10FFFF); 0 when the avail bytes are a valid beginning that needs
 * more bytes; -1 when it is invalid.
 */
int csv_utf8_sequence(const unsigned char *p, size_t avail);

/*
 * Writes the UTF-8 form of the Windows-1252 byte b (b >= 0x80) to out and
 * returns its length (2 or 3), or returns 0 when b is one of the five bytes
 * that Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D).
 */
size_t csv_windows_1252_to_utf8(unsigned char b, char out[3]);

#endif
