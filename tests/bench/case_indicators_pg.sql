-- case_indicators_pg.sql - the shipped case indicators per team per month,
-- written by hand in PostgreSQL's SQL over tables of text columns that
-- psql's \copy makes of the demo exports: case_indicators.sql (the same
-- figures over sqlite3's .import) translated, for the PostgreSQL column of
-- the benchmark (tests/bench/pg.sh times it against peil eval on the
-- postgres store) and for verify.sh's check on that store (a second
-- method for every figure).
--
-- The KPIs are those of case_indicators.sql: casussen_gestart,
-- casussen_lopend, casussen_afgesloten, caseload, wachttijd_gemiddeld,
-- wachttijd_binnen_norm, wachtend_op_peildatum, personen_uniek,
-- casussen_zonder_persoon, instroom_per_melder, afsluitredenen,
-- afgesloten_volgens_plan, zelfredzaam_bij_afsluiting,
-- rapportcijfer_gemiddeld, rapportcijfer_aantal, rapportcijfer_voldoende.
--
-- Expects: table cases_raw (the case exports' columns as text, UTF-8, an
-- empty field as ''), table members_raw (the members export's columns as
-- text), table holidays (iso TEXT) and table months (id TEXT, first TEXT,
-- last TEXT), as lib.sh's pg_import_sql, holidays_sql and months_sql make
-- them.
-- Prints: kpi;period;cell;value, one line per figure, as
-- case_indicators.sql does, but the value at full precision (double
-- precision as PostgreSQL writes it, the shortest text that reads back as
-- the same number); verify.sh rounds it to 4 decimals with the printf that
-- rounds Peil's figures, so that a value halfway between two 4-decimal
-- texts (a mean of 32 numbers) is rounded alike on both sides.  Every
-- computation is in double precision (PostgreSQL's avg of integers and
-- 100.0 would be numeric), a share of nothing is NULL (division by zero
-- is an error in PostgreSQL, NULL in SQLite).

\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;

-- A date text of the exports (dd-mm-jjjj or d-m-jjjj) as a date; NULL for
-- an empty one.
CREATE FUNCTION pg_temp.export_date(x text) RETURNS date
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE WHEN x <> '' THEN make_date(split_part(x, '-', 3)::int,
                                          split_part(x, '-', 2)::int,
                                          split_part(x, '-', 1)::int) END
$$;

-- Working days: idx counts the working days up to and including a day, so
-- the working days d with a < d <= b are idx(b) - idx(a).
CREATE TEMP TABLE cal AS
SELECT d::date AS d,
       sum(CASE WHEN extract(isodow FROM d) IN (6, 7) THEN 0
                WHEN d::date IN (SELECT iso::date FROM holidays) THEN 0
                ELSE 1 END) OVER (ORDER BY d) AS idx
FROM generate_series(DATE '2000-01-01', DATE '2040-12-31', interval '1 day') AS d;
CREATE UNIQUE INDEX ON cal (d);

CREATE TEMP TABLE c AS
SELECT x.*, f.idx - a.idx AS wait
FROM (SELECT r."Dossiernummer" AS case_id, r."Team" AS team,
             pg_temp.export_date(r."Datum aanmelding") AS reg,
             pg_temp.export_date(r."Datum eerste kennismaking") AS fm,
             pg_temp.export_date(r."Datum afsluiting") AS cl,
             r."Melder" AS referrer, r."Reden beëindiging" AS reason,
             r."Zelfredzaam bij afsluiting" AS self_reliant,
             CAST(nullif(r."Rapportcijfer", '') AS integer) AS mark
      FROM cases_raw r WHERE r."Datum aanmelding" <> '') AS x
LEFT JOIN cal a ON a.d = x.reg
LEFT JOIN cal f ON f.d = x.fm;

CREATE TEMP TABLE m AS
SELECT id, first::date AS first, last::date AS last FROM months;

-- Every case with every month it was running in (started and closed
-- cases run in their month too), with what it counts for.
CREATE TEMP TABLE cm AS
SELECT m.id AS period, c.case_id, c.team, c.referrer, c.reason,
       (c.reg BETWEEN m.first AND m.last)::int AS started,
       (c.cl IS NOT NULL AND c.cl BETWEEN m.first AND m.last) AS closed,
       1 AS running,
       (c.cl IS NULL OR c.cl >= m.last)::int AS caseload,
       CASE WHEN c.reg BETWEEN m.first AND m.last THEN c.wait END AS wait,
       ((c.cl IS NULL OR c.cl >= m.last) AND (c.fm IS NULL OR c.fm > m.last))::int AS waiting,
       c.self_reliant, c.mark
FROM c JOIN m ON c.reg <= m.last AND (c.cl IS NULL OR c.cl >= m.first);

-- The closed cases of a month: reason, self-reliance, mark.
CREATE TEMP VIEW closed AS SELECT * FROM cm WHERE closed;

CREATE TEMP TABLE agg AS
SELECT period, team, sum(started) AS started, sum(closed::int) AS closed,
       sum(running) AS running, sum(caseload) AS caseload,
       avg(wait::float8) AS wait_mean,
       100.0::float8 * sum((wait <= 5)::int) / nullif(count(wait), 0) AS wait_norm,
       sum(waiting) AS waiting
FROM cm GROUP BY period, team
UNION ALL
SELECT period, 'Totaal', sum(started), sum(closed::int), sum(running), sum(caseload),
       avg(wait::float8),
       100.0::float8 * sum((wait <= 5)::int) / nullif(count(wait), 0), sum(waiting)
FROM cm GROUP BY period;

CREATE TEMP TABLE closure AS
SELECT period, team,
       100.0::float8 * sum((reason = 'Beëindigd volgens plan')::int) / count(*) AS planned,
       100.0::float8 * sum((self_reliant = 'ja')::int)
         / nullif(sum((self_reliant IN ('ja', 'nee'))::int), 0) AS self_reliant,
       avg(mark::float8) AS mark_mean, count(mark) AS marks,
       100.0::float8 * sum((mark >= 6)::int) / nullif(count(mark), 0) AS mark_sufficient
FROM closed GROUP BY period, team
UNION ALL
SELECT period, 'Totaal', 100.0::float8 * sum((reason = 'Beëindigd volgens plan')::int) / count(*),
       100.0::float8 * sum((self_reliant = 'ja')::int)
         / nullif(sum((self_reliant IN ('ja', 'nee'))::int), 0),
       avg(mark::float8), count(mark),
       100.0::float8 * sum((mark >= 6)::int) / nullif(count(mark), 0)
FROM closed GROUP BY period;

-- Unique persons: the members of the cases running in a month.  A member
-- without a person number is an anonymous registration.
CREATE TEMP TABLE persons AS
SELECT cm.period, cm.team,
       count(DISTINCT nullif(l."Persoonsnummer", '')) AS persons,
       count(DISTINCT CASE WHEN l."Persoonsnummer" = '' THEN cm.case_id END) AS anonymous
FROM members_raw l JOIN cm ON cm.case_id = l."Dossiernummer"
GROUP BY cm.period, cm.team
UNION ALL
SELECT cm.period, 'Totaal', count(DISTINCT nullif(l."Persoonsnummer", '')),
       count(DISTINCT CASE WHEN l."Persoonsnummer" = '' THEN cm.case_id END)
FROM members_raw l JOIN cm ON cm.case_id = l."Dossiernummer"
GROUP BY cm.period;

-- Every team in every month, also without cases then.  (The team of a
-- case is never NULL here: \copy reads an empty field as ''.)
CREATE TEMP TABLE cells AS
SELECT m.id AS period, t.team FROM m,
  (SELECT DISTINCT team FROM c UNION SELECT 'Totaal') AS t;

CREATE TEMP TABLE figures AS
SELECT 'casussen_gestart' AS kpi, cells.period, cells.team, coalesce(started, 0)::float8 AS value
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'casussen_afgesloten', cells.period, cells.team, coalesce(closed, 0)
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'casussen_lopend', cells.period, cells.team, coalesce(running, 0)
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'caseload', cells.period, cells.team, coalesce(caseload, 0)
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'wachttijd_gemiddeld', cells.period, cells.team, wait_mean
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'wachttijd_binnen_norm', cells.period, cells.team, wait_norm
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'wachtend_op_peildatum', cells.period, cells.team, coalesce(waiting, 0)
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'afgesloten_volgens_plan', cells.period, cells.team, planned
  FROM cells LEFT JOIN closure USING (period, team)
UNION ALL SELECT 'zelfredzaam_bij_afsluiting', cells.period, cells.team, self_reliant
  FROM cells LEFT JOIN closure USING (period, team)
UNION ALL SELECT 'rapportcijfer_gemiddeld', cells.period, cells.team, mark_mean
  FROM cells LEFT JOIN closure USING (period, team)
UNION ALL SELECT 'rapportcijfer_aantal', cells.period, cells.team, coalesce(marks, 0)
  FROM cells LEFT JOIN closure USING (period, team)
UNION ALL SELECT 'rapportcijfer_voldoende', cells.period, cells.team, mark_sufficient
  FROM cells LEFT JOIN closure USING (period, team);

CREATE TEMP TABLE figures_case_team AS
SELECT 'personen_uniek' AS kpi, cells.period, cells.team, coalesce(persons, 0)::float8 AS value
  FROM cells LEFT JOIN persons USING (period, team)
UNION ALL SELECT 'casussen_zonder_persoon', cells.period, cells.team, coalesce(anonymous, 0)
  FROM cells LEFT JOIN persons USING (period, team);

-- Inflow by referral source and closed cases by reason: every value found
-- in the export (empty included) in every month, and a total.
CREATE TEMP TABLE inflow AS
SELECT period, referrer, sum(started) AS started FROM cm GROUP BY period, referrer;
CREATE TEMP TABLE reasons AS
SELECT period, reason, count(*) AS closed FROM closed GROUP BY period, reason;

CREATE TEMP TABLE figures_other AS
SELECT 'instroom_per_melder' AS kpi, m.id AS period,
       'referrer=' || r.referrer AS cell, coalesce(i.started, 0)::float8 AS value
  FROM m CROSS JOIN (SELECT DISTINCT referrer FROM c) AS r
  LEFT JOIN inflow i ON i.period = m.id AND i.referrer = r.referrer
UNION ALL SELECT 'instroom_per_melder', m.id, 'Totaal', coalesce(sum(i.started), 0)
  FROM m LEFT JOIN inflow i ON i.period = m.id GROUP BY m.id
UNION ALL SELECT 'afsluitredenen', m.id, 'closure_reason=' || r.reason,
       coalesce(x.closed, 0)
  FROM m CROSS JOIN (SELECT DISTINCT reason FROM c) AS r
  LEFT JOIN reasons x ON x.period = m.id AND x.reason = r.reason
UNION ALL SELECT 'afsluitredenen', m.id, 'Totaal', coalesce(sum(x.closed), 0)
  FROM m LEFT JOIN reasons x ON x.period = m.id GROUP BY m.id;

\pset format unaligned
\pset tuples_only on
\pset fieldsep ';'
SELECT kpi, period, CASE team WHEN 'Totaal' THEN team ELSE 'team=' || team END,
       coalesce(value::text, '') FROM figures
UNION ALL
SELECT kpi, period, CASE team WHEN 'Totaal' THEN team ELSE 'case.team=' || team END,
       coalesce(value::text, '') FROM figures_case_team
UNION ALL
SELECT kpi, period, cell, coalesce(value::text, '') FROM figures_other
ORDER BY 1, 2, 3;
