/*
 * init_config.c - a first peil.ini from an export (init_config.h).
 *
 * The proposal is what the rows read support and nothing more: a field is
 * required only when it is the key or a shipped required field that no
 * row read left empty, and a column whose header cannot be written as a
 * config key, or that holds citizen numbers, is left out with a comment
 * that says why, never guessed.
 */
/* realpath is XSI in glibc's headers, beyond _POSIX_C_SOURCE. */
#define _XOPEN_SOURCE 700

#include "engine/init_config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

/* Dutch headers (as init_normalise makes them) that clearly name a field
 * of the shipped datasets; the first names are those of the demo's
 * exports (conf/peil.ini). */
static const struct shipped_header {
	const char *header;
	const char *field;
	const char *type;
	int required;
} shipped_headers[] = {
	{ "dossiernummer", "case_id", "text", 1 },
	{ "casusnummer", "case_id", "text", 1 },
	{ "team", "team", "text", 1 },
	{ "organisatie", "organisation", "text", 0 },
	{ "wijkcode", "district", "text", 0 },
	{ "wijk", "district", "text", 0 },
	{ "buurtcode", "neighbourhood", "text", 0 },
	{ "buurt", "neighbourhood", "text", 0 },
	{ "datum aanmelding", "registered", "date", 1 },
	{ "aanmelddatum", "registered", "date", 1 },
	{ "datum eerste kennismaking", "first_meeting", "date", 0 },
	{ "eerste kennismaking", "first_meeting", "date", 0 },
	{ "datum afsluiting", "closed", "date", 0 },
	{ "afsluitdatum", "closed", "date", 0 },
	{ "melder", "referrer", "text", 0 },
	{ "reden beeindiging", "closure_reason", "text", 0 },
	{ "reden afsluiting", "closure_reason", "text", 0 },
	{ "zelfredzaam bij afsluiting", "self_reliant", "text", 0 },
	{ "rapportcijfer", "mark", "integer", 0 },
	{ "persoonsnummer", "person", "text", 0 },
	{ "clientnummer", "person", "text", 0 },
	{ "datum invoer", "entered", "date", 0 },
	{ "invoerdatum", "entered", "date", 0 },
};
#define SHIPPED_COUNT (sizeof(shipped_headers) / sizeof(*shipped_headers))

/* U+00C0-U+00FF without their accents ('.' for the signs that are no
 * letter). */
static const char latin1_letters[] =
	"aaaaaaaceeeeiiiidnooooo.ouuuuyts"
	"aaaaaaaceeeeiiiidnooooo.ouuuuyty";

/* The header in lower case without accents, everything but letters and
 * digits as single spaces: "Datum  Aanmelding:" -> "datum aanmelding". */
static void init_normalise(const char *header, char *out, size_t size)
{
	const unsigned char *h = (const unsigned char *)header;
	size_t n = 0;
	int space = 0;

	for (; *h && n + 2 < size; h++) {
		char c = 0;

		if (*h >= 'A' && *h <= 'Z')
			c = (char)(*h + 32);
		else if ((*h >= 'a' && *h <= 'z') || (*h >= '0' && *h <= '9'))
			c = (char)*h;
		else if (*h == 0xC3 && h[1] >= 0x80 && h[1] <= 0xBF)
			c = latin1_letters[*++h - 0x80];
		if (c == '.')
			c = 0;
		if (!c) {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = 0;
		out[n++] = c;
	}
	out[n] = '\0';
}

/* The normalised text as a name of a-z, 0-9 and _ that starts with a
 * letter, at most 40 characters. */
static void init_slug(const char *normal, char *out, size_t size)
{
	size_t n = 0;

	if (normal[0] >= '0' && normal[0] <= '9')
		n = (size_t)snprintf(out, size, "f_");
	for (; *normal && n + 1 < size && n < 40; normal++)
		out[n++] = *normal == ' ' ? '_' : *normal;
	out[n] = '\0';
}

/* Whether a header can be a config key "column.HEADER": inih ends a
 * key at '=' or ':' and a value at " ;", and a line at 197 characters. */
static int header_writable(const char *h)
{
	return strlen(h) <= 120 && !strpbrk(h, "=:;#[]\"\r\n");
}

static int name_taken(const init_proposal *p, size_t upto, const char *name)
{
	for (size_t i = 0; i < upto; i++)
		if (p->fields[i].name && strcmp(p->fields[i].name, name) == 0)
			return 1;
	return 0;
}

/* The name, type and flags of one column. */
static int propose_field(init_proposal *p, size_t i, size_t rows)
{
	init_field *f = &p->fields[i];
	const export_column *c = f->column;
	char normal[256], name[64], unique[72];
	size_t k;
	int n;

	init_normalise(c->header, normal, sizeof(normal));
	f->type = export_type_name(c->type);
	if (!header_writable(c->header)) {
		f->note = "its header cannot be a config key (=, :, ;, #, "
			  "brackets or quotes, or too long): rename it";
		return 0;
	}
	if (strstr(normal, "bsn") || strstr(normal, "burgerservicenummer") ||
	    strstr(normal, "sofinummer")) {
		f->note = "a citizen number needs type bsn and [privacy] "
			  "key_file (docs/security.md)";
		return 0;
	}
	name[0] = '\0';
	for (k = 0; k < SHIPPED_COUNT; k++)
		if (strcmp(normal, shipped_headers[k].header) == 0 &&
		    !name_taken(p, i, shipped_headers[k].field))
			break;
	if (k < SHIPPED_COUNT) {
		const struct shipped_header *s = &shipped_headers[k];

		snprintf(name, sizeof(name), "%s", s->field);
		f->shipped = 1;
		/* Text holds anything; another type only when every value
		 * read fits it, or the KPIs would read garbage. */
		if (strcmp(s->type, "text") == 0 || strcmp(s->type, f->type) == 0)
			f->type = s->type;
		else
			f->note = "the shipped field is of another type: the "
				  "KPIs that need it will say so";
		f->required = s->required && c->filled == rows && rows > 0;
	} else {
		init_slug(normal, name, sizeof(name));
		if (!name[0])
			snprintf(name, sizeof(name), "column_%zu", i + 1);
	}
	snprintf(unique, sizeof(unique), "%s", name);
	for (n = 2; name_taken(p, i, unique); n++)
		snprintf(unique, sizeof(unique), "%.60s_%d", name, n);
	f->name = strdup(unique);
	if (!f->name)
		return -1;
	p->mapped++;
	return 0;
}

/* The key: the shipped case_id when no row read repeats or lacks it,
 * else the first such column. */
static void propose_key(init_proposal *p, size_t rows)
{
	init_field *key = NULL;

	for (size_t i = 0; i < p->field_count; i++) {
		init_field *f = &p->fields[i];

		if (!f->name || !f->column->unique || f->column->filled != rows)
			continue;
		if (f->shipped && strcmp(f->name, "case_id") == 0) {
			key = f;
			break;
		}
		if (!key)
			key = f;
	}
	if (key) {
		key->key = 1;
		key->required = 0;	/* a key is required anyway */
		p->key = key->name;
	}
}

/* The dataset and source names: "cases" when a column is a shipped field
 * (they are all of cases), else the file's name without its numbers. */
static void propose_names(init_proposal *p)
{
	const char *base = strrchr(p->export_path, '/');
	char stem[sizeof(p->export_path)], normal[256], *dot;
	size_t i, n;

	snprintf(stem, sizeof(stem), "%s", base ? base + 1 : p->export_path);
	if ((dot = strrchr(stem, '.')))
		*dot = '\0';
	init_normalise(stem, normal, sizeof(normal));
	n = strlen(normal);
	while (n && ((normal[n - 1] >= '0' && normal[n - 1] <= '9') ||
		     normal[n - 1] == ' '))
		normal[--n] = '\0';
	init_slug(normal, p->source, sizeof(p->source));
	if (!p->source[0])
		snprintf(p->source, sizeof(p->source), "export");
	snprintf(p->dataset, sizeof(p->dataset), "%s", p->source);
	for (i = 0; i < p->field_count; i++)
		if (p->fields[i].shipped)
			snprintf(p->dataset, sizeof(p->dataset), "cases");
}

/* Whether the list "a, b, c" holds format whole: "dd-mm-jjjj" is not
 * listed by "dd-mm-jjjj uu:mm". */
static int format_listed(const char *list, const char *format)
{
	size_t len = strlen(format);

	for (const char *at = strstr(list, format); at;
	     at = strstr(at + 1, format))
		if ((at == list || at[-1] == ' ') &&
		    (at[len] == '\0' || at[len] == ','))
			return 1;
	return 0;
}

/* The formats of the list formats ("a, b") that list (size bytes, n of
 * them used) lacks, added to it.  The bytes then used. */
static size_t add_formats(char *list, size_t size, size_t n,
			  const char *formats)
{
	char format[64];

	for (const char *at = formats; *at;) {
		size_t len = strcspn(at, ",");

		snprintf(format, sizeof(format), "%.*s", (int)len, at);
		if (!format_listed(list, format) && n < size)
			n += (size_t)snprintf(list + n, size - n, "%s%s",
					      n ? ", " : "", format);
		at += len;
		at += strspn(at, ", ");
	}
	return n;
}

/* The source's date formats and decimal mark, and the years to run:
 * those of the registration date, else of the first date column. */
static void propose_formats(init_proposal *p)
{
	const export_column *years = NULL;
	size_t i, n = 0;

	for (i = 0; i < p->field_count; i++) {
		const init_field *f = &p->fields[i];
		const export_column *c = f->column;

		if (!f->name)
			continue;
		if (strcmp(f->type, "date") == 0) {
			n = add_formats(p->date_formats,
					sizeof(p->date_formats), n,
					c->date_format);
			if (!years || strcmp(f->name, "registered") == 0)
				years = c;
		}
		if (strcmp(f->type, "real") == 0 && !p->decimal)
			p->decimal = c->decimal;
	}
	if (years) {
		p->first_year = years->first_year;
		p->last_year = years->last_year;
	}
}

int init_propose(const export_sniff *s, const char *export_path,
		 init_proposal *p, peil_error *err)
{
	char full[PATH_MAX];
	size_t i;

	memset(p, 0, sizeof(*p));
	if (!realpath(export_path, full) ||
	    snprintf(p->export_path, sizeof(p->export_path), "%s", full) >=
		    (int)sizeof(p->export_path) - 80)
		return error_set(err, export_path, 0, NULL, "%s",
				 errno ? strerror(errno)
				       : "the path is too long for a config "
					 "line");
	p->fields = calloc(s->column_count ? s->column_count : 1,
			   sizeof(*p->fields));
	if (!p->fields)
		return error_set(err, export_path, 0, NULL, "out of memory");
	p->field_count = s->column_count;
	for (i = 0; i < s->column_count; i++) {
		p->fields[i].column = &s->columns[i];
		if (propose_field(p, i, s->rows) < 0) {
			init_proposal_release(p);
			return error_set(err, export_path, 0, NULL,
					 "out of memory");
		}
	}
	propose_key(p, s->rows);
	propose_names(p);
	propose_formats(p);
	return 0;
}

void init_proposal_release(init_proposal *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->field_count; i++)
		free(p->fields[i].name);
	free(p->fields);
	memset(p, 0, sizeof(*p));
}

static const char *separator_name(char sep)
{
	return sep == ',' ? "comma" : sep == '\t' ? "tab" : "semicolon";
}

static void write_dataset(FILE *out, const init_proposal *p,
			  const export_sniff *s)
{
	fprintf(out, "; ------------------------------------------------"
		     "---------------- dataset\n\n"
		     "; One field per column of the export.  Types are what "
		     "every value of\n; the %zu rows read fits; a field is "
		     "required only when no row read\n; left it empty.%s\n"
		     "[dataset %s]\n", s->rows,
		p->key ? "" : "  No column is filled and different in every"
			      " row read: without\n; a key, each file "
			      "replaces the whole dataset",
		p->dataset);
	for (size_t i = 0; i < p->field_count; i++) {
		const init_field *f = &p->fields[i];
		const export_column *c = f->column;

		fprintf(out, "; \"%s\": ", c->header);
		if (!f->name) {
			fprintf(out, "left out: %s\n", f->note);
			continue;
		}
		fprintf(out, "%s", export_type_name(c->type));
		if (c->type == EXPORT_DATE)
			fprintf(out, " (%s)", c->date_format);
		fprintf(out, ", filled in %zu of %zu rows%s%s%s\n", c->filled,
			s->rows, c->unique ? ", no value twice" : "",
			f->note ? "; " : "", f->note ? f->note : "");
		if (c->type == EXPORT_TEXT && c->dates)
			fprintf(out, "; text, not date: %zu of %zu values "
				"read as dates, but not '%s' (no date format "
				"of Peil reads it)\n", c->dates, c->filled,
				c->not_date);
		fprintf(out, "field.%s = %s%s%s\n", f->name, f->type,
			f->key ? " key" : "", f->required ? " required" : "");
	}
}

static void write_source(FILE *out, const init_proposal *p,
			 const export_sniff *s)
{
	fprintf(out, "\n; ------------------------------------------------"
		     "----------------- source\n\n"
		     "; The export, as read: a newer export of the same "
		     "shape can take its\n; place (or name them all with a "
		     "glob such as exports/casussen_*.csv).\n"
		     "[source %s]\nplugin = csv\ndataset = %s\npath = %s\n"
		     "encoding = %s\nseparator = %s\n", p->source, p->dataset,
		p->export_path, s->utf8 ? "utf-8" : "windows-1252",
		separator_name(s->separator));
	if (p->date_formats[0])
		fprintf(out, "date_format = %s\n", p->date_formats);
	if (p->decimal)
		fprintf(out, "decimal = %s\n", p->decimal == ',' ? "comma"
								 : "point");
	fprintf(out, "; A row that does not fit stops the file: nothing of "
		     "it is stored.\non_error = stop\nmode = increment\n");
	for (size_t i = 0; i < p->field_count; i++)
		if (p->fields[i].name)
			fprintf(out, "column.%s = %s\n",
				p->fields[i].column->header, p->fields[i].name);
}

static void write_config(FILE *out, const init_proposal *p,
			 const export_sniff *s, const char *scripts_dir)
{
	fprintf(out,
		"; peil.ini - written by peil init from the first rows of\n"
		";   %s\n"
		"; Check each proposal below; every key is documented in "
		"docs/configuration.md.\n"
		"; Relative paths are resolved against the directory of "
		"this file.\n\n"
		"[peil]\nstorage = sqlite\n"
		"; The shipped KPI scripts; add a directory of your own "
		"after them.\nscript_dirs = %s\nreject_dir = rejects\n\n"
		"[storage]\npath = peil.db\n\n[run]\n", p->export_path,
		scripts_dir);
	if (p->first_year)
		fprintf(out, "; The years of the dates read: widen them when "
			     "the export holds more.\nperiods = %d", p->first_year);
	if (p->last_year > p->first_year)
		fprintf(out, "..%d", p->last_year);
	if (p->first_year)
		fputc('\n', out);
	else
		fprintf(out, "; No column of dates was found: name the years "
			     "to evaluate.\n;periods =\n");
	fprintf(out, "\n[privacy]\n; Counts below min_count are not shown, "
		     "nor what they can be derived\n; from (docs/output.md)."
		     "\nmin_count = 10\n\n");
	write_dataset(out, p, s);
	write_source(out, p, s);
}

int init_write(const init_proposal *p, const export_sniff *s,
	       const char *dir, const char *scripts_dir, int force,
	       char *path_out, size_t path_size, peil_error *err)
{
	char tmp[PATH_MAX];
	struct stat st;
	FILE *out;
	int fd, failed;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return error_set(err, dir, 0, NULL, "cannot make the "
				 "directory: %s", strerror(errno));
	if (snprintf(path_out, path_size, "%s/peil.ini", dir) >=
		    (int)path_size ||
	    snprintf(tmp, sizeof(tmp), "%s/.peil.ini.XXXXXX", dir) >=
		    (int)sizeof(tmp))
		return error_set(err, dir, 0, NULL, "the path is too long");
	if (!force && stat(path_out, &st) == 0)
		return error_set(err, path_out, 0, NULL, "exists: peil init "
				 "does not replace a config without --force");
	fd = mkstemp(tmp);
	if (fd < 0)
		return error_set(err, dir, 0, NULL, "cannot write there: %s",
				 strerror(errno));
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		unlink(tmp);
		return error_set(err, tmp, 0, NULL, "out of memory");
	}
	write_config(out, p, s, scripts_dir);
	failed = fflush(out) != 0 || ferror(out) || fsync(fileno(out)) != 0;
	failed |= fclose(out) != 0;
	if (failed || chmod(tmp, 0644) < 0 || rename(tmp, path_out) < 0) {
		error_set(err, path_out, 0, NULL, "cannot write the config: %s",
			  strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
