/*
 * kpi.c - a set of KPIs: loading script files, replacing KPIs by id,
 * checking them against schemas, configuring them, and freeing the set
 * (a KPI itself is freed by kpi_free.c).
 */
#include "kpi/kpi_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "base/calendar.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/log.h"
#include "base/parse.h"

kpi_set *kpi_set_new(const calendar *cal, const kpi_limits *limits,
		     int contract_start_month)
{
	kpi_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->cal = cal;
	if (limits)
		set->limits = *limits;
	if (!set->limits.memory_bytes)
		set->limits.memory_bytes = SANDBOX_DEFAULT_MEMORY;
	if (!set->limits.instructions)
		set->limits.instructions = SANDBOX_DEFAULT_INSTRUCTIONS;
	if (!set->limits.seconds)
		set->limits.seconds = KPI_DEFAULT_SECONDS;
	if (!set->limits.distinct_bytes)
		set->limits.distinct_bytes = KPI_DEFAULT_DISTINCT_BYTES;
	if (!set->limits.run_seconds)
		set->limits.run_seconds = KPI_DEFAULT_RUN_SECONDS;
	if (!set->limits.kpi_memory_bytes)
		set->limits.kpi_memory_bytes = KPI_DEFAULT_MEMORY;
	set->contract_start_month = contract_start_month >= 1 &&
					    contract_start_month <= 12
					    ? contract_start_month : 1;
	return set;
}

void kpi_set_free(kpi_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->count; i++)
		kpi_free(set->kpis[i]);
	free(set->kpis);
	for (size_t i = 0; i < set->group_count; i++)
		kpi_group_free(set->groups[i]);
	free(set->groups);
	for (size_t i = 0; i < set->script_dir_count; i++)
		free(set->script_dirs[i]);
	free(set->script_dirs);
	free(set);
}

static int kpi_compare_id(const void *a, const void *b)
{
	const kpi *const *x = a, *const *y = b;

	return strcmp((*x)->info.id, (*y)->info.id);
}

static kpi_script *kpi_script_new(const kpi_set *set, const char *path,
				  peil_error *err)
{
	kpi_script *script = calloc(1, sizeof(*script));

	if (script)
		script->row_ref = script->lookups_ref =
			script->row_meta_ref = LUA_NOREF;
	if (!script || !(script->path = strdup(path))) {
		free(script);
		error_set(err, path, 0, NULL, "out of memory");
		return NULL;
	}
	if (digest_file_sha256_hex(path, script->sha256) < 0) {
		error_set(err, path, 0, NULL, "cannot read the script");
		kpi_script_release(script);
		return NULL;
	}
	script->sb = sandbox_new(path, set->limits.memory_bytes);
	/* sandbox.c knows nothing of KPIs: the keys kpi_lua_release reads
	 * must say "none" from the start. */
	if (!script->sb) {
		error_set(err, path, 0, NULL, "out of memory");
		kpi_script_release(script);
		return NULL;
	}
	if (kpi_dsl_install(script, set, err) < 0) {
		kpi_script_release(script);
		return NULL;
	}
	return script;
}

/* Take the KPIs of a successful load into the set: replace by id, else
 * add.  Cannot fail: room was made before. */
static void kpi_set_merge(kpi_set *set, kpi_load *load)
{
	for (size_t i = 0; i < load->count; i++) {
		kpi *k = load->kpis[i];
		size_t j;

		for (j = 0; j < set->count; j++)
			if (strcmp(set->kpis[j]->info.id, k->info.id) == 0)
				break;
		if (j < set->count) {
			/* Deliberate (a municipality's own version of a
			 * shipped KPI) or not (a copied id): -v says which. */
			log_msg(PEIL_LOG_DEBUG, "%s:%ld: kpi '%s' replaces the "
				"one of %s:%ld", k->info.script, k->info.line,
				k->info.id, set->kpis[j]->info.script,
				set->kpis[j]->info.line);
			kpi_free(set->kpis[j]);
		} else
			set->count++;
		set->kpis[j] = k;
		k->set = set;
	}
	if (set->count)	/* kpis is NULL until a first KPI: found by fuzzing */
		qsort(set->kpis, set->count, sizeof(*set->kpis),
		      kpi_compare_id);
}

int kpi_set_load_file(kpi_set *set, const char *path, peil_error *err)
{
	kpi_load load = { 0 };
	kpi_script *script = kpi_script_new(set, path, err);
	int rc;

	if (!script)
		return -1;
	script->refs = 1;		/* ours, during the load */
	load.script = script;
	rc = sandbox_load_file(script->sb, err);
	if (rc == 0) {
		char what[96];

		snprintf(what, sizeof(what), "[limits] seconds = %llu for "
			 "loading a script",
			 (unsigned long long)set->limits.seconds);
		sandbox_deadline_set(script->sb, sandbox_clock() +
				     (double)set->limits.seconds, what);
		rc = kpi_dsl_run(&load, set->limits.instructions, err);
		/* Later calls (peil test, explain) set their own, or none. */
		sandbox_deadline_set(script->sb, 0, NULL);
	}
	if (rc == 0 && set->count + load.count > set->cap) {
		size_t cap = set->count + load.count + 16;
		kpi **grown = realloc(set->kpis, cap * sizeof(*grown));

		if (!grown)
			rc = error_set(err, path, 0, NULL, "out of memory");
		else {
			set->kpis = grown;
			set->cap = cap;
		}
	}
	if (rc == 0)
		kpi_set_merge(set, &load);
	else
		for (size_t i = 0; i < load.count; i++)
			kpi_free(load.kpis[i]);
	free(load.kpis);
	kpi_script_release(script);
	return rc;
}

size_t kpi_set_check(kpi_set *set,
		     const peil_schema *(*schema)(void *ctx, const char *name),
		     void *ctx,
		     void (*report)(void *ctx, const peil_error *problem))
{
	size_t problems = 0;

	for (size_t i = 0; i < set->count; i++) {
		kpi *k = set->kpis[i];
		const peil_schema *s = schema(ctx, k->info.dataset);
		kpi_joined *joined = NULL;
		peil_error err;
		int ok = 0;

		if (!s)
			error_set(&err, k->info.script, k->info.line, NULL,
				  "kpi '%s': unknown dataset '%s'", k->info.id,
				  k->info.dataset);
		else if (k->join_count)
			ok = kpi_joined_new(k, schema, ctx, &joined, &err) == 0 &&
			     kpi_bind(k, kpi_joined_schema(joined), &err) == 0;
		else
			ok = kpi_bind(k, s, &err) == 0;
		for (size_t l = 0; ok && l < k->lookup_count; l++)
			if (!schema(ctx, k->lookups[l].dataset)) {
				error_set(&err, k->info.script, k->info.line,
					  NULL, "kpi '%s': lookup '%s': unknown "
					  "dataset '%s'", k->info.id,
					  k->lookups[l].name,
					  k->lookups[l].dataset);
				ok = 0;
			}
		kpi_joined_free(joined);
		if (ok)
			continue;
		problems++;
		if (report)
			report(ctx, &err);
	}
	return problems;
}

size_t kpi_set_count(const kpi_set *set)
{
	return set->count;
}

const kpi_info *kpi_set_info(const kpi_set *set, size_t i)
{
	return i < set->count ? &set->kpis[i]->info : NULL;
}

void kpi_set_definition_sha256(kpi_set *set, size_t i, const char *hex)
{
	if (i < set->count)
		snprintf(set->kpis[i]->info.definition_sha256,
			 sizeof(set->kpis[i]->info.definition_sha256), "%s",
			 hex);
}

kpi *kpi_set_kpi(const kpi_set *set, const char *id)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->kpis[i]->info.id, id) == 0)
			return set->kpis[i];
	return NULL;
}

const kpi_info *kpi_set_find(const kpi_set *set, const char *id)
{
	kpi *k = kpi_set_kpi(set, id);

	return k ? &k->info : NULL;
}

const char *kpi_field_dataset(const kpi_set *set, const kpi_info *info,
			      const char *field, const char **name)
{
	kpi *k = kpi_set_kpi(set, info->id);
	const char *dot = strchr(field, '.');

	*name = field;
	if (!k || !dot)
		return info->dataset;
	for (size_t i = 0; i < k->join_count; i++)
		if (strlen(k->joins[i].name) == (size_t)(dot - field) &&
		    strncmp(k->joins[i].name, field, dot - field) == 0) {
			*name = dot + 1;
			return k->joins[i].dataset;
		}
	return NULL;
}

int kpi_set_script_dirs(kpi_set *set, const char *const *dirs, size_t count)
{
	char **copy = calloc(count ? count : 1, sizeof(*copy));

	if (!copy)
		return -1;
	for (size_t i = 0; i < count; i++)
		if (!(copy[i] = strdup(dirs[i]))) {
			while (i--)
				free(copy[i]);
			free(copy);
			return -1;
		}
	for (size_t i = 0; i < set->script_dir_count; i++)
		free(set->script_dirs[i]);
	free(set->script_dirs);
	set->script_dirs = copy;
	set->script_dir_count = count;
	return 0;
}

void kpi_set_reference(kpi_set *set, period_reference rule)
{
	set->reference = rule;
}

int kpi_set_default_margin(kpi_set *set, const char *text)
{
	kpi_info info = { 0 };

	if (kpi_margin_parse(text, &info) < 0)
		return -1;
	set->has_margin = 1;
	set->margin = info.margin;
	set->margin_relative = info.margin_relative;
	return 0;
}

/* A whole text that is a number. */
static int kpi_parse_number(const char *text, double *out)
{
	size_t n = parse_config_number(text, out);

	return n && text[n] == '\0' ? 0 : -1;
}

/* breakdown = district, team: the contract's own breakdown of a KPI.  The
 * fields are checked against the dataset when the KPI is bound, like the
 * script's own. */
static int kpi_set_breakdown(kpi *k, const char *value, char *msg,
			     size_t msg_size)
{
	const char **names = NULL;
	size_t n = 0, i;
	const char *p = value;

	while (*p) {
		size_t len;
		const char **grown;

		len = parse_list_next(&p);
		if (!len)
			break;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown || !(grown[n] = strndup(p, len))) {
			names = grown ? grown : names;
			for (i = 0; i < n; i++)
				free((char *)names[i]);
			free(names);
			snprintf(msg, msg_size, "out of memory");
			return -1;
		}
		names = grown;
		n++;
		p += len;
	}
	for (i = 0; i < k->info.breakdown_count; i++)
		free((char *)k->info.breakdown[i]);
	free((void *)k->info.breakdown);
	free(k->breakdown_field);
	k->breakdown_field = NULL;
	k->info.breakdown = names;
	k->info.breakdown_count = n;
	return 0;
}

/* group.FIELD = NAME: the contract's grouping of a breakdown field, after
 * (so over) the script's.  The field is checked against the breakdown
 * when the KPI is bound: [kpi ID] breakdown may still change it. */
static int kpi_set_grouping(kpi_set *set, kpi *k, const char *field,
			    const char *value, char *msg, size_t msg_size)
{
	kpi_grouping *grown;

	if (!*field) {
		snprintf(msg, msg_size, "group.FIELD: which field?");
		return -1;
	}
	if (!kpi_set_group(set, value)) {
		snprintf(msg, msg_size, "group.%s = %s: no [group %s] in the "
			 "configuration", field, value, value);
		return -1;
	}
	grown = realloc(k->groupings, (k->grouping_count + 1) * sizeof(*grown));
	if (!grown) {
		snprintf(msg, msg_size, "out of memory");
		return -1;
	}
	k->groupings = grown;
	grown[k->grouping_count].field = strdup(field);
	grown[k->grouping_count].group = strdup(value);
	grown[k->grouping_count].configured = 1;
	k->grouping_count++;
	if (!grown[k->grouping_count - 1].field ||
	    !grown[k->grouping_count - 1].group) {
		snprintf(msg, msg_size, "out of memory");
		return -1;
	}
	return 0;
}

int kpi_set_configure(kpi_set *set, const char *id, const char *key,
		      const char *value, char *msg, size_t msg_size)
{
	kpi *k = kpi_set_kpi(set, id);
	kpi_param *param;
	double x;

	if (!k) {
		snprintf(msg, msg_size, "no KPI '%s' (see peil list)", id);
		return -1;
	}
	if (strcmp(key, "margin") == 0) {
		if (kpi_margin_parse(value, &k->info) == 0) {
			k->info.target_configured = 1;
			return 0;
		}
		snprintf(msg, msg_size, "margin = %s: expected a number or a "
			 "percentage such as 10%%", value);
		return -1;
	}
	if (strcmp(key, "target.applies") == 0) {
		if (kpi_target_scope_parse(value, &k->info.target_scope) == 0) {
			k->info.target_configured = 1;
			return 0;
		}
		snprintf(msg, msg_size, "target.applies = %s: expected all, "
			 "total or cells", value);
		return -1;
	}
	if (strncmp(key, "target.", 7) == 0) {
		int rc;

		if (kpi_parse_number(value, &x) < 0) {
			snprintf(msg, msg_size, "%s = %s: expected a number",
				 key, value);
			return -1;
		}
		rc = kpi_target_put(&k->info, key + 7, x);
		if (rc == -2) {
			snprintf(msg, msg_size, "out of memory");
			return -1;
		}
		if (rc == 0) {
			k->info.target_configured = 1;
			return 0;
		}
	}
	if (strcmp(key, "breakdown") == 0)
		return kpi_set_breakdown(k, value, msg, msg_size);
	if (strncmp(key, "group.", 6) == 0)
		return kpi_set_grouping(set, k, key + 6, value, msg, msg_size);
	if (strcmp(key, "grains") == 0) {
		char bad[64];

		if (period_grains_parse(value, &k->info.grains, bad,
					sizeof(bad)) == 0)
			return 0;
		snprintf(msg, msg_size, "grains = %s: %s%s%s (month, quarter, "
			 "year, contract_year)", value,
			 bad[0] ? "unknown grain '" : "expected a grain",
			 bad, bad[0] ? "'" : "");
		return -1;
	}
	if (strcmp(key, "decimals") == 0) {
		if (kpi_parse_number(value, &x) < 0 || x != floor(x) ||
		    x < 0 || x > KPI_MAX_DECIMALS) {
			snprintf(msg, msg_size, "decimals = %s: expected a "
				 "whole number from 0 to %d", value,
				 KPI_MAX_DECIMALS);
			return -1;
		}
		k->info.decimals = (int)x;
		return 0;
	}
	if (strcmp(key, "compare") == 0)
		return kpi_compare_parse(value, &k->info.compare, msg,
					 msg_size);
	if (strcmp(key, "visibility") == 0)
		return kpi_visibility_parse(value, &k->info.is_public, msg,
					    msg_size);
	if (strcmp(key, "enabled") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			snprintf(msg, msg_size, "enabled = %s: expected yes or "
				 "no", value);
			return -1;
		}
		k->info.disabled = strcmp(value, "no") == 0;
		return 0;
	}
	if (strncmp(key, "param.", 6) != 0) {
		snprintf(msg, msg_size, "unknown key '%s' (target.min, "
			 "target.max, target.min.FIELD.VALUE, "
			 "target.max.FIELD.VALUE, target.applies, "
			 "margin, breakdown, group.FIELD, grains, "
			 "enabled, decimals, compare, visibility, "
			 "param.NAME)",
			 key);
		return -1;
	}
	param = kpi_param_find(k, key + 6);
	if (!param) {
		snprintf(msg, msg_size, "kpi '%s' has no parameter '%s'", id,
			 key + 6);
		return -1;
	}
	if (param->value.type == KPI_VALUE_NUMBER) {
		if (kpi_parse_number(value, &x) < 0) {
			snprintf(msg, msg_size, "%s = %s: expected a number",
				 key, value);
			return -1;
		}
		param->value.num = x;
		return 0;
	}
	{
		char *copy = strdup(value);

		if (!copy) {
			snprintf(msg, msg_size, "out of memory");
			return -1;
		}
		free(param->value.text);
		param->value.text = copy;
		param->value.len = strlen(copy);
		param->value.is_date = date_parse_iso(copy,
						      &param->value.date) == 0;
	}
	return 0;
}

void kpi_set_contract_start(kpi_set *set, int month)
{
	if (month >= 1 && month <= 12)
		set->contract_start_month = month;
}

void kpi_set_contract_first_day(kpi_set *set, int32_t date)
{
	set->contract_start = date;
	set->has_contract_start = 1;
}

int kpi_set_cumulative_from(const kpi_set *set, const char *id,
			    int32_t *date)
{
	const kpi *k = kpi_set_kpi(set, id);

	if (!k || !k->select || k->select->op != KPI_CUMULATIVE)
		return -1;
	*date = set->contract_start;
	return set->has_contract_start;
}

/* Whether k is the KPI id, or has the tag of "tag:NAME". */
static int kpi_matches(const kpi_info *k, const char *entry, size_t len)
{
	if (len > 4 && strncmp(entry, "tag:", 4) == 0) {
		for (size_t i = 0; i < k->tag_count; i++)
			if (strlen(k->tags[i]) == len - 4 &&
			    strncmp(k->tags[i], entry + 4, len - 4) == 0)
				return 1;
		return 0;
	}
	return strlen(k->id) == len && strncmp(k->id, entry, len) == 0;
}

/* The dataset_sum()s of node and below. */
static void node_datasets(const kpi_node *n,
			  void (*fn)(void *ctx, const char *dataset),
			  void *ctx)
{
	if (!n)
		return;
	if (n->op == KPI_DATASET_SUM && n->const_count && n->consts[0].text)
		fn(ctx, n->consts[0].text);
	for (size_t i = 0; i < n->kid_count; i++)
		node_datasets(n->kids[i], fn, ctx);
}

void kpi_each_dataset(const kpi_set *set, const kpi_info *info,
		      void (*fn)(void *ctx, const char *dataset), void *ctx)
{
	const kpi *k = NULL;

	for (size_t i = 0; !k && i < set->count; i++)
		if (&set->kpis[i]->info == info)
			k = set->kpis[i];
	if (!k)
		return;
	if (k->info.dataset)
		fn(ctx, k->info.dataset);
	for (size_t i = 0; i < k->join_count; i++)
		fn(ctx, k->joins[i].dataset);
	for (size_t i = 0; i < k->lookup_count; i++)
		fn(ctx, k->lookups[i].dataset);
	for (size_t i = 0; i < k->grouping_count; i++) {
		const kpi_group *g = kpi_set_group(set, k->groupings[i].group);

		if (g && g->dataset)
			fn(ctx, g->dataset);
	}
	node_datasets(k->select, fn, ctx);
	node_datasets(k->where, fn, ctx);
	node_datasets(k->rule, fn, ctx);
	node_datasets(k->having, fn, ctx);
}

void kpi_set_keep(kpi_set *set, size_t i, int kept)
{
	if (i < set->count)
		set->kpis[i]->info.kept = kept;
}

int kpi_wanted(const kpi_info *k, const char *only)
{
	const char *p;
	size_t len;

	if (!only)
		return !k->disabled && !k->unchosen;
	for (p = only; (len = parse_list_next(&p)); p += len)
		if (kpi_matches(k, p, len))
			return 1;
	return 0;
}

/* -1 with msg naming the first entry of list that names no KPI of set
 * (with minus, a '-' entry may: see kpi_set_choose); 0 when each names
 * some. */
static int kpi_list_unknown(const kpi_set *set, const char *list, int minus,
			    char *msg, size_t msg_size)
{
	const char *p;
	size_t len;

	for (p = list; (len = parse_list_next(&p)); p += len) {
		int left_out = minus && *p == '-';
		size_t i;

		for (i = 0; i < set->count; i++)
			if (kpi_matches(&set->kpis[i]->info, p + left_out,
					len - (size_t)left_out))
				break;
		if (i == set->count && !left_out) {
			snprintf(msg, msg_size, "'%.*s' is no KPI id or tag of "
				 "a KPI (see peil list)", (int)len, p);
			return -1;
		}
	}
	return 0;
}

int kpi_list_check(const kpi_set *set, const char *list, char *msg,
		   size_t msg_size)
{
	return kpi_list_unknown(set, list, 0, msg, msg_size);
}

int kpi_set_choose(kpi_set *set, const char *list, char *msg,
		   size_t msg_size)
{
	const char *p;
	size_t len;
	int includes = 0;

	/* Check every entry first: a list with a typo changes nothing.  A
	 * '-' entry may name what these scripts lack: one list serves a
	 * municipality's several script directories, and leaving out
	 * nothing changes no figure.  An entry to include that names
	 * nothing is a typo. */
	if (kpi_list_unknown(set, list, 1, msg, msg_size) < 0)
		return -1;
	for (p = list; (len = parse_list_next(&p)); p += len)
		includes |= *p != '-';
	/* Included when named (or when nothing is), unless left out. */
	for (size_t i = 0; i < set->count; i++) {
		kpi_info *k = &set->kpis[i]->info;
		int in = !includes, out = 0;

		for (p = list; (len = parse_list_next(&p)); p += len) {
			if (*p == '-')
				out |= kpi_matches(k, p + 1, len - 1);
			else
				in |= kpi_matches(k, p, len);
		}
		k->unchosen = !in || out;
	}
	return 0;
}
