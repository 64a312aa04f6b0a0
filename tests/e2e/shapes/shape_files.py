"""shape_files.py - the files of a shape, as gen_shapes.py, gen_shapes2.py
and gen_shapes3.py write them alike: exports and the [source] sections
that read them, the head of peil.ini, the shipped declarations of the
datasets, a key file, and at the end the shape's peil.ini and truth.json.

What rows a shape has is its generator's; how they are written is here,
once.  Standard library only.
"""

import csv
import datetime as dt
import io
import json
import os

D = dt.date

# The datasets whose declarations gen_shapes.py and gen_shapes3.py copy.
SHAPE_DATASETS = ("cases", "case_members", "persons", "measurements", "trajectories", "referrals")


def dmy(d, form="d-m-jjjj"):
    """Date d as an export of the date format form writes it; "" for none."""
    if d is None:
        return ""
    if form == "d-m-jjjj":
        return "%d-%d-%d" % (d.day, d.month, d.year)
    if form == "dd.mm.jjjj":
        return "%02d.%02d.%d" % (d.day, d.month, d.year)
    if form == "dd-mm-jjjj":
        return "%02d-%02d-%d" % (d.day, d.month, d.year)
    return d.isoformat()


def write_csv(path, header, rows, sep=";", encoding="utf-8", eol="\r\n", tail=""):
    """A CSV file of header and rows (None an empty value), then tail."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=eol)
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(buf.getvalue() + tail)


def iso(rows):
    """The rows as the truth keeps them: dates in ISO form."""
    return [{k: (v.isoformat() if isinstance(v, D) else v) for k, v in row.items()}
            for row in rows]


def datasets(conf, names=SHAPE_DATASETS, extra=""):
    """The shipped declarations of the named datasets (conf/peil.ini)
    without their comments, as an integrator copies them; extra, keys
    added to [dataset cases]."""
    out, keep = [], False
    for line in open(conf, encoding="utf-8"):
        if line.startswith("["):
            keep = line.split()[0] == "[dataset" and line.split()[1].rstrip("]") in names
        if keep and not line.startswith(";"):
            out.append(line)
            if line.startswith("[dataset cases]"):
                out.append(extra)
    return "".join(out) + "\n"


def section(name, plugin, dataset, path, keys="", columns=()):
    """A [source] of plugin: its keys, then columns, (header, field) pairs."""
    return ("\n[source %s]\nplugin = %s\ndataset = %s\npath = %s\n%s" % (name, plugin, dataset, path, keys)
            + "".join("column.%s = %s\n" % hf for hf in columns))


def source(name, dataset, path, columns, keys=""):
    """A [source] of the csv plugin of a ';' export."""
    return section(name, "csv", dataset, path, "separator = semicolon\n" + keys, columns)


def export(out, name, dataset, columns, rows, keys="", form="d-m-jjjj"):
    """Rows written as a ';' export of the given columns, and its source."""
    write_csv(os.path.join(out, name + ".csv"), [h for h, _ in columns],
              [[dmy(r[f], form) if isinstance(r[f], D) else r[f] for _, f in columns] for r in rows])
    return source(name, dataset, name + ".csv", columns, keys)


def head(scripts, min_count, calendar, contract, run_from, run_to, kpis):
    """The first sections of a shape's peil.ini: [peil], [storage],
    [calendar], [run], [contract] and [privacy]."""
    return f"""[peil]
script_dirs = {scripts}
reject_dir = rejects

[storage]
path = peil.db

[calendar]
{calendar}
[run]
periods = {run_from}..{run_to}
kpis = {kpis}

[contract]
{contract}
[privacy]
min_count = {min_count}

"""


def with_key_file(ini, out, name, key):
    """ini (of head, min_count 0) with key_file = name in [privacy], the
    key written to out/name, readable by its owner alone."""
    path = os.path.join(out, name)
    with open(path, "w") as f:
        f.write(key)
    os.chmod(path, 0o600)
    return ini.replace("[privacy]\nmin_count = 0\n", "[privacy]\nmin_count = 0\nkey_file = %s\n" % name)


def write_shape(out, ini, truth, **rows):
    """out/peil.ini, and out/truth.json: truth with each dataset's rows
    of rows (name=rows) in ISO form."""
    with open(os.path.join(out, "peil.ini"), "w", encoding="utf-8") as f:
        f.write(ini)
    truth.update({name: iso(r) for name, r in rows.items()})
    with open(os.path.join(out, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False)
