/*
 * kpi.c - a set of KPIs: loading script files, replacing KPIs by id,
 * checking them against schemas, and freeing what they hold.
 */
#include "kpi_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "digest.h"
#include "error.h"

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
	free(set);
}

void kpi_script_release(kpi_script *script)
{
	if (!script || (script->refs && --script->refs))
		return;
	sandbox_free(script->sb);
	free(script->path);
	free(script);
}

void kpi_node_free(kpi_node *node, kpi_script *script)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->kid_count; i++)
		kpi_node_free(node->kids[i], script);
	free(node->kids);
	free(node->name[0]);
	free(node->name[1]);
	for (size_t i = 0; i < node->const_count; i++)
		free(node->consts[i].text);
	free(node->consts);
	if (node->ref != LUA_NOREF && script && script->sb)
		luaL_unref(sandbox_lua(script->sb), LUA_REGISTRYINDEX,
			   node->ref);
	free(node);
}

void kpi_free(kpi *k)
{
	if (!k)
		return;
	kpi_lua_release(k);
	kpi_node_free(k->select, k->script);
	kpi_node_free(k->where, k->script);
	kpi_node_free(k->rule, k->script);
	free((char *)k->info.id);
	free((char *)k->info.title);
	free((char *)k->info.description);
	free((char *)k->info.unit);
	free((char *)k->info.dataset);
	for (size_t i = 0; i < k->info.breakdown_count; i++)
		free((char *)k->info.breakdown[i]);
	free((void *)k->info.breakdown);
	free(k->breakdown_field);
	kpi_script_release(k->script);
	free(k);
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
	if (!script->sb) {
		error_set(err, path, 0, NULL, "out of memory");
		kpi_script_release(script);
		return NULL;
	}
	if (kpi_dsl_install(script, set->cal, err) < 0) {
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
		if (j < set->count)
			kpi_free(set->kpis[j]);
		else
			set->count++;
		set->kpis[j] = k;
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
	if (rc == 0)
		rc = kpi_dsl_run(&load, set->limits.instructions, err);
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
		peil_error err;

		if (!s)
			error_set(&err, k->info.script, k->info.line, NULL,
				  "kpi '%s': unknown dataset '%s'", k->info.id,
				  k->info.dataset);
		else if (kpi_bind(k, s, &err) == 0)
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

const kpi_info *kpi_set_find(const kpi_set *set, const char *id)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->kpis[i]->info.id, id) == 0)
			return &set->kpis[i]->info;
	return NULL;
}
