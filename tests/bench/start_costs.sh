#!/usr/bin/env bash
# start_costs.sh - two costs of trust, for two builds side by side: the
# hash of every module under the script directories that each command
# takes when it opens the configuration (engine/context.c hash_modules),
# and the note of how Peil left the sqlite store that is written after
# each commit and checkpoint (plugins/store_sqlite/sqlite_stamp.c).
#
#   - `peil list` over the shipped scripts, and over the same with 1000
#     modules more (10 directories of 100 files of about 1 KB):
#     instructions of the whole command and of hash_modules (callgrind,
#     inclusive), wall and CPU s (median of --runs, builds alternating);
#   - `peil ingest` of the README demo's exports and of the cases of a
#     demo of --rows cases (source demo_cases): the notes written
#     (renames of PATH.stamp.part, by strace), instructions of the whole
#     ingest and of writing the notes (store_stamp_refresh and
#     store_stamp_closed, callgrind, inclusive).
#
# Not a test: it asserts nothing; docs/benchmarks.md holds its figures.
#
#   tests/bench/start_costs.sh --before DIR [--rows 100000] [--runs 5]
#                              [--build DIR] [--out FILE]
#
# Needs release builds (not stripped), GNU time, valgrind and strace.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/bench/lib.sh"
bench_ab_options 100000 start_costs.md "$@"
bench_setup start_costs "time valgrind strace" /usr/bin/time valgrind strace

# inclusive FILE FUNCTION...: the summed inclusive instructions of the
# functions (their outermost calls) in callgrind's FILE.
inclusive() {
	local file=$1
	shift
	callgrind_annotate --inclusive=yes --threshold=100 "$file" 2>/dev/null |
		awk -v names=" $* " '{ n = ""
			for (i = 2; i <= NF; i++) if ($i ~ /:/) { n = $i; break }
			sub(/^.*:/, "", n)
			if (n != "" && index(names, " " n " ")) { gsub(",", "", $1); s += $1 } }
			END { print s + 0 }'
}

# callgrind_of OUT CMD...: CMD under callgrind into OUT.
callgrind_of() {
	local out=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>&1 || true
}

# timed SIDE FILE CMD...: wall and CPU s of CMD appended to FILE.
timed() {
	local file=$2
	shift 2
	/usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >/dev/null 2>&1 || true
	awk '{ printf("%.3f %.3f\n", $1, $2 + $3) }' "$work/time" >>"$file"
}

d=$work/start
mkdir -p "$d"
[ -d "$d/demo" ] || "$build/peil-demo" --out "$d/demo" >/dev/null
[ -d "$d/demo_rows" ] || "$build/peil-demo" --out "$d/demo_rows" --from-year "$first_year" \
	--to-year "$year" --cases-per-year $(((rows_list + 6) / 7)) >/dev/null
rm -rf "$d/scripts0" "$d/scripts1000"
cp -r "$src/scripts" "$d/scripts0"
cp -r "$src/scripts" "$d/scripts1000"
for g in 0 1 2 3 4 5 6 7 8 9; do
	mkdir -p "$d/scripts1000/mods/g$g"
	for i in $(seq -w 0 99); do
		{ printf -- '-- module g%s.m%s %0990d\n' "$g" "$i" 0
		  echo "return { n = $g$i }"; } >"$d/scripts1000/mods/g$g/m$i.lua"
	done
done
for side in before after; do
	b=$(side_build $side)
	for s in scripts0 scripts1000; do
		bench_config "$src" "$d/demo" "$d/$side-$s.db" "$b/plugins" |
			sed "s|^script_dirs = .*|script_dirs = $d/$s|" >"$d/$side-$s.ini"
	done
	bench_config "$src" "$d/demo" "$d/$side-demo.db" "$b/plugins" >"$d/$side-demo.ini"
	bench_config "$src" "$d/demo_rows" "$d/$side-rows.db" "$b/plugins" >"$d/$side-rows.ini"
done

{
	echo "| command | build | instructions | of which hash_modules | wall s | CPU s |"
	echo "|---|---|---:|---:|---:|---:|"
} >"$work/table"
for s in scripts0 scripts1000; do
	for side in before after; do : >"$work/t.$side"; done
	for ((i = 0; i < runs; i++)); do
		for side in before after; do
			timed $side "$work/t.$side" "$(side_build $side)/peil" list --config "$d/$side-$s.ini"
		done
	done
	for side in before after; do
		callgrind_of "$work/cg.$side.$s" "$(side_build $side)/peil" list --config "$d/$side-$s.ini"
		echo "| peil list, $s | $side | $(awk '/^summary:/ { print $2 }' "$work/cg.$side.$s") |" \
			"$(inclusive "$work/cg.$side.$s" hash_modules) |" \
			"$(cut -d' ' -f1 "$work/t.$side" | median) | $(cut -d' ' -f2 "$work/t.$side" | median) |" >>"$work/table"
	done
done
{
	echo
	echo "| ingest | build | notes written | instructions | of which the notes |"
	echo "|---|---|---:|---:|---:|"
} >>"$work/table"
for what in demo rows; do
	arg=; [ $what = rows ] && arg=demo_cases
	for side in before after; do
		b=$(side_build $side)
		rm -f "$d/$side-$what".db*
		strace -f -e trace=rename,renameat,renameat2 -o "$work/strace" \
			"$b/peil" ingest --quiet --config "$d/$side-$what.ini" $arg >/dev/null 2>&1 || true
		notes=$(grep -c 'stamp\.part' "$work/strace" || true)
		rm -f "$d/$side-$what".db*
		callgrind_of "$work/cg.$side.$what" "$b/peil" ingest --quiet --config "$d/$side-$what.ini" $arg
		echo "| $what${arg:+ ($arg)} | $side | $notes | $(awk '/^summary:/ { print $2 }' "$work/cg.$side.$what") |" \
			"$(inclusive "$work/cg.$side.$what" store_stamp_refresh store_stamp_closed) |" >>"$work/table"
	done
done
{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(date -u +%F); load $(cut -d' ' -f1-3 /proc/loadavg); before: $before, after: $build (commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown))."
	echo
	cat "$work/table"
} | tee "$out"
echo "bench: written to $out (work files in $work)" >&2
