/*
 * host.h - the services table that plugins reach the host through.
 *
 * One peil_host per plugin instance carries what the services need: the
 * plugin's config section and, for an input source, the target dataset,
 * the source's conversion settings and the storage its records go to.
 */
#ifndef PEIL_HOST_H
#define PEIL_HOST_H

#include <stdint.h>

#include "config.h"
#include "peil/plugin.h"

/* The table handed to every plugin's open(); static, valid for ever. */
const peil_services *host_services(void);

/* A host for a plugin configured by section (borrowed: cfg must outlive
 * the host).  NULL when out of memory. */
peil_host *host_new(const config *cfg, const config_section *section,
		    const char *plugin_name);
void host_free(peil_host *host);	/* accepts NULL */

/* Make host an input source's host: records are built for schema and put
 * into storage (ops and state borrowed).  Reads the section's date_format,
 * decimal and on_error keys; rejected rows go to files in reject_dir.  0 on
 * success; -1 with err naming the config line of a bad setting. */
int host_input_init(peil_host *host, const peil_schema *schema,
		    const peil_storage_ops *storage, void *storage_state,
		    const char *reject_dir, peil_error *err);

/* Counters of the file being read, reset by host_file_begin. */
typedef struct host_file_stats {
	int64_t rows;		/* records stored */
	int64_t rejected;	/* records written to the reject file */
	const char *reject_path; /* that file, or NULL; valid until the next
				    host_file_begin */
} host_file_stats;

void host_file_begin(peil_host *host, const char *path);
/* Close the reject file and give the counters of the file. */
void host_file_end(peil_host *host, host_file_stats *stats);

#endif
