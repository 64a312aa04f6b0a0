/*
 * csv_config.h - the csv plugin's own keys in its source section:
 *
 *   separator = auto | semicolon | comma | tab | ; | ,   (default auto)
 *   encoding = utf-8 | windows-1252       (default utf-8)
 *   skip_lines = N                        (default 0)
 *   column.<export header> = <field>      (one or more)
 *
 * The host handles the other keys of the section (plugin, dataset, path,
 * date_format, decimal, on_error).
 */
#ifndef PEIL_CSV_CONFIG_H
#define PEIL_CSV_CONFIG_H

#include <peil/plugin.h>

#include "csv_reader.h"

/* One column.<header> = <field> key. */
typedef struct csv_mapping {
	char *header;		/* the export header, UTF-8, as configured */
	char *field_name;
	size_t field;		/* index in the dataset's schema */
	size_t column;		/* index in the current file's header */
} csv_mapping;

typedef struct csv_config {
	csv_reader_options reader;
	long skip_lines;
	csv_mapping *mappings;	/* in the order of the configuration */
	size_t mapping_count;
} csv_config;

/*
 * Reads and checks the keys through svc (config_each, record_schema):
 * every mapped field must exist in the dataset and be mapped once, every
 * header once, and every required field must be mapped.  Returns 0, or -1
 * with err naming the config file, line and key.  cfg must be released
 * either way.
 */
int csv_config_load(csv_config *cfg, const peil_services *svc,
		    peil_host *host, peil_error *err);

/* Frees what csv_config_load allocated; accepts NULL. */
void csv_config_release(csv_config *cfg);

#endif
