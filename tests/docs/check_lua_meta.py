#!/usr/bin/env python3
"""Check docs/lua/peil.lua (the Lua language server's definitions) against
the names the host registers.

    check_lua_meta.py PRINT_LUA_API META
    check_lua_meta.py --self-test PRINT_LUA_API META

PRINT_LUA_API prints "helper NAME", "key NAME" and "date NAME" lines,
and compiles META as Lua 5.4 text when given it.
Every helper must be a global "function NAME(" of META, every date name a
"function date.NAME(", every key a "---@field NAME" of the class
peil.Kpi; and META may declare no other global function (but kpi and
require), date function or peil.Kpi field: an editor would then complete
a name that Peil refuses.  --self-test also checks that doctored copies
fail.
"""
import re
import subprocess
import sys

GLOBALS_OF_THE_HOST = {"kpi", "require"}


def registered(program):
    out = subprocess.run([program], check=True, capture_output=True,
                         text=True).stdout
    names = {"helper": set(), "key": set(), "date": set()}
    for line in out.splitlines():
        part, name = line.split(" ")
        names[part].add(name)
    return names


def declared(text):
    names = {"helper": set(), "key": set(), "date": set()}
    in_kpi = False
    for line in text.splitlines():
        m = re.match(r"function (date\.)?([a-z_]+)\(", line)
        if m:
            part = "date" if m.group(1) else "helper"
            if part == "helper" and m.group(2) in GLOBALS_OF_THE_HOST:
                continue
            names[part].add(m.group(2))
        if line.startswith("---@class "):
            in_kpi = line.split()[1] == "peil.Kpi"
            continue
        if in_kpi:
            m = re.match(r"---@field ([a-z_]+)\??\s", line)
            if m:
                names["key"].add(m.group(1))
            elif not line.startswith("---"):
                in_kpi = False
    return names


def problems(table, text):
    doc = declared(text)
    found = []
    for part in ("helper", "key", "date"):
        for name in sorted(table[part] - doc[part]):
            found.append(f"{part} '{name}' is registered but not declared")
        for name in sorted(doc[part] - table[part]):
            found.append(f"{part} '{name}' is declared but Peil has none")
    if not text.startswith("---@meta"):
        found.append("the file does not start with ---@meta")
    return found


def self_test(table, text):
    doctored = {
        "a helper left out": text.replace("function share(", "function shar_e("),
        "a key left out": text.replace("---@field having?", "---@field havin?"),
        "a date function left out": text.replace("function date.add_months(",
                                                 "local function add_months("),
        "an extra helper": text + "\nfunction percentage(x) end\n",
        "no ---@meta": text.replace("---@meta", "--", 1),
    }
    failed = 0
    for what, copy in doctored.items():
        if copy == text:
            print(f"self-test: '{what}' did not change the file")
            failed += 1
        elif not problems(table, copy):
            print(f"self-test: '{what}' was not caught")
            failed += 1
    return failed


def main(argv):
    test = argv[1:2] == ["--self-test"]
    program, meta = argv[2:] if test else argv[1:]
    parsed = subprocess.run([program, meta], capture_output=True, text=True)
    if parsed.returncode != 0:
        print(f"{meta}: not Lua 5.4: {parsed.stderr.strip()}")
        return 1
    table = registered(program)
    with open(meta, encoding="utf-8") as f:
        text = f.read()
    found = problems(table, text)
    for p in found:
        print(f"{meta}: {p}")
    if test:
        return 1 if found or self_test(table, text) else 0
    if not found:
        print(f"{meta}: {sum(len(v) for v in table.values())} names, all "
              "declared")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
