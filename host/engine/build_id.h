/*
 * build_id.h - the identity of the code that evaluates: a run of another
 * build of Peil does not confirm the figures of this one (run_confirm.h).
 */
#ifndef PEIL_BUILD_ID_H
#define PEIL_BUILD_ID_H

#include "base/error.h"
#include "engine/context.h"

/* SHA-256 hex over the running peil binary (/proc/self/exe) and the
 * storage plugin file that reads the rows back, computed once per
 * context and kept in ctx->build_sha256: no constant for anyone to bump,
 * any rebuild that changes a byte is another build.  Input plugins are
 * not part of it: an evaluation reads the store, not the exports (and
 * an ingest's settings already name its plugin and version).  The
 * identity, valid while ctx is open; NULL with err when a file cannot
 * be read. */
const char *build_id_sha256(peil_context *ctx, peil_error *err);

#endif
