#!/usr/bin/env bash
# plugin_kit.sh - the plugin kit for integrators:
# "cmake --install" puts peil/plugin.h, peil-plugin.pc and the PeilPlugin
# CMake package under the prefix; a copy of the example plugin outside the
# tree builds against the installed kit, with pkg-config and with CMake,
# and the installed peil loads it and ingests with it.
#
#   plugin_kit.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
work=$(mktemp -d --tmpdir peil-e2e-kit-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
unset PEIL_CONFIG
. "$(dirname "$0")/lib.sh"
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1
expect_rc "cmake --install into a temporary prefix" 0 $?
for f in include/peil/plugin.h lib/pkgconfig/peil-plugin.pc \
	 lib/cmake/PeilPlugin/PeilPluginConfig.cmake \
	 lib/cmake/PeilPlugin/PeilPluginConfigVersion.cmake; do
	[ -f "$prefix/$f" ] && ok "installed $f" || fail "installed $f" "missing"
done

# A copy of the example plugin outside the tree, renamed so that only
# this build can answer to its name.
mkdir -p "$work/ext" "$work/plugins"
sed 's/\.name = "example"/.name = "kitexample"/' "$src/plugins/in_example/example.c" >"$work/ext/kitexample.c"
grep -q '"kitexample"' "$work/ext/kitexample.c" && ok "the copy is renamed" || fail "the copy is renamed"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs peil-plugin)
expect_rc "pkg-config knows peil-plugin" 0 $?
case "$flags" in *"-I$prefix/lib/pkgconfig/../../include"*) ok "its include dir is the prefix's";;
	*) fail "its include dir is the prefix's" "$flags";; esac
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror $flags -shared -fPIC -o "$work/plugins/kitexample.so" "$work/ext/kitexample.c" 2>"$work/cc.err"
expect_rc "cc \$(pkg-config --cflags --libs peil-plugin) -shared -fPIC" 0 $?
if nm -D --defined-only "$work/plugins/kitexample.so" | awk '{print $3}' | grep -vx peil_plugin_entry | grep -q .; then
	fail "only the entry is exported" "$(nm -D --defined-only "$work/plugins/kitexample.so")"
else ok "only the entry is exported"; fi

# The same with CMake.
cat >"$work/ext/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(kit LANGUAGES C)
find_package(PeilPlugin 0.1 REQUIRED)
peil_plugin_add(kitexample kitexample.c)
file(WRITE ${CMAKE_BINARY_DIR}/plugin_dir.txt "${PEIL_PLUGIN_DIR}")
CMAKE
cmake -S "$work/ext" -B "$work/ext-build" -DCMAKE_PREFIX_PATH="$prefix" >"$work/cmake.log" 2>&1
expect_rc "find_package(PeilPlugin) from the prefix" 0 $?
cmake --build "$work/ext-build" >>"$work/cmake.log" 2>&1
expect_rc "peil_plugin_add builds the plugin" 0 $?
[ -f "$work/ext-build/kitexample.so" ] && ok "kitexample.so, without lib" || fail "kitexample.so, without lib" "$(ls "$work/ext-build")"
expect_grep "PEIL_PLUGIN_DIR is the prefix's plugin directory" "$work/ext-build/plugin_dir.txt" "$prefix/lib/peil/plugins"

# The installed peil loads it and reads a file with it.
mkdir -p "$work/kpis" && cp "$src/scripts/casussen.lua" "$work/kpis/"
printf '# case_id|team|registered\nK1|Noord|2018-01-03\nK2|Zuid|2018-01-04\n' >"$work/notes.txt"
cat >"$work/peil.ini" <<INI
[peil]
storage = sqlite
plugin_dirs = $work/plugins
script_dirs = $work/kpis
[storage]
path = $work/peil.db
[dataset cases]
field.case_id = text key
field.team = text
field.registered = date
[source notes]
plugin = kitexample
dataset = cases
path = $work/notes.txt
fields = case_id, team, registered
INI
"$prefix/bin/peil" list --config "$work/peil.ini" >"$work/list.out" 2>&1
expect_grep "peil list loads it" "$work/list.out" "kitexample   input    1.0"
expect_grep "from the plugin dir" "$work/list.out" "ABI 1  $work/plugins/kitexample.so"
"$prefix/bin/peil" ingest --config "$work/peil.ini" >"$work/ingest.out" 2>&1
expect_rc "peil ingest with it" 0 $?
expect_grep "two rows stored" "$work/ingest.out" "2 rows stored in cases"
cp "$work/ext-build/kitexample.so" "$work/plugins/kitexample.so"
"$prefix/bin/peil" list --config "$work/peil.ini" >"$work/list2.out" 2>&1
expect_grep "the CMake build loads too" "$work/list2.out" "kitexample   input    1.0"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
