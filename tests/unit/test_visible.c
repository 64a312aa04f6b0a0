/*
 * test_visible.c - control characters of data made visible
 * (base/visible.c): written and copied as Control Pictures, cut on a
 * character's boundary.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/visible.h"
#include "harness.h"

TEST(visible_write_replaces_controls_one_for_one)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	CHECK(f != NULL);
	visible_write(f, "a\r\nb\x1b[2J\tc\x7f" "d\xC3\xAB");
	fclose(f);
	/* CR U+240D, LF U+240A, ESC U+241B, TAB U+2409, DEL U+2421 */
	CHECK_STR(text, "a\xE2\x90\x8D\xE2\x90\x8A" "b\xE2\x90\x9B[2J"
			"\xE2\x90\x89" "c\xE2\x90\xA1" "d\xC3\xAB");
	free(text);
}

TEST(visible_copy_cuts_on_a_character_boundary)
{
	char out[8];

	CHECK_INT(visible_copy(out, sizeof(out), "ab\ncd"), 7);
	CHECK_STR(out, "ab\xE2\x90\x8A" "cd");
	/* "abcdef" + e-diaeresis: 7 bytes fit, the 2-byte letter does not */
	CHECK_INT(visible_copy(out, sizeof(out), "abcdef\xC3\xAB"), 6);
	CHECK_STR(out, "abcdef");
	/* a picture that does not fit whole is left out */
	CHECK_INT(visible_copy(out, sizeof(out), "abcde\n"), 5);
	CHECK_STR(out, "abcde");
	CHECK_INT(visible_copy(out, 1, "abc"), 0);
	CHECK_STR(out, "");
}

int main(void)
{
	RUN(visible_write_replaces_controls_one_for_one);
	RUN(visible_copy_cuts_on_a_character_boundary);
	return harness_done();
}
