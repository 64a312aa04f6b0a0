/*
 * print_settings.c - the host's settings table (engine/settings.c), one
 * row a line: section, key, type, default, documentation, separated by
 * tabs.  check_configuration_doc.py compares it with
 * docs/configuration.md.
 */
#include <stdio.h>

#include "engine/settings.h"

static void print_row(void *ctx, const char *section, const char *key,
		      const char *type, const char *default_text,
		      const char *doc)
{
	int *failed = ctx;

	if (printf("%s\t%s\t%s\t%s\t%s\n", section, key, type, default_text,
		   doc) < 0)
		*failed = 1;
}

int main(void)
{
	int failed = 0;

	settings_each_row(print_row, &failed);
	if (fflush(stdout) != 0 || ferror(stdout))
		failed = 1;
	return failed;
}
