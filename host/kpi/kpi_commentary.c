/*
 * kpi_commentary.c - the notes of commentary.txt next to the KPI scripts
 * (kpi.h).
 */
#include "kpi/kpi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/period.h"
#include "base/utf8.h"

const char *commentary_find(const commentary *c, const char *kpi,
			    const char *period_id)
{
	for (size_t i = 0; c && i < c->count; i++)
		if (strcmp(c->notes[i].kpi, kpi) == 0 &&
		    strcmp(c->notes[i].period, period_id) == 0)
			return c->notes[i].text;
	return NULL;
}

void commentary_release(commentary *c)
{
	for (size_t i = 0; i < c->count; i++) {
		free(c->notes[i].kpi);
		free(c->notes[i].period);
		free(c->notes[i].text);
	}
	free(c->notes);
	c->notes = NULL;
	c->count = 0;
}

/* The next word of *p (blanks before it skipped), NUL-terminated in
 * place; "" at the end of the line. */
static char *word(char **p)
{
	char *w = *p + strspn(*p, " \t");
	char *end = w + strcspn(w, " \t");

	*p = *end ? end + 1 : end;
	*end = '\0';
	return w;
}

static int has_grain(const kpi_info *k, period_grain g)
{
	for (size_t i = 0; i < k->grains.count; i++)
		if (k->grains.grain[i] == g)
			return 1;
	return 0;
}

static int add_note(commentary *c, const char *kpi, const char *period_id,
		    const char *text)
{
	commentary_note *grown = realloc(c->notes,
					 (c->count + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	c->notes = grown;
	grown[c->count].kpi = strdup(kpi);
	grown[c->count].period = strdup(period_id);
	grown[c->count].text = strdup(text);
	c->count++;
	if (!grown[c->count - 1].kpi || !grown[c->count - 1].period ||
	    !grown[c->count - 1].text)
		return -1;
	return 0;
}

/* One line, checked; 0 or -1 with err. */
static int parse_line(const kpi_set *set, char *line, const char *path,
		      long n, commentary *out, peil_error *err)
{
	char *p = line, *kpi, *period_id, *text;
	const kpi_info *k;
	period_grain g;
	period parsed;

	line[strcspn(line, "\r\n")] = '\0';
	p += strspn(p, " \t");
	if (!*p || *p == '#')
		return 0;
	kpi = word(&p);
	period_id = word(&p);
	text = p + strspn(p, " \t");
	k = kpi_set_find(set, kpi);
	if (!k)
		return error_set(err, path, n, "kpi",
				 "no KPI '%s' (see peil list)", kpi);
	g = period_id_grain(period_id);
	if (!*period_id || !g ||
	    (g != PERIOD_CONTRACT_YEAR &&
	     period_parse(period_id, &parsed) < 0))
		return error_set(err, path, n, "period",
				 "'%s' is no period (such as 2018-03, "
				 "2018-Q1, 2018 or 2017/2018)", period_id);
	if (!has_grain(k, g))
		return error_set(err, path, n, "period",
				 "'%s': KPI %s has no figures of grain %s",
				 period_id, kpi, period_grain_name(g));
	if (!*text)
		return error_set(err, path, n, "text",
				 "no text for KPI %s, period %s", kpi,
				 period_id);
	if (commentary_find(out, kpi, period_id))
		return error_set(err, path, n, "period",
				 "'%s': KPI %s has a note on it already",
				 period_id, kpi);
	if (add_note(out, kpi, period_id, text) < 0)
		return error_set(err, path, n, NULL, "out of memory");
	return 0;
}

static int load_file(const kpi_set *set, const char *path, commentary *out,
		     peil_error *err)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	long n = 0;
	int rc = 0;

	if (!f)
		return errno == ENOENT ? 0
				       : error_set(err, path, 0, NULL, "%s",
						   strerror(errno));
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		n++;
		size_t bad = utf8_invalid_at(line, strlen(line));

		if (!strchr(line, '\n') && !feof(f))
			rc = error_set(err, path, n, "text",
				       "line longer than %zu characters",
				       sizeof(line) - 2);
		else if (line[bad])	/* the note goes into the report */
			rc = error_set(err, path, n, "text",
				       "invalid UTF-8: byte 0x%02X at byte %zu "
				       "of the line (save the file as UTF-8)",
				       (unsigned char)line[bad], bad + 1);
		else
			rc = parse_line(set, line, path, n, out, err);
	}
	fclose(f);
	return rc;
}

int commentary_load(const kpi_set *set, char *const *dirs, size_t dir_count,
		    commentary *out, peil_error *err)
{
	for (size_t i = 0; i < dir_count; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dirs[i],
			 COMMENTARY_FILE);
		if (load_file(set, path, out, err) < 0) {
			commentary_release(out);
			return -1;
		}
	}
	return 0;
}
