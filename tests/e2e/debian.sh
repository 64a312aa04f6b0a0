#!/usr/bin/env bash
# debian.sh - the Debian package: cpack -G DEB builds
# peil_VERSION_ARCH.deb with dependencies from dpkg-shlibdeps and
# /etc/peil/peil.ini as a conffile; dpkg -i creates the user peil and
# /var/lib/peil and enables no timer; peil run on the demo works from the
# installed files as the user peil; dpkg -r and --purge remove it cleanly.
# Root only, as CI runs (a skip fails when $CI is set); run serially; the
# package is purged in a trap even when a check fails.
#
#   debian.sh BUILD_DIR VERSION
set -u
build=$1 version=$2
work=$(mktemp -d --tmpdir peil-e2e-deb-XXXXXX)
installed_by_us=0
cleanup() {
	[ "$installed_by_us" = 1 ] && dpkg --purge peil >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
export LC_ALL=C
unset PEIL_CONFIG
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "not root: dpkg -i needs root"
	[ -n "${CI:-}" ] && exit 1
	exit 77
fi
if dpkg -s peil >/dev/null 2>&1; then
	echo "FAIL a package peil is installed already: this test will not replace it"
	exit 1
fi
arch=$(dpkg --print-architecture)
deb=$work/peil_${version}_$arch.deb

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work") >"$work/cpack.log" 2>&1
expect_rc "cpack -G DEB" 0 $?
[ -f "$deb" ] && ok "peil_${version}_$arch.deb" || fail "peil_${version}_$arch.deb" "$(ls "$work")"
dpkg-deb -f "$deb" Depends >"$work/depends"
for lib in libc6 liblua5.4-0 libsqlite3-0 libinih1 libssl3; do
	expect_grep "depends on $lib (dpkg-shlibdeps)" "$work/depends" "$lib ("
done
dpkg-deb -e "$deb" "$work/control"
expect_grep "peil.ini is a conffile" "$work/control/conffiles" "/etc/peil/peil.ini"
dpkg-deb -c "$deb" >"$work/contents"
for f in ./usr/bin/peil ./usr/lib/peil/plugins/csv.so ./etc/peil/peil.ini \
	 ./usr/lib/sysusers.d/peil.conf ./usr/lib/tmpfiles.d/peil.conf \
	 ./usr/share/man/man1/peil.1 ./usr/share/peil/scripts/casussen.lua; do
	expect_grep "the package holds $f" "$work/contents" " $f"
done
expect_grep "the unit in systemd's directory" "$work/contents" "/systemd/system/peil.service"
if grep -q " ./usr/local\| ./tmp" "$work/contents"; then fail "nothing outside /usr, /etc, /lib, /var"; else ok "nothing outside /usr, /etc, /lib, /var"; fi

dpkg -i "$deb" >"$work/install.log" 2>&1
rc=$?
installed_by_us=1
expect_rc "dpkg -i" 0 $rc
getent passwd peil >/dev/null && ok "the user peil exists" || fail "the user peil exists"
[ "$(stat -c %U "/var/lib/peil" 2>/dev/null)" = peil ] && ok "/var/lib/peil belongs to peil" || fail "/var/lib/peil belongs to peil" "$(ls -ld /var/lib/peil)"
if ls /etc/systemd/system/timers.target.wants/peil.timer >/dev/null 2>&1; then fail "the timer is not enabled"; else ok "the timer is not enabled"; fi
expect_grep "the installed config names the installed scripts" /etc/peil/peil.ini "script_dirs = /usr/share/peil/scripts"

cd /var/lib/peil || exit 1
# The user peil runs as the timer runs it: without the TMPDIR that ctest
# gives the tests (a directory of the build tree that peil cannot write).
as_peil() { runuser -u peil -- env -u TMPDIR "$@"; }
as_peil /usr/bin/peil-demo --out /var/lib/peil/exports >"$work/demo.out" 2>&1
expect_rc "peil-demo as peil" 0 $?
as_peil /usr/bin/peil run >"$work/run.out" 2>"$work/run.err"
rc=$?; [ "$rc" -ne 0 ] && { ls -la /var/lib/peil; cat "$work/run.err"; }; (exit $rc)	# what to look at
expect_rc "peil run as peil, without --config" 0 $?
expect_grep "every KPI evaluated" "$work/run.err" "38 KPIs evaluated, 0 failed, 0 scripts did not load"
as_peil /usr/bin/peil status >"$work/status.out" 2>&1
expect_rc "peil status after it" 0 $?
expect_grep "status OK" "$work/status.out" "PEIL OK - run 1 ok, exit 0 (ok)"
cd / || exit 1

dpkg -r peil >"$work/remove.log" 2>&1
expect_rc "dpkg -r" 0 $?
[ ! -e /usr/bin/peil ] && ok "the binary is gone" || fail "the binary is gone"
[ -f /etc/peil/peil.ini ] && ok "the conffile stays until purge" || fail "the conffile stays until purge"
dpkg --purge peil >"$work/purge.log" 2>&1
expect_rc "dpkg --purge" 0 $?
installed_by_us=0
[ ! -e /etc/peil ] && ok "/etc/peil is gone" || fail "/etc/peil is gone" "$(ls -la /etc/peil)"
[ ! -e /var/lib/peil ] && ok "/var/lib/peil is gone" || fail "/var/lib/peil is gone"
if dpkg -s peil >/dev/null 2>&1; then fail "no package peil is left"; else ok "no package peil is left"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
