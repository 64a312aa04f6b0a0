/*
 * fake_store_services.h - the services table a storage plugin gets from
 * the tests that run it without the host: its config section is the
 * NULL-terminated keys[] and values[] of the peil_host, fail() fills the
 * error, log() prints all but debug lines to stderr.
 */
#ifndef PEIL_TEST_FAKE_STORE_SERVICES_H
#define PEIL_TEST_FAKE_STORE_SERVICES_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <peil/plugin.h>

#include "sqlite/fake_fail.h"

#define FAKE_KEYS 8

struct peil_host {
	const char *keys[FAKE_KEYS];
	const char *values[FAKE_KEYS];
};

static void fake_log(peil_host *host, peil_log_level level, const char *fmt,
		     ...) PEIL_PRINTF(3, 4);
static void fake_log(peil_host *host, peil_log_level level, const char *fmt,
		     ...)
{
	va_list ap;

	(void)host;
	if (level == PEIL_LOG_DEBUG)
		return;
	fprintf(stderr, "  [store log %d] ", (int)level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *fake_config_get(peil_host *host, const char *key)
{
	int i;

	for (i = 0; i < FAKE_KEYS && host->keys[i]; i++)
		if (strcmp(host->keys[i], key) == 0)
			return host->values[i];
	return NULL;
}

static int fake_config_each(peil_host *host, const char *prefix,
			    peil_config_fn fn, void *ctx)
{
	int i, rc;

	for (i = 0; i < FAKE_KEYS && host->keys[i]; i++) {
		if (strncmp(host->keys[i], prefix, strlen(prefix)) != 0)
			continue;
		rc = fn(ctx, host->keys[i], host->values[i], "test.ini", i + 1);
		if (rc)
			return rc;
	}
	return 0;
}

/* Paths in the tests are absolute already. */
static const char *fake_config_path(peil_host *host, const char *key)
{
	return fake_config_get(host, key);
}

static const peil_services fake_services = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_services),
	.log = fake_log,
	.fail = fake_fail,
	.config_get = fake_config_get,
	.config_each = fake_config_each,
	.config_path = fake_config_path,
};

#endif
