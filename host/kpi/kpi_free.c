/*
 * kpi_free.c - the end of a compiled KPI: its nodes (and the Lua functions
 * they hold), parameters, joins and lookups, and its reference to the
 * script state it shares with the other KPIs of its file.
 *
 * Both the compiler (kpi_dsl.c: a definition that fails half-way) and the
 * set (kpi.c: a KPI replaced, the set freed) free KPIs.  In kpi.c it made
 * the compiler call back into the file that calls it (a cycle that
 * tests/layers/check_cycles.py finds); kpi_dsl.c is long enough already.
 */
#include "kpi/kpi_model.h"

#include <stdlib.h>

#include <lauxlib.h>

void kpi_script_release(kpi_script *script)
{
	if (!script || (script->refs && --script->refs))
		return;
	sandbox_free(script->sb);
	while (script->histories) {
		kpi_history *h = script->histories;

		script->histories = h->next;
		free(h->signature);
		free(h->rows);
		strmap_release(&h->texts);
		free(h->starts);
		free(h->order_text);
		free(h);
	}
	free(script->path);
	free(script);
}

static void kpi_node_free(kpi_node *node, kpi_script *script)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->kid_count; i++)
		kpi_node_free(node->kids[i], script);
	free(node->kids);
	for (size_t i = 0; i < 3; i++)
		free(node->name[i]);
	for (size_t i = 0; i < 4; i++)
		free(node->link[i]);
	for (size_t i = 0; i < node->const_count; i++) {
		free(node->consts[i].text);
		free(node->consts[i].param);
	}
	free(node->consts);
	if (node->ref != LUA_NOREF && script && script->sb)
		luaL_unref(sandbox_lua(script->sb), LUA_REGISTRYINDEX,
			   node->ref);
	free(node);
}

static void kpi_links_free(kpi_link *links, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(links[i].name);
		free(links[i].dataset);
		free(links[i].field);
		free(links[i].key);
		for (size_t w = 0; w < links[i].where_count; w++) {
			free(links[i].where_fields[w]);
			free(links[i].where_values[w]);
		}
		free(links[i].where_fields);
		free(links[i].where_values);
	}
	free(links);
}

void kpi_free(kpi *k)
{
	if (!k)
		return;
	kpi_lua_release(k);
	kpi_node_free(k->select, k->script);
	kpi_node_free(k->where, k->script);
	kpi_node_free(k->rule, k->script);
	kpi_node_free(k->having, k->script);
	free(k->per);
	for (size_t i = 0; i < k->param_count; i++) {
		free(k->params[i].name);
		free(k->params[i].value.text);
	}
	free(k->params);
	kpi_links_free(k->joins, k->join_count);
	kpi_links_free(k->lookups, k->lookup_count);
	free((char *)k->info.id);
	free((char *)k->info.title);
	free((char *)k->info.description);
	free((char *)k->info.unit);
	free((char *)k->info.dataset);
	for (size_t i = 0; i < k->info.breakdown_count; i++)
		free((char *)k->info.breakdown[i]);
	free((void *)k->info.breakdown);
	for (size_t i = 0; i < k->info.tag_count; i++)
		free((char *)k->info.tags[i]);
	free((void *)k->info.tags);
	free(k->breakdown_field);
	for (size_t i = 0; i < k->grouping_count; i++) {
		free(k->groupings[i].field);
		free(k->groupings[i].group);
	}
	free(k->groupings);
	free(k->breakdown_group);
	kpi_targets_free(&k->info);
	kpi_script_release(k->script);
	free(k);
}
