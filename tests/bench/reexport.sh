#!/usr/bin/env bash
# reexport.sh - the ingest of a corrected re-export on the SQLite store,
# A/B between builds: the store holds N demo cases (one export of one
# year); then a re-export of the same cases arrives in which 0 %, 1 %,
# 10 % or 100 % of the rows changed (a new mark).  Every build ingests
# every variant on a copy of its own store, the builds taking turns run
# by run, so that a load on the machine falls on all of them alike.
# Prints a table of the median wall and CPU (user + system) seconds and
# writes it to a file.  Not a test: it asserts nothing;
# docs/benchmarks.md holds its figures.
#
#   tests/bench/reexport.sh --build DIR [--build DIR...] [--rows N]
#                           [--runs 3] [--out FILE]
#
# Needs release builds and GNU time (/usr/bin/time).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/bench/lib.sh"
builds=()
bench_usage="[--build DIR...] "
bench_option() {
	case $1 in
	--build) builds+=("$(cd "$2" && pwd)"); taken=2 ;;
	*) return 1 ;;
	esac
}
# --build is the script's own (many of them): bench_options would take one.
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--build) bench_option "$@"; shift 2 ;;
	*) args+=("$1"); shift ;;
	esac
done
bench_options 1000000 reexport.md ${args[@]+"${args[@]}"}
[ ${#builds[@]} -gt 0 ] || builds=("$build")
command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
work=${BENCH_DIR:-$(mktemp -d --tmpdir peil-bench-reexport-XXXXXX)}
mkdir -p "$(dirname "$out")" "$work"
export LC_ALL=C	# the exports are Windows-1252: awk takes bytes
percents="0 1 10 100"
n=$rows_list

d=$work/$n
mkdir -p "$d"
if [ ! -s "$d/export.csv" ]; then
	"${builds[0]}/peil-demo" --out "$d/demo" --from-year 2018 --to-year 2018 \
		--cases-per-year "$n" >/dev/null
	mv "$d/demo/export_casussen_2018.csv" "$d/export.csv"
	rm -rf "$d/demo"
fi
# The re-export: every row again, the mark of every (100 / p)th row
# changed (7 and 8 swap, any other mark becomes 7).  0 %: the rows as
# they were, the first one's case id in quotes (the same row to the
# reader; another file to the ingest, which skips a content it read).
for p in $percents; do
	[ -s "$d/re_$p.csv" ] && continue
	awk -F';' -v OFS=';' -v p="$p" 'NR > 1 && p > 0 && (NR - 2) % int(100 / p) == 0 {
		$12 = ($12 == 7 ? 8 : 7) } NR == 2 && p == 0 { $1 = "\"" $1 "\"" }
		{ print }' "$d/export.csv" >"$d/re_$p.csv"
done
rows=$(($(wc -l <"$d/export.csv") - 1))

# One store per build, with the first export ingested.
for i in "${!builds[@]}"; do
	b=$d/b$i
	mkdir -p "$b/in"
	bench_config "$src" "$b/in" "$b/peil.db" "${builds[$i]}/plugins" |
		sed "s|^path = $b/in/export_casussen_\*.csv|path = $b/in/*.csv|" >"$b/peil.ini"
	if [ ! -s "$b/base.db" ]; then
		rm -f "$b"/in/* "$b"/peil.db*
		ln -s "$d/export.csv" "$b/in/export.csv"
		"${builds[$i]}/peil" ingest --quiet --config "$b/peil.ini" demo_cases
		cp "$b/peil.db" "$b/base.db"
	fi
done

declare -A walls cpus
for ((r = 0; r < runs; r++)); do
	for p in $percents; do
		for i in "${!builds[@]}"; do
			b=$d/b$i
			rm -f "$b"/peil.db* "$b/in/re.csv"
			cp "$b/base.db" "$b/peil.db"
			ln -s "$d/re_$p.csv" "$b/in/re.csv"
			sync
			/usr/bin/time -f "%e %U %S" -o "$work/time" \
				"${builds[$i]}/peil" ingest --quiet --config "$b/peil.ini" demo_cases \
				>/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
			read -r wall user sys <"$work/time"
			walls[$i,$p]+="$wall "
			cpus[$i,$p]+="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf("%.2f", u + s) }') "
			echo "bench: run $r, $p %, ${builds[$i]}: $wall s, CPU $user + $sys s" >&2
		done
	done
done

med() { printf '%s\n' $1 | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
{
	echo "Re-export of $rows rows on a store that holds them, median of $runs (wall s / CPU s):"
	echo
	printf '| build |'; for p in $percents; do printf ' %s %% changed |' "$p"; done; echo
	printf '|---|'; for p in $percents; do printf -- '---:|'; done; echo
	for i in "${!builds[@]}"; do
		printf '| %s |' "${builds[$i]}"
		for p in $percents; do
			printf ' %s / %s |' "$(med "${walls[$i,$p]}")" "$(med "${cpus[$i,$p]}")"
		done
		echo
	done
} | tee "$out"
