# lib.sh - shell helpers of the benchmark and of its verification: the
# Dutch holidays and months as SQL, and the import of exports with the
# sqlite3 tool.  Sourced, not run.

# Easter Sunday of a year as jjjj-mm-dd (the anonymous Gregorian
# algorithm, as in host/calendar.c: a second implementation on purpose).
easter() {
	local y=$1 a b c d e f g h i k l m month day
	a=$((y % 19)) b=$((y / 100)) c=$((y % 100))
	d=$((b / 4)) e=$((b % 4)) f=$(((b + 8) / 25))
	g=$(((b - f + 1) / 3)) h=$(((19 * a + b - d - g + 15) % 30))
	i=$((c / 4)) k=$((c % 4)) l=$(((32 + 2 * e + 2 * i - h - k) % 7))
	m=$(((a + 11 * h + 22 * l) / 451))
	month=$(((h + l - 7 * m + 114) / 31))
	day=$((((h + l - 7 * m + 114) % 31) + 1))
	printf '%04d-%02d-%02d\n' "$y" "$month" "$day"
}

# INSERTs of the default calendar's holidays (conf/peil.ini: Goede Vrijdag
# and Bevrijdingsdag on) for the years from $1 to $2.
holidays_sql() {
	local y e king
	echo "CREATE TABLE IF NOT EXISTS holidays (iso TEXT);"
	for ((y = $1; y <= $2; y++)); do
		e=$(easter "$y")
		if ((y >= 2014)); then
			king=$y-04-27
			[ "$(date -d "$king" +%u)" = 7 ] && king=$y-04-26
		else
			king=$y-04-30
			[ "$(date -d "$king" +%u)" = 7 ] && king=$y-04-29
		fi
		for d in "$y-01-01" "$(date -d "$e -2 days" +%F)" \
			"$(date -d "$e +1 day" +%F)" "$king" "$y-05-05" \
			"$(date -d "$e +39 days" +%F)" "$(date -d "$e +50 days" +%F)" \
			"$y-12-25" "$y-12-26"; do
			echo "INSERT INTO holidays VALUES ('$d');"
		done
	done
}

# The months of year $1 as a table.
months_sql() {
	local m first
	echo "CREATE TABLE IF NOT EXISTS months (id TEXT, first TEXT, last TEXT);"
	for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
		first=$1-$m-01
		echo "INSERT INTO months VALUES ('$1-$m', '$first'," \
			"'$(date -d "$first +1 month -1 day" +%F)');"
	done
}

# UTF-8 copies in directory $1 of the Windows-1252 case exports "${@:2}"
# (conf/peil.ini: encoding = windows-1252), made once: sqlite3 reads UTF-8
# and would store the ë of "Reden beëindiging" and of the closure reasons
# as an invalid byte, so an analyst converts an export before importing
# it.
utf8_copies() {
	local dir=$1 f
	shift
	mkdir -p "$dir"
	for f in "$@"; do
		if [ ! -s "$dir/${f##*/}" ]; then
			iconv -f windows-1252 -t utf-8 "$f" >"$dir/${f##*/}.tmp" &&
				mv "$dir/${f##*/}.tmp" "$dir/${f##*/}" || return 1
		fi
	done
}

# sqlite3 commands that import the (UTF-8) case export files "$@" into
# cases_raw, as an analyst would: .import of semicolon CSV into an untyped
# table.
import_commands() {
	local first=1 f
	echo ".mode csv"
	echo ".separator ;"
	for f in "$@"; do
		if [ $first = 1 ]; then
			echo ".import '$f' cases_raw"
			first=0
		else
			echo ".import --skip 1 '$f' cases_raw"
		fi
	done
}

# sqlite3 commands that import the members export $1 (UTF-8, as the
# source demo_members of conf/peil.ini reads it) into members_raw.
members_import_commands() {
	echo ".mode csv"
	echo ".separator ;"
	echo ".import '$1' members_raw"
}

# psql commands that make table $1 of text columns, one per column of
# the header of the (UTF-8, semicolon) export $2, without key or index,
# and \copy the exports "${@:2}" into it, as an analyst would.  An empty
# field stays '' (NULL '\N': an export never holds that text), as in
# sqlite3's .import.
pg_import_sql() {
	local table=$1 f
	shift
	echo "DROP TABLE IF EXISTS $table;"
	head -1 "$1" | tr -d '\r\n"' |
		awk -F';' -v t="$table" '{
			printf("CREATE TABLE %s (", t)
			for (i = 1; i <= NF; i++)
				printf("%s\"%s\" text", i > 1 ? ", " : "", $i)
			print ");"
		}'
	for f in "$@"; do
		echo "\\copy $table FROM '$f' WITH (FORMAT csv, DELIMITER ';', HEADER true, NULL '\\N')"
	done
}

# The configuration of bench_config (on stdin) on the postgres store: the
# store in schema $2 of the database at libpq connection string $1, the
# lock in file $3 (the postgres store suggests none).
postgres_config() {
	sed -e "s|^storage = sqlite|storage = postgres|" \
	    -e "/^\[storage\]/,/^\[/s|^path = .*|conninfo = $1\nschema = $2|" \
	    -e "s|^;lock_file = .*|lock_file = $3|"
}

# A copy of conf/peil.ini that reads the exports in $2 and keeps its store
# at $3, for the source tree $1 and the plugins in $4; on stdout.  The
# small-cell rules are off: the figures are compared one by one.
bench_config() {
	sed -e "s|^path = ../var/demo/|path = $2/|" \
	    -e "s|^path = ../var/peil.db|path = $3|" \
	    -e "s|^script_dirs = ../scripts|script_dirs = $1/scripts\nplugin_dirs = $4|" \
	    -e "s|^reject_dir = .*|reject_dir = $(dirname "$3")/rejects|" \
	    -e "s|^min_count = .*|min_count = 0|" \
	    "$1/conf/peil.ini"
}

# bench_options ROWS FILE ARGS...: the options of a benchmark script,
# into rows_list (default ROWS), runs (3), build ($src/build) and out
# ($src/build/bench/FILE).  An option of the script alone goes to its
# function bench_option ARGS..., when it defines one: it returns 0 with
# $taken set to the number of arguments it used, or 1 for an option it
# does not know; $bench_usage lists such options for the usage line.
# Needs $src.
bench_options() {
	rows_list=$1 runs=3 build=$src/build out=$src/build/bench/$2
	shift 2
	while [ $# -gt 0 ]; do
		case $1 in
		--rows) rows_list=$2; shift 2 ;;
		--runs) runs=$2; shift 2 ;;
		--build) build=$(cd "$2" && pwd); shift 2 ;;
		--out) out=$2; shift 2 ;;
		*)
			if declare -F bench_option >/dev/null && bench_option "$@"; then
				shift "$taken"
			else
				echo "usage: $0 [--rows N...] [--runs N] ${bench_usage:-}[--build DIR] [--out FILE]" >&2
				exit 64
			fi ;;
		esac
	done
}

# bench_ab_options DEFAULT_ROWS OUT_NAME ARGS...: bench_options for a
# benchmark of two builds side by side, which also needs --before DIR,
# the build to compare with (in $before; side_build names either).
bench_ab_options() {
	before=
	bench_usage="--before DIR "
	bench_option() { [ "$1" = --before ] && before=$(cd "$2" && pwd) && taken=2; }
	bench_options "$@"
	[ -n "$before" ] || { echo "bench: --before DIR (the build to compare with) is needed" >&2; exit 64; }
}

# side_build SIDE: the build of side "before" or "after".
side_build() { if [ "$1" = before ]; then echo "$before"; else echo "$build"; fi; }

# median: the median of the numbers on stdin, one a line.
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# bench_setup NAME PACKAGES TOOL...: after bench_options, the setup of a
# benchmark of the demo's exports: each TOOL must be there (else the
# Debian PACKAGES to install are named); sets peil and demo (the build's
# programs), year and first_year (the demo's years), and work (BENCH_DIR
# or a new temporary directory), and makes the directory of $out.
bench_setup() {
	local name=$1 packages=$2 tool
	shift 2
	for tool in "$@"; do
		command -v "$tool" >/dev/null ||
			{ echo "$name: $tool is needed (apt-get install $packages)" >&2; exit 1; }
	done
	peil=$build/peil demo=$build/peil-demo
	year=2018 first_year=2012
	work=${BENCH_DIR:-$(mktemp -d --tmpdir peil-bench-XXXXXX)}
	mkdir -p "$work" "$(dirname "$out")"
}

# time_run LABEL CMD...: run CMD $runs times (after a setup given in
# $setup, untimed); leaves the median wall seconds in $median, the median
# CPU seconds (user + system) in $cpu and the largest peak RSS in MB in
# $peak.  Uses $runs and $work of the caller.
time_run() {
	local i walls=() cpus=() rss=0 wall kb user sys
	shift	# the label names the step for the reader only
	for ((i = 0; i < runs; i++)); do
		[ -n "${setup:-}" ] && eval "$setup"
		/usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" ||
			{ cat "$work/stderr" >&2; return 1; }
		read -r wall kb user sys <"$work/time"
		walls+=("$wall")
		cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf("%.2f", u + s) }')")
		((kb > rss)) && rss=$kb
	done
	median=$(printf '%s\n' "${walls[@]}" | median)
	cpu=$(printf '%s\n' "${cpus[@]}" | median)
	peak=$((rss / 1024))
}

# Seconds $2 for $1 rows as rows per second; seconds $1 against $2 as the
# speed-up b/a.
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf("%.0f", (s > 0 ? n / s : 0)) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf("%.2f", (a > 0 ? b / a : 0)) }'; }

# bench_data N: the demo's exports of about N cases (a seventh of them in
# each year from $first_year to $year) in $work/N/demo, made once by
# $demo, and $work/N/scripts with the scripts of the case indicators that
# case_indicators.sql computes too (the same work on both sides).  Sets d
# to $work/N and kpis to the ids of those KPIs, sorted.
bench_data() {
	local f
	d=$work/$1
	mkdir -p "$d"
	if [ ! -d "$d/demo" ]; then
		rm -rf "$d"/*/utf8
		"$demo" --out "$d/demo" --from-year "$first_year" --to-year "$year" \
			--cases-per-year $((($1 + 6) / 7)) >/dev/null
	fi
	mkdir -p "$d/scripts"
	for f in casussen caseload wachttijd personen instroom afsluiting; do
		ln -sf "$src/scripts/$f.lua" "$d/scripts/$f.lua"
	done
	kpis=$(sed -n 's/^  id = "\(.*\)",$/\1/p' "$d"/scripts/*.lua | sort)
}

# The narrow shape: one 9-column case export, $1, made of the demo's case
# exports "${@:2}" (Windows-1252 bytes kept, CRLF): the fields the case
# indicators need (case id, team, registered, first meeting, closed,
# referrer, closure reason, self-reliance, mark) and about 1 200 teams,
# each demo team split in 86 by the case's number, as a large
# municipality's registration system exports them.  Made once.
narrow_export() {
	local out=$1
	shift
	[ -s "$out" ] && return 0
	mkdir -p "$(dirname "$out")"
	LC_ALL=C awk '
	# A ";" inside quotes (a team such as "West; Kanaalzone") as \001
	# while the line is split.
	function protect(s,   out, i, c, q) {
		out = ""; q = 0
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "\"")
				q = !q
			out = out (c == ";" && q ? "\001" : c)
		}
		return out
	}
	BEGIN { FS = ";"; OFS = ";" }
	{ sub(/\r$/, "") }
	FNR == 1 && NR > 1 { next }
	index($0, "\"") { $0 = protect($0) }
	{
		team = $2
		if (FNR > 1) {
			split($1, id, "-")
			suffix = " " ((substr(id[1], 2) * 7 + id[2]) % 86 + 1)
			if (team ~ /^".*"$/)
				team = substr(team, 1, length(team) - 1) suffix "\""
			else
				team = team suffix
		}
		line = $1 OFS team OFS $6 OFS $7 OFS $8 OFS $9 OFS $10 OFS $11 OFS $12
		gsub("\001", ";", line)
		printf("%s\r\n", line)
	}' "$@" >"$out.tmp" && mv "$out.tmp" "$out"
}

# The configuration of the narrow shape (on stdin the one of
# bench_config), reading the export $1: the dataset cases and the source
# demo_cases with its 9 fields only, the registration-quality fields of
# the report and the KPIs of [run] kpis cut to them.
narrow_config() {
	LC_ALL=C awk -v path="$1" '
	/^\[/ { section = $0 }
	section == "[dataset cases]" &&
	    /^field\.(organisation|district|neighbourhood|person|entered) / { next }
	section == "[source demo_cases]" &&
	    /^column\.(Organisatie|Wijkcode|Buurtcode|Persoonsnummer|Datum invoer) / { next }
	section == "[source demo_cases]" && /^path = / { $0 = "path = " path }
	/^quality_fields = / { $0 = "quality_fields = referrer" }
	/^kpis = / { $0 = $0 ", -kwaliteit_zonder_buurt, -kwaliteit_zonder_persoon, -kwaliteit_laat_ingevoerd" }
	{ print }'
}
