/*
 * fake_input_host.h - the services table that the input plugins' tests
 * (tests/csv, tests/xlsx) drive a built plugin with: it records what the
 * plugin hands over (header, rows with their lines, fields as text or
 * typed values, origins, invalid marks, log lines), and record_end returns
 * what a test asks.  record_end_lazy, like the host, builds a record's raw
 * text only when it rejects the record (end_result PEIL_RECORD_REJECTED).
 *
 * Include it once, after defining MAX_ROWS, the field enum ending in
 * FIELD_COUNT, and FAKE_SCHEMA (the dataset's peil_schema).
 */
#ifndef PEIL_TEST_FAKE_INPUT_HOST_H
#define PEIL_TEST_FAKE_INPUT_HOST_H

#include <peil/plugin.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>


struct config_entry {
	const char *key;
	const char *value;
};

struct row {
	long line;
	int ended;
	char field[FIELD_COUNT][128];
	int set[FIELD_COUNT];
	char origin[FIELD_COUNT][96];
	char raw[256];
	char invalid[256];
};

struct peil_host {
	const struct config_entry *config;	/* ends with a NULL key */
	size_t end_fail_at;	/* record_end number (from 1) that returns ... */
	int end_result;		/* ... this; 0: every record is stored */
	size_t begun;		/* record_begin calls */
	size_t ended;		/* record_end calls */
	size_t raw_built;	/* raw texts record_end_lazy built */
	struct row row[MAX_ROWS];
	char header[256];
	int header_calls;
	char log[1024];
	pthread_t reader;	/* the thread that called read, ... */
	int reader_set;		/* ... when set: */
	size_t other_thread;	/* record calls from another thread */
	long last_line;		/* of the last record_begin */
	size_t out_of_order;	/* record_begin lines not increasing */
};

static struct peil_host host;

static void fake_log(peil_host *h, peil_log_level level, const char *fmt, ...)
{
	size_t used = strlen(h->log);
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(h->log + used, sizeof(h->log) - used, fmt, ap);
	va_end(ap);
	used = strlen(h->log);
	snprintf(h->log + used, sizeof(h->log) - used, "\n");
}

static int fake_fail(peil_error *err, const char *file, long line,
		     const char *field, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *fake_config_get(peil_host *h, const char *key)
{
	size_t i;

	for (i = 0; h->config[i].key; i++)
		if (strcmp(h->config[i].key, key) == 0)
			return h->config[i].value;
	return NULL;
}

/* Entry i of the table is on line i + 1 of "test.ini". */
static int fake_config_each(peil_host *h, const char *prefix,
			    peil_config_fn fn, void *ctx)
{
	size_t i;
	int rc;

	for (i = 0; h->config[i].key; i++) {
		if (strncmp(h->config[i].key, prefix, strlen(prefix)) != 0)
			continue;
		rc = fn(ctx, h->config[i].key, h->config[i].value, "test.ini",
			(long)i + 1);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *fake_config_path(peil_host *h, const char *key)
{
	(void)h;
	(void)key;
	return NULL;
}

static const peil_schema *fake_record_schema(peil_host *h)
{
	(void)h;
	return &FAKE_SCHEMA;
}

static struct row *current(peil_host *h)
{
	return h->begun > 0 && h->begun <= MAX_ROWS ? &h->row[h->begun - 1] :
						       NULL;
}

static void fake_record_begin(peil_host *h, const char *file, long line)
{
	struct row *r;

	(void)file;
	if (h->reader_set && !pthread_equal(pthread_self(), h->reader))
		h->other_thread++;
	if (line <= h->last_line)
		h->out_of_order++;
	h->last_line = line;
	h->begun++;
	r = current(h);
	if (r)
		r->line = line;
}

static void fake_record_text(peil_host *h, size_t field, const char *origin,
			     const char *text, size_t len)
{
	struct row *r = current(h);

	if (r == NULL || field >= FIELD_COUNT)
		return;
	snprintf(r->field[field], sizeof(r->field[0]), "%.*s", (int)len, text);
	snprintf(r->origin[field], sizeof(r->origin[0]), "%s", origin);
	r->set[field]++;
}

/* A typed value, recorded as "date:N", "real:X", "int:N" or "bool:N". */
static void fake_record_value(peil_host *h, size_t field, const char *origin,
			      const peil_value *v)
{
	struct row *r = current(h);
	char *out;

	if (r == NULL || field >= FIELD_COUNT)
		return;
	out = r->field[field];
	switch (v->type) {
	case PEIL_TYPE_DATE:
		snprintf(out, sizeof(r->field[0]), "date:%d", (int)v->as.date);
		break;
	case PEIL_TYPE_REAL:
		snprintf(out, sizeof(r->field[0]), "real:%g", v->as.real);
		break;
	case PEIL_TYPE_INTEGER:
		snprintf(out, sizeof(r->field[0]), "int:%lld",
			 (long long)v->as.integer);
		break;
	case PEIL_TYPE_BOOLEAN:
		snprintf(out, sizeof(r->field[0]), "bool:%d", v->as.boolean);
		break;
	default:
		snprintf(out, sizeof(r->field[0]), "type:%d", (int)v->type);
	}
	snprintf(r->origin[field], sizeof(r->origin[0]), "%s", origin);
	r->set[field]++;
}

static int fake_record_end(peil_host *h, const char *raw, size_t raw_len,
			   peil_error *err)
{
	struct row *r = current(h);

	if (h->reader_set && !pthread_equal(pthread_self(), h->reader))
		h->other_thread++;
	h->ended++;
	if (r) {
		r->ended = 1;
		snprintf(r->raw, sizeof(r->raw), "%.*s", (int)raw_len, raw);
	}
	if (h->ended == h->end_fail_at) {
		if (h->end_result < 0)
			fake_fail(err, "input", r ? r->line : 0, "team",
				  "stopped by the host");
		return h->end_result;
	}
	return PEIL_RECORD_STORED;
}

static int fake_record_end_lazy(peil_host *h,
				int (*raw)(void *ctx, const char **text,
					   size_t *len),
				void *ctx, peil_error *err)
{
	const char *text = "";
	size_t len = 0;

	if (h->ended + 1 == h->end_fail_at &&
	    h->end_result == PEIL_RECORD_REJECTED) {
		if (raw(ctx, &text, &len))
			return fake_fail(err, "input", h->last_line, NULL,
					 "no raw text");
		h->raw_built++;
	}
	return fake_record_end(h, text, len, err);
}

static void fake_record_invalid(peil_host *h, const char *origin,
				const char *fmt, ...)
{
	struct row *r = current(h);
	size_t used;
	va_list ap;

	if (r == NULL)
		return;
	used = strlen(r->invalid);
	snprintf(r->invalid + used, sizeof(r->invalid) - used, "%s: ",
		 origin ? origin : "-");
	used = strlen(r->invalid);
	va_start(ap, fmt);
	vsnprintf(r->invalid + used, sizeof(r->invalid) - used, fmt, ap);
	va_end(ap);
}

static void fake_record_header(peil_host *h, const char *raw, size_t len)
{
	snprintf(h->header, sizeof(h->header), "%.*s", (int)len, raw);
	h->header_calls++;
}

static const peil_services services = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_services),
	.log = fake_log,
	.fail = fake_fail,
	.config_get = fake_config_get,
	.config_each = fake_config_each,
	.config_path = fake_config_path,
	.record_schema = fake_record_schema,
	.record_begin = fake_record_begin,
	.record_text = fake_record_text,
	.record_value = fake_record_value,
	.record_end = fake_record_end,
	.record_invalid = fake_record_invalid,
	.record_header = fake_record_header,
	.record_end_lazy = fake_record_end_lazy,
};

#endif
