#!/usr/bin/env python3
"""reshape.py - the demo's exports (peil-demo) rewritten as another
registration system would export them, for the oracle test (run.sh).

    reshape.py DEMO_DIR OUT_DIR TEAMS

Unlike the demo: one case export of all years, UTF-8 with a byte-order
mark, ',' as separator, dates as jjjj-mm-dd, other header names in another
order, fewer columns (no organisation, district or neighbourhood), each
team split in TEAMS by the case's number (about 15 x TEAMS teams), the
self-reliance answers spelled Ja / NEE / nvt (recoded by the config),
the closure reasons without accents; the other exports with other headers,
separators (tab, comma) and date formats (jjjjmmdd, dd/mm/jjjj,
dd.mm.jjjj), and ladder measurements of one person on one day (ordered
by their id).  Standard library only.
"""

import csv
import glob
import os
import sys
import unicodedata


def read(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    return rows[0], rows[1:]


def write(path, header, rows, delimiter, bom=False):
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)


def redate(text, fmt):
    """A d-m-jjjj date of the demo in another format, zero-padded."""
    if not text:
        return text
    d, m, y = ("%02d" % int(x) for x in text.split("-"))
    return {"iso": "%s-%s-%s" % (y, m, d), "compact": y + m + d,
            "slash": "%s/%s/%s" % (d, m, y), "dots": "%s.%s.%s" % (d, m, y)}[fmt]


def plain(text):
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def main():
    demo, out, teams = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)

    rows = []
    for path in sorted(glob.glob(os.path.join(demo, "export_casussen_*.csv"))):
        header, body = read(path, "cp1252")
        rows.extend(body)
    col = {h: i for i, h in enumerate(header)}
    spelling = {"ja": "Ja", "nee": "NEE", "n.v.t.": "nvt", "": ""}
    cases = []
    for r in rows:
        number = int(r[col["Dossiernummer"]].split("-")[1])
        cases.append([
            redate(r[col["Datum aanmelding"]], "iso"),
            r[col["Team"]] + " %03d" % (number * 13 % teams + 1),
            r[col["Dossiernummer"]],
            r[col["Melder"]],
            redate(r[col["Datum eerste kennismaking"]], "iso"),
            redate(r[col["Datum afsluiting"]], "iso"),
            plain(r[col["Reden beëindiging"]]),
            spelling[r[col["Zelfredzaam bij afsluiting"]]],
            r[col["Rapportcijfer"]],
            r[col["Persoonsnummer"]],
            redate(r[col["Datum invoer"]], "iso"),
        ])
    write(os.path.join(out, "dossiers.csv"),
          ["Aanmelddatum", "Teamnaam", "Dossier-ID", "Verwezen door",
           "Eerste gesprek", "Einddatum", "Reden einde", "Zelfredzaam?",
           "Cijfer cliënt", "Cliëntnummer", "Ingevoerd op"], cases, ",", bom=True)

    header, body = read(os.path.join(demo, "export_leden.csv"))
    write(os.path.join(out, "leden.tsv"), ["Lid", "Dossier-ID", "Cliëntnummer", "Rol"],
          body, "\t")

    header, body = read(os.path.join(demo, "export_metingen.csv"))
    twins = []
    for n, r in enumerate(body):
        r[2] = redate(r[2], "compact")
        # every 9th ladder measurement gets a twin of the same day, whose
        # id sorts before it ("A..." < "M..."), two rungs up or down
        if r[3] == "Participatieladder" and n % 9 == 0:
            score = int(r[5]) + (2 if n % 2 else -2)
            twins.append(["A" + r[0][1:], r[1], r[2], r[3], r[4],
                          str(max(1, min(6, score)))])
    body.extend(twins)
    write(os.path.join(out, "metingen.csv"),
          ["ID", "Cliëntnummer", "Meetdatum", "Meetinstrument", "Domein ZRM", "Score"],
          body, ",")

    header, body = read(os.path.join(demo, "export_trajecten.csv"))
    for r in body:
        r[3], r[4] = redate(r[3], "slash"), redate(r[4], "slash")
    write(os.path.join(out, "trajecten.csv"),
          ["Traject", "Cliëntnummer", "Programma", "Begin", "Einde"], body, ";")

    header, body = read(os.path.join(demo, "export_bezoeken.csv"))
    for r in body:
        r[3] = redate(r[3], "dots")
    write(os.path.join(out, "bezoeken.csv"),
          ["Bezoek", "Traject", "Na maanden", "Bezocht op"], body, ";")

    header, body = read(os.path.join(demo, "export_verwijzingen.csv"))
    for r in body:
        r[4], r[5] = redate(r[4], "iso"), redate(r[5], "iso")
    write(os.path.join(out, "verwijzingen.csv"),
          ["Beschikking", "Dossier-ID", "Zorgaanbieder", "Product", "Afgegeven",
           "Zorg gestart"], body, ";")


if __name__ == "__main__":
    main()
