/*
 * no_entry.c - a shared object without peil_plugin_entry: not a plugin.
 */
#include "peil/plugin.h"

PEIL_EXPORT int peil_something_else(void);

PEIL_EXPORT int peil_something_else(void)
{
	return 42;
}
