/*
 * pg_session.c - what a connection is for: readers on a hot standby, and
 * the lock of the commands that write (storage ops version 14).
 *
 * A command that only reads (peil show, report, export, runs, diff...)
 * opens the store with open_reader, which connects to [storage]
 * read_conninfo when it is set (else conninfo).  It never waits for an
 * ingest: PostgreSQL's MVCC gives it the figures committed when its
 * statement began.  When the server is a hot standby:
 *
 *   - it waits until the standby has applied the WAL its primary (the
 *     server at conninfo) had written when the reader began, or, when the
 *     primary does not answer, the WAL the standby had received, at most
 *     [storage] read_max_lag_s seconds (10);
 *     when it has not by then, the reader is refused, saying how long ago
 *     its last applied transaction was committed and whether replay is
 *     paused: what it would show may be older than what the primary has
 *     published, and a figure must be right or say why not;
 *   - when it receives nothing from its primary (no streaming WAL
 *     receiver), a warning says its figures are as of its last applied
 *     transaction, however old that is;
 *   - the one thing a reader writes, the record of a report (report_put),
 *     goes to the primary, the store at conninfo, opened when first
 *     needed: a standby cannot be written.
 *
 * A writer (ingest, run, eval, cases, prune) on a standby is refused when
 * it connects, naming the store.  Writers take a session advisory lock of
 * the schema (lock), held until they close: two Peils on one store, on
 * one machine or two, never write at once, and [run] lock_file becomes
 * optional.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

/* The first key of the writers' advisory lock (two int4 keys: the
 * second is the schema's hash); the batches' and the schema's locks are
 * one-key locks, another key space. */
#define PG_LOCK_KEY "hashtext('peil writers')"

/* How long a reader on a standby waits by default, in seconds. */
#define PG_READ_MAX_LAG_S 10

/* [storage] read_max_lag_s: a whole number of seconds, 0 or more. */
static int read_max_lag(struct store *st, long *out, peil_error *err)
{
	const char *text = st->svc->config_get(st->host, "read_max_lag_s");
	char *end;

	*out = PG_READ_MAX_LAG_S;
	if (text == NULL)
		return 0;
	*out = strtol(text, &end, 10);
	if (end == text || *end != '\0' || *out < 0 || *out > 86400)
		return pg_config_fail(st->svc, st->host, "read_max_lag_s",
				      "read_max_lag_s must be a whole number "
				      "of seconds from 0 to 86400", err);
	return 0;
}

/* The standby's replay: whether it is behind what it received, the age
 * in seconds of its last applied transaction (-1: none), whether replay
 * is paused and whether it streams from its primary.  A role without
 * pg_read_all_stats sees a WAL receiver's pid but not its status: it is
 * taken as streaming. */
struct replay {
	int behind;
	long age_s;
	int paused;
	int streaming;
};

/* behind: the standby has not applied what it received or, given the
 * primary's position target (a pg_lsn as text; "" for none), not applied
 * up to it. */
static int replay_read(struct store *st, const char *target,
		       struct replay *r, peil_error *err)
{
	const char *params[1] = { target };
	PGresult *res;

	if (pg_query(st,
		     "SELECT CASE WHEN nullif($1, '') IS NULL"
		     "  THEN coalesce(pg_last_wal_receive_lsn()"
		     "   > pg_last_wal_replay_lsn(), false)"
		     "  ELSE coalesce(pg_last_wal_replay_lsn()"
		     "   < nullif($1, '')::pg_lsn, true) END,"
		     " coalesce(floor(extract(epoch FROM now()"
		     "  - pg_last_xact_replay_timestamp()))::bigint, -1),"
		     " pg_is_wal_replay_paused(),"
		     " EXISTS (SELECT 1 FROM pg_stat_wal_receiver"
		     "  WHERE coalesce(status, 'streaming') = 'streaming')",
		     1, params, &res, err, NULL,
		     "cannot read the standby's replay") < 0)
		return -1;
	r->behind = PQgetvalue(res, 0, 0)[0] == 't';
	r->age_s = (long)pg_get_int(res, 0, 1);
	r->paused = PQgetvalue(res, 0, 2)[0] == 't';
	r->streaming = PQgetvalue(res, 0, 3)[0] == 't';
	PQclear(res);
	return 0;
}

/* The store as the reader's warnings name it: the host's log says
 * "postgres:" (the plugin) before them already. */
static const char *warn_where(const struct store *st)
{
	static const char prefix[] = "postgres: ";

	return strncmp(st->where, prefix, sizeof(prefix) - 1) == 0
		       ? st->where + sizeof(prefix) - 1
		       : st->where;
}

/* The position of the WAL the primary had written when the reader
 * began (pg_current_wal_insert_lsn: a commit not yet sent included),
 * into lsn as text, when the reader reads a standby at read_conninfo and
 * the primary at conninfo answers within max_s seconds (at least 1);
 * else "", and the reader can only wait for what the standby received:
 * when the primary did not answer, a warning says so, naming it (without
 * a password) and why. */
static void primary_position(struct store *st, long max_s, char *lsn,
			     size_t size)
{
	const char *conninfo = st->svc->config_get(st->host, "conninfo");
	char timeout[24];
	const char *keys[] = { "dbname", "connect_timeout", NULL };
	const char *values[] = { conninfo ? conninfo : "", timeout, NULL };
	const char *why = NULL;
	PGconn *conn;
	PGresult *res = NULL;
	struct pg_sql primary;
	size_t len;

	lsn[0] = '\0';
	if (st->svc->config_get(st->host, "read_conninfo") == NULL)
		return;
	snprintf(timeout, sizeof(timeout), "%ld", max_s < 1 ? 1 : max_s);
	conn = PQconnectdbParams(keys, values, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		why = conn ? PQerrorMessage(conn) : "out of memory";
	} else {
		res = PQexec(conn,
			     "SELECT CASE WHEN pg_is_in_recovery() THEN ''"
			     " ELSE pg_current_wal_insert_lsn()::text END");
		if (PQresultStatus(res) != PGRES_TUPLES_OK ||
		    PQntuples(res) != 1)
			why = PQresultErrorMessage(res);
		else if (PQgetvalue(res, 0, 0)[0] == '\0')
			why = "it is a hot standby itself";
		else
			snprintf(lsn, size, "%s", PQgetvalue(res, 0, 0));
	}
	if (why) {
		PQconninfoOption *opts = PQconninfoParse(values[0], NULL);

		pg_sql_init(&primary);
		pg_conninfo_describe(&primary, opts);
		PQconninfoFree(opts);
		len = strcspn(why, "\n");	/* libpq's first line */
		st->svc->log(st->host, PEIL_LOG_WARNING,
			     "%s: could not ask the primary (%s) how far it "
			     "had written: %.*s; waiting only for what the "
			     "standby has received, so the figures here may "
			     "lack the latest run",
			     warn_where(st), primary.ok && primary.text ?
			     primary.text + 1 : "conninfo", (int)len, why);
		pg_sql_release(&primary);
	}
	PQclear(res);
	PQfinish(conn);
}

/* A reader on a standby: wait for it to apply what its primary had
 * written when the reader began (when the primary answers) or else what
 * the standby had received, at most read_max_lag_s; refuse when it does
 * not. */
static int standby_check(struct store *st, peil_error *err)
{
	struct replay r;
	long max_s, waited_ms = 0;
	char target[64];

	if (read_max_lag(st, &max_s, err) < 0)
		return -1;
	primary_position(st, max_s, target, sizeof(target));
	if (replay_read(st, target, &r, err) < 0)
		return -1;
	while (r.behind && waited_ms < max_s * 1000) {
		if (pg_exec(st, "SELECT pg_sleep(0.1)", err,
			    "cannot wait for the standby") < 0 ||
		    replay_read(st, target, &r, err) < 0)
			return -1;
		waited_ms += 100;
	}
	if (r.behind)
		return st->svc->fail(
			err, st->where, 0, NULL,
			"the standby lags behind its primary: it has not "
			"applied the changes %s within "
			"read_max_lag_s = %ld s (its last applied transaction "
			"was committed %ld s ago%s%s), so the latest figures "
			"here may not be the latest published; read from the "
			"primary, or wait",
			target[0] ? "its primary had written when this "
				    "command began"
				  : "it received",
			max_s, r.age_s, r.paused ? "; replay is paused" : "",
			r.streaming ? "" : "; it receives nothing from its "
					   "primary");
	if (!r.streaming)
		st->svc->log(st->host, PEIL_LOG_WARNING,
			     "%s: the standby receives nothing from its "
			     "primary: what it shows is as of its last applied "
			     "transaction, committed %ld s ago; figures "
			     "published since are not here", warn_where(st),
			     r.age_s);
	return 0;
}

int pg_session_check(struct store *st, enum pg_open_mode mode,
		     peil_error *err)
{
	int64_t standby;

	if (pg_query_int(st, "SELECT pg_is_in_recovery()::int", 0, NULL,
			 &standby, err,
			 "cannot ask the server whether it is a standby") < 0)
		return -1;
	st->standby = standby != 0;
	if (!st->standby)
		return 0;
	if (mode != PG_OPEN_READER)
		return st->svc->fail(err, st->where, 0, NULL,
				     "the server is a hot standby, which "
				     "cannot be written: peil ingest, run, "
				     "eval, cases and prune need the primary "
				     "in [storage] conninfo (a standby's "
				     "place is read_conninfo)");
	return standby_check(st, err);
}

int pg_open_reader(const peil_services *svc, peil_host *host, void **state,
		   peil_error *err)
{
	return pg_open_store(svc, host, state, PG_OPEN_READER, err);
}

int pg_report_put_primary(void *state, const peil_report_record *report,
			  int64_t *report_id, peil_error *err)
{
	struct store *st = state;
	void *primary;

	if (!st->standby)
		return pg_report_put(st, report, report_id, err);
	if (st->primary == NULL) {
		if (pg_open_store(st->svc, st->host, &primary,
				  PG_OPEN_EXISTING, err) < 0)
			return -1;
		st->primary = primary;
	}
	return pg_report_put(st->primary, report, report_id, err);
}

int pg_lock(void *state, long wait_ms, peil_error *err)
{
	struct store *st = state;
	const char *params[1] = { st->schema };
	PGresult *res;
	long waited_ms = 0;
	int64_t taken;

	for (;;) {
		if (pg_query_int(st,
				 "SELECT pg_try_advisory_lock(" PG_LOCK_KEY ","
				 " hashtext($1))::int",
				 1, params, &taken, err,
				 "cannot take the lock of the store") < 0)
			return -1;
		if (taken)
			return 0;
		if (waited_ms >= wait_ms)
			break;
		if (pg_exec(st, "SELECT pg_sleep(0.1)", err,
			    "cannot wait for the lock of the store") < 0)
			return -1;
		waited_ms += 100;
	}
	/* Who holds it, for the message: its server process. */
	if (pg_query(st,
		     "SELECT pid FROM pg_locks WHERE locktype = 'advisory'"
		     " AND granted AND objsubid = 2"
		     " AND classid = " PG_LOCK_KEY "::oid"
		     " AND objid = hashtext($1)::oid LIMIT 1",
		     1, params, &res, err, NULL,
		     "cannot read who holds the lock of the store") < 0)
		return -1;
	st->svc->fail(err, st->where, 0, NULL,
		      "another peil (server process %s) holds the lock; gave "
		      "up after %ld s", PQntuples(res) ? PQgetvalue(res, 0, 0)
						       : "unknown",
		      wait_ms / 1000);
	PQclear(res);
	return PEIL_STORE_LOCK_BUSY;
}
