/*
 * input_istandaarden.c - the input plugin "istandaarden": iWmo and iJw 3.2
 * messages (301 allocation, 305 start of care, 307 end of care, 315
 * request for allocation) into a dataset, one record per product.
 *
 *   [source toewijzingen]
 *   plugin = istandaarden
 *   dataset = allocations
 *   path = berichten/toewijzing_*.xml
 *   message = 301
 *   ;xsd_dir = /srv/istandaarden/iwmo-3.2
 *
 * The dataset's fields are filled by name (ist_fields in ist_message.c;
 * docs/configuration.md lists them per message); a field the message
 * does not fill is refused when the source opens, and the citizen number
 * goes only into a field declared bsn, so that the host checks, hashes
 * and masks it as for any export.  The host calls read once per file
 * inside a batch it commits only when read returns 0: a refused message
 * stores nothing.
 */
#include <peil/export_file.h>
#include <peil/plugin.h>

#include "ist_message.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A message of more than this is refused rather than read into memory. */
#define MAX_MESSAGE_BYTES (512L * 1024 * 1024)

struct ist_source {
	const peil_services *svc;
	peil_host *host;
	int kind;
	const char *xsd_dir;
	/* Per dataset field: the ist_fields index filling it. */
	size_t count;
	size_t field[64];
	size_t table[64];
	/* During read: */
	const char *path;
	const char *file_name;
	peil_error *err;
};

static int find_field(int kind, const char *name)
{
	for (size_t i = 0; i < ist_field_count; i++)
		if ((ist_fields[i].messages & (1u << kind)) &&
		    strcmp(ist_fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* "a, b, c": the fields a message fills, for an error message. */
static void list_fields(int kind, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ist_field_count && n < size; i++)
		if ((ist_fields[i].messages & (1u << kind)) &&
		    (int)i == find_field(kind, ist_fields[i].name))
			n += (size_t)snprintf(out + n, size - n, "%s%s",
					      n ? ", " : "",
					      ist_fields[i].name);
}

static int map_fields(struct ist_source *src, const peil_schema *schema,
		      peil_error *err)
{
	const peil_services *svc = src->svc;
	char names[512];

	for (size_t f = 0; f < schema->field_count; f++) {
		const peil_field *field = &schema->fields[f];
		int i = find_field(src->kind, field->name);

		if (i < 0) {
			list_fields(src->kind, names, sizeof(names));
			return svc->fail(err, NULL, 0, field->name,
					 "dataset %s has field '%s', which a "
					 "%s message does not fill; it fills: "
					 "%s", schema->name, field->name,
					 ist_kind_name(src->kind), names);
		}
		if (ist_fields[i].date && field->type != PEIL_TYPE_DATE)
			return svc->fail(err, NULL, 0, field->name,
					 "field '%s' of dataset %s holds a "
					 "date (LDT_Datum): declare it date",
					 field->name, schema->name);
		if ((strcmp(field->name, "person") == 0) !=
		    ((field->flags & PEIL_FIELD_BSN) != 0))
			return svc->fail(err, NULL, 0, field->name,
					 "field '%s' of dataset %s: only "
					 "person, the citizen number (Bsn), is "
					 "and must be declared bsn",
					 field->name, schema->name);
		if (src->count == sizeof(src->field) / sizeof(src->field[0]))
			return svc->fail(err, NULL, 0, NULL, "too many fields");
		src->field[src->count] = f;
		src->table[src->count++] = (size_t)i;
	}
	if (find_field(src->kind, "person") >= 0) {
		for (size_t f = 0; f < schema->field_count; f++)
			if (strcmp(schema->fields[f].name, "person") == 0)
				return 0;
		return svc->fail(err, NULL, 0, NULL,
				 "dataset %s has no field person: every "
				 "message carries a citizen number (Bsn), "
				 "which Peil checks and stores only hashed "
				 "(field.person = bsn required)",
				 schema->name);
	}
	return 0;
}

static int ist_open(const peil_services *svc, peil_host *host, void **state,
		    peil_error *err)
{
	const char *message;
	struct ist_source *src;
	struct stat st;

	if (peil_services_check(svc, "istandaarden", PEIL_SERVICES_SIZE_V1,
				err))
		return -1;
	message = svc->config_get(host, "message");
	if (!message || ist_kind_parse(message) < 0)
		return svc->fail(err, NULL, 0, "message",
				 "message = %s: give the message this source "
				 "reads: 301, 305, 307 or 315",
				 message ? message : "(missing)");
	src = calloc(1, sizeof(*src));
	if (!src)
		return svc->fail(err, NULL, 0, NULL, "out of memory");
	src->svc = svc;
	src->host = host;
	src->kind = ist_kind_parse(message);
	src->xsd_dir = svc->config_path(host, "xsd_dir");
	if (src->xsd_dir &&
	    (stat(src->xsd_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
		svc->fail(err, NULL, 0, "xsd_dir",
			  "xsd_dir = %s is not a directory", src->xsd_dir);
		free(src);
		return -1;
	}
	if (map_fields(src, svc->record_schema(host), err) < 0) {
		free(src);
		return -1;
	}
	*state = src;
	return 0;
}

static int store_record(void *ctx, const ist_record *rec)
{
	struct ist_source *src = ctx;
	const peil_services *svc = src->svc;
	char origin[256];
	int rc;

	svc->record_begin(src->host, src->path, rec->line);
	for (size_t k = 0; k < src->count; k++) {
		size_t i = src->table[k];
		const ist_value *v = &rec->values[i];
		const char *text = v->text;

		if (!ist_fields[i].path) {	/* standard, file */
			text = strcmp(ist_fields[i].name, "file") == 0
				       ? src->file_name
				       : rec->standard;
			svc->record_text(src->host, src->field[k],
					 ist_fields[i].name, text,
					 strlen(text));
			continue;
		}
		ist_field_path(src->kind, i, origin, sizeof(origin));
		if (v->line)
			snprintf(origin + strlen(origin),
				 sizeof(origin) - strlen(origin),
				 " (line %ld)", v->line);
		if (text && ist_fields[i].date) {
			peil_value date = { .type = PEIL_TYPE_DATE };

			date.as.date = v->date;
			svc->record_value(src->host, src->field[k], origin,
					  &date);
		} else {
			svc->record_text(src->host, src->field[k], origin,
					 text ? text : "", text ? v->len : 0);
		}
	}
	/* The host filled err; 1 stops the reading and says so. */
	rc = svc->record_end(src->host, NULL, 0, src->err);
	return rc < 0 ? 1 : 0;
}

static char *read_whole(struct ist_source *src, const char *path,
			size_t *len, peil_error *err)
{
	char why[256];
	FILE *f = peil_fopen_text_export(path, why, sizeof(why));
	char *buf = NULL;
	long size;

	if (!f) {
		src->svc->fail(err, path, 0, NULL, "%s", why);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		src->svc->fail(err, path, 0, NULL, "cannot read: %s",
			       strerror(errno));
	} else if (size > MAX_MESSAGE_BYTES) {
		src->svc->fail(err, path, 0, NULL,
			       "%ld bytes: larger than a message Peil reads "
			       "(%ld)", size, MAX_MESSAGE_BYTES);
	} else if (!(buf = malloc((size_t)size + 1))) {
		src->svc->fail(err, path, 0, NULL, "out of memory");
	} else if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		src->svc->fail(err, path, 0, NULL, "cannot read: %s",
			       strerror(errno));
		free(buf);
		buf = NULL;
	} else {
		*len = (size_t)size;
	}
	fclose(f);
	return buf;
}

static int ist_read_file(void *state, const char *path, peil_error *err)
{
	struct ist_source *src = state;
	/* The export's own name: path may be the descriptor's. */
	const char *named = src->svc->size >= PEIL_SERVICES_SIZE_V4 &&
					    src->svc->export_path
				    ? src->svc->export_path(src->host)
				    : NULL;
	const char *slash = strrchr(named ? named : path, '/');
	const char *standard = NULL;
	ist_error ierr;
	size_t len = 0;
	char *buf = read_whole(src, path, &len, err);
	int rc;

	if (!buf)
		return -1;
	src->path = path;
	src->file_name = slash ? slash + 1 : named ? named : path;
	src->err = err;
	rc = ist_read(src->kind, buf, len, path, store_record, src, &standard,
		      &ierr);
	if (rc == 0 && src->xsd_dir) {
		char name[32], xsd[4096];

		ist_xsd_name(src->kind, standard, name, sizeof(name));
		snprintf(xsd, sizeof(xsd), "%s/%s", src->xsd_dir, name);
		rc = ist_validate(xsd, buf, len, path, &ierr);
	}
	free(buf);
	if (rc == 1)		/* a record the host refused: err is filled */
		return -1;
	if (rc != 0)
		return src->svc->fail(err, path, ierr.line,
				      ierr.path[0] ? ierr.path : NULL, "%s",
				      ierr.message);
	return 0;
}

static void ist_close(void *state)
{
	free(state);
}

static const peil_input_ops ist_ops = {
	.size = sizeof(peil_input_ops),
	.open = ist_open,
	.read = ist_read_file,
	.close = ist_close,
};

static const char *const ist_config_keys[] = { "message", "xsd_dir", NULL };

static const peil_plugin ist_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "istandaarden",
	.description = "iWmo and iJw 3.2 messages (301, 305, 307, 315)",
	.version = "0.1.0",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &ist_ops,
	.config_keys = ist_config_keys,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &ist_plugin;
}
