/*
 * pg_outside.c - whether something other than Peil wrote the rows of a
 * dataset or the figures since a run (changed_outside, ops version 19).
 *
 * A row of ds_cases changed with psql leaves the ingest log and the run
 * log as they were: a run that finds nothing changed would confirm
 * figures of rows the store no longer holds, exit 0.  So every dataset's
 * table and peil_result carry the trigger peil_outside, after each
 * INSERT, UPDATE, DELETE and TRUNCATE statement: when the session did
 * not say it is Peil's (the setting peil.writer, which each Peil
 * connection sets when it connects), it counts the write in peil_outside
 * (one row).  Each run keeps the count as it was when the run was
 * recorded, before it read a row (peil_run.outside_seen, the column's
 * default): a run that saw fewer writes than there are now may have read
 * rows that are no longer there, and changed_outside gives the last such
 * run, which `peil run` then evaluates rather than confirm.  The count
 * becomes visible when the writing transaction commits, so a write that
 * commits while a run reads makes that run suspect too.
 *
 * The trigger and peil_outside_n() run with the rights of the store's
 * owner (SECURITY DEFINER), so that a municipality's role of a shared
 * store needs no right on peil_outside, and a change through any tenant
 * makes every tenant's runs suspect (one evaluation more, never a figure
 * confirmed wrongly).  Not seen: a change of the tables themselves (ALTER
 * TABLE, DROP; an event trigger would need a superuser), and one made by
 * a session that sets peil.writer itself; a dropped table or column fails
 * the next run that reads it, naming it.
 */
#include <stdlib.h>

#include "pg_store.h"

/* "@S" as pg_tenant_expand says.  Also a migration: the triggers of the
 * datasets' tables already there. */
static const char outside_sql[] =
	"CREATE TABLE IF NOT EXISTS peil_outside (one boolean PRIMARY KEY"
	" DEFAULT true CHECK (one), n bigint NOT NULL);"
	"INSERT INTO peil_outside VALUES (true, 0) ON CONFLICT DO NOTHING;"
	"CREATE OR REPLACE FUNCTION @S.peil_outside_note() RETURNS trigger"
	" LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog,"
	" pg_temp AS $$BEGIN"
	" IF coalesce(current_setting('peil.writer', true), '') <> 'on' THEN"
	" UPDATE @S.peil_outside SET n = n + 1; END IF;"
	" RETURN NULL; END$$;"
	"CREATE OR REPLACE FUNCTION @S.peil_outside_n() RETURNS bigint"
	" LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog,"
	" pg_temp AS $$SELECT coalesce(max(n), 0) FROM @S.peil_outside$$;"
	"ALTER TABLE peil_run ADD COLUMN IF NOT EXISTS outside_seen bigint"
	" DEFAULT @S.peil_outside_n();"
	"DO $$DECLARE r record; BEGIN"
	" FOR r IN SELECT c.relname FROM pg_class c"
	" WHERE c.relnamespace = '@N'::regnamespace AND c.relkind = 'r'"
	" AND (c.relname = 'peil_result' OR c.relname LIKE 'ds\\_%')"
	" AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid"
	" AND t.tgname = 'peil_outside')"
	" LOOP EXECUTE format('CREATE TRIGGER peil_outside AFTER INSERT OR"
	" UPDATE OR DELETE OR TRUNCATE ON @S.%I FOR EACH STATEMENT EXECUTE"
	" FUNCTION @S.peil_outside_note()', r.relname); END LOOP; END$$;";

void pg_outside_schema(struct store *st, struct pg_sql *sql)
{
	pg_tenant_expand(st, sql, outside_sql);
}

void pg_outside_watch(struct store *st, struct pg_sql *sql, const char *name)
{
	pg_sql_append(sql, "CREATE TRIGGER peil_outside AFTER INSERT OR UPDATE"
			   " OR DELETE OR TRUNCATE ON ");
	pg_sql_ident(sql, "ds_", name);
	pg_sql_append(sql, " FOR EACH STATEMENT EXECUTE FUNCTION ");
	pg_sql_ident(sql, NULL, st->schema);
	pg_sql_append(sql, ".peil_outside_note();");
}

int pg_changed_outside(void *state, int64_t *after_run, peil_error *err)
{
	return pg_query_int(state, "SELECT coalesce(max(id), 0) FROM peil_run"
				   " WHERE coalesce(outside_seen, 0) <"
				   " peil_outside_n()",
			    0, NULL, after_run, err,
			    "cannot read whether the store was written by "
			    "something other than Peil");
}
