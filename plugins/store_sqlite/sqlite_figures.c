/*
 * sqlite_figures.c - the figures of a run (schema version 10).
 *
 * The figures of one (run, KPI, period) are one row of peil_figures:
 * their cells packed in one blob, in the order of their breakdowns as
 * SQLite orders text (byte by byte, a shorter text first: strcmp's
 * order).  A row of its own per figure cost about 14 500 instructions a
 * figure at 1M cases, nearly all SQLite's b-tree (217 092 figures of the
 * narrow shape, docs/benchmarks.md); a row per period holds a thousand
 * of them there.
 *
 * The blob: its format byte (CELLS_FORMAT), then each cell: the
 * breakdown (a text), a flags byte (CELL_*), the numbers present as 8
 * bytes little-endian each (value, numerator, denominator, size), and
 * the status (a text) when present.  A text is its length as a varint
 * (7 bits a byte, low first), its bytes and a NUL, so that it is read in
 * place as a C string.  The numbers are kept as SQLite's REAL columns
 * kept them: a missing one (NaN) is absent, read back as NaN; -0 is 0
 * (SQLite stored a whole REAL as an integer).  A damaged blob is an
 * error naming its run, KPI and period, never figures read wrong.
 *
 * A store of version 9 or before opened read-only keeps its peil_result,
 * a row per figure: results_scan reads it as it is.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

#define CELLS_FORMAT 1

enum {
	CELL_VALUE = 1,		/* the numbers, in this order */
	CELL_NUMERATOR = 2,
	CELL_DENOMINATOR = 4,
	CELL_SIZE = 8,
	CELL_STATUS = 16,
	CELL_EARLIER = 32,
	CELL_FLAGS = 63
};

/* ----------------------------------------------------------- the cells */

/* A blob being built.  After a failed allocation ok is 0; check once. */
struct cells {
	unsigned char *p;
	size_t len, cap;
	int64_t count;
	int ok;
};

static void cells_start(struct cells *c)
{
	c->len = 0;
	c->count = 0;
	c->ok = 1;
	if (c->cap == 0) {
		c->p = malloc(4096);
		c->cap = c->p ? 4096 : 0;
		c->ok = c->p != NULL;
	}
	if (c->ok)
		c->p[c->len++] = CELLS_FORMAT;
}

static unsigned char *cells_room(struct cells *c, size_t more)
{
	if (!c->ok)
		return NULL;
	if (c->cap - c->len < more) {
		size_t cap = c->cap * 2 > c->len + more ? c->cap * 2
							 : c->len + more;
		unsigned char *p = realloc(c->p, cap);

		if (!p) {
			c->ok = 0;
			return NULL;
		}
		c->p = p;
		c->cap = cap;
	}
	return c->p + c->len;
}

static void cells_bytes(struct cells *c, const void *bytes, size_t n)
{
	unsigned char *at = cells_room(c, n);

	if (at) {
		memcpy(at, bytes, n);
		c->len += n;
	}
}

static void cells_text(struct cells *c, const char *text)
{
	size_t n = strlen(text), v = n;
	unsigned char *at = cells_room(c, n + 11);

	if (!at)
		return;
	for (; v >= 0x80; v >>= 7)
		*at++ = (unsigned char)(v | 0x80);
	*at++ = (unsigned char)v;
	memcpy(at, text, n + 1);
	c->len = (size_t)(at - c->p) + n + 1;
}

/* Append the cell of figure r. */
static void cells_add(struct cells *c, const peil_result *r)
{
	const double numbers[4] = { r->value, r->numerator, r->denominator,
				    r->size };
	unsigned char flags = r->earlier ? CELL_EARLIER : 0, *at;

	cells_text(c, r->breakdown ? r->breakdown : "{}");
	for (int i = 0; i < 4; i++)
		if (!isnan(numbers[i]))
			flags |= (unsigned char)(1 << i);
	if (r->status)
		flags |= CELL_STATUS;
	if (!(at = cells_room(c, 1 + 4 * 8)))
		return;
	*at++ = flags;
	for (int i = 0; i < 4; i++) {
		double x = numbers[i] == 0 ? 0.0 : numbers[i];
		uint64_t bits;

		if (!(flags & (1 << i)))
			continue;
		memcpy(&bits, &x, sizeof(bits));
		for (int b = 0; b < 8; b++)
			*at++ = (unsigned char)(bits >> (8 * b));
	}
	c->len = (size_t)(at - c->p);
	if (r->status)
		cells_text(c, r->status);
	c->count++;
}

/* A cell read from a blob; its texts point into the blob. */
struct cell {
	peil_result r;
	const unsigned char *start;	/* its bytes */
	size_t size;
};

/* The text at *at, before end: its length and a NUL after it.  NULL
 * when it does not fit. */
static const char *cell_text(const unsigned char **at,
			     const unsigned char *end)
{
	size_t n = 0;
	const char *text;

	for (int shift = 0;; shift += 7) {
		if (*at >= end || shift > 56)
			return NULL;
		n |= (size_t)(**at & 0x7f) << shift;
		if (!(*(*at)++ & 0x80))
			break;
	}
	if ((size_t)(end - *at) <= n || (*at)[n] != 0)
		return NULL;
	text = (const char *)*at;
	*at += n + 1;
	return text;
}

/* Read the cell at *at, before end, into c and move past it: 0, or -1
 * when the bytes are no cell. */
static int cell_read(const unsigned char **at, const unsigned char *end,
		     struct cell *c)
{
	double *numbers[4] = { &c->r.value, &c->r.numerator,
			       &c->r.denominator, &c->r.size };
	unsigned flags;

	c->start = *at;
	if (!(c->r.breakdown = cell_text(at, end)) || *at >= end)
		return -1;
	flags = *(*at)++;
	if (flags & ~(unsigned)CELL_FLAGS)
		return -1;
	for (int i = 0; i < 4; i++) {
		uint64_t bits = 0;

		*numbers[i] = NAN;
		if (!(flags & (1u << i)))
			continue;
		if (end - *at < 8)
			return -1;
		for (int b = 0; b < 8; b++)
			bits |= (uint64_t)(*at)[b] << (8 * b);
		memcpy(numbers[i], &bits, sizeof(bits));
		*at += 8;
	}
	c->r.status = NULL;
	if ((flags & CELL_STATUS) && !(c->r.status = cell_text(at, end)))
		return -1;
	c->r.earlier = (flags & CELL_EARLIER) != 0;
	c->size = (size_t)(*at - c->start);
	return 0;
}

/* The cells of one row of peil_figures, read one by one. */
struct cells_reader {
	const unsigned char *at, *end;
	int64_t left;		/* the row's count of figures still to read */
};

/* Start reading blob (bytes long) of count figures: 0, or -1 when it is
 * no blob of this format. */
static int cells_open(struct cells_reader *rd, const void *blob,
		      int bytes, int64_t count)
{
	rd->at = blob;
	rd->end = rd->at + (bytes > 0 ? bytes : 0);
	rd->left = count;
	if (bytes < 1 || count < 0 || *rd->at != CELLS_FORMAT)
		return -1;
	rd->at++;
	return 0;
}

/* The next cell: 1, 0 after the last (the blob read whole), -1 when
 * damaged. */
static int cells_next(struct cells_reader *rd, struct cell *c)
{
	if (rd->left == 0)
		return rd->at == rd->end ? 0 : -1;
	rd->left--;
	return cell_read(&rd->at, rd->end, c) < 0 ? -1 : 1;
}

static int cells_damaged(struct store *st, int64_t run_id, const char *kpi,
			 const char *period, peil_error *err)
{
	return st->svc->fail(err, st->path, 0, NULL,
			     "the figures of KPI %s, period %s of run %" PRId64
			     " are damaged: restore the store from a backup",
			     kpi, period, run_id);
}

/* ----------------------------------------------------------- writing */

static int result_check(struct store *st, const peil_result *result,
			const char *op, peil_error *err)
{
	if (result == NULL || result->kpi == NULL || result->period == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "%s needs a KPI id and period", op);
	return 0;
}

static const char *breakdown_of(const peil_result *r)
{
	return r->breakdown ? r->breakdown : "{}";
}

/* A figure in the order it is stored in: by KPI, period and breakdown,
 * and of the same key the one given last last. */
struct put_order {
	const peil_result *r;
	size_t at;
};

static int put_order_compare(const void *pa, const void *pb)
{
	const struct put_order *a = pa, *b = pb;
	int c = strcmp(a->r->kpi, b->r->kpi);

	if (c == 0)
		c = strcmp(a->r->period, b->r->period);
	if (c == 0)
		c = strcmp(breakdown_of(a->r), breakdown_of(b->r));
	if (c == 0)
		c = a->at < b->at ? -1 : a->at > b->at;
	return c;
}

/* The statement in *slot (prepared from sql when NULL) with the key of a
 * row bound to ?1, ?2 and ?3; NULL on failure. */
static sqlite3_stmt *figures_key_stmt(struct store *st, sqlite3_stmt **slot,
				      const char *sql, int64_t run_id,
				      const char *kpi, const char *period,
				      peil_error *err)
{
	if (*slot == NULL &&
	    store_prepare_persistent(st, err, sql, slot,
				     "cannot store the result") < 0)
		return NULL;
	sqlite3_bind_int64(*slot, 1, run_id);
	store_bind_text(*slot, 2, kpi);
	store_bind_text(*slot, 3, period);
	return *slot;
}

/* Write the row of (run_id, kpi, period) from the cells in c. */
static int figures_row_put(struct store *st, int64_t run_id, const char *kpi,
			   const char *period, const struct cells *c,
			   peil_error *err)
{
	static const char sql[] =
		"INSERT INTO peil_figures (run_id, kpi, period, figures,"
		" cells) VALUES (?1, ?2, ?3, ?4, ?5)"
		" ON CONFLICT (run_id, kpi, period) DO UPDATE SET"
		" figures = excluded.figures, cells = excluded.cells";
	sqlite3_stmt *stmt;

	if (!c->ok)
		return store_fail_of(st, err, "KPI", kpi, "out of memory");
	if (!(stmt = figures_key_stmt(st, &st->figures_put, sql, run_id, kpi,
				      period, err)))
		return -1;
	sqlite3_bind_int64(stmt, 4, c->count);
	sqlite3_bind_blob64(stmt, 5, c->p, c->len, SQLITE_STATIC);
	return store_step_done(st, stmt, err, kpi, "cannot store the result");
}

/* Store the figures in order[0..n), all of one KPI and period, in key
 * order: merged into the row the run has for them already (a figure of
 * the same breakdown replaced), the last of each breakdown. */
static int figures_group_put(struct store *st, int64_t run_id,
			     const struct put_order *order, size_t n,
			     struct cells *c, peil_error *err)
{
	static const char sql[] =
		"SELECT figures, cells FROM peil_figures"
		" WHERE run_id = ?1 AND kpi = ?2 AND period = ?3";
	const char *kpi = order[0].r->kpi, *period = order[0].r->period;
	struct cells_reader rd = { NULL, NULL, 0 };
	struct cell old;
	sqlite3_stmt *get;
	int step, more = 0;

	if (!(get = figures_key_stmt(st, &st->figures_get, sql, run_id, kpi,
				     period, err)))
		return -1;
	step = sqlite3_step(get);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		sqlite3_reset(get);
		return store_fail_db(st, err, kpi, "cannot store the result");
	}
	if (step == SQLITE_ROW &&
	    (cells_open(&rd, sqlite3_column_blob(get, 1),
			sqlite3_column_bytes(get, 1),
			sqlite3_column_int64(get, 0)) < 0 ||
	     (more = cells_next(&rd, &old)) < 0))
		goto damaged;
	cells_start(c);
	for (size_t i = 0; i < n; i++) {
		const char *b = breakdown_of(order[i].r);
		int cmp = 1;

		if (i + 1 < n && strcmp(b, breakdown_of(order[i + 1].r)) == 0)
			continue;	/* a later one replaces it */
		while (more > 0 &&
		       (cmp = strcmp(old.r.breakdown, b)) <= 0) {
			if (cmp < 0) {
				cells_bytes(c, old.start, old.size);
				c->count++;
			}
			if ((more = cells_next(&rd, &old)) < 0)
				goto damaged;
		}
		cells_add(c, order[i].r);
	}
	for (; more > 0; more = cells_next(&rd, &old)) {
		cells_bytes(c, old.start, old.size);
		c->count++;
	}
	if (more < 0)
		goto damaged;
	sqlite3_reset(get);	/* the old cells are copied */
	return figures_row_put(st, run_id, kpi, period, c, err);
damaged:
	sqlite3_reset(get);
	return cells_damaged(st, run_id, kpi, period, err);
}

/* As result_put of each in turn (a later figure of the same key replaces
 * an earlier one), a row of peil_figures per KPI and period; all of them
 * or, on failure, none. */
int store_results_put(void *state, int64_t run_id, const peil_result *rows,
		      size_t n, peil_error *err)
{
	struct store *st = state;
	struct put_order *order;
	struct cells c = { NULL, 0, 0, 0, 1 };
	int sorted = 1, rc = 0;
	size_t i, j;

	for (i = 0; i < n; i++)
		if (result_check(st, &rows[i], "results_put", err) < 0)
			return -1;
	if (n == 0)
		return 0;
	if (!(order = malloc(n * sizeof(*order))))
		return st->svc->fail(err, st->path, 0, NULL, "out of memory");
	for (i = 0; i < n; i++) {
		order[i].r = &rows[i];
		order[i].at = i;
		if (i && sorted &&
		    put_order_compare(&order[i - 1], &order[i]) > 0)
			sorted = 0;
	}
	if (!sorted)
		qsort(order, n, sizeof(*order), put_order_compare);
	if (store_exec(st, err, "SAVEPOINT peil_figures",
		       "cannot store the result") < 0) {
		free(order);
		return -1;
	}
	for (i = 0; rc == 0 && i < n; i = j) {
		for (j = i + 1; j < n &&
		     strcmp(order[j].r->kpi, order[i].r->kpi) == 0 &&
		     strcmp(order[j].r->period, order[i].r->period) == 0;
		     j++)
			;
		rc = figures_group_put(st, run_id, order + i, j - i, &c, err);
	}
	free(order);
	free(c.p);
	if (rc < 0) {
		sqlite3_exec(st->db, "ROLLBACK TO peil_figures;"
				     " RELEASE peil_figures", NULL, NULL, NULL);
		return -1;
	}
	return store_exec(st, err, "RELEASE peil_figures",
			  "cannot store the result");
}

/* One figure: its period's row read and written again (results_put
 * stores many at that price). */
int store_result_put(void *state, int64_t run_id, const peil_result *result,
		     peil_error *err)
{
	struct store *st = state;

	if (result_check(st, result, "result_put", err) < 0)
		return -1;
	return store_results_put(state, run_id, result, 1, err);
}

/* One statement: the figures never leave the database. */
int store_results_copy(void *state, int64_t from_run, int64_t to_run,
		       const char *kpi, peil_error *err)
{
	static const char sql[] =
		"INSERT INTO peil_figures (run_id, kpi, period, figures,"
		" cells) SELECT ?2, kpi, period, figures, cells"
		" FROM peil_figures WHERE run_id = ?1 AND kpi = ?3";
	struct store *st = state;
	sqlite3_stmt *stmt;
	int rc;

	if (kpi == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "results_copy needs a KPI id");
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, kpi, "cannot copy the figures");
	sqlite3_bind_int64(stmt, 1, from_run);
	sqlite3_bind_int64(stmt, 2, to_run);
	store_bind_text(stmt, 3, kpi);
	rc = store_step_done(st, stmt, err, kpi, "cannot copy the figures");
	sqlite3_finalize(stmt);
	return rc;
}

/* ----------------------------------------------------------- reading */

/* The run to read: run_id itself when it exists, else the latest ended
 * one; 0 in *found when there is none. */
static int results_run(struct store *st, int64_t run_id, int64_t *found,
		       peil_error *err)
{
	static const char latest[] =
		"SELECT id FROM peil_run WHERE status IN ('ok', 'kpi failed')"
		" ORDER BY id DESC LIMIT 1";
	static const char given[] = "SELECT id FROM peil_run WHERE id = ?";
	int any;

	if (store_query_int64(st, run_id ? given : latest, run_id != 0, run_id,
			      found, &any, err, "cannot read the runs") < 0)
		return -1;
	if (run_id && *found == 0)
		return st->svc->fail(err, st->path, 0, NULL,
				     "no run %" PRId64, run_id);
	return 0;
}

struct results_call {
	struct store *st;
	int (*fn)(void *ctx, const peil_result *result);
	void *ctx;
	int64_t run_id;
	peil_error *err;
};

/* A row of peil_figures: its figures in turn. */
static int figures_row(void *ctx, sqlite3_stmt *stmt)
{
	const struct results_call *call = ctx;
	const char *kpi = store_column_text(stmt, 0);
	const char *period = store_column_text(stmt, 1);
	struct cells_reader rd, check;
	struct cell c;
	int more, rc;

	/* The whole row checked first: of a damaged one, no figure. */
	if (cells_open(&rd, sqlite3_column_blob(stmt, 3),
		       sqlite3_column_bytes(stmt, 3),
		       sqlite3_column_int64(stmt, 2)) < 0)
		more = -1;
	else
		for (check = rd; (more = cells_next(&check, &c)) > 0;)
			;
	if (more < 0)
		return cells_damaged(call->st, call->run_id, kpi, period,
				     call->err);
	while (cells_next(&rd, &c) > 0) {
		c.r.run_id = call->run_id;
		c.r.kpi = kpi;
		c.r.period = period;
		if ((rc = call->fn(call->ctx, &c.r)) != 0)
			return rc;
	}
	return 0;
}

static double column_number(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(stmt, col);
}

/* A row of peil_result (a read-only store of version 9 or before). */
static int result_row(void *ctx, sqlite3_stmt *stmt)
{
	const struct results_call *call = ctx;
	peil_result r = {
		.run_id = call->run_id,
		.kpi = store_column_text(stmt, 0),
		.period = store_column_text(stmt, 1),
		.breakdown = store_column_text(stmt, 2),
		.value = column_number(stmt, 3),
		.numerator = column_number(stmt, 4),
		.denominator = column_number(stmt, 5),
		.status = store_column_text(stmt, 6),
		.size = column_number(stmt, 7),
		.earlier = sqlite3_column_int(stmt, 8),
	};

	return call->fn(call->ctx, &r);
}

/* The statement reading peil_result of a read-only store of version 4 to
 * 9: one of version 4 has no size, one of version 4 or 5 no earlier. */
static const char *results_legacy_sql(struct store *st, int by_kpi)
{
	static const char *const sql[2][2][2] = {
		{ { "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, size, earlier FROM peil_result"
		    " WHERE run_id = ?1 ORDER BY kpi, period, breakdown",
		    "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, size, earlier FROM peil_result"
		    " WHERE run_id = ?1 AND kpi = ?2"
		    " ORDER BY kpi, period, breakdown" },
		  { "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, size, 0 FROM peil_result"
		    " WHERE run_id = ?1 ORDER BY kpi, period, breakdown",
		    "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, size, 0 FROM peil_result"
		    " WHERE run_id = ?1 AND kpi = ?2"
		    " ORDER BY kpi, period, breakdown" } },
		{ { NULL, NULL },
		  { "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, NULL, 0 FROM peil_result"
		    " WHERE run_id = ?1 ORDER BY kpi, period, breakdown",
		    "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, NULL, 0 FROM peil_result"
		    " WHERE run_id = ?1 AND kpi = ?2"
		    " ORDER BY kpi, period, breakdown" } },
	};
	int v4 = store_table_lacks(st, "peil_result", "size");
	int v5 = v4 || store_table_lacks(st, "peil_result", "earlier");

	return sql[v4 != 0][v5 != 0][by_kpi != 0];
}

/* Strings given to fn point into SQLite's row: valid only during the
 * call.  A nonzero return from fn stops the scan and is returned. */
int store_results_scan(void *state, const peil_result_query *query,
		       int (*fn)(void *ctx, const peil_result *result),
		       void *ctx, peil_error *err)
{
	static const char sql[2][160] = {
		"SELECT kpi, period, figures, cells FROM peil_figures"
		" WHERE run_id = ?1 ORDER BY kpi, period",
		"SELECT kpi, period, figures, cells FROM peil_figures"
		" WHERE run_id = ?1 AND kpi = ?2 ORDER BY kpi, period",
	};
	struct store *st = state;
	const char *kpi = query ? query->kpi : NULL;
	struct results_call call = { st, fn, ctx, 0, err };
	int64_t packed = 0;
	sqlite3_stmt *stmt;
	int found;

	if (results_run(st, query ? query->run_id : 0, &call.run_id, err) < 0)
		return -1;
	if (call.run_id == 0)
		return 0;
	if (store_query_int64(st, "SELECT count(*) FROM sqlite_master WHERE"
			      " type = 'table' AND name = 'peil_figures'", 0,
			      0, &packed, &found, err,
			      "cannot read the results") < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       packed ? sql[kpi != NULL]
				      : results_legacy_sql(st, kpi != NULL),
			       -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot read the results");
	sqlite3_bind_int64(stmt, 1, call.run_id);
	if (kpi)
		store_bind_text(stmt, 2, kpi);
	return store_rows_each(st, stmt, packed ? figures_row : result_row,
			       &call, err, "cannot read the results");
}

/* ---------------------------------------------------------- migration */

int store_figures_migrate(struct store *st, peil_error *err)
{
	static const char sql[] =
		"SELECT run_id, kpi, period, breakdown, value, numerator,"
		" denominator, status, size, earlier FROM peil_result"
		" ORDER BY run_id, kpi, period, breakdown";
	struct cells c = { NULL, 0, 0, 0, 1 };
	char *kpi = NULL, *period = NULL;
	int64_t run_id = 0, old = 0;
	sqlite3_stmt *stmt;
	int step, rc = 0;

	if (store_query_int64(st, "SELECT count(*) FROM sqlite_master WHERE"
			      " type = 'table' AND name = 'peil_result'", 0,
			      0, &old, &step, err,
			      "cannot update the results to schema version "
			      "10") < 0 ||
	    store_exec(st, err, STORE_FIGURES_TABLE_SQL,
		       "cannot update the results to schema version 10") < 0)
		return -1;
	if (!old)	/* a store of version 1 or 2 that ran nothing */
		return 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL,
				     "cannot update the results to schema "
				     "version 10");
	while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		peil_result r = {
			.run_id = sqlite3_column_int64(stmt, 0),
			.kpi = store_column_text(stmt, 1),
			.period = store_column_text(stmt, 2),
			.breakdown = store_column_text(stmt, 3),
			.value = column_number(stmt, 4),
			.numerator = column_number(stmt, 5),
			.denominator = column_number(stmt, 6),
			.status = store_column_text(stmt, 7),
			.size = column_number(stmt, 8),
			.earlier = sqlite3_column_int(stmt, 9),
		};

		if (!kpi || r.run_id != run_id || strcmp(r.kpi, kpi) != 0 ||
		    strcmp(r.period, period) != 0) {
			if (kpi)
				rc = figures_row_put(st, run_id, kpi, period,
						     &c, err);
			free(kpi);
			free(period);
			run_id = r.run_id;
			kpi = strdup(r.kpi);
			period = strdup(r.period);
			if (rc == 0 && (!kpi || !period))
				rc = st->svc->fail(err, st->path, 0, NULL,
						   "out of memory");
			cells_start(&c);
		}
		if (rc == 0)
			cells_add(&c, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_fail_db(st, err, NULL,
				   "cannot update the results to schema "
				   "version 10");
	if (rc == 0 && kpi)
		rc = figures_row_put(st, run_id, kpi, period, &c, err);
	sqlite3_finalize(stmt);
	free(kpi);
	free(period);
	free(c.p);
	if (rc == 0)
		rc = store_exec(st, err, "DROP TABLE peil_result",
				"cannot update the results to schema "
				"version 10");
	return rc;
}

/* ------------------------------------------------------------- prune */

/* The breakdowns of a KPI and period that a later run has a figure of
 * its own of, sorted. */
struct seen {
	char **items;
	size_t count, cap;
};

static void seen_clear(struct seen *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->items[i]);
	s->count = 0;
}

/* Add the breakdowns of the cells (sorted) that are not earlier: 0 or
 * -1 when out of memory. */
static int seen_add(struct seen *s, const struct cell *cells, size_t n)
{
	size_t a = 0, b = 0, k = 0, total = s->count + n;
	char **items;

	if (!(items = malloc((total ? total : 1) * sizeof(*items))))
		return -1;
	while (a < s->count || b < n) {
		int cmp = b == n ? -1 : a == s->count ? 1
				: strcmp(s->items[a], cells[b].r.breakdown);

		if (cmp <= 0) {
			items[k++] = s->items[a++];
			b += cmp == 0;
		} else if (!cells[b].r.earlier) {
			if (!(items[k++] = strdup(cells[b++].r.breakdown))) {
				free(items);
				return -1;
			}
		} else {
			b++;
		}
	}
	free(s->items);
	s->items = items;
	s->count = k;
	s->cap = total;
	return 0;
}

/* Keep of a pruned run's cells (sorted) those the run is the latest of
 * (in c); the count of those that go. */
static int64_t prune_cells(const struct seen *s, const struct cell *cells,
			   size_t n, struct cells *c)
{
	size_t a = 0;
	int64_t gone = 0;

	for (size_t b = 0; b < n; b++) {
		int cmp = 1;

		while (a < s->count &&
		       (cmp = strcmp(s->items[a], cells[b].r.breakdown)) < 0)
			a++;
		if (cells[b].r.earlier || (a < s->count && cmp == 0)) {
			gone++;
			continue;
		}
		cells_bytes(c, cells[b].start, cells[b].size);
		c->count++;
	}
	return gone;
}

struct prune_state {
	struct store *st;
	peil_error *err;
	sqlite3_stmt *repack;
	sqlite3_stmt *get;	/* a row's cells by its id */
	struct seen seen;
	struct cells c;
	struct cell *cells;
	size_t cap;
	char *kpi, *period;	/* of the rows seen */
	int64_t deleted;
};

/* The row of a final period with the key in stmt and its cells in the
 * row of ps->get. */
static int prune_cells_of(struct prune_state *ps, sqlite3_stmt *stmt)
{
	struct store *st = ps->st;
	int64_t run_id = sqlite3_column_int64(stmt, 0);
	const char *kpi = store_column_text(stmt, 1);
	const char *period = store_column_text(stmt, 2);
	struct cells_reader rd;
	size_t n = 0;
	int more;

	if (!ps->kpi || strcmp(kpi, ps->kpi) != 0 ||
	    strcmp(period, ps->period) != 0) {
		seen_clear(&ps->seen);
		free(ps->kpi);
		free(ps->period);
		ps->kpi = strdup(kpi);
		ps->period = strdup(period);
		if (!ps->kpi || !ps->period)
			return st->svc->fail(ps->err, st->path, 0, NULL,
					     "out of memory");
	}
	if (cells_open(&rd, sqlite3_column_blob(ps->get, 1),
		       sqlite3_column_bytes(ps->get, 1),
		       sqlite3_column_int64(ps->get, 0)) < 0)
		return cells_damaged(st, run_id, kpi, period, ps->err);
	for (;;) {
		if (n == ps->cap) {
			size_t cap = ps->cap ? 2 * ps->cap : 1024;
			struct cell *cells = realloc(ps->cells,
						     cap * sizeof(*cells));

			if (!cells)
				return st->svc->fail(ps->err, st->path, 0,
						     NULL, "out of memory");
			ps->cells = cells;
			ps->cap = cap;
		}
		if ((more = cells_next(&rd, &ps->cells[n])) <= 0)
			break;
		n++;
	}
	if (more < 0)
		return cells_damaged(st, run_id, kpi, period, ps->err);
	if (sqlite3_column_int(stmt, 4)) {	/* a run pruned */
		int64_t gone;

		cells_start(&ps->c);
		gone = prune_cells(&ps->seen, ps->cells, n, &ps->c);
		if (!ps->c.ok)
			return st->svc->fail(ps->err, st->path, 0, NULL,
					     "out of memory");
		ps->deleted += gone;
		if (gone) {
			sqlite3_bind_int64(ps->repack, 1, run_id);
			store_bind_text(ps->repack, 2, kpi);
			store_bind_text(ps->repack, 3, period);
			sqlite3_bind_int64(ps->repack, 4, ps->c.count);
			sqlite3_bind_blob64(ps->repack, 5, ps->c.p, ps->c.len,
					    SQLITE_STATIC);
			if (store_step_done(st, ps->repack, ps->err, kpi,
					    "cannot prune the figures") < 0)
				return -1;
		}
	}
	if (seen_add(&ps->seen, ps->cells, n) < 0)
		return st->svc->fail(ps->err, st->path, 0, NULL,
				     "out of memory");
	return 0;
}

/* A row of a final period, by KPI and period, the latest run first: its
 * key, and its cells read by its id (the sort takes the keys only). */
static int prune_row(void *ctx, sqlite3_stmt *stmt)
{
	struct prune_state *ps = ctx;
	int rc;

	sqlite3_bind_int64(ps->get, 1, sqlite3_column_int64(stmt, 3));
	if (sqlite3_step(ps->get) != SQLITE_ROW) {
		sqlite3_reset(ps->get);
		return store_fail_db(ps->st, ps->err, NULL,
				     "cannot prune the figures");
	}
	rc = prune_cells_of(ps, stmt);
	sqlite3_reset(ps->get);
	return rc;
}

int store_figures_prune(struct store *st, int64_t *deleted, peil_error *err)
{
	static const char gone_sql[] =
		"SELECT coalesce(sum(figures), 0) FROM peil_figures"
		" WHERE run_id IN temp.peil_prune_run"
		" AND period NOT IN temp.peil_final";
	static const char final_sql[] =
		"SELECT run_id, kpi, period, id,"
		" run_id IN temp.peil_prune_run FROM peil_figures"
		" WHERE period IN temp.peil_final"
		" ORDER BY kpi, period, run_id DESC";
	struct prune_state ps;
	sqlite3_stmt *stmt;
	int found, rc;

	memset(&ps, 0, sizeof(ps));
	ps.st = st;
	ps.err = err;
	ps.c.ok = 1;
	*deleted = 0;
	if (store_query_int64(st, gone_sql, 0, 0, deleted, &found, err,
			      "cannot prune the figures") < 0 ||
	    store_exec(st, err,
		       "DELETE FROM peil_figures"
		       " WHERE run_id IN temp.peil_prune_run"
		       " AND period NOT IN temp.peil_final;"
		       "DROP TABLE IF EXISTS temp.peil_repack;"
		       "CREATE TEMP TABLE peil_repack (run_id, kpi, period,"
		       " figures, cells)",
		       "cannot prune the figures") < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO temp.peil_repack"
			       " VALUES (?, ?, ?, ?, ?)", -1, &ps.repack,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT figures, cells FROM"
			       " peil_figures WHERE id = ?", -1, &ps.get,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, final_sql, -1, &stmt, NULL) !=
		    SQLITE_OK) {
		store_fail_db(st, err, NULL, "cannot prune the figures");
		sqlite3_finalize(ps.repack);
		sqlite3_finalize(ps.get);
		return -1;
	}
	rc = store_rows_each(st, stmt, prune_row, &ps, err,
			     "cannot prune the figures");
	sqlite3_finalize(ps.repack);
	sqlite3_finalize(ps.get);
	seen_clear(&ps.seen);
	free(ps.seen.items);
	free(ps.c.p);
	free(ps.cells);
	free(ps.kpi);
	free(ps.period);
	if (rc != 0)
		return -1;
	*deleted += ps.deleted;
	return store_exec(st, err,
			  "DELETE FROM peil_figures WHERE (run_id, kpi, period)"
			  " IN (SELECT run_id, kpi, period"
			  " FROM temp.peil_repack);"
			  "INSERT INTO peil_figures (run_id, kpi, period,"
			  " figures, cells) SELECT run_id, kpi, period,"
			  " figures, cells FROM temp.peil_repack"
			  " WHERE figures > 0;"
			  "DROP TABLE temp.peil_repack",
			  "cannot prune the figures");
}
