-- case_indicators.sql - the shipped case indicators per team per month,
-- written by hand in SQL over the untyped table that sqlite3's .import
-- makes of the demo exports.  This is what an analyst would otherwise run;
-- the benchmark times it against peil eval, and verify.sh checks that
-- both give the same figures (a second method for every figure).
--
-- Expects: table cases_raw (the export's columns as text), table holidays
-- (iso TEXT) and table months (id TEXT, first TEXT, last TEXT).
-- Prints: kpi;period;team;value, one line per figure.

-- Each date text of the exports (dd-mm-jjjj or d-m-jjjj) as a day number.
CREATE TEMP TABLE dmap AS
WITH t(x) AS (
  SELECT "Datum aanmelding" FROM cases_raw
  UNION SELECT "Datum eerste kennismaking" FROM cases_raw
  UNION SELECT "Datum afsluiting" FROM cases_raw),
p AS (SELECT x, CAST(substr(x, 1, instr(x, '-') - 1) AS INTEGER) AS d,
             substr(x, instr(x, '-') + 1) AS rest FROM t WHERE x <> ''),
q AS (SELECT x, d, CAST(substr(rest, 1, instr(rest, '-') - 1) AS INTEGER) AS m,
             CAST(substr(rest, instr(rest, '-') + 1) AS INTEGER) AS y FROM p)
SELECT x, CAST(julianday(printf('%04d-%02d-%02d', y, m, d)) AS INTEGER) AS jd
FROM q;
CREATE UNIQUE INDEX temp.dmap_x ON dmap (x);

-- Working days: idx counts the working days up to and including a day, so
-- the working days d with a < d <= b are idx(b) - idx(a).
CREATE TEMP TABLE cal AS
WITH RECURSIVE day(jd) AS (
  SELECT CAST(julianday('2000-01-01') AS INTEGER)
  UNION ALL SELECT jd + 1 FROM day WHERE jd < CAST(julianday('2040-12-31') AS INTEGER)),
flag AS (
  SELECT jd, CASE WHEN CAST(strftime('%w', jd + 0.5) AS INTEGER) IN (0, 6) THEN 0
                  WHEN jd IN (SELECT CAST(julianday(iso) AS INTEGER) FROM holidays) THEN 0
                  ELSE 1 END AS work
  FROM day)
SELECT jd, sum(work) OVER (ORDER BY jd) AS idx FROM flag;
CREATE UNIQUE INDEX temp.cal_jd ON cal (jd);

CREATE TEMP TABLE c AS
SELECT r."Team" AS team, a.jd AS reg, f.jd AS fm, z.jd AS cl,
       (SELECT idx FROM cal WHERE cal.jd = f.jd) -
       (SELECT idx FROM cal WHERE cal.jd = a.jd) AS wait
FROM cases_raw r
JOIN dmap a ON a.x = r."Datum aanmelding"
LEFT JOIN dmap f ON f.x = r."Datum eerste kennismaking"
LEFT JOIN dmap z ON z.x = r."Datum afsluiting";

CREATE TEMP TABLE m AS
SELECT id, CAST(julianday(first) AS INTEGER) AS first,
       CAST(julianday(last) AS INTEGER) AS last FROM months;

-- Every case with every month it was running in (started and closed
-- cases run in their month too), with what it counts for.
CREATE TEMP TABLE cm AS
SELECT m.id AS period, c.team,
       c.reg BETWEEN m.first AND m.last AS started,
       c.cl IS NOT NULL AND c.cl BETWEEN m.first AND m.last AS closed,
       1 AS running,
       c.cl IS NULL OR c.cl >= m.last AS caseload,
       CASE WHEN c.reg BETWEEN m.first AND m.last THEN c.wait END AS wait,
       (c.cl IS NULL OR c.cl >= m.last) AND (c.fm IS NULL OR c.fm > m.last) AS waiting
FROM c JOIN m ON c.reg <= m.last AND (c.cl IS NULL OR c.cl >= m.first);

CREATE TEMP TABLE agg AS
SELECT period, team, sum(started) AS started, sum(closed) AS closed,
       sum(running) AS running, sum(caseload) AS caseload,
       avg(wait) AS wait_mean, 100.0 * sum(wait <= 5) / count(wait) AS wait_norm,
       sum(waiting) AS waiting
FROM cm GROUP BY period, team
UNION ALL
SELECT period, 'Totaal', sum(started), sum(closed), sum(running), sum(caseload),
       avg(wait), 100.0 * sum(wait <= 5) / count(wait), sum(waiting)
FROM cm GROUP BY period;

-- Every team in every month, also without cases then.
CREATE TEMP TABLE cells AS
SELECT m.id AS period, t.team FROM m,
  (SELECT DISTINCT team FROM c UNION SELECT 'Totaal') AS t;

CREATE TEMP TABLE figures AS
SELECT 'casussen_gestart' AS kpi, cells.period, cells.team, ifnull(started, 0) AS value
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'casussen_afgesloten', cells.period, cells.team, ifnull(closed, 0)
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'casussen_lopend', cells.period, cells.team, ifnull(running, 0)
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'caseload', cells.period, cells.team, ifnull(caseload, 0)
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'wachttijd_gemiddeld', cells.period, cells.team, wait_mean
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'wachttijd_binnen_norm', cells.period, cells.team, wait_norm
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'wachtend_op_peildatum', cells.period, cells.team, ifnull(waiting, 0)
  FROM cells LEFT JOIN agg USING (period, team);

.mode list
.separator ;
SELECT kpi, period, team, ifnull(printf('%.4f', value), '') FROM figures
ORDER BY kpi, period, team;
