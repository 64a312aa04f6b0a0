/*
 * config.c - reading Peil's INI file with inih, keeping line numbers.
 *
 * inih (Debian's build) does not pass line numbers to the handler, so the
 * file is fed through a reader that counts lines: the handler always runs
 * right after the reader returned the line it is about.  The reader also
 * remembers whether that line was indented, which tells a continuation line
 * (joined to the previous value) from a key given twice (an error).
 */
#include "base/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "base/error.h"
#include "base/grow.h"
#include "base/utf8.h"

/* The bytes of inih's buffers of a section's and a key's name, with
 * their NUL (MAX_SECTION and MAX_NAME of its ini.c, not in ini.h). */
#define INIH_NAME_BYTES 50

struct parse_state {
	config *cfg;
	FILE *file;
	long line;		/* of the line the reader returned last */
	int line_complete;	/* that line ended with '\n' */
	int indented;		/* it started with blank space */
	long header_line;	/* of the last [section] header read */
	struct header {
		char name[256];
		long line;
	} *headers;		/* every header, for empty sections */
	size_t header_count;
	char last_section[256];	/* of the previous handler call */
	int have_section;
	char *last_key;
	peil_error *err;
	int failed;
};

int config_fail(const config *cfg, const config_section *section,
		const config_entry *entry, peil_error *err, const char *fmt, ...)
{
	va_list ap;
	long line = entry ? entry->line : section ? section->line : 0;

	va_start(ap, fmt);
	error_setv(err, cfg ? cfg->path : NULL, line, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/* Note a "[name]" header line, so that a section without keys (which
 * inih never reports) is checked too. */
static void note_header(struct parse_state *st, const char *line)
{
	const char *open = strchr(line, '['), *close = strchr(line, ']');
	struct header *grown;

	if (!open || !close || close < open)
		return;
	grown = grow_for(st->headers, st->header_count, sizeof(*grown));
	if (!grown)
		return;
	st->headers = grown;
	snprintf(grown[st->header_count].name, sizeof(grown->name), "%.*s",
		 (int)(close - open - 1), open + 1);
	grown[st->header_count++].line = st->line;
}

static char *counting_reader(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	char *got;
	size_t len, bad;

	if (st->failed)
		return NULL;
	got = fgets(str, num, st->file);
	if (!got)
		return NULL;
	len = strlen(str);
	if (st->line_complete) {
		st->line++;
		st->indented = str[0] == ' ' || str[0] == '\t';
		if (str[strspn(str, " \t")] == '[') {
			st->header_line = st->line;
			note_header(st, str);
		}
	}
	st->line_complete = len && str[len - 1] == '\n';
	/* Its values reach the outputs (recodes, labels, titles), which are
	 * UTF-8 and would copy a stray byte into a JSON file and a report. */
	bad = utf8_invalid_at(str, len);
	if (bad < len) {
		error_set(st->err, st->cfg->path, st->line, NULL,
			  "invalid UTF-8: byte 0x%02X at byte %zu of the line "
			  "(save the file as UTF-8)", (unsigned char)str[bad],
			  bad + 1);
		st->failed = 1;
		return NULL;
	}
	/* inih would parse the rest of a long line as a line of its own. */
	if (!st->line_complete && len + 1 == (size_t)num && !feof(st->file)) {
		error_set(st->err, st->cfg->path, st->line, NULL,
			  "line is longer than %d characters; continue a long "
			  "value on indented lines", num - 3);
		st->failed = 1;
		return NULL;
	}
	return got;
}

/* Split "source demo_cases" into kind and name and append a section
 * (which kinds exist, and which take a name, is the settings' business:
 * engine/settings.c).  Returns the section or NULL with the error set. */
static config_section *section_add(struct parse_state *st, const char *header)
{
	config *cfg = st->cfg;
	config_section *sections, *s;
	char kind_text[64], name[192] = "";
	const char *space = strchr(header, ' ');
	size_t klen = space ? (size_t)(space - header) : strlen(header);
	size_t i;

	if (klen >= sizeof(kind_text)) {
		error_set(st->err, cfg->path, st->header_line, NULL,
			  "unknown section [%s]", header);
		return NULL;
	}
	memcpy(kind_text, header, klen);
	kind_text[klen] = '\0';
	if (space) {
		while (*space == ' ')
			space++;
		snprintf(name, sizeof(name), "%s", space);
	}
	for (i = 0; i < cfg->count; i++)
		if (strcmp(cfg->sections[i].kind, kind_text) == 0 &&
		    strcmp(cfg->sections[i].name, name) == 0) {
			error_set(st->err, cfg->path, st->header_line, NULL,
				  "section [%s] appears twice (first on "
				  "line %ld)", header, cfg->sections[i].line);
			return NULL;
		}
	sections = grow_for(cfg->sections, cfg->count, sizeof(*sections));
	if (!sections)
		return NULL;
	cfg->sections = sections;
	s = &sections[cfg->count];
	memset(s, 0, sizeof(*s));
	s->kind = strdup(kind_text);
	s->name = strdup(name);
	s->line = st->header_line;
	if (!s->kind || !s->name) {
		free(s->kind);
		free(s->name);
		return NULL;
	}
	cfg->count++;
	return s;
}

static int entry_append(config_entry *e, const char *value)
{
	size_t old = strlen(e->value), add = strlen(value);
	char *joined = realloc(e->value, old + add + 2);

	if (!joined)
		return -1;
	joined[old] = '\n';
	memcpy(joined + old + 1, value, add + 1);
	e->value = joined;
	return 0;
}

/* The header of the section that inih reports as section: as the line
 * has it, noted by the reader.  inih keeps only its first
 * INIH_NAME_BYTES - 1 bytes (MAX_SECTION in Debian's build), which cut
 * [dataset NAME] with a name of 42 characters or more to another name
 * ("dataset '...' is not declared by a [dataset ...] section"), or two
 * [source] names to one. */
static const char *header_of(const struct parse_state *st,
			     const char *section)
{
	if (st->header_count &&
	    st->headers[st->header_count - 1].line == st->header_line &&
	    strncmp(st->headers[st->header_count - 1].name, section,
		    strlen(section)) == 0)
		return st->headers[st->header_count - 1].name;
	return section;
}

static int handle(void *user, const char *section, const char *key,
		  const char *value)
{
	struct parse_state *st = user;
	config *cfg = st->cfg;
	config_section *s = cfg->count ? &cfg->sections[cfg->count - 1] : NULL;
	config_entry *entries, *e;
	size_t i;

	if (st->failed)
		return 0;
	/* inih hands the section header with each key; a new header means a
	 * new section. */
	if (!section[0]) {
		error_set(st->err, cfg->path, st->line, NULL,
			  "key '%s' before the first [section]", key);
		goto fail;
	}
	if (!st->have_section || strcmp(st->last_section, section) != 0 ||
	    !s || s->line != st->header_line) {
		s = section_add(st, header_of(st, section));
		if (!s)
			goto fail;
		snprintf(st->last_section, sizeof(st->last_section), "%s",
			 section);
		st->have_section = 1;
		free(st->last_key);
		st->last_key = NULL;
	}
	if (st->indented && st->last_key &&
	    strncmp(st->last_key, key, strlen(key)) == 0) {
		/* A continuation line of the previous key, which inih names
		 * by its first INIH_NAME_BYTES - 1 bytes. */
		if (entry_append(&s->entries[s->count - 1], value) < 0)
			goto oom;
		return 1;
	}
	for (i = 0; i < s->count; i++)
		if (strcmp(s->entries[i].key, key) == 0) {
			error_set(st->err, cfg->path, st->line, NULL,
				  "key '%s' is given twice in [%s%s%s] (first "
				  "on line %ld)", key, s->kind,
				  s->name[0] ? " " : "", s->name,
				  s->entries[i].line);
			goto fail;
		}
	entries = grow_for(s->entries, s->count, sizeof(*entries));
	if (!entries)
		goto oom;
	s->entries = entries;
	e = &entries[s->count];
	e->key = strdup(key);
	e->value = strdup(value);
	e->line = st->line;
	if (!e->key || !e->value) {
		free(e->key);
		free(e->value);
		goto oom;
	}
	s->count++;
	free(st->last_key);
	st->last_key = strdup(key);
	return 1;
oom:
	error_set(st->err, cfg->path, st->line, NULL, "out of memory");
fail:
	st->failed = 1;
	return 0;
}

/* Sections whose header inih saw but reported no key of. */
static void add_empty_sections(struct parse_state *st)
{
	size_t i, j;

	for (i = 0; i < st->header_count && !st->failed; i++) {
		int found = 0;

		for (j = 0; j < st->cfg->count; j++)
			found |= st->cfg->sections[j].line ==
				 st->headers[i].line;
		if (found)
			continue;
		st->header_line = st->headers[i].line;
		if (!section_add(st, st->headers[i].name))
			st->failed = 1;
	}
}

static char *directory_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	dir = malloc((size_t)(slash - path) + 1);
	if (dir) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	return dir;
}

int config_load(const char *path, config **out, peil_error *err)
{
	struct parse_state st;
	config *cfg;
	int rc;

	*out = NULL;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return error_set(err, path, 0, NULL, "out of memory");
	cfg->path = strdup(path);
	cfg->dir = directory_of(path);
	if (!cfg->path || !cfg->dir) {
		config_free(cfg);
		return error_set(err, path, 0, NULL, "out of memory");
	}
	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.err = err;
	st.line_complete = 1;
	st.file = fopen(path, "r");
	if (!st.file) {
		error_set(err, path, 0, NULL, "cannot open the configuration: %s",
			  strerror(errno));
		config_free(cfg);
		return -1;
	}
	rc = ini_parse_stream(counting_reader, &st, handle, &st);
	fclose(st.file);
	free(st.last_key);
	if (!st.failed && rc == 0)
		add_empty_sections(&st);
	free(st.headers);
	if (st.failed) {
		config_free(cfg);
		return -1;
	}
	if (rc != 0) {
		/* inih reports the first line it could not parse. */
		error_set(err, path, rc > 0 ? rc : 0, NULL,
			  rc > 0 ? "not a [section], key = value or comment "
				   "(or longer than 200 characters; continue a "
				   "long value on indented lines)"
				 : "cannot read the configuration");
		config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

void config_free(config *cfg)
{
	size_t i, j;

	if (!cfg)
		return;
	for (i = 0; i < cfg->count; i++) {
		config_section *s = &cfg->sections[i];

		for (j = 0; j < s->count; j++) {
			free(s->entries[j].key);
			free(s->entries[j].value);
		}
		free(s->entries);
		free(s->kind);
		free(s->name);
	}
	free(cfg->sections);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}

const config_section *config_section_find(const config *cfg, const char *kind,
					  const char *name)
{
	size_t i;

	if (!name)
		name = "";
	for (i = 0; i < cfg->count; i++)
		if (strcmp(cfg->sections[i].kind, kind) == 0 &&
		    strcmp(cfg->sections[i].name, name) == 0)
			return &cfg->sections[i];
	return NULL;
}

const config_entry *config_entry_find(const config_section *section,
				      const char *key)
{
	size_t i;

	if (!section)
		return NULL;
	for (i = 0; i < section->count; i++)
		if (strcmp(section->entries[i].key, key) == 0)
			return &section->entries[i];
	return NULL;
}

const char *config_get(const config_section *section, const char *key,
		       const char *fallback)
{
	const config_entry *e = config_entry_find(section, key);

	return e ? e->value : fallback;
}

/* So that paths in messages read as the operator would write them
 * ("var/peil.db", not "conf/../var/peil.db"). */
void config_path_normalize(char *path)
{
	char *out = path, *seg = path, *end = path + strlen(path);
	int absolute = path[0] == '/';
	size_t kept = 0;	/* segments in out that ".." may fold */

	if (absolute)
		out = seg = path + 1;
	/* out never passes seg, but its '/' may overwrite the NUL: stop at
	 * end, not at a NUL. */
	while (seg < end) {
		size_t len = strcspn(seg, "/");
		char *next = seg + len + 1;

		if (len == 0 || (len == 1 && seg[0] == '.')) {
			/* skip */
		} else if (len == 2 && seg[0] == '.' && seg[1] == '.' && kept) {
			out--;	/* the '/' after the last kept segment */
			while (out > path + absolute && out[-1] != '/')
				out--;
			kept--;
		} else {
			int dots = len == 2 && seg[0] == '.' && seg[1] == '.';

			memmove(out, seg, len);
			out += len;
			*out++ = '/';
			if (!dots)
				kept++;
		}
		seg = next;
	}
	if (out > path + absolute)
		out--;		/* the last '/' */
	if (out == path)
		*out++ = '.';
	*out = '\0';
}

char *config_resolve_path(const config *cfg, const char *value)
{
	size_t dlen, vlen;
	char *path;

	if (value[0] == '/' || strcmp(cfg->dir, ".") == 0)
		path = strdup(value);
	else {
		dlen = strlen(cfg->dir);
		vlen = strlen(value);
		path = malloc(dlen + vlen + 2);
		if (!path)
			return NULL;
		memcpy(path, cfg->dir, dlen);
		path[dlen] = '/';
		memcpy(path + dlen + 1, value, vlen + 1);
	}
	if (path)
		config_path_normalize(path);
	return path;
}

int config_locate(const config *cfg, const config_section *section,
		  const config_entry *entry, peil_error *err)
{
	char message[sizeof(err->message)];

	if (err->file[0] && (strcmp(err->file, cfg->path) != 0 || err->line))
		return -1;
	memcpy(message, err->message, sizeof(message));
	err->field[0] = '\0';
	return config_fail(cfg, section, entry, err, "[%s%s%s]: %.900s",
			   section->kind, section->name[0] ? " " : "",
			   section->name, message);
}

int config_each_item(const char *value,
		     int (*fn)(void *ctx, const char *item), void *ctx)
{
	char *item = malloc(strlen(value) + 1);
	const char *p = value;
	int rc = 0;

	if (!item)
		return -1;
	while (*p && rc == 0) {
		const char *end = p + strcspn(p, ",\n");
		const char *a = p, *b = end;

		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (b > a) {
			memcpy(item, a, (size_t)(b - a));
			item[b - a] = '\0';
			rc = fn(ctx, item);
		}
		p = *end ? end + 1 : end;
	}
	free(item);
	return rc;
}
