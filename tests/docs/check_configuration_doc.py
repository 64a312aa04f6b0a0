#!/usr/bin/env python3
"""Check docs/configuration.md against the host's settings table.

    check_configuration_doc.py PRINT_SETTINGS DOC
    check_configuration_doc.py --self-test PRINT_SETTINGS DOC

PRINT_SETTINGS prints the table (section, key, type, default, doc; tabs).
Every key of the table must be in its section's table of the doc
("## `[section]`" up to the next heading) with the same default (backticks
left out), and every key that the doc lists for a section of the table
must be in the table.  Sections that the table does not know ([storage],
a plugin's) and "###" subsections (a plugin's keys) are not checked.
--self-test also checks that doctored copies of the doc fail.
"""
import re
import subprocess
import sys


def table_rows(program):
    out = subprocess.run([program], check=True, capture_output=True,
                         text=True).stdout
    rows = {}
    for line in out.splitlines():
        section, key, _type, default, _doc = line.split("\t")
        rows[(section, key)] = default
    return rows


def cells(line):
    parts = re.split(r"(?<!\\)\|", line.strip())
    return [p.strip() for p in parts[1:-1]]


def plain(text):
    return " ".join(text.replace("`", "").split())


def doc_key(text):
    """`param.NAME` (and `recode.FIELD.FROM`, `target.min.FIELD.VALUE`) is
    the prefix param. (target.min.) of the table."""
    key = plain(text)
    m = re.fullmatch(r"((?:[a-z_]+\.)+)[A-Z]+(\.[A-Z]+)*", key)
    return m.group(1) if m else key


def doc_rows(text):
    """{(section, key): default or None} of the doc's key tables."""
    rows, section, columns = {}, None, None
    for line in text.splitlines():
        heading = re.match(r"(#+) ", line)
        if heading:
            # [privacy public]: a section of its own; [dataset NAME]
            # is [dataset].
            m = re.match(r"## `\[([a-z]+(?: [a-z]+)?)[^\]]*\]`", line)
            section = m.group(1) if m and len(heading.group(1)) == 2 else None
            columns = None
            continue
        if section is None or not line.startswith("|"):
            if not line.startswith("|"):
                columns = None
            continue
        row = cells(line)
        if columns is None:
            columns = row
            continue
        if set("".join(row)) <= set("-: "):
            continue
        if "key" not in columns:
            continue
        default = (plain(row[columns.index("default")])
                   if "default" in columns else None)
        for key in row[columns.index("key")].split(","):
            rows[(section, doc_key(key))] = default
    return rows


def problems(table, doc_text):
    doc = doc_rows(doc_text)
    sections = {s for s, _ in table}
    found = []
    for (section, key), default in table.items():
        if (section, key) not in doc:
            found.append(f"[{section}] {key}: in the table, not in the doc")
        elif doc[(section, key)] != default:
            found.append(f"[{section}] {key}: the doc's default is "
                         f"'{doc[(section, key)]}', the table's '{default}'")
    for (section, key) in doc:
        if section in sections and (section, key) not in table:
            found.append(f"[{section}] {key}: in the doc, not in the table")
    return found


def main(argv):
    self_test = argv[1:2] == ["--self-test"]
    program, doc_path = argv[-2], argv[-1]
    table = table_rows(program)
    with open(doc_path, encoding="utf-8") as f:
        text = f.read()
    found = problems(table, text)
    for p in found:
        print(f"{doc_path}: {p}")
    if not self_test:
        if found:
            print("docs/configuration.md and host/engine/settings.c disagree")
        return 1 if found else 0
    # Each doctored doc must fail: a changed default, a key the table
    # lacks, a key the doc lacks.
    doctored = {
        "a changed default": text.replace("| `lock_wait` | 600 |",
                                          "| `lock_wait` | 60 |"),
        "an unknown key": text.replace("| `threads` |",
                                       "| `thread_count` | 2 | x |\n| `threads` |"),
        "a missing key": re.sub(r"\| `delay_days` \|[^\n]*\n", "", text),
    }
    failed = bool(found)
    for name, variant in doctored.items():
        new = [p for p in problems(table, variant) if p not in found]
        if variant == text:
            print(f"self-test: could not make {name}")
            failed = True
        elif not new:
            print(f"self-test: {name} was not noticed")
            failed = True
        else:
            print(f"self-test: {name} is noticed: {new[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
