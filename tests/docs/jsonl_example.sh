#!/usr/bin/env bash
# The integrators' guide (docs/plugins.md) walks through
# docs/examples/jsonl.c: build it with the guide's command, outside Peil's
# tree, and ingest with it through the real host: typed values, a BSN
# hashed, a BSN failing the 11-proef refused with file, line and the
# number masked, and nothing of that file stored.
#
#   jsonl_example.sh PEIL SOURCE_DIR
set -u
peil=$1 src=$2
. "$(dirname "$0")/../exit_on_signal.sh"
work=$(mktemp -d --tmpdir peil-jsonl-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; shift; printf '  %s\n' "$@"; failed=$((failed + 1)); }

if ! pkg-config --exists jansson; then
	if [ "${CI:-}" = true ]; then
		fail "libjansson-dev is missing (CI=true): .ci/install-deps installs it"
		exit 1
	fi
	echo "skip: libjansson-dev is not installed"
	exit 77
fi
# the guide's build line, with Peil's warnings
if cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic -Wshadow \
	-Wstrict-prototypes -Werror -fPIC -shared -fvisibility=hidden \
	-Wl,-z,defs -I"$src/include" -o "$work/jsonl.so" \
	"$src/docs/examples/jsonl.c" $(pkg-config --cflags --libs jansson) 2>"$work/cc"; then
	ok "the example builds with -Wl,-z,defs and no warnings"
else
	fail "the example does not build" "$(cat "$work/cc")"
	exit 1
fi

head -c 32 /dev/urandom | base64 >"$work/key"
chmod 600 "$work/key"
mkdir -p "$work/in" "$work/scripts"
cat >"$work/peil.ini" <<INI
[peil]
storage = sqlite
plugin_dirs = $work
script_dirs = $work/scripts
[privacy]
key_file = $work/key
[storage]
path = $work/peil.db
[dataset clients]
field.id = text key
field.bsn = bsn
field.start = date required
field.hours = real
field.urgent = boolean
[source export]
plugin = jsonl
dataset = clients
path = $work/in/*.jsonl
key.id = id
key.bsn = bsn
key.start = start
key.hours = hours
key.urgent = urgent
INI
printf '%s\n' '{"id":"C1","bsn":"123456782","start":"01-03-2018","hours":1.5,"urgent":true}' \
	'' '{"id":"C2","start":"2018-03-15","hours":2}' >"$work/in/a.jsonl"
"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
[ $? = 0 ] && ok "ingest of a.jsonl" || fail "ingest" "$(cat "$work/err")"
# 01-03-2018 is day 17591 since 1970, 2018-03-15 day 17605
rows=$(sqlite3 "$work/peil.db" "SELECT id, length(bsn), start, hours, urgent FROM ds_clients ORDER BY id")
expected=$'C1|64|17591|1.5|1\nC2||17605|2.0|'
[ "$rows" = "$expected" ] && ok "typed values, the BSN as its 64-digit HMAC" ||
	fail "stored rows" "got: $rows" "expected: $expected"
sqlite3 "$work/peil.db" .dump | grep -q 123456782 &&
	fail "the BSN is stored in the clear" || ok "the BSN is not stored in the clear"

printf '%s\n' '{"id":"C3","start":"01-03-2018"}' '{"id":"C4","bsn":"123456789","start":"01-03-2018"}' >"$work/in/b.jsonl"
"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
rc=$?
[ $rc = 2 ] && ok "a BSN failing the 11-proef stops the file (exit 2)" || fail "exit $rc, expected 2"
grep -qF "b.jsonl:2: column 'bsn': '1234*****' is not a valid citizen number" "$work/err" &&
	ok "the error names file, line, key and the masked BSN" || fail "message" "$(cat "$work/err")"
n=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_clients WHERE id = 'C3'")
[ "$n" = 0 ] && ok "nothing of b.jsonl stored" || fail "C3 was stored"

printf '%s\n' '{"id":"C5","start":"01-03-2018"' >"$work/in/c.jsonl"
rm -f "$work/in/b.jsonl"
"$peil" ingest --config "$work/peil.ini" 2>"$work/err"
grep -qF "c.jsonl:1: not a JSON object (column" "$work/err" &&
	ok "broken JSON is refused with file and line" || fail "message" "$(cat "$work/err")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
