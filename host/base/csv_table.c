/*
 * csv_table.c - a small ';'-separated table file of a configuration
 * (csv_table.h): read whole, then row by row.
 */
#include "base/csv_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

/* One field of a row: quoted ("" for a quote, separators and line ends
 * inside quotes) or plain up to ';' or the line's end.  *p moves past it
 * and its separator; the field is copied to out.  1 when a ';' followed
 * it, 0 when not; -1 for an unclosed quote or no memory. */
static int csv_field(const char **p, char **out)
{
	const char *s = *p, *end = s;
	size_t n = 0;
	char *buf;

	if (*s == '"') {	/* find the closing quote first */
		for (end = s + 1; *end && !(*end == '"' && end[1] != '"');
		     end += *end == '"' ? 2 : 1)
			;
		if (*end != '"')
			return -1;
	} else {
		end += strcspn(s, ";\r\n");
	}
	buf = malloc((size_t)(end - s) + 1);
	if (!buf)
		return -1;
	if (*s == '"') {
		for (s++; s < end; s++) {
			buf[n++] = *s;
			s += *s == '"';	/* "" is one quote */
		}
		s++;
	} else {
		memcpy(buf, s, (size_t)(end - s));
		n = (size_t)(end - s);
		s = end;
	}
	buf[n] = '\0';
	*p = s + (*s == ';');
	*out = buf;
	return *s == ';';
}

static char *trimmed(char *s)
{
	size_t n = strlen(s);

	while (n && is_space((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (is_space((unsigned char)*s))
		s++;
	return s;
}

static char *read_all(const char *path, const char *what, peil_error *err)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL, *grown;
	size_t len = 0, cap = 0, got, bad;

	if (!f) {
		error_set(err, path, 0, NULL, "cannot open the %s: %s", what,
			  strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			grown = cap > (1u << 26) ? NULL : realloc(text, cap * 2 + 4096);
			if (!grown) {
				if (cap)
					error_set(err, path, 0, NULL, "the %s "
						  "is larger than 64 MiB",
						  what);
				else
					error_set(err, path, 0, NULL,
						  "out of memory");
				goto fail;
			}
			text = grown;
			cap = cap * 2 + 4096;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
	} while (got);
	if (ferror(f)) {
		error_set(err, path, 0, NULL, "cannot read the %s", what);
		goto fail;
	}
	fclose(f);
	text[len] = '\0';
	if (strlen(text) != len) {
		error_set(err, path, 0, NULL, "the %s holds a NUL byte: it is "
			  "not UTF-8 text", what);
		free(text);
		return NULL;
	}
	bad = utf8_invalid_at(text, len);
	if (bad < len) {	/* its values reach the outputs */
		long line = 1;

		for (size_t i = 0; i < bad; i++)
			line += text[i] == '\n';
		error_set(err, path, line, NULL, "the %s is not UTF-8 text: "
			  "byte 0x%02X (save it as UTF-8)", what,
			  (unsigned char)text[bad]);
		free(text);
		return NULL;
	}
	return text;
fail:
	fclose(f);
	free(text);
	return NULL;
}

/* The header's names joined by ';' into out. */
static void header_text(const char *const *header, size_t columns, char *out,
			size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < columns && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ";" : "",
				      header[i]);
}

int csv_table_read(const char *path, const char *what,
		   const char *const *header, size_t columns,
		   csv_table_row_fn row, void *ctx, peil_error *err)
{
	char *text = read_all(path, what, err), **cell, **trim, names[256];
	const char *p;
	int rc = -1, first = 1;
	long line = 1;

	if (!text)
		return -1;
	cell = calloc(columns, sizeof(*cell));
	trim = calloc(columns, sizeof(*trim));
	if (!cell || !trim) {
		error_set(err, path, 0, NULL, "out of memory");
		goto done;
	}
	header_text(header, columns, names, sizeof(names));
	p = text;
	if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (*p) {
		long row_line = line, extra = 0;

		if (*p == '\n' || *p == '\r' || *p == '#') {
			p += strcspn(p, "\n");
			if (*p == '\n')
				p++;
			line++;
			continue;
		}
		for (size_t i = 0; i < columns; i++) {
			const char *start = p;
			int more = csv_field(&p, &cell[i]);

			for (; start < p; start++)
				extra += *start == '\n';
			if (more < 0) {
				error_set(err, path, line, NULL,
					  "a quote that is not closed");
				goto done;
			}
			if (more != (i + 1 < columns)) {
				error_set(err, path, line, NULL,
					  "expected %zu columns, %s (quote a "
					  "value that holds ';')", columns,
					  names);
				goto done;
			}
			trim[i] = trimmed(cell[i]);
		}
		if (*p == '\r')
			p++;
		if (*p && *p != '\n') {
			error_set(err, path, line, NULL, "expected the end of "
				  "the line after column %zu", columns);
			goto done;
		}
		if (*p == '\n')
			p++;
		if (first) {
			for (size_t i = 0; i < columns; i++)
				if (strcmp(trim[i], header[i]) != 0) {
					error_set(err, path, line, NULL,
						  "the first row must be the "
						  "header %s", names);
					goto done;
				}
			first = 0;
		} else if (row(ctx, trim, row_line, err) < 0) {
			goto done;
		}
		for (size_t i = 0; i < columns; i++) {
			free(cell[i]);
			cell[i] = NULL;
		}
		line = row_line + extra + 1;
	}
	rc = 0;
done:
	for (size_t i = 0; cell && i < columns; i++)
		free(cell[i]);
	free(cell);
	free(trim);
	free(text);
	return rc;
}
