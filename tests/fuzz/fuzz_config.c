/*
 * fuzz_config.c - libFuzzer target: the configuration loader, the
 * settings table's parsers and the dataset declarations on any bytes (written to a file, since that is
 * what config_load reads).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/config.h"
#include "engine/settings.h"
#include "plugin/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[512];
	config *cfg = NULL;
	schema_set schemas = { 0, NULL };
	peil_settings settings;
	peil_error err;
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "%s/peil-fuzz-config-%d.ini",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 (int)getpid());
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (config_load(path, &cfg, &err) == 0) {
		settings_open(cfg, &settings, &err);
		settings_release(&settings);
		schema_set_init(&schemas, cfg, &err);
		schema_set_release(&schemas);
		config_free(cfg);
	}
	return 0;
}
