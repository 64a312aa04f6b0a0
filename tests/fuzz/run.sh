#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer, UBSan, leak
# checks) and runs each for a bounded time on a copy of its seed corpus.
#
#   tests/fuzz/run.sh [SECONDS]     (default 30 per target; FUZZ_SECONDS too)
#
# A crash, leak, timeout (10 s per input) or out-of-memory fails the script
# and leaves the input in build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-${FUZZ_SECONDS:-30}}
out=build-fuzz
mkdir -p "$out/artifacts"
flags=(-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -D_POSIX_C_SOURCE=200809L
       -DPEIL_VERSION=\"fuzz\" -DPEIL_BINDIR_TO_PLUGINS=\"nonexistent\"
       -Ihost -Iinclude -Iplugins/in_csv $(pkg-config --cflags lua5.4 inih libcrypto sqlite3))
libs=($(pkg-config --libs lua5.4 inih libcrypto sqlite3) -ldl -lm)
core=$(find host -name "*.c" ! -path "host/demo/*" ! -name main.c ! -name layer_check.c | sort)

build() { # build NAME SOURCES...
	local name=$1
	shift
	clang "${flags[@]}" -o "$out/fuzz_$name" "$@" "${libs[@]}"
}
build csv_reader tests/fuzz/fuzz_csv_reader.c plugins/in_csv/csv_reader.c plugins/in_csv/csv_encoding.c
build config tests/fuzz/fuzz_config.c $core
build kpi_script tests/fuzz/fuzz_kpi_script.c $core
build xlsx_sheet tests/fuzz/fuzz_xlsx_sheet.c plugins/in_xlsx/xlsx_zip.c \
	plugins/in_xlsx/xlsx_book.c plugins/in_xlsx/xlsx_sheet.c plugins/in_xlsx/xlsx_rows.c \
	plugins/in_xlsx/xlsx_buffer.c plugins/in_xlsx/xlsx_thread.c -Iplugins/in_xlsx \
	$(pkg-config --cflags --libs libzip libxml-2.0) -pthread
build ist_message tests/fuzz/fuzz_ist_message.c \
	plugins/in_istandaarden/ist_message.c -Iplugins/in_istandaarden \
	$(pkg-config --cflags --libs libxml-2.0)

# The targets write each input to a file under TMPDIR (config_load and
# the xlsx reader read files): a directory of the run's own, removed at
# its end however it ends.
export TMPDIR
TMPDIR=$(mktemp -d "$PWD/$out/tmp-XXXXXX")
trap 'rm -rf "$TMPDIR"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

status=0
for target in csv_reader config kpi_script xlsx_sheet ist_message; do
	work="$out/corpus-$target"
	rm -rf "$work"
	mkdir -p "$work"
	cp tests/fuzz/corpus/$target/* "$work/"
	case $target in	# the shipped config and scripts are seeds too
	config) cp conf/peil.ini "$work/" ;;
	kpi_script) cp scripts/*.lua "$work/" ;;
	esac
	rm -f "$out"/artifacts/"$target"-*
	start=$(date +%s)
	if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		"$out/fuzz_$target" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$target-" "$work" \
		>"$out/$target.log" 2>&1; then
		echo "fuzz $target: ok, $(($(date +%s) - start)) s, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$target.log" | grep -o '[0-9]*$') inputs"
	else
		echo "fuzz $target: FAILED (see $out/$target.log)"
		# the sanitizer's report (its stack first), then the input that
		# failed, so that a failure on another machine can be replayed
		sed -n '/^==[0-9]*==ERROR\|^WARNING: \|^SUMMARY: \|runtime error/,/^SUMMARY: /p' \
			"$out/$target.log" | head -80
		tail -8 "$out/$target.log"
		for unit in "$out"/artifacts/"$target"-*; do
			[ -f "$unit" ] || continue
			echo "input $unit ($(wc -c <"$unit") bytes), base64:"
			head -c 16384 "$unit" | base64 -w 0
			echo
		done
		status=1
	fi
done
exit $status
