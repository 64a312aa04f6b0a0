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
# ($src/build/bench/FILE).  Needs $src.
bench_options() {
	rows_list=$1 runs=3 build=$src/build out=$src/build/bench/$2
	shift 2
	while [ $# -gt 0 ]; do
		case $1 in
		--rows) rows_list=$2; shift 2 ;;
		--runs) runs=$2; shift 2 ;;
		--build) build=$(cd "$2" && pwd); shift 2 ;;
		--out) out=$2; shift 2 ;;
		*) echo "usage: $0 [--rows N...] [--runs N] [--build DIR] [--out FILE]" >&2; exit 64 ;;
		esac
	done
}

# time_run LABEL CMD...: run CMD $runs times (after a setup given in
# $setup, untimed); leaves the median wall seconds in $median and the
# largest peak RSS in MB in $peak.  Uses $runs and $work of the caller.
time_run() {
	local i walls=() rss=0 line
	shift	# the label names the step for the reader only
	for ((i = 0; i < runs; i++)); do
		[ -n "${setup:-}" ] && eval "$setup"
		/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" ||
			{ cat "$work/stderr" >&2; return 1; }
		read -r line <"$work/time"
		walls+=("${line% *}")
		((${line#* } > rss)) && rss=${line#* }
	done
	median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	peak=$((rss / 1024))
}

