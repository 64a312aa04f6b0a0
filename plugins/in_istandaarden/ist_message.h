/*
 * ist_message.h - reading one iWmo or iJw 3.2 message (301, 305, 307 or
 * 315) with libxml2's streaming reader, into one record per product.
 *
 * The parser knows the message structure of the XSDs of release 3.2
 * (WMO301.xsd, WMO305.xsd, WMO307.xsd, WMO315.xsd and their JW
 * counterparts): the namespace of the root names the standard, the
 * release and the message; Header, Client and the list of products follow
 * in that order.  It checks what the figures depend on (namespace,
 * release, BerichtCode, the mandatory elements it maps, dates as
 * jjjj-mm-dd) and leaves the rest of the XSD to the optional validation
 * (ist_validate).  It knows nothing of Peil's host: records go to a
 * callback, so that a fuzzer and tests drive it alone.
 */
#ifndef IST_MESSAGE_H
#define IST_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

/* The messages read: bit (1 << index) in the field table's masks. */
enum ist_kind { IST_301, IST_305, IST_307, IST_315, IST_KINDS };

/* One field that a message fills: from an element (a path below
 * /Bericht for the header and client, below the product for the rest),
 * or derived (standard, file). */
typedef struct ist_field {
	const char *name;	/* the dataset field */
	const char *path;	/* NULL: derived */
	int item;		/* path is below the product element */
	int date;		/* LDT_Datum: jjjj-mm-dd */
	unsigned messages;	/* 1 << kind of the messages that carry it */
	unsigned mandatory;	/* ... where the XSD requires it */
} ist_field;

extern const ist_field ist_fields[];
extern const size_t ist_field_count;

/* "301" -> IST_301; -1 for another. */
int ist_kind_parse(const char *text);
/* "301", ... */
const char *ist_kind_name(int kind);

/* One value of a record: NULL text when the element is absent. */
typedef struct ist_value {
	const char *text;
	size_t len;
	long line;		/* of the element */
	int32_t date;		/* days since 1970-01-01, for date fields */
} ist_value;

/* A record: values[i] for ist_fields[i] (derived fields included). */
typedef struct ist_record {
	long line;		/* of the product element */
	const ist_value *values;
	const char *standard;	/* "iWmo" or "iJw" */
} ist_record;

/* Where and why a message is refused. */
typedef struct ist_error {
	long line;
	char path[256];		/* element path, or empty */
	char message[1024];
} ist_error;

/* Called per product; nonzero stops the reading and is returned. */
typedef int (*ist_record_fn)(void *ctx, const ist_record *record);

/* Reads the message in buf (a file's bytes; name for libxml2's messages)
 * of the kind given.  On success 0 and, in *standard_out, "iWmo" or "iJw";
 * -1 with err filled; the callback's nonzero return as it is. */
int ist_read(int kind, const char *buf, size_t len, const char *name,
	     ist_record_fn fn, void *ctx, const char **standard_out,
	     ist_error *err);

/* The element path of ist_fields[i] in a message of that kind
 * (/Bericht/Client/ToegewezenProducten/ToegewezenProduct/Ingangsdatum);
 * a derived field's name. */
void ist_field_path(int kind, size_t i, char *out, size_t size);

/* The XSD file of a message in a directory of the release's XSDs:
 * "WMO301.xsd" or "JW301.xsd". */
void ist_xsd_name(int kind, const char *standard, char *out, size_t size);

/* Validates buf against the XSD at xsd_path (its basisschema.xsd beside
 * it): 0, or -1 with err filled (the first complaint, with its line). */
int ist_validate(const char *xsd_path, const char *buf, size_t len,
		 const char *name, ist_error *err);

#endif
