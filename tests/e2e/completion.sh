#!/usr/bin/env bash
# completion.sh - bash completion (conf/bash-completion/peil): commands,
# a command's options, KPI ids and source names of the config on the
# command line, and values of options.
#
#   completion.sh PEIL SOURCE_DIR
set -u
peil=$1 src=$2
work=$(mktemp -d --tmpdir peil-e2e-completion-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
unset PEIL_CONFIG
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$src/conf/bash-completion/peil"

complete_line() { # complete_line WORD... : COMPREPLY for the last word
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_peil
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
expect_completion() { # expect_completion NAME EXPECTED WORD...
	local got
	got=$(complete_line "${@:3}")
	if [ "$got" = "$2" ]; then ok "$1: $got"; else fail "$1" "got '$got'" "expected '$2'"; fi
}

cfg=$work/peil.ini
sed "s|\.\./scripts|$src/scripts|" "$src/conf/peil.ini" >"$cfg"
expect_completion "a command" "check " "$peil" ch
expect_completion "commands from p" "prune " "$peil" pr
expect_completion "the new commands" "init " "$peil" ini
expect_completion "an option of status" "--max-age " "$peil" status --max
expect_completion "options of init" "--dir " "$peil" init --d
expect_completion "a common option" "--log-format " "$peil" run --log
expect_completion "a value of --log-format" "journal " "$peil" run --log-format j
expect_completion "KPI ids for explain" "wachtend_op_peildatum wachttijd_binnen_norm wachttijd_gemiddeld " "$peil" explain --config "$cfg" wacht
expect_completion "KPI ids for cases" "wachtend_op_peildatum wachttijd_binnen_norm wachttijd_gemiddeld " "$peil" cases --config "$cfg" wacht
expect_completion "options of cases" "--cell " "$peil" cases --ce
expect_completion "KPI ids for --kpi" "casussen_afgesloten casussen_gestart casussen_lopend casussen_zonder_persoon " "$peil" show --config "$cfg" --kpi casussen_
expect_completion "source names for ingest" "demo_measurements demo_members " "$peil" ingest -c "$cfg" demo_me
PEIL_CONFIG=$cfg expect_completion "source names from \$PEIL_CONFIG" "demo_referrals " "$peil" ingest demo_r

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
