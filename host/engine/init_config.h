/*
 * init_config.h - a first peil.ini proposed from a municipality's own
 * export (peil init): a dataset with typed fields, a source with the
 * column mapping, and the shipped scripts.
 */
#ifndef PEIL_INIT_CONFIG_H
#define PEIL_INIT_CONFIG_H

#include <stddef.h>

#include "engine/export_sniff.h"
#include "peil/plugin.h"

/* One column of the export and what is proposed for it. */
typedef struct init_field {
	const export_column *column;	/* borrowed from the sniff */
	char *name;		/* the field; NULL when the column is left out */
	const char *type;	/* "text", "date", ... */
	int shipped;		/* name is a field of the shipped datasets */
	int key, required;
	const char *note;	/* why it is left out, or a type that differs
				   from the shipped field's; NULL */
} init_field;

typedef struct init_proposal {
	char dataset[64];
	char source[64];
	char export_path[1024];	/* absolute */
	size_t field_count;	/* one per column of the export */
	init_field *fields;
	size_t mapped;		/* of which with a name */
	const char *key;	/* the key field's name, or NULL */
	char date_formats[320];	/* "" when no column is a date */
	char decimal;		/* 0 when no column is a real */
	int first_year, last_year;	/* of the dates read; 0 without */
} init_proposal;

/* Propose a dataset and source for the export at export_path, read into
 * s (which must outlive p).  Dutch headers that clearly name a shipped
 * field ("Datum aanmelding", "Aanmelddatum") get its name and type, and
 * the dataset is then the shipped "cases"; other headers become a name of
 * a-z, 0-9 and _.  0 on success (release with init_proposal_release); -1
 * with err. */
int init_propose(const export_sniff *s, const char *export_path,
		 init_proposal *p, peil_error *err);
void init_proposal_release(init_proposal *p);

/* Write DIR/peil.ini for p (dir is made when missing), with the store
 * and rejects beside it and scripts_dir (absolute) as the script
 * directory; an existing peil.ini is replaced only with force.  The file
 * is complete or absent: it is written to a temporary file and renamed.
 * 0 with its path in path_out; -1 with err. */
int init_write(const init_proposal *p, const export_sniff *s,
	       const char *dir, const char *scripts_dir, int force,
	       char *path_out, size_t path_size, peil_error *err);

#endif
