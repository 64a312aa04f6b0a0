#!/usr/bin/env bash
# ingest_ab.sh - the ingest of the narrow export (lib.sh: narrow_export,
# the cases of the demo as one 9-column file with about 1 200 teams) by
# two builds side by side: wall and CPU seconds (user + sys, medians of
# --runs, the builds alternating run by run, each into a new store), the
# bytes each run wrote by pwrite and how many of them went to SQLite's
# temporary files (strace, one run each), and at the end whether the two
# stores hold the same rows.  For a machine shared with other work, where
# the wall clock says little.  Not a test: it asserts nothing but the
# equal stores; docs/benchmarks.md holds its figures.
#
#   tests/bench/ingest_ab.sh --before DIR [--rows "1000000"] [--runs 5]
#                            [--build DIR] [--out FILE]
#
# Needs release builds, GNU time, iconv, sqlite3 and strace.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/bench/lib.sh"
bench_ab_options 1000000 ingest_ab.md "$@"
bench_setup ingest_ab "time strace sqlite3" /usr/bin/time strace sqlite3 iconv

{
	echo "| rows | build | wall s (median of $runs) | CPU s (median of $runs) | written by pwrite, MB | of it to temporary files, MB |"
	echo "|---:|---|---:|---:|---:|---:|"
} >"$work/ab_table"
for n in $rows_list; do
	bench_data "$n"
	narrow_export "$d/narrow_export/export_smal.csv" "$d"/demo/export_casussen_*.csv
	for side in before after; do
		b=$(side_build $side)
		mkdir -p "$d/ab_$side"
		bench_config "$src" "$d/demo" "$d/ab_$side/peil.db" "$b/plugins" |
			narrow_config "$d/narrow_export/export_smal.csv" >"$d/ab_$side/peil.ini"
		: >"$work/ab_wall.$side"
		: >"$work/ab_cpu.$side"
	done
	for ((i = 0; i < runs; i++)); do
		for side in before after; do
			b=$(side_build $side)
			rm -f "$d/ab_$side"/peil.db*
			sync
			/usr/bin/time -f "%e %U %S" -o "$work/time" "$b/peil" ingest --quiet \
				--config "$d/ab_$side/peil.ini" demo_cases
			awk '{ print $1 >> "'"$work/ab_wall.$side"'"; printf("%.2f\n", $2 + $3) >> "'"$work/ab_cpu.$side"'" }' "$work/time"
		done
	done
	for side in before after; do
		b=$(side_build $side)
		rm -f "$d/ab_$side"/peil.db* "$work/ab_strace.$side".*
		# -ff: a file per thread, so that no call is split in two.
		strace -ff -y -e trace=pwrite64 -o "$work/ab_strace.$side" "$b/peil" ingest --quiet \
			--config "$d/ab_$side/peil.ini" demo_cases
		cat "$work/ab_strace.$side".* >"$work/ab_strace.$side"
		echo "| $n | $side ($b) | $(median <"$work/ab_wall.$side") | $(median <"$work/ab_cpu.$side") |" \
			"$(grep -oE '= [0-9]+$' "$work/ab_strace.$side" | awk '{ s += $2 } END { printf("%.0f", s / 1e6) }') |" \
			"$(grep -E 'pwrite64\([0-9]+<[^>]*etilqs' "$work/ab_strace.$side" | grep -oE '= [0-9]+$' | awk '{ s += $2 } END { printf("%.0f", s / 1e6) }') |" >>"$work/ab_table"
	done
	for side in before after; do
		sqlite3 "$d/ab_$side/peil.db" "SELECT * FROM ds_cases ORDER BY case_id" | md5sum >"$work/ab_rows.$side"
	done
	cmp -s "$work/ab_rows.before" "$work/ab_rows.after" ||
		{ echo "bench: the two builds stored other rows" >&2; exit 1; }
done
{
	echo "Machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u +%F)."
	echo
	cat "$work/ab_table"
	echo
	echo "The two stores hold the same rows (md5 of ds_cases: $(cut -d' ' -f1 "$work/ab_rows.after"))."
} | tee "$out"
echo "bench: written to $out (work files in $work)" >&2
