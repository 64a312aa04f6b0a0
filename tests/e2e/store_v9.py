#!/usr/bin/env python3
"""Take a sqlite store of schema version 10 back to version 9, as a Peil of
that version left it: each figure a row of peil_result, none packed.

Reads the packed rows of peil_figures by the format that
plugins/store_sqlite/sqlite_figures.c describes, independently of it: a
format byte 1, then per figure the breakdown (a varint length, the bytes,
a NUL), a flags byte (1 value, 2 numerator, 4 denominator, 8 size, 16
status, 32 earlier), the numbers present as little-endian doubles, and
the status when present.  Refuses anything else.

    store_v9.py STORE
"""
import sqlite3
import struct
import sys

V9_TABLE = """CREATE TABLE peil_result (
 run_id INTEGER NOT NULL REFERENCES peil_run (id),
 kpi TEXT NOT NULL,
 period TEXT NOT NULL,
 breakdown TEXT NOT NULL,
 value REAL,
 numerator REAL,
 denominator REAL,
 status TEXT,
 size REAL,
 earlier INTEGER NOT NULL DEFAULT 0,
 PRIMARY KEY (run_id, kpi, period, breakdown)) WITHOUT ROWID"""


def unpack(cells, count):
    at = 1
    if cells[0] != 1:
        raise ValueError("format %d" % cells[0])

    def text():
        nonlocal at
        n = shift = 0
        while True:
            byte = cells[at]
            at += 1
            n |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if cells[at + n] != 0:
            raise ValueError("a text without its NUL")
        value = cells[at:at + n].decode("utf-8")
        at += n + 1
        return value

    figures = []
    for _ in range(count):
        breakdown = text()
        flags = cells[at]
        at += 1
        numbers = []
        for bit in range(4):
            if flags & (1 << bit):
                numbers.append(struct.unpack_from("<d", cells, at)[0])
                at += 8
            else:
                numbers.append(None)
        status = text() if flags & 16 else None
        figures.append((breakdown, numbers[0], numbers[1], numbers[2],
                        status, numbers[3], 1 if flags & 32 else 0))
    if at != len(cells):
        raise ValueError("bytes after the last figure")
    return figures


def main():
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute(V9_TABLE)
    rows = db.execute("SELECT run_id, kpi, period, figures, cells"
                      " FROM peil_figures").fetchall()
    for run_id, kpi, period, count, cells in rows:
        for figure in unpack(bytes(cells), count):
            db.execute("INSERT INTO peil_result VALUES"
                       " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (run_id, kpi, period) + figure)
    db.execute("DROP TABLE peil_figures")
    db.execute("PRAGMA user_version = 9")
    db.execute("COMMIT")
    print(sum(len(unpack(bytes(c), n)) for _, _, _, n, c in rows))


if __name__ == "__main__":
    main()
