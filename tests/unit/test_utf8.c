/*
 * test_utf8.c - well-formed UTF-8 (base/utf8.c), by the ranges of
 * Unicode's Table 3-7, each case written out by hand.
 */
#include <string.h>

#include "base/utf8.h"
#include "harness.h"

static long invalid_at(const char *s)
{
	return (long)utf8_invalid_at(s, strlen(s));
}

TEST(utf8_accepts_every_length_at_its_bounds)
{
	CHECK_INT(invalid_at(""), 0);
	CHECK_INT(invalid_at("Beëindigd"), 10);	/* U+00EB, 2 bytes */
	CHECK_INT(invalid_at("\xC2\x80\xDF\xBF"), 4);	/* U+0080, U+07FF */
	CHECK_INT(invalid_at("\xE0\xA0\x80\xEF\xBF\xBF"), 6); /* U+0800, U+FFFF */
	CHECK_INT(invalid_at("\xED\x9F\xBF\xEE\x80\x80"), 6); /* around surrogates */
	CHECK_INT(invalid_at("\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"), 8); /* U+10000, U+10FFFF */
}

TEST(utf8_names_the_first_byte_that_is_not)
{
	CHECK_INT(invalid_at("Zu\xEF" "d"), 2);		/* Windows-1252 ï */
	CHECK_INT(invalid_at("ab\xFF"), 2);
	CHECK_INT(invalid_at("a\x80"), 1);		/* a lone continuation */
	CHECK_INT(invalid_at("\xC0\xAF"), 0);		/* overlong '/' */
	CHECK_INT(invalid_at("\xC1\xBF"), 0);
	CHECK_INT(invalid_at("\xE0\x9F\xBF"), 0);	/* overlong, 3 bytes */
	CHECK_INT(invalid_at("\xED\xA0\x80"), 0);	/* surrogate U+D800 */
	CHECK_INT(invalid_at("\xF0\x8F\xBF\xBF"), 0);	/* overlong, 4 bytes */
	CHECK_INT(invalid_at("\xF4\x90\x80\x80"), 0);	/* U+110000 */
	CHECK_INT(invalid_at("\xF5\x80\x80\x80"), 0);
	CHECK_INT(invalid_at("x\xC3"), 1);		/* cut short */
	CHECK_INT(invalid_at("x\xE2\x82"), 1);
	CHECK_INT(invalid_at("\xE2\x82" "A"), 0);	/* ended by ASCII */
	/* the length given is the end: a sequence past it is cut short */
	CHECK_INT((long)utf8_invalid_at("\xC3\xAB", 1), 0);
}

int main(void)
{
	RUN(utf8_accepts_every_length_at_its_bounds);
	RUN(utf8_names_the_first_byte_that_is_not);
	return harness_done();
}
