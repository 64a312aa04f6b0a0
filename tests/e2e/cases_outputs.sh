# Sourced by cli.sh: outputs on a full disk.  Every
# output is checked to its last byte: a write that fails exits 4 with
# "cannot write FILE: cause", and a -o file is replaced only when the new
# one is whole.
#
# The binary of commit 66e7cc8: export -o and report -o
# onto a full tmpfs exited 0 or 4 silently and left a fragment; show
# --format json/csv, eval and run to /dev/full exited 0.

# A tmpfs of $2 KiB at $1 (root; as root a failed mount fails the case),
# unmounted when the case ends.
small_tmpfs() {
	mkdir -p "$1"
	if ! mount -t tmpfs -o "size=${2}k" tmpfs "$1"; then
		fail "mount a ${2} KiB tmpfs as root"
		return 1
	fi
	trap 'umount "'"$1"'" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
}

# Each command's stdout on /dev/full: exit 4 naming stdout and the cause.
outputs_dev_full() {
	local cmd
	for cmd in "show --format json" "show --format csv" "show" \
		   "eval --period 2017-Q1 --format csv" "run -q" \
		   "report --period 2017 --format json" "runs" "list"; do
		# shellcheck disable=SC2086
		"$peil" $cmd --config "$work/demo.ini" >/dev/full 2>"$work/err"
		expect_rc "peil $cmd >/dev/full" 4 $?
		expect_grep "peil $cmd names stdout and the cause" "$work/err" \
			"cannot write stdout: No space left on device"
	done
}

test_outputs_full() {
	local dir=$work/full size want
	demo_setup 2017 2017 3000
	demo_run_periods 2017
	outputs_dev_full

	# The whole files, on a disk with room: parsed, as the reference.
	"$peil" export --config "$work/demo.ini" -o "$work/whole.prom" 2>"$work/err"
	expect_rc "export -o with room" 0 $?
	check "the whole export parses" prometheus "$work/whole.prom"
	"$peil" report --config "$work/demo.ini" --period 2017 --format json \
		-o "$work/whole.json" 2>"$work/err"
	expect_rc "report --format json -o with room" 0 $?
	check "the whole report parses" json "$work/whole.json"

	# A disk that holds the old file and half of the new one: the old
	# file stays as it was, no temporary file is left, exit 4 naming it.
	size=$(stat -c %s "$work/whole.prom")
	want=$(( size / 1024 + 8 ))	# old file + filler + half the new one
	if [ "$(id -u)" = 0 ]; then
		small_tmpfs "$dir" "$want" || return
		cause="No space left on device"
	else	# ulimit -f stands in for a small disk
		mkdir -p "$dir"
		cause="File too large"
	fi
	printf 'peil_old 1\n' >"$dir/peil.prom"
	head -c $(( size / 2 )) /dev/zero >"$dir/filler"
	if [ "$(id -u)" = 0 ]; then
		"$peil" export --config "$work/demo.ini" -o "$dir/peil.prom" 2>"$work/err"
		rc=$?
	else
		(trap '' XFSZ; ulimit -f $(( size / 2048 ))
		 exec "$peil" export --config "$work/demo.ini" -o "$dir/peil.prom" 2>"$work/err")
		rc=$?
	fi
	expect_rc "export -o onto a full disk" 4 "$rc"
	expect_grep "export names the file and the cause" "$work/err" \
		"cannot write $dir/peil.prom: $cause"
	[ "$(cat "$dir/peil.prom")" = "peil_old 1" ] && ok "the old export is untouched" ||
		fail "the old export was replaced" "$(head -c 300 "$dir/peil.prom")"
	[ "$(ls "$dir" | sort | tr '\n' ' ')" = "filler peil.prom " ] &&
		ok "no temporary file left behind" || fail "the disk holds: $(ls "$dir")"

	if [ "$(id -u)" = 0 ]; then	# now full to the last block
		cat /dev/zero >"$dir/filler2" 2>/dev/null
		"$peil" report --config "$work/demo.ini" --period 2017 \
			--format json -o "$dir/peil.prom" 2>"$work/err"
		expect_rc "report -o onto a full disk" 4 $?
		expect_grep "report names the file and the cause" "$work/err" \
			"cannot write $dir/peil.prom: $cause"
		[ "$(cat "$dir/peil.prom")" = "peil_old 1" ] && ok "report -o leaves the old file" ||
			fail "report -o replaced the old file"
		"$peil" report --config "$work/demo.ini" --period 2017 \
			--format json >"$dir/report.json" 2>"$work/err"
		expect_rc "report --format json > FILE on a full disk" 4 $?
		expect_grep "report > FILE names stdout and the cause" "$work/err" \
			"cannot write stdout: $cause"
		rm -f "$dir/report.json"
	fi

	# With room again the export replaces the old file, whole.
	rm -f "$dir/filler" "$dir/filler2"
	"$peil" export --config "$work/demo.ini" -o "$dir/peil.prom" 2>"$work/err"
	expect_rc "export -o once there is room" 0 $?
	cmp -s "$dir/peil.prom" "$work/whole.prom" && ok "the new export is whole" ||
		fail "the new export differs from the whole one"
}
