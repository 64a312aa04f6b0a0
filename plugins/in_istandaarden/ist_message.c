/*
 * ist_message.c - the iWmo / iJw 3.2 message reader (ist_message.h).
 *
 * Element names, their order and which are mandatory are those of the
 * release 3.2 XSDs (WMO301.xsd: Bericht = Header, Client; Client/Bsn;
 * Client/ToegewezenProducten/ToegewezenProduct with ToewijzingNummer,
 * ReferentieAanbieder, Product (CDT_Product: Categorie, Code),
 * Toewijzingsdatum, Toewijzingstijd, Ingangsdatum, Einddatum,
 * RedenWijziging, ...; WMO305.xsd StartProduct and WMO307.xsd
 * StopProduct: ToewijzingNummer, Product, ToewijzingIngangsdatum,
 * Begindatum, (307: RedenBeeindiging, Einddatum,) StatusAanlevering;
 * WMO315.xsd AangevraagdProduct: ReferentieAanbieder, ..., Product, ...,
 * ToewijzingIngangsdatum, ToewijzingEinddatum, ...).  The JW messages of
 * iJw 3.2 have the same structure in their own namespaces.
 */
#include "ist_message.h"

#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M301 (1u << IST_301)
#define M305 (1u << IST_305)
#define M307 (1u << IST_307)
#define M315 (1u << IST_315)
#define MALL (M301 | M305 | M307 | M315)

/* The sender and receiver swap: a 301 goes from the municipality
 * (Afzender, LDT_Gemeente) to the provider (Ontvanger, LDT_AgbCode); 305,
 * 307 and 315 go the other way. */
const ist_field ist_fields[] = {
	{ "message", "Header/BerichtCode", 0, 0, MALL, MALL },
	{ "message_id", "Header/BerichtIdentificatie/Identificatie", 0, 0,
	  MALL, MALL },
	{ "message_date", "Header/BerichtIdentificatie/Dagtekening", 0, 1,
	  MALL, MALL },
	{ "municipality", "Header/Afzender", 0, 0, M301, M301 },
	{ "municipality", "Header/Ontvanger", 0, 0, M305 | M307 | M315,
	  M305 | M307 | M315 },
	{ "provider", "Header/Ontvanger", 0, 0, M301, M301 },
	{ "provider", "Header/Afzender", 0, 0, M305 | M307 | M315,
	  M305 | M307 | M315 },
	{ "person", "Client/Bsn", 0, 0, MALL, MALL },
	{ "allocation", "ToewijzingNummer", 1, 0, M301 | M305 | M307, M301 },
	{ "provider_ref", "ReferentieAanbieder", 1, 0, M301 | M315, M315 },
	{ "category", "Product/Categorie", 1, 0, MALL, 0 },
	{ "product", "Product/Code", 1, 0, MALL, 0 },
	{ "allocated", "Toewijzingsdatum", 1, 1, M301, M301 },
	{ "start", "Ingangsdatum", 1, 1, M301, M301 },
	{ "start", "ToewijzingIngangsdatum", 1, 1, M315, M315 },
	{ "end", "Einddatum", 1, 1, M301, 0 },
	{ "end", "ToewijzingEinddatum", 1, 1, M315, 0 },
	{ "change_reason", "RedenWijziging", 1, 0, M301, 0 },
	{ "allocation_start", "ToewijzingIngangsdatum", 1, 1, M305 | M307,
	  0 },
	{ "started", "Begindatum", 1, 1, M305 | M307, M305 | M307 },
	{ "reason", "RedenBeeindiging", 1, 0, M307, M307 },
	{ "ended", "Einddatum", 1, 1, M307, M307 },
	{ "status", "StatusAanlevering", 1, 0, M305 | M307, M305 | M307 },
	{ "standard", NULL, 0, 0, MALL, 0 },
	{ "file", NULL, 0, 0, MALL, 0 },
};
const size_t ist_field_count = sizeof(ist_fields) / sizeof(ist_fields[0]);

/* Per message: its number, the product list and product elements, and
 * its BerichtCode (COD002-VEKT) in iWmo and iJw; NULL where no public
 * copy of the code list was found (then any code of digits passes). */
static const struct ist_message {
	const char *number;
	const char *list;
	const char *item;
	const char *wmo_code;
	const char *jw_code;
} messages[IST_KINDS] = {
	{ "301", "ToegewezenProducten", "ToegewezenProduct", "414", "436" },
	{ "305", "StartProducten", "StartProduct", "418", NULL },
	{ "307", "StopProducten", "StopProduct", "420", NULL },
	{ "315", "AangevraagdeProducten", "AangevraagdProduct", "444", "446" },
};

#define NS_BASE "http://www.istandaarden.nl/"
#define RELEASE "3_2"
#define MAX_DEPTH 32
#define MAX_TEXT 4096
#define MAX_FIELDS 32

int ist_kind_parse(const char *text)
{
	for (int k = 0; k < IST_KINDS; k++)
		if (strcmp(text, messages[k].number) == 0)
			return k;
	return -1;
}

const char *ist_kind_name(int kind)
{
	return messages[kind].number;
}

void ist_xsd_name(int kind, const char *standard, char *out, size_t size)
{
	snprintf(out, size, "%s%s.xsd",
		 strcmp(standard, "iJw") == 0 ? "JW" : "WMO",
		 messages[kind].number);
}

void ist_field_path(int kind, size_t i, char *out, size_t size)
{
	const struct ist_message *msg = &messages[kind];

	if (!ist_fields[i].path)
		snprintf(out, size, "%s", ist_fields[i].name);
	else if (ist_fields[i].item)
		snprintf(out, size, "/Bericht/Client/%s/%s/%s", msg->list,
			 msg->item, ist_fields[i].path);
	else
		snprintf(out, size, "/Bericht/%s", ist_fields[i].path);
}

struct reader {
	int kind;
	unsigned mask;
	const char *standard;	/* "iWmo" / "iJw", once the root is read */
	char ns[160];		/* the message's namespace */
	char basis_ns[160];	/* its basisschema's */
	char path[1024];	/* /Bericht/... of the open element */
	size_t ends[MAX_DEPTH];	/* path length before each open element */
	int depth;
	char text[MAX_TEXT + 1];
	size_t text_len;
	long element_line;
	char item_path[192];	/* /Bericht/Client/LIST/ITEM */
	char list_path[128];
	char full[MAX_FIELDS][160];	/* each field's full path */
	ist_value values[MAX_FIELDS];
	char *owned[MAX_FIELDS];	/* the values' text */
	long item_line;
	long list_line;
	long items;
	int client_seen, list_seen, header_checked;
	int versions_seen;	/* BerichtVersie 1, BerichtSubversie 2 */
	ist_error *err;
};

static int refuse(struct reader *rd, long line, const char *path,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int refuse(struct reader *rd, long line, const char *path,
		  const char *fmt, ...)
{
	va_list ap;

	rd->err->line = line;
	snprintf(rd->err->path, sizeof(rd->err->path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(rd->err->message, sizeof(rd->err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* 'value' for a message, cut to a readable length. */
static const char *quoted(const char *text, size_t len, char *buf,
			  size_t size)
{
	snprintf(buf, size, "'%.*s%s'", len > 64 ? 64 : (int)len, text,
		 len > 64 ? "..." : "");
	return buf;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* LDT_Datum: an xs:date without a time zone, jjjj-mm-dd, that exists. */
static int parse_date(const char *s, size_t len, int32_t *out)
{
	int y, m, d;
	long era, yoe, doy, doe;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (size_t i = 0; i < len; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	/* days from civil (Howard Hinnant's algorithm) */
	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*out = (int32_t)(era * 146097 + doe - 719468);
	return 0;
}

static int used(const struct reader *rd, size_t i)
{
	return (ist_fields[i].messages & rd->mask) && ist_fields[i].path;
}

static void clear_values(struct reader *rd, int item)
{
	for (size_t i = 0; i < ist_field_count; i++)
		if (ist_fields[i].item == item) {
			free(rd->owned[i]);
			rd->owned[i] = NULL;
			memset(&rd->values[i], 0, sizeof(rd->values[i]));
		}
}

/* The mandatory elements of one scope (header and client, or a product)
 * are all there. */
static int check_mandatory(struct reader *rd, int item, long line,
			   const char *scope)
{
	for (size_t i = 0; i < ist_field_count; i++)
		if (used(rd, i) && ist_fields[i].item == item &&
		    (ist_fields[i].mandatory & rd->mask) &&
		    !rd->values[i].text &&
		    (item || strncmp(rd->full[i], scope, strlen(scope)) == 0))
			return refuse(rd, line, rd->full[i],
				      "the mandatory element %s is missing "
				      "from %s",
				      strrchr(rd->full[i], '/') + 1, scope);
	return 0;
}

/* The header as release 3.2 has it: BerichtVersie 3, BerichtSubversie
 * 2, and the message's own BerichtCode. */
static int check_header(struct reader *rd, long line)
{
	const struct ist_message *msg = &messages[rd->kind];
	const char *code = strcmp(rd->standard, "iJw") == 0 ? msg->jw_code
							    : msg->wmo_code;
	size_t i;

	if (check_mandatory(rd, 0, line, "/Bericht/Header") < 0)
		return -1;
	if ((rd->versions_seen & 3) != 3)
		return refuse(rd, line, "/Bericht/Header",
			      "the mandatory element %s is missing from "
			      "/Bericht/Header",
			      rd->versions_seen & 1 ? "BerichtSubversie"
						    : "BerichtVersie");
	for (i = 0; i < ist_field_count; i++)
		if (used(rd, i) && strcmp(ist_fields[i].name, "message") == 0)
			break;
	if (code ? strcmp(rd->values[i].text, code) != 0
		 : strspn(rd->values[i].text, "0123456789") !=
			       rd->values[i].len) {
		char q[80];

		return refuse(rd, rd->values[i].line, rd->full[i],
			      "%s is not the BerichtCode of %s%s (%s)",
			      quoted(rd->values[i].text, rd->values[i].len, q,
				     sizeof(q)),
			      strcmp(rd->standard, "iJw") == 0 ? "JW" : "WMO",
			      msg->number, code ? code : "digits");
	}
	rd->header_checked = 1;
	return 0;
}

/* BerichtVersie and BerichtSubversie say the release: 3 and 2. */
static int check_release(struct reader *rd, const char *name, const char *want)
{
	char q[80];

	if (strcmp(rd->text, want) == 0)
		return 0;
	return refuse(rd, rd->element_line, rd->path,
		      "%s %s: this is not release 3.2 of %s, the one Peil "
		      "reads (%s %s)",
		      name, quoted(rd->text, rd->text_len, q, sizeof(q)),
		      rd->standard, name, want);
}

/* The root's namespace: http://www.istandaarden.nl/iwmo/3_2/wmo301/schema
 * or .../ijw/3_2/jw301/schema. */
static int check_root(struct reader *rd, const char *name, const char *ns,
		      long line)
{
	const struct ist_message *msg = &messages[rd->kind];
	const char *rest, *std_prefix;
	char std[16], release[16], message[16];
	int n = 0;

	if (strcmp(name, "Bericht") != 0)
		return refuse(rd, line, name,
			      "the root element is %s, not Bericht: not an "
			      "iWmo or iJw message", name);
	if (!ns || strncmp(ns, NS_BASE, strlen(NS_BASE)) != 0 ||
	    sscanf(ns + strlen(NS_BASE), "%15[^/]/%15[^/]/%15[^/]/schema%n",
		   std, release, message, &n) != 3 ||
	    ns[strlen(NS_BASE) + (size_t)n] != '\0' ||
	    (strcmp(std, "iwmo") != 0 && strcmp(std, "ijw") != 0))
		return refuse(rd, line, "/Bericht",
			      "the namespace '%s' is not that of an iWmo or "
			      "iJw message (" NS_BASE "iwmo/" RELEASE
			      "/wmo%s/schema or " NS_BASE "ijw/" RELEASE
			      "/jw%s/schema)",
			      ns ? ns : "", msg->number, msg->number);
	rd->standard = strcmp(std, "iwmo") == 0 ? "iWmo" : "iJw";
	std_prefix = strcmp(std, "iwmo") == 0 ? "wmo" : "jw";
	if (strcmp(release, RELEASE) != 0)
		return refuse(rd, line, "/Bericht",
			      "release '%s' of %s (namespace '%s') is unknown: "
			      "Peil reads release 3.2 (" RELEASE ")",
			      release, rd->standard, ns);
	rest = message + strlen(std_prefix);
	if (strncmp(message, std_prefix, strlen(std_prefix)) != 0 ||
	    strcmp(rest, msg->number) != 0)
		return refuse(rd, line, "/Bericht",
			      "this is a %s message (namespace '%s'), but the "
			      "source reads message = %s",
			      message, ns, msg->number);
	snprintf(rd->ns, sizeof(rd->ns), "%s", ns);
	snprintf(rd->basis_ns, sizeof(rd->basis_ns),
		 NS_BASE "%s/" RELEASE "/basisschema/schema", std);
	return 0;
}

static int element_start(struct reader *rd, const char *name, const char *ns,
			 long line)
{
	size_t len = strlen(rd->path), n = strlen(name);

	if (rd->depth == 0) {
		if (check_root(rd, name, ns, line) < 0)
			return -1;
	} else if (!ns || (strcmp(ns, rd->ns) != 0 &&
			   strcmp(ns, rd->basis_ns) != 0)) {
		return refuse(rd, line, rd->path,
			      "element %s is in namespace '%s', not in the "
			      "message's ('%s') nor its basisschema's",
			      name, ns ? ns : "", rd->ns);
	}
	if (rd->depth == MAX_DEPTH || len + n + 2 > sizeof(rd->path))
		return refuse(rd, line, rd->path, "elements nested too deep");
	rd->ends[rd->depth++] = len;
	rd->path[len] = '/';
	memcpy(rd->path + len + 1, name, n + 1);
	rd->text_len = 0;
	rd->text[0] = '\0';
	rd->element_line = line;
	if (strcmp(rd->path, "/Bericht/Client") == 0) {
		if (rd->client_seen)
			return refuse(rd, line, rd->path,
				      "a second Client: a message holds one");
		rd->client_seen = 1;
		if (check_header(rd, line) < 0)
			return -1;
	} else if (strcmp(rd->path, rd->list_path) == 0) {
		rd->list_seen = 1;
		rd->list_line = line;
		if (check_mandatory(rd, 0, line, "/Bericht/Client") < 0)
			return -1;
	} else if (strcmp(rd->path, rd->item_path) == 0) {
		clear_values(rd, 1);
		rd->item_line = line;
	}
	return 0;
}

static int keep_value(struct reader *rd, size_t i)
{
	const char *s = rd->text;
	size_t len = rd->text_len;
	char q[80];

	while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		       s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (rd->values[i].text)
		return refuse(rd, rd->element_line, rd->path,
			      "element repeated (first on line %ld): it "
			      "occurs once", rd->values[i].line);
	if (ist_fields[i].date &&
	    parse_date(s, len, &rd->values[i].date) < 0)
		return refuse(rd, rd->element_line, rd->path,
			      "%s is not a date of the form jjjj-mm-dd "
			      "(LDT_Datum)", quoted(s, len, q, sizeof(q)));
	rd->owned[i] = malloc(len + 1);
	if (!rd->owned[i])
		return refuse(rd, rd->element_line, rd->path, "out of memory");
	memcpy(rd->owned[i], s, len);
	rd->owned[i][len] = '\0';
	rd->values[i].text = rd->owned[i];
	rd->values[i].len = len;
	rd->values[i].line = rd->element_line;
	return 0;
}

static int element_end(struct reader *rd, ist_record_fn fn, void *ctx)
{
	int rc = 0;

	for (size_t i = 0; i < ist_field_count; i++)
		if (used(rd, i) && strcmp(rd->full[i], rd->path) == 0 &&
		    keep_value(rd, i) < 0)
			return -1;
	if (strcmp(rd->path, "/Bericht/Header/BerichtVersie") == 0) {
		rd->versions_seen |= 1;
		rc = check_release(rd, "BerichtVersie", "3");
	} else if (strcmp(rd->path, "/Bericht/Header/BerichtSubversie") == 0) {
		rd->versions_seen |= 2;
		rc = check_release(rd, "BerichtSubversie", "2");
	} else if (strcmp(rd->path, rd->item_path) == 0) {
		ist_record rec = { rd->item_line, rd->values, rd->standard };

		if (check_mandatory(rd, 1, rd->item_line, rd->item_path) < 0)
			return -1;
		rd->items++;
		rc = fn(ctx, &rec);
	}
	if (rc)
		return rc;
	rd->path[rd->ends[--rd->depth]] = '\0';
	rd->text_len = 0;
	rd->text[0] = '\0';
	return 0;
}

/* Keeps the parser's first complaint, which names the cause. */
static void xml_error(void *ctx, xmlErrorPtr error)
{
	ist_error *err = ctx;
	size_t n;

	if (err->message[0] || !error)
		return;
	snprintf(err->message, sizeof(err->message), "%s",
		 error->message ? error->message : "malformed XML");
	n = strlen(err->message);
	while (n && err->message[n - 1] == '\n')
		err->message[--n] = '\0';
	err->line = error->line;
}

static void reader_init(struct reader *rd, int kind, ist_error *err)
{
	const struct ist_message *msg = &messages[kind];

	memset(rd, 0, sizeof(*rd));
	rd->kind = kind;
	rd->mask = 1u << kind;
	rd->err = err;
	snprintf(rd->list_path, sizeof(rd->list_path), "/Bericht/Client/%s",
		 msg->list);
	snprintf(rd->item_path, sizeof(rd->item_path), "%s/%s", rd->list_path,
		 msg->item);
	for (size_t i = 0; i < ist_field_count && i < MAX_FIELDS; i++)
		ist_field_path(kind, i, rd->full[i], sizeof(rd->full[i]));
}

static int read_nodes(struct reader *rd, xmlTextReaderPtr r, ist_record_fn fn,
		      void *ctx)
{
	int rc;

	while ((rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		xmlNodePtr node = xmlTextReaderCurrentNode(r);
		long line = node ? xmlGetLineNo(node)
				 : xmlTextReaderGetParserLineNumber(r);

		if (type == XML_READER_TYPE_ELEMENT) {
			const char *name =
				(const char *)xmlTextReaderConstLocalName(r);
			const char *ns =
				(const char *)xmlTextReaderConstNamespaceUri(r);

			if (element_start(rd, name, ns, line) < 0)
				return -1;
			if (xmlTextReaderIsEmptyElement(r) &&
			    (rc = element_end(rd, fn, ctx)) != 0)
				return rc;
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if ((rc = element_end(rd, fn, ctx)) != 0)
				return rc;
		} else if (type == XML_READER_TYPE_TEXT ||
			   type == XML_READER_TYPE_CDATA ||
			   type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
			const char *v =
				(const char *)xmlTextReaderConstValue(r);
			size_t n = v ? strlen(v) : 0;

			if (rd->text_len + n > MAX_TEXT)
				return refuse(rd, line, rd->path,
					      "a value longer than %d bytes",
					      MAX_TEXT);
			memcpy(rd->text + rd->text_len, v, n);
			rd->text_len += n;
			rd->text[rd->text_len] = '\0';
		} else if (type == XML_READER_TYPE_DOCUMENT_TYPE ||
			   type == XML_READER_TYPE_ENTITY_REFERENCE) {
			return refuse(rd, line, rd->path,
				      "a DOCTYPE or entity is not part of an "
				      "iWmo or iJw message");
		}
	}
	if (rc < 0) {
		char message[904];

		snprintf(message, sizeof(message), "%.900s",
			 rd->err->message[0] ? rd->err->message
					     : "malformed XML");
		return refuse(rd, rd->err->line, rd->path,
			      "damaged or truncated XML: %s", message);
	}
	if (!rd->client_seen)
		return refuse(rd, 0, "/Bericht",
			      "the mandatory element Client is missing");
	if (!rd->list_seen || rd->items == 0)
		return refuse(rd, rd->list_line, rd->list_path,
			      "the message holds no %s",
			      messages[rd->kind].item);
	return 0;
}

int ist_read(int kind, const char *buf, size_t len, const char *name,
	     ist_record_fn fn, void *ctx, const char **standard_out,
	     ist_error *err)
{
	struct reader *rd;
	xmlTextReaderPtr r;
	int rc;

	memset(err, 0, sizeof(*err));
	if (kind < 0 || kind >= IST_KINDS || ist_field_count > MAX_FIELDS ||
	    len > (size_t)INT32_MAX) {
		snprintf(err->message, sizeof(err->message),
			 "not a message Peil reads");
		return -1;
	}
	rd = malloc(sizeof(*rd));
	if (!rd) {
		snprintf(err->message, sizeof(err->message), "out of memory");
		return -1;
	}
	reader_init(rd, kind, err);
	r = xmlReaderForMemory(buf, (int)len, name, NULL,
			       XML_PARSE_NONET | XML_PARSE_NOCDATA);
	if (!r) {
		free(rd);
		snprintf(err->message, sizeof(err->message),
			 "libxml2 cannot read it");
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(r, xml_error, err);
	rc = read_nodes(rd, r, fn, ctx);
	xmlFreeTextReader(r);
	if (standard_out)
		*standard_out = rd->standard;
	clear_values(rd, 0);
	clear_values(rd, 1);
	free(rd);
	return rc;
}

int ist_validate(const char *xsd_path, const char *buf, size_t len,
		 const char *name, ist_error *err)
{
	xmlSchemaParserCtxtPtr pctx;
	xmlSchemaPtr schema = NULL;
	xmlSchemaValidCtxtPtr vctx = NULL;
	xmlDocPtr doc = NULL;
	int rc = -1;

	memset(err, 0, sizeof(*err));
	pctx = xmlSchemaNewParserCtxt(xsd_path);
	if (pctx) {
		xmlSchemaSetParserStructuredErrors(pctx, xml_error, err);
		schema = xmlSchemaParse(pctx);
		xmlSchemaFreeParserCtxt(pctx);
	}
	if (!schema) {
		char message[704];

		snprintf(message, sizeof(message), "%.700s", err->message);
		snprintf(err->message, sizeof(err->message),
			 "xsd_dir: %.200s cannot be read as an XSD: %s", xsd_path,
			 message[0] ? message : "no schema");
		err->line = 0;
		return -1;
	}
	doc = xmlReadMemory(buf, (int)len, name, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOCDATA);
	vctx = doc ? xmlSchemaNewValidCtxt(schema) : NULL;
	if (vctx) {
		xmlSchemaSetValidStructuredErrors(vctx, xml_error, err);
		rc = xmlSchemaValidateDoc(vctx, doc) == 0 ? 0 : -1;
	}
	if (rc < 0) {
		char message[704];

		snprintf(message, sizeof(message), "%.700s",
			 err->message[0] ? err->message : "not valid");
		snprintf(err->message, sizeof(err->message),
			 "not valid against %.200s: %s", xsd_path, message);
	}
	xmlSchemaFreeValidCtxt(vctx);
	xmlFreeDoc(doc);
	xmlSchemaFree(schema);
	return rc;
}
