-- case_indicators.sql - the shipped case indicators per team per month,
-- written by hand in SQL over the untyped tables that sqlite3's .import
-- makes of the demo exports.  This is what an analyst would otherwise run;
-- the benchmark times it against peil eval, and verify.sh checks that
-- both give the same figures (a second method for every figure).
--
-- The KPIs (ids of scripts/): casussen_gestart, casussen_lopend,
-- casussen_afgesloten (casussen.lua), caseload (caseload.lua),
-- wachttijd_gemiddeld, wachttijd_binnen_norm, wachtend_op_peildatum
-- (wachttijd.lua), personen_uniek, casussen_zonder_persoon (personen.lua),
-- instroom_per_melder (instroom.lua), afsluitredenen,
-- afgesloten_volgens_plan, zelfredzaam_bij_afsluiting,
-- rapportcijfer_gemiddeld, rapportcijfer_aantal, rapportcijfer_voldoende
-- (afsluiting.lua).
--
-- Expects: table cases_raw (the case exports' columns as text, UTF-8),
-- table members_raw (the members export's columns as text), table
-- holidays (iso TEXT) and table months (id TEXT, first TEXT, last TEXT).
-- Prints: kpi;period;cell;value, one line per figure, where cell is
-- "Totaal" or FIELD=VALUE with the field of the breakdown as Peil's JSON
-- names it (team, case.team, referrer, closure_reason); an empty value
-- has nothing after the "=".

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
SELECT r."Dossiernummer" AS case_id, r."Team" AS team,
       a.jd AS reg, f.jd AS fm, z.jd AS cl,
       (SELECT idx FROM cal WHERE cal.jd = f.jd) -
       (SELECT idx FROM cal WHERE cal.jd = a.jd) AS wait,
       r."Melder" AS referrer, r."Reden beëindiging" AS reason,
       r."Zelfredzaam bij afsluiting" AS self_reliant,
       CAST(nullif(r."Rapportcijfer", '') AS INTEGER) AS mark
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
SELECT m.id AS period, c.case_id, c.team, c.referrer, c.reason,
       c.reg BETWEEN m.first AND m.last AS started,
       c.cl IS NOT NULL AND c.cl BETWEEN m.first AND m.last AS closed,
       1 AS running,
       c.cl IS NULL OR c.cl >= m.last AS caseload,
       CASE WHEN c.reg BETWEEN m.first AND m.last THEN c.wait END AS wait,
       (c.cl IS NULL OR c.cl >= m.last) AND (c.fm IS NULL OR c.fm > m.last) AS waiting,
       c.self_reliant, c.mark
FROM c JOIN m ON c.reg <= m.last AND (c.cl IS NULL OR c.cl >= m.first);

-- The closed cases of a month: reason, self-reliance, mark.
CREATE TEMP VIEW closed AS SELECT * FROM cm WHERE closed;

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

CREATE TEMP TABLE closure AS
SELECT period, team,
       100.0 * sum(reason = 'Beëindigd volgens plan') / count(*) AS planned,
       100.0 * sum(self_reliant = 'ja') / sum(self_reliant IN ('ja', 'nee')) AS self_reliant,
       avg(mark) AS mark_mean, count(mark) AS marks,
       100.0 * sum(mark >= 6) / count(mark) AS mark_sufficient
FROM closed GROUP BY period, team
UNION ALL
SELECT period, 'Totaal', 100.0 * sum(reason = 'Beëindigd volgens plan') / count(*),
       100.0 * sum(self_reliant = 'ja') / sum(self_reliant IN ('ja', 'nee')),
       avg(mark), count(mark), 100.0 * sum(mark >= 6) / count(mark)
FROM closed GROUP BY period;

-- Unique persons: the members of the cases running in a month.  A member
-- without a person number is an anonymous registration.
CREATE INDEX temp.cm_case ON cm (case_id);
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
  FROM cells LEFT JOIN agg USING (period, team)
UNION ALL SELECT 'afgesloten_volgens_plan', cells.period, cells.team, planned
  FROM cells LEFT JOIN closure USING (period, team)
UNION ALL SELECT 'zelfredzaam_bij_afsluiting', cells.period, cells.team, self_reliant
  FROM cells LEFT JOIN closure USING (period, team)
UNION ALL SELECT 'rapportcijfer_gemiddeld', cells.period, cells.team, mark_mean
  FROM cells LEFT JOIN closure USING (period, team)
UNION ALL SELECT 'rapportcijfer_aantal', cells.period, cells.team, ifnull(marks, 0)
  FROM cells LEFT JOIN closure USING (period, team)
UNION ALL SELECT 'rapportcijfer_voldoende', cells.period, cells.team, mark_sufficient
  FROM cells LEFT JOIN closure USING (period, team);

CREATE TEMP TABLE figures_case_team AS
SELECT 'personen_uniek' AS kpi, cells.period, cells.team, ifnull(persons, 0) AS value
  FROM cells LEFT JOIN persons USING (period, team)
UNION ALL SELECT 'casussen_zonder_persoon', cells.period, cells.team, ifnull(anonymous, 0)
  FROM cells LEFT JOIN persons USING (period, team);

-- Inflow by referral source and closed cases by reason: every value found
-- in the export (empty included) in every month, and a total.
CREATE TEMP TABLE inflow AS
SELECT period, referrer, sum(started) AS started FROM cm GROUP BY period, referrer;
CREATE TEMP TABLE reasons AS
SELECT period, reason, count(*) AS closed FROM closed GROUP BY period, reason;

CREATE TEMP TABLE figures_other AS
SELECT 'instroom_per_melder' AS kpi, m.id AS period,
       'referrer=' || r.referrer AS cell, ifnull(i.started, 0) AS value
  FROM m CROSS JOIN (SELECT DISTINCT referrer FROM c) AS r
  LEFT JOIN inflow i ON i.period = m.id AND i.referrer = r.referrer
UNION ALL SELECT 'instroom_per_melder', m.id, 'Totaal', ifnull(sum(i.started), 0)
  FROM m LEFT JOIN inflow i ON i.period = m.id GROUP BY m.id
UNION ALL SELECT 'afsluitredenen', m.id, 'closure_reason=' || r.reason,
       ifnull(x.closed, 0)
  FROM m CROSS JOIN (SELECT DISTINCT reason FROM c) AS r
  LEFT JOIN reasons x ON x.period = m.id AND x.reason = r.reason
UNION ALL SELECT 'afsluitredenen', m.id, 'Totaal', ifnull(sum(x.closed), 0)
  FROM m LEFT JOIN reasons x ON x.period = m.id GROUP BY m.id;

.mode list
.separator ;
SELECT kpi, period, CASE team WHEN 'Totaal' THEN team ELSE 'team=' || team END,
       ifnull(printf('%.4f', value), '') FROM figures
UNION ALL
SELECT kpi, period, CASE team WHEN 'Totaal' THEN team ELSE 'case.team=' || team END,
       ifnull(printf('%.4f', value), '') FROM figures_case_team
UNION ALL
SELECT kpi, period, cell, ifnull(printf('%.4f', value), '') FROM figures_other
ORDER BY 1, 2, 3;
