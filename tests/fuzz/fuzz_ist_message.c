/*
 * fuzz_ist_message.c - libFuzzer target: the istandaarden plugin's
 * message reader (plugins/in_istandaarden/ist_message.c) on any bytes,
 * as each of the four messages it reads.  Any input must end in records
 * or a message naming line and element, never a crash, a leak or a read
 * out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ist_message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every value of the record, as the plugin does. */
static int on_record(void *ctx, const ist_record *rec)
{
	size_t *sum = ctx;

	for (size_t i = 0; i < ist_field_count; i++)
		if (rec->values[i].text)
			*sum += strlen(rec->values[i].text) +
				(size_t)rec->values[i].line;
	*sum += strlen(rec->standard);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int kind = 0; kind < IST_KINDS; kind++) {
		const char *standard = NULL;
		size_t sum = 0;
		ist_error err;

		if (ist_read(kind, (const char *)data, size, "fuzz.xml",
			     on_record, &sum, &standard, &err) != 0 &&
		    err.message[0] == '\0')
			__builtin_trap();	/* a refusal always says why */
	}
	return 0;
}
