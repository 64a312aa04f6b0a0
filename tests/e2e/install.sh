#!/usr/bin/env bash
# install.sh - an operator's install: "cmake --install BUILD --prefix DIR"
# into a temporary prefix, then peil check, the demo and peil run from the
# installed tree only.  Every installed path follows
# the prefix; the installed peil finds its plugins beside itself and reads
# PREFIX/etc/peil/peil.ini, $PEIL_CONFIG when set, --config above both;
# the build tree's peil keeps conf/peil.ini.
#
#   install.sh BUILD_DIR SOURCE_DIR BUILD_PEIL
set -u
build=$1 src=$2 build_peil=$3
work=$(mktemp -d --tmpdir peil-e2e-install-XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/lib.sh"
unset PEIL_CONFIG
prefix=$work/prefix
peil=$prefix/bin/peil

cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1
expect_rc "cmake --install into a temporary prefix" 0 $?
# The manifest of this install: every file under the prefix (the units
# went to /usr/local/lib/systemd/system before).
cp "$build/install_manifest.txt" "$work/manifest"
if grep -v "^$prefix/" "$work/manifest" >"$work/outside"; then
	fail "every installed file is under the prefix" "$(cat "$work/outside")"
else ok "every installed file is under the prefix"; fi
for f in bin/peil bin/peil-demo lib/peil/plugins/csv.so lib/peil/plugins/sqlite.so \
	 etc/peil/peil.ini share/peil/scripts/casussen.lua include/peil/plugin.h \
	 lib/systemd/system/peil.service lib/systemd/system/peil.timer \
	 lib/sysusers.d/peil.conf lib/tmpfiles.d/peil.conf \
	 share/doc/peil/README.md share/doc/peil/configuration.md \
	 share/doc/peil/examples/cron.d/peil; do
	[ -f "$prefix/$f" ] && ok "installed $f" || fail "installed $f" "missing"
done
[ -d "$prefix/var/lib/peil/exports" ] && ok "the state directory exists" || fail "the state directory exists"

# The installed config names the installed scripts and the state
# directory of this prefix (it named /usr/local/share/peil/scripts and
# /var/lib/peil before).
ini=$prefix/etc/peil/peil.ini
expect_grep "peil.ini: the installed scripts" "$ini" "script_dirs = $prefix/share/peil/scripts"
expect_grep "peil.ini: the store in the state directory" "$ini" "path = $prefix/var/lib/peil/peil.db"
expect_grep "peil.ini: rejects in the state directory" "$ini" "reject_dir = $prefix/var/lib/peil/rejects"
expect_grep "peil.ini: the demo's exports" "$ini" "path = $prefix/var/lib/peil/exports/export_casussen_*.csv"
unit=$prefix/lib/systemd/system/peil.service
expect_grep "peil.service runs the installed peil" "$unit" "ExecStart=$prefix/bin/peil run --config $prefix/etc/peil/peil.ini"
expect_grep "peil.service may write the state directory" "$unit" "ReadWritePaths=$prefix/var/lib/peil"
expect_grep "sysusers.d: the peil user" "$prefix/lib/sysusers.d/peil.conf" "u peil - \"Peil KPI monitoring\" $prefix/var/lib/peil"
expect_grep "tmpfiles.d: the state directory" "$prefix/lib/tmpfiles.d/peil.conf" "d $prefix/var/lib/peil 0750 peil peil -"
expect_grep "the cron example runs the installed peil" "$prefix/share/doc/peil/examples/cron.d/peil" "$prefix/bin/peil run --config $prefix/etc/peil/peil.ini"

# From a directory without conf/: the installed config, without --config.
mkdir -p "$work/elsewhere" && cd "$work/elsewhere" || exit 1
"$peil" check >"$work/check.out" 2>&1
expect_rc "installed peil check without --config" 0 $?
expect_grep "it read PREFIX/etc/peil/peil.ini" "$work/check.out" "$ini: configuration, 11 datasets"
"$peil" list >"$work/list.out" 2>&1
expect_grep "the csv plugin from the installed tree" "$work/list.out" "ABI 1  $prefix/bin/../lib/peil/plugins/csv.so"
expect_grep "the sqlite plugin from the installed tree" "$work/list.out" "ABI 1  $prefix/bin/../lib/peil/plugins/sqlite.so"
expect_grep "the scripts from the installed tree" "$work/list.out" "($prefix/share/peil/scripts/casussen.lua:"
# (the prefix itself may lie in the build tree: ctest's TMPDIR)
if grep -F "$build/" "$work/list.out" | grep -qvF "$work/"; then fail "nothing from the build tree" "$(grep -F "$build/" "$work/list.out" | grep -vF "$work/")"; else ok "nothing from the build tree"; fi
# Through a symlink, as from /usr/local/bin: the binary's own directory.
mkdir -p "$work/links" && ln -s "$peil" "$work/links/peil"
"$work/links/peil" check >"$work/link.out" 2>&1
expect_rc "peil through a symlink" 0 $?
expect_grep "through a symlink it reads the installed config" "$work/link.out" "$ini: configuration"

# peil init from the installed tree proposes the installed scripts.
"$peil" init --from "$src/tests/data/init/Clienten export 2023.csv" --dir "$work/muni" >"$work/init.out" 2>&1
expect_rc "installed peil init" 0 $?
expect_grep "init names the installed scripts" "$work/muni/peil.ini" "script_dirs = $prefix/share/peil/scripts"

# $PEIL_CONFIG over the installed config, --config over both.
PEIL_CONFIG=$work/none.ini "$peil" check >"$work/env.out" 2>&1
expect_rc "PEIL_CONFIG names a missing config" 3 $?
expect_grep "the error names \$PEIL_CONFIG's file" "$work/env.out" "$work/none.ini"
PEIL_CONFIG=$work/none.ini "$peil" check --config "$ini" >"$work/opt.out" 2>&1
expect_rc "--config above PEIL_CONFIG" 0 $?
"$peil" check --help >"$work/help.out"
expect_grep "--help names the installed config" "$work/help.out" "$ini)"

# The demo and a run, from the installed tree only.
"$prefix/bin/peil-demo" --out "$prefix/var/lib/peil/exports" >"$work/demo.out" 2>&1
expect_rc "installed peil-demo" 0 $?
"$peil" run >"$work/run.out" 2>"$work/run.err"
expect_rc "installed peil run" 0 $?
expect_grep "all 38 KPIs evaluated" "$work/run.err" "38 KPIs evaluated, 0 failed, 0 scripts did not load"
[ -s "$prefix/var/lib/peil/peil.db" ] && ok "the store is in the state directory" || fail "the store is in the state directory"
# The same figures as the build tree's peil over the same exports, with
# a store of its own.
sed "s|^path = $prefix/var/lib/peil/peil.db|path = $work/build.db|" "$ini" >"$work/build.ini"
"$build_peil" run --config "$work/build.ini" >/dev/null 2>"$work/build.err"
expect_rc "build tree's peil run on the same exports" 0 $?
"$peil" show --format csv >"$work/installed.csv" 2>/dev/null
"$build_peil" show --format csv --config "$work/build.ini" >"$work/build.csv" 2>/dev/null
if [ -s "$work/installed.csv" ] && cmp -s "$work/installed.csv" "$work/build.csv"; then
	ok "the installed run's figures are the build tree's ($(wc -l <"$work/installed.csv") lines)"
else fail "the installed run's figures are the build tree's" "$(diff "$work/installed.csv" "$work/build.csv" | head -5)"; fi

# The build tree's peil keeps the README's conf/peil.ini.
cd "$src" || exit 1
"$build_peil" check >"$work/tree.out" 2>&1
expect_rc "build tree's peil check from the source tree" 0 $?
expect_grep "it read conf/peil.ini" "$work/tree.out" "conf/peil.ini: configuration"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
