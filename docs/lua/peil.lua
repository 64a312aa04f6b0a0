---@meta peil
-- peil.lua - definitions of Peil's KPI language for the Lua language
-- server (LuaLS, sumneko): completion of kpi{} keys and helpers, types,
-- and a warning on a typo.  Never run: Peil's scripts get these names
-- from the host (host/kpi/kpi_dsl.c, kpi_date.c); a test
-- (lua_definitions) checks that every helper, kpi{} key and date
-- function the host registers is here, and nothing else.
--
-- Use it with a .luarc.json beside the scripts:
--   { "workspace.library": ["/usr/share/peil/lua"],
--     "runtime.version": "Lua 5.4" }
-- docs/kpi-scripts.md is the guide.

---A field name of the KPI's dataset, such as "registered".
---@alias peil.Field string
---The grain of a KPI's periods.
---@alias peil.Grain "month"|"quarter"|"year"|"contract_year"|"maand"|"kwartaal"|"jaar"|"contractjaar"

---What a helper builds: a selection, measure, condition, rule or
---parameter.  Only Peil reads it.
---@class peil.Node

---@class peil.Period
---@field id string "2018-05", "2018-Q2", "2018" or "2018/2019"
---@field grain string "month", "quarter", "year" or "contract_year"
---@field first string the period's first day, "YYYY-MM-DD"
---@field last string its last day
---@field reference string its reference date (peildatum)

---A field, a measure helper, or a function of the row and period that
---returns a number or nil.
---@alias peil.Measure peil.Field|peil.Node|fun(row: table<string, any>, period: peil.Period, data?: table): number?

---A condition helper, or a function of the row and period that returns
---true, false or nil.
---@alias peil.Condition peil.Node|fun(row: table<string, any>, period: peil.Period, data?: table): boolean?

---@class peil.Target
---@field min? number the value must be at least this
---@field max? number the value must be at most this
---@field margin? number|string how far it may miss and be "at risk": an amount, or "10%"
---@field applies? "all"|"total"|"cells" where min and max hold: every cell and the total, the total only, the cells only
---A lot's own target: ["min.FIELD.VALUE"] = 800, ["max.FIELD.VALUE"] = 5
---@field [string] number

---@class peil.Join
---@field dataset string the other dataset
---@field on peil.Field the field of this row that is the other's key

---@class peil.Lookup
---@field dataset string the other dataset
---@field by peil.Field the field its rows are found by

---One KPI: every key but these is a mistake.
---@class peil.Kpi
---@field id string lower-case letters, digits and _; a later file's KPI with the same id replaces it
---@field title string a short Dutch title for reports
---@field description? string what is counted, in words
---@field unit string "casussen", "werkdagen", "%", ...
---@field dataset string the dataset to read
---@field grain peil.Grain|peil.Grain[] one grain, or several: { "month", "quarter", "year" }
---@field breakdown? peil.Field[] fields to split by, e.g. { "team" }
---@field select? peil.Node which periods a row belongs to (started_in, running_in, ...)
---@field where? peil.Condition a condition a row must meet to count at all
---@field rule peil.Node what to compute: count, share, mean, sum, min, max, count_distinct, ratio, share_of_total
---@field target? peil.Target
---@field per? peil.Field count groups of rows (persons) rather than rows
---@field having? peil.Condition with per: a condition on each group
---@field join? table<string, peil.Join> fields of another dataset's matching row
---@field lookup? table<string, peil.Lookup> another dataset's rows, for functions
---@field params? table<string, number|string> parameters a contract may change, with defaults
---@field tags? string[] names for choosing a set: [run] kpis = -tag:NAME, peil eval --kpi tag:NAME
---@field decimals? integer decimals of every value in the tables (0 to 6); default 0 for count(), count_distinct(), sum(), min(), max(), 1 for share(), mean(), ratio() and share_of_total()
---@field compare? ("previous"|"year_before")[] compare each figure with the previous period of its grain and the same period a year before
---@field visibility? "public"|"internal" "public": the KPI may leave through a public output (peil report --public, a public Prometheus export); default "internal"

---Define a KPI.
---@param definition peil.Kpi
function kpi(definition) end

---A module of shared functions: NAME.lua (dots are directories) in the
---script directories, run once per script.
---@param name string
---@return any
function require(name) end

-- Selecting periods ------------------------------------------------------

---The date lies in the period.
---@param field peil.Field a date field
---@return peil.Node
function started_in(field) end

---The date lies in the period.
---@param field peil.Field a date field
---@return peil.Node
function closed_in(field) end

---Start on or before the period's last day, and no end or an end on or
---after its first day.
---@param start peil.Field
---@param finish peil.Field
---@return peil.Node
function running_in(start, finish) end

---Start on or before the reference date, and no end or an end on or
---after it.
---@param start peil.Field
---@param finish peil.Field
---@return peil.Node
function on_reference_date(start, finish) end

---The date lies on or before the period's last day.
---@param field peil.Field a date field
---@return peil.Node
function up_to(field) end

---A breakdown entry: field's values in the groups of [group NAME] of
---peil.ini (a value it lacks in its other group; an empty one stays empty).
---@param field peil.Field
---@param name string the NAME of a [group NAME]
---@return peil.Node
function group(field, name) end

---The date lies on or after the contract's first day ([contract] start)
---and on or before the period's last day; without [contract] start the
---KPI is not evaluated.
---@param field peil.Field a date field
---@return peil.Node
function cumulative(field) end

-- Measures ---------------------------------------------------------------

---Working days d with a < d <= b (no weekends, no holidays of the
---calendar); empty when either date is empty.
---@param a peil.Field
---@param b peil.Field
---@return peil.Node
function workdays(a, b) end

---Whole months from the date to the period's reference date.
---@param field peil.Field
---@return peil.Node
function months_to_reference(field) end

---Calendar days from the first date to the second.
---@param a peil.Field
---@param b peil.Field
---@return peil.Node
function days_between(a, b) end

---Of the dates `months` after `start` (not after `stop`, when given), the
---number whose date plus `grace_days` lies before the period's reference
---date, with no row of the lookup under the row's `key` whose `step` is
---those months and `done` a date on or before the reference date.
---Evaluated in C.
---@param spec { start: peil.Field, stop?: peil.Field, months: integer[], lookup: string, key: peil.Field, step: string, done: string, grace_days?: integer|peil.Node }
---@return peil.Node
function overdue(spec) end

---Of the rows of the lookup under the row's `key` whose `date` lies from
---`from` to `to` (when given and set), ordered by date and then by
---`order` (when given), the date of the first after the first whose
---`score` stands at least `rungs` above the first's; empty when there is
---none.  Evaluated in C.
---@param spec { lookup: string, key: peil.Field, date: string, score: string, from: peil.Field, to?: peil.Field, rungs: integer|peil.Node, order?: string }
---@return peil.Node
function first_rise(spec) end

---The change of a score between the first and the latest measurement on
---or before the period's last day, summed over the distinct (key, by) of
---the row or of a per group's rows, counting those whose latest lies
---after the first and in or after the period; none: empty.  Evaluated in
---C, the lookup held in C.
---@param spec { lookup: string, key: peil.Field, date: string, score: string, by?: peil.Field }
---@return peil.Node
function score_change(spec) end

-- Conditions -------------------------------------------------------------

---The field has a value.
---@param field peil.Field
---@return peil.Node
function is_set(field) end

---The field is empty.
---@param field peil.Field
---@return peil.Node
function is_empty(field) end

---The date lies in the period, from its first day to its last.
---@param m peil.Measure
---@return peil.Node
function in_period(m) end

---Equal.
---@param m peil.Measure
---@param v any
---@return peil.Node
function eq(m, v) end

---Not equal.
---@param m peil.Measure
---@param v any
---@return peil.Node
function ne(m, v) end

---Less than.
---@param m peil.Measure
---@param v any
---@return peil.Node
function lt(m, v) end

---Less than or equal.
---@param m peil.Measure
---@param v any
---@return peil.Node
function le(m, v) end

---Greater than.
---@param m peil.Measure
---@param v any
---@return peil.Node
function gt(m, v) end

---Greater than or equal.
---@param m peil.Measure
---@param v any
---@return peil.Node
function ge(m, v) end

---The same as le.
---@param m peil.Measure
---@param v any
---@return peil.Node
function at_most(m, v) end

---The same as ge.
---@param m peil.Measure
---@param v any
---@return peil.Node
function at_least(m, v) end

---Equal to one of the values.
---@param field peil.Field
---@param values any[]
---@return peil.Node
function one_of(field, values) end

---Every condition holds.
---@param conditions peil.Condition[]
---@return peil.Node
function all(conditions) end

---At least one condition holds.
---@param conditions peil.Condition[]
---@return peil.Node
function any(conditions) end

---The condition does not hold.
---@param condition peil.Condition
---@return peil.Node
function negate(condition) end

-- Rules ------------------------------------------------------------------

---The number of selected rows (for which the condition holds).
---@param condition? peil.Condition
---@return peil.Node
function count(condition) end

---How many different non-empty values.
---@param m peil.Measure
---@return peil.Node
function count_distinct(m) end

---The sum (0 when nothing).
---@param m peil.Measure
---@return peil.Node
function sum(m) end

---Sum / number of values (empty ones are left out).
---@param m peil.Measure
---@return peil.Node
function mean(m) end

---The smallest value.
---@param m peil.Measure
---@return peil.Node
function min(m) end

---The largest value.
---@param m peil.Measure
---@return peil.Node
function max(m) end

---100 x the rows for which the condition holds / the selected rows (%).
---@param condition peil.Condition
---@return peil.Node
function share(condition) end

---factor x the sum of a / the sum of b, each added up per cell and for
---the total before dividing: ratio(sum("hours_absent"),
---sum("hours_contracted"), 100).
---@param a peil.Node count() or sum()
---@param b peil.Node count(), sum() or dataset_sum()
---@param factor? number 100 for a percentage, 1000 for per 1000 (default 1)
---@return peil.Node
function ratio(a, b, factor) end

---ratio()'s denominator from another dataset: the sum of its number field
---over its rows with the cell's breakdown values (the total: all rows).
---@param dataset string the other dataset, with the breakdown's fields
---@param field string its number field
---@return peil.Node
function dataset_sum(dataset, field) end

---100 x a of the cell / a of the total in the period (%): a provider's
---share of all referrals.
---@param a peil.Node count() or sum()
---@return peil.Node
function share_of_total(a) end

-- Parameters -------------------------------------------------------------

---A parameter declared in params, as the contract sets it.
---@param name string
---@return peil.Node|number|string
function param(name) end

---The period's reference date.
---@return peil.Node
function reference_date() end

-- Dates ("YYYY-MM-DD" text; nil in, nil out) -----------------------------

---@class peil.date
date = {}

---Working days d with a < d <= b (negative when b < a).
---@param a string?
---@param b string?
---@return integer?
function date.workdays(a, b) end

---b - a in days.
---@param a string?
---@param b string?
---@return integer?
function date.days_between(a, b) end

---Whole months; a month is complete on the same day of the month.
---@param a string?
---@param b string?
---@return integer?
function date.months_between(a, b) end

---A new date n days later.
---@param d string?
---@param n integer
---@return string?
function date.add_days(d, n) end

---A new date n months later; 31 January + 1 month is the end of February.
---@param d string?
---@param n integer
---@return string?
function date.add_months(d, n) end

---The date n working days after d.
---@param d string?
---@param n integer
---@return string?
function date.add_workdays(d, n) end

---@param d string?
---@return integer?
function date.year(d) end

---@param d string?
---@return integer?
function date.month(d) end

---@param d string?
---@return integer?
function date.day(d) end

---1 Monday ... 7 Sunday.
---@param d string?
---@return integer?
function date.weekday(d) end

---@param d string?
---@return boolean?
function date.is_holiday(d) end

---@param d string?
---@return boolean?
function date.is_workday(d) end

---"Tweede Pinksterdag", or nil.
---@param d string?
---@return string?
function date.holiday_name(d) end
