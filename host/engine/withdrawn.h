/*
 * withdrawn.h - KPIs that the last published run had and that are no
 * longer defined: their figures are withdrawn, which a run says, and
 * which it counts as incomplete until [run] withdrawn states it.
 */
#ifndef PEIL_WITHDRAWN_H
#define PEIL_WITHDRAWN_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "engine/context.h"

/* The start of the message of a withdrawn KPI's row in a run ("not
 * evaluated"), followed by the run that last published its figures:
 * the next run finds it there and says it again. */
#define WITHDRAWN_PREFIX "withdrawn: published in run "

/* A withdrawn KPI as the run records it: the identity the published run
 * recorded, and WITHDRAWN_PREFIX with the run. */
typedef struct withdrawn_list {
	peil_run_kpi *items;	/* strings owned */
	size_t count;
} withdrawn_list;

/* The KPIs of the newest published run of kind "run" that no script
 * defines now, into out (release with withdrawn_release), each logged
 * with the run that published it.  Not listed: one that [run] withdrawn
 * states (logged as withdrawn), and one whose script is still there
 * while a script did not load (a failed KPI, not a withdrawal).  0, or
 * -1 with err. */
int withdrawn_find(peil_context *ctx, withdrawn_list *out, peil_error *err);

void withdrawn_release(withdrawn_list *list);

#endif
