/*
 * kpi_date.c - the date table of KPI scripts: ISO date text in and out,
 * backed by calendar.h (the configured holidays).  nil in gives nil out,
 * so that an empty field needs no test in the script.
 */
#include "kpi/kpi_model.h"

#include <lauxlib.h>

#include "base/calendar.h"

static const calendar *kpi_date_calendar(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* Argument i as a day number; 0 when nil (the caller returns nil). */
static int kpi_date_arg(lua_State *L, int i, int32_t *out)
{
	const char *text;

	if (lua_isnoneornil(L, i))
		return 0;
	text = lua_tostring(L, i);
	if (!text || lua_type(L, i) != LUA_TSTRING ||
	    date_parse_iso(text, out) < 0)
		return luaL_error(L, "argument %d: '%s' is not a date "
				  "(YYYY-MM-DD)", i,
				  text ? text : luaL_typename(L, i));
	return 1;
}

/* The result of date.NAME, or an error when it lies outside the years
 * that dates are written in: "0000-00-00" would compare before every date
 * as text, and count quietly wrong. */
static int kpi_push_date(lua_State *L, const char *name, int32_t date)
{
	char iso[11];

	if (date_format_iso(date, iso) < 0)
		return luaL_error(L, "date.%s: the result lies outside the "
				  "years 0001 to 9999", name);
	lua_pushstring(L, iso);
	return 1;
}

/* An error when the calendar does not know the holidays of the days d
 * with a < d <= b, which date.NAME reads. */
static void kpi_date_known(lua_State *L, const char *name, int32_t a,
			   int32_t b)
{
	char why[256];

	if (calendar_check_span(kpi_date_calendar(L), a, b, why,
				sizeof(why)) < 0)
		luaL_error(L, "date.%s: %s", name, why);
}

/* The same for whether day d is a holiday and which (a weekend day too). */
static void kpi_date_known_day(lua_State *L, const char *name, int32_t d)
{
	char why[256];

	if (calendar_check_day(kpi_date_calendar(L), d, why, sizeof(why)) < 0)
		luaL_error(L, "date.%s: %s", name, why);
}

static int kpi_date_workdays(lua_State *L)
{
	int32_t a, b;

	if (!kpi_date_arg(L, 1, &a) || !kpi_date_arg(L, 2, &b))
		return 0;
	kpi_date_known(L, "workdays", a, b);
	lua_pushinteger(L, calendar_workdays(kpi_date_calendar(L), a, b));
	return 1;
}

static int kpi_date_days_between(lua_State *L)
{
	int32_t a, b;

	if (!kpi_date_arg(L, 1, &a) || !kpi_date_arg(L, 2, &b))
		return 0;
	lua_pushinteger(L, (lua_Integer)b - a);
	return 1;
}

static int kpi_date_months_between(lua_State *L)
{
	int32_t a, b;

	if (!kpi_date_arg(L, 1, &a) || !kpi_date_arg(L, 2, &b))
		return 0;
	lua_pushinteger(L, date_months_between(a, b));
	return 1;
}

/* Day numbers stay well inside years 1..9999. */
static lua_Integer kpi_date_count(lua_State *L, int i)
{
	lua_Integer n = luaL_checkinteger(L, i);

	if (n < -3000000 || n > 3000000)
		luaL_argerror(L, i, "out of range");
	return n;
}

static int kpi_date_add_days(lua_State *L)
{
	int32_t d;
	lua_Integer n = kpi_date_count(L, 2);

	if (!kpi_date_arg(L, 1, &d))
		return 0;
	return kpi_push_date(L, "add_days", (int32_t)(d + n));
}

static int kpi_date_add_months(lua_State *L)
{
	int32_t d;
	lua_Integer n = kpi_date_count(L, 2);

	if (!kpi_date_arg(L, 1, &d))
		return 0;
	return kpi_push_date(L, "add_months", date_add_months(d, (int)n));
}

static int kpi_date_add_workdays(lua_State *L)
{
	int32_t d;
	lua_Integer n = kpi_date_count(L, 2);

	int32_t to;

	if (n < 0)
		luaL_argerror(L, 2, "must not be negative");
	if (!kpi_date_arg(L, 1, &d))
		return 0;
	to = calendar_add_workdays(kpi_date_calendar(L), d, (long)n);
	kpi_date_known(L, "add_workdays", d, to);
	return kpi_push_date(L, "add_workdays", to);
}

static const char *const parts[] = {
	"year", "month", "day", "weekday", "is_holiday", "is_workday",
	"holiday_name",
};

/* One-date functions: which part to return. */
static int kpi_date_part(lua_State *L)
{
	int which = (int)lua_tointeger(L, lua_upvalueindex(2));
	const calendar *cal = kpi_date_calendar(L);
	int32_t d;
	int y, m, day;
	const char *name;

	if (!kpi_date_arg(L, 1, &d))
		return 0;
	date_to_civil(d, &y, &m, &day);
	if (which == 5)
		kpi_date_known(L, parts[which], d - 1, d);
	else if (which >= 4)
		kpi_date_known_day(L, parts[which], d);
	switch (which) {
	case 0: lua_pushinteger(L, y); break;
	case 1: lua_pushinteger(L, m); break;
	case 2: lua_pushinteger(L, day); break;
	case 3: lua_pushinteger(L, date_weekday(d)); break;
	case 4: lua_pushboolean(L, calendar_is_holiday(cal, d)); break;
	case 5: lua_pushboolean(L, calendar_is_workday(cal, d)); break;
	default:
		name = calendar_holiday_name(cal, d);
		if (!name)
			return 0;
		lua_pushstring(L, name);
	}
	return 1;
}

static const luaL_Reg two[] = {
	{ "workdays", kpi_date_workdays },
	{ "days_between", kpi_date_days_between },
	{ "months_between", kpi_date_months_between },
	{ "add_days", kpi_date_add_days },
	{ "add_months", kpi_date_add_months },
	{ "add_workdays", kpi_date_add_workdays },
	{ NULL, NULL },
};
#define PART_COUNT (sizeof(parts) / sizeof(parts[0]))
#define TWO_COUNT (sizeof(two) / sizeof(two[0]) - 1)

const char *kpi_date_name(size_t i)
{
	if (i < TWO_COUNT)
		return two[i].name;
	return i - TWO_COUNT < PART_COUNT ? parts[i - TWO_COUNT] : NULL;
}

void kpi_date_push(lua_State *L, const calendar *cal)
{
	lua_newtable(L);
	lua_pushlightuserdata(L, (void *)cal);
	luaL_setfuncs(L, two, 1);
	for (int i = 0; i < (int)PART_COUNT; i++) {
		lua_pushlightuserdata(L, (void *)cal);
		lua_pushinteger(L, i);
		lua_pushcclosure(L, kpi_date_part, 2);
		lua_setfield(L, -2, parts[i]);
	}
}
