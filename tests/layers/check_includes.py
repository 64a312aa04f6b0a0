#!/usr/bin/env python3
"""check_includes.py - every file under host/ includes only headers of its
own layer and of the layers below it (docs/architecture.md).

    check_includes.py HOST_DIR          exit 0, or 1 naming each offence
    check_includes.py --self-test       the check refuses what it must

The link of each layer alone (host/CMakeLists.txt) catches calls into a
higher layer; this catches what a link cannot see: a struct, a macro or an
inline function taken from a header above.
"""
import os
import re
import sys
import tempfile

# The level of each layer, from the bottom.  A layer may include its own
# headers and those of lower levels, never a sibling's on its own level.
LEVELS = {
    "base": 0,
    "sandbox": 1, "model": 1,
    "kpi": 2, "plugin": 2,
    "engine": 3, "report": 3,
    "cli": 4,
}
# Programs beside the layers, with the layers they may use.
PROGRAMS = {"demo": {"base"}}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def offences(host_dir):
    found = []
    for folder in sorted(os.listdir(host_dir)):
        path = os.path.join(host_dir, folder)
        if not os.path.isdir(path):
            continue
        if folder in LEVELS:
            allowed = {l for l, v in LEVELS.items()
                       if v < LEVELS[folder]} | {folder}
        elif folder in PROGRAMS:
            allowed = PROGRAMS[folder] | {folder}
        else:
            found.append(f"{path}: a folder that is no layer (add it to "
                         "docs/architecture.md and this check)")
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith((".c", ".h")):
                continue
            file = os.path.join(path, name)
            with open(file, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    header = m.group(1)
                    if ".." in header.split("/"):
                        found.append(f"{file}:{number}: \"{header}\" climbs "
                                     "out of its folder")
                        continue
                    parts = header.split("/")
                    layer = parts[0] if len(parts) > 1 else folder
                    if layer == "peil":	# include/peil: the plugin ABI
                        continue
                    if layer not in allowed:
                        found.append(f"{file}:{number}: {folder} includes "
                                     f"\"{header}\" of layer {layer}")
    return found


def self_test():
    with tempfile.TemporaryDirectory() as root:
        def write(rel, text):
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(text)
        write("base/a.h", "#include <stdio.h>\n")
        write("kpi/k.c", '#include "kpi/k.h"\n#include "base/a.h"\n'
              '#include "peil/plugin.h"\n')
        write("cli/c.c", '#include "engine/e.h"\n#include "report/r.h"\n')
        assert offences(root) == [], offences(root)
        write("kpi/bad.c", '#include "base/a.h"\n  # include "cli/cli.h"\n')
        write("plugin/sib.c", '#include "kpi/kpi.h"\n')
        write("base/up.c", '#include "../cli/cli.h"\n')
        write("demo/d.c", '#include "kpi/kpi.h"\n')
        got = offences(root)
        want = ["base/up.c:1", "demo/d.c:1", "kpi/bad.c:2", "plugin/sib.c:1"]
        assert len(got) == len(want), got
        for g, w in zip(got, want):
            assert g.startswith(os.path.join(root, w)), (g, w)
    print("check_includes self-test: 4 offences found in 4 planted files")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    found = offences(sys.argv[1])
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} includes of a layer above or beside")
        return 1
    print("every include of host/ stays in its layer or below")
    return 0


if __name__ == "__main__":
    sys.exit(main())
