#!/usr/bin/env bash
# unchanged.sh - the cost of a `peil run` that finds nothing new, for two
# builds side by side: CPU seconds (user + sys, median of --runs, the
# builds alternating run by run) and instructions (callgrind, one run
# each).  Such a run confirms the run before; since the build of Peil is
# an input of that check (engine/build_id.c) it also hashes the peil
# binary and the storage plugin, which this measures.  Each build keeps
# its own store of the same demo exports, every shipped KPI.  Not a test:
# it asserts nothing; docs/benchmarks.md holds its figures.
#
#   tests/bench/unchanged.sh --before DIR [--rows "100000"] [--runs 3]
#                            [--build DIR] [--out FILE]
#
# Needs release builds, GNU time and valgrind.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/bench/lib.sh"
bench_ab_options 100000 unchanged.md "$@"
bench_setup unchanged "time valgrind" /usr/bin/time valgrind

{
	echo "| rows | build | no-change run CPU s (median of $runs) | instructions (callgrind) |"
	echo "|---:|---|---:|---:|"
} >"$work/table"
for n in $rows_list; do
	d=$work/$n
	[ -d "$d/demo" ] || "$build/peil-demo" --out "$d/demo" --from-year 2016 \
		--to-year 2018 --cases-per-year $(((n + 2) / 3)) >/dev/null
	for side in before after; do
		b=$(side_build $side)
		mkdir -p "$d/$side"
		bench_config "$src" "$d/demo" "$d/$side/peil.db" "$b/plugins" |
			sed "s|^periods = .*|periods = 2016-01..2018-12|" >"$d/$side/peil.ini"
		rm -f "$d/$side"/peil.db*
		# The first run evaluates, the second confirms it.
		for i in 1 2; do
			"$b/peil" run --quiet --config "$d/$side/peil.ini" >/dev/null 2>&1 || true
		done
	done
	for side in before after; do : >"$work/cpu.$side"; done
	for ((i = 0; i < runs; i++)); do
		for side in before after; do
			b=$(side_build $side)
			/usr/bin/time -f "%U %S" -o "$work/time" "$b/peil" run --config "$d/$side/peil.ini" \
				>/dev/null 2>"$work/stderr.$side" || true
			grep -q "nothing changed since run" "$work/stderr.$side" ||
				{ echo "bench: the $side run did not confirm:" >&2; cat "$work/stderr.$side" >&2; exit 1; }
			awk '{ printf("%.3f\n", $1 + $2) }' "$work/time" >>"$work/cpu.$side"
		done
	done
	for side in before after; do
		b=$(side_build $side)
		valgrind --tool=callgrind --callgrind-out-file="$work/cg.$side" \
			"$b/peil" run --config "$d/$side/peil.ini" >/dev/null 2>"$work/cg.err" || true
		ir=$(awk '/^summary:/ { print $2 }' "$work/cg.$side")
		echo "| $n | $side | $(median <"$work/cpu.$side") | $ir |" >>"$work/table"
	done
done
{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(date -u +%F); before: $before, after: $build (commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown))."
	echo
	cat "$work/table"
} | tee "$out"
echo "bench: written to $out (work files in $work)" >&2
