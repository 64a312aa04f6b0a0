/*
 * disclose.c - the small-cell rules with the KPIs' knowledge (disclose.h).
 */
#include "engine/disclose.h"

#include <stdlib.h>

#include "engine/settings.h"
#include "kpi/kpi.h"

int disclose_table(const peil_context *ctx, result_table *t,
		   disclosure_rules rules)
{
	size_t n = ctx->kpis ? kpi_set_count(ctx->kpis) : 0, i;
	disclosure_family *families = calloc(n ? n : 1, sizeof(*families));
	char (*keys)[1024] = calloc(n ? n : 1, sizeof(*keys));

	/* The KPIs loaded give the relations across grains; without room
	 * for them, nothing is disclosed (and no writer takes t). */
	if (!families || !keys) {
		free(families);
		free(keys);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const kpi_info *info = kpi_set_info(ctx->kpis, i);

		if (kpi_set_additive_key(ctx->kpis, info->id, keys[i],
					 sizeof(keys[i]))) {
			families[rules.family_count].kpi = info->id;
			families[rules.family_count++].key = keys[i];
		}
	}
	rules.families = families;
	disclosure_apply(t, &rules);
	free(families);
	free(keys);
	return 0;
}

static int is_public(void *kpis, const result_row *row)
{
	const kpi_info *k = kpis ? kpi_set_find(kpis, row->kpi) : NULL;

	return k && k->is_public;
}

void disclose_keep_public(const kpi_set *kpis, result_table *t)
{
	result_table_keep(t, is_public, (void *)kpis);
}

int disclose_public(const peil_context *ctx, result_table *t)
{
	disclose_keep_public(ctx->kpis, t);
	return disclose_table(ctx, t,
			      settings_disclosure_public(&ctx->settings));
}
