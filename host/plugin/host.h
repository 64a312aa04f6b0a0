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

#include "base/config.h"
#include "base/parse.h"
#include "peil/plugin.h"
#include "plugin/schema.h"
#include "plugin/store.h"

/* How an input source's records are built: the source's date_format,
 * decimal and on_error, and the [peil] and [privacy] settings that go with
 * them, read by the engine (settings.h).  The entries only say where a
 * value was set, for messages; NULL when it was not. */
typedef struct host_input_options {
	parse_date_formats formats;
	int decimal;			/* ',' or '.' */
	int reject;			/* on_error = reject */
	int keep_last;			/* repeated_keys = keep_last */
	/* scope_field and scope_value: the field every record is stamped
	 * with (NULL: none) and its value (NULL: the source's name). */
	const char *scope_field, *scope_value;
	const config_entry *scope_field_at;
	const config_entry *on_error_at;
	const char *reject_dir;		/* where reject files go */
	const char *key_file;		/* resolved; NULL when not set */
	const config_section *privacy;
	const config_entry *key_file_at;
	/* recodes, folding and allowed values (value_map.h) */
	const char *recode_file;	/* resolved; NULL when not set */
	const config_entry *recode_file_at;
	int refuse_unknown;		/* on_unknown = refuse */
	/* the dataset's declared ranges and date orders (schema.h), one
	 * per field, or NULL */
	const schema_rule *rules;
} host_input_options;

/* The table handed to every plugin's open(); static, valid for ever. */
const peil_services *host_services(void);

/* A host for a plugin configured by section (borrowed: cfg must outlive
 * the host).  NULL when out of memory. */
peil_host *host_new(const config *cfg, const config_section *section,
		    const char *plugin_name);
void host_free(peil_host *host);	/* accepts NULL */

/* Make host an input source's host: records are built for schema and put
 * into storage (borrowed) by a writer thread
 * (record_queue.h): between host_file_begin and host_file_prepare or
 * host_file_end, only that thread may use the store.  Records are built
 * as opts says (copied; its strings must outlive the host); rejected rows
 * go to files in opts->reject_dir; values are recoded and checked as the
 * source's recode.*, fold.* and allowed.* keys and recode_file say
 * (value_map.h).  0 on success; -1 with err naming the config line of a
 * setting that does not fit the dataset (on_error = reject for citizen
 * numbers, a missing or bad key_file, a recode of a field it lacks). */
int host_input_init(peil_host *host, const peil_schema *schema,
		    store *storage, const host_input_options *opts,
		    peil_error *err);

/* The scope of an input source's records: the value that every record
 * holds in field *field (scope_field, scope_value), or NULL when the
 * source has none.  Valid while the host is. */
const char *host_scope(const peil_host *host, size_t *field);

/* The fingerprint of the [privacy] key that the source's citizen numbers
 * are hashed with (bsn_key_fingerprint: 16 hex digits) into out: 1; 0
 * when its dataset has no citizen-number field; -1 when libcrypto fails. */
int host_key_fingerprint(const peil_host *host, char out[17]);

/* Counters of the file being read. */
typedef struct host_file_stats {
	int64_t rows;		/* records stored */
	int64_t rejected;	/* records written to the reject file */
	int64_t replaced;	/* records that replaced an earlier one of
				   the same key in this file (keep_last) */
	int64_t offered;	/* records the plugin ended, whatever became
				   of them */
	int header;		/* the plugin gave a header (record_header) */
	const char *reject_path; /* that file, or NULL; valid until the next
				    host_file_begin */
	int storage_failed;	/* the file failed in the store, not the input */
	int64_t unknown;	/* values stored that are outside their
				   field's allowed list (warned of) */
} host_file_stats;

/* Start reading path, whose content has the SHA-256 sha256. */
void host_file_begin(peil_host *host, const char *path, const char *sha256);
/* After host_file_begin: the plugin reads path through alias (another
 * path of the same open file, ingest.c), borrowed until the next
 * host_file_begin.  What the plugin says of alias (its records' origin,
 * its log lines) names path. */
void host_file_alias(peil_host *host, const char *alias);
/* err, from the plugin's read, naming path where it names the alias. */
void host_file_unalias(const peil_host *host, peil_error *err);
/* After the plugin's read returned 0: whether the file may be committed.
 * -1 with err set when a record failed (even if the plugin carried on) or
 * the reject file could not be written; 0 otherwise.  Fills stats in both
 * cases. */
int host_file_prepare(peil_host *host, host_file_stats *stats,
		      peil_error *err);
/* Whether the file being read failed in the store (a full disk, out of
 * memory) rather than in its input, whatever the plugin's read returned:
 * a plugin stops at the first record_end that fails and returns -1 with
 * the store's error, before host_file_prepare could say so. */
int host_file_storage_failed(const peil_host *host);
/* The file is over: its reject file gets its name when the batch was
 * committed, and is removed when it was not.  -1 with err set when the
 * reject file could not be renamed.  Records still queued for the store
 * are dropped when it was not committed: call it before the batch's
 * rollback, which must not run while the writer stores. */
int host_file_end(peil_host *host, int committed, peil_error *err);

#endif
