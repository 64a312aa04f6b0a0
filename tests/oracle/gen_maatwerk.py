#!/usr/bin/env python3
"""gen_maatwerk.py - CSV exports of customised care (maatwerk) as the
datasets of the iWmo/iJw messages hold them (allocations 301, care starts
305, care ends 307, requests 315), for the oracle test (run.sh maatwerk).

    gen_maatwerk.py OUT_DIR SEED

Made to reach the edges of scripts/maatwerk.lua: two municipalities that
use the same allocation numbers (a start of the other municipality's
allocation does not count), withdrawn allocations (change reason 13),
deleted start and stop messages (status 3), several starts of one
allocation, a start date before or after the allocation (start or
allocation date, whichever is later), requests of another provider with
the same reference, and dates across weekends and holidays.  Standard
library only; the same SEED gives the same files.
"""

import csv
import datetime
import os
import random
import sys


def bsn(rng):
    """A citizen number that passes the 11-proef."""
    while True:
        d = [rng.randint(0, 9) for _ in range(8)]
        s = sum((9 - i) * x for i, x in enumerate(d)) % 11
        if s < 10 and (any(d) or s):
            return "".join(map(str, d)) + str(s)


def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    day0 = datetime.date(2017, 1, 1)
    providers = ["Zorgkracht", "Thuiszorg Oost", "De Brug", "Kompas Jeugd", "Sterk Huis"]
    categories = ["01", "02", "10", "45"]
    gemeenten = ["0363", "0599"]
    reasons = ["01", "02", "03", "08", "21"]

    def iso(d):
        return d.isoformat()

    allocations, starts, ends, requests = [], [], [], []
    for n in range(1, 2401):
        gemeente = gemeenten[n % 2]
        number = "T%05d" % ((n + 1) // 2)      # shared by both municipalities
        provider = rng.choice(providers)
        allocated = day0 + datetime.timedelta(days=rng.randint(0, 729))
        start = allocated + datetime.timedelta(days=rng.choice([-20, -3, 0, 0, 0, 2, 9, 25]))
        end = start + datetime.timedelta(days=rng.randint(20, 400)) if rng.random() < 0.6 else None
        change = rng.choice(["", "", "", "", "01", "13"])
        ref = "R%05d" % rng.randint(1, 1800) if rng.random() < 0.8 else ""
        allocations.append([gemeente, number, provider, bsn(rng), ref,
                            rng.choice(categories), "P%02d" % rng.randint(1, 9),
                            iso(allocated), iso(start), iso(end) if end else "", change,
                            "301", iso(allocated), "iWmo", "t%d.xml" % n])
        vanaf = max(start, allocated)
        for k in range(rng.choice([0, 1, 1, 1, 2])):
            started = vanaf + datetime.timedelta(days=rng.choice([-2, 0, 1, 3, 7, 12, 14, 15, 30, 60]) + k)
            status = "3" if rng.random() < 0.15 else "1"
            starts.append([gemeente, number, iso(started), provider, bsn(rng), "", "",
                           iso(start), status, "305", "iWmo", "s%d_%d.xml" % (n, k)])
            if rng.random() < 0.4:
                ended = started + datetime.timedelta(days=rng.randint(0, 300))
                ends.append([gemeente, number, iso(started), provider, bsn(rng), "", "",
                             iso(start), rng.choice(reasons), iso(ended),
                             "3" if rng.random() < 0.1 else "1", "307", "iWmo",
                             "e%d_%d.xml" % (n, k)])
        if ref and rng.random() < 0.7:
            for k in range(rng.choice([1, 1, 2])):
                asked = allocated - datetime.timedelta(days=rng.randint(0, 25))
                who = provider if rng.random() < 0.9 else rng.choice(providers)
                requests.append([gemeente, who, ref, bsn(rng), "", "", iso(asked), "",
                                 "315", iso(asked + datetime.timedelta(days=k)), "iWmo",
                                 "v%d_%d.xml" % (n, k)])
    # one row per key, as the message datasets hold them
    seen = set()
    requests = [r for r in requests if (r[0], r[1], r[2]) not in seen
                and not seen.add((r[0], r[1], r[2]))]
    seen = set()
    starts = [r for r in starts if (r[0], r[1], r[2]) not in seen
              and not seen.add((r[0], r[1], r[2]))]
    seen = set()
    ends = [r for r in ends if (r[0], r[1], r[2]) not in seen
            and not seen.add((r[0], r[1], r[2]))]
    write(os.path.join(out, "toewijzingen.csv"),
          ["Gemeente", "Toewijzingnummer", "Aanbieder", "BSN", "Referentie",
           "Categorie", "Product", "Toewijzingsdatum", "Ingangsdatum", "Einddatum",
           "Reden wijziging", "Bericht", "Dagtekening", "Standaard", "Bestand"], allocations)
    write(os.path.join(out, "starten.csv"),
          ["Gemeente", "Toewijzingnummer", "Begindatum", "Aanbieder", "BSN", "Categorie",
           "Product", "Ingangsdatum", "Status", "Bericht", "Standaard", "Bestand"], starts)
    write(os.path.join(out, "stoppen.csv"),
          ["Gemeente", "Toewijzingnummer", "Begindatum", "Aanbieder", "BSN", "Categorie",
           "Product", "Ingangsdatum", "Reden", "Einddatum", "Status", "Bericht",
           "Standaard", "Bestand"], ends)
    write(os.path.join(out, "verzoeken.csv"),
          ["Gemeente", "Aanbieder", "Referentie", "BSN", "Categorie", "Product",
           "Begindatum", "Einddatum", "Bericht", "Dagtekening", "Standaard", "Bestand"],
          requests)


if __name__ == "__main__":
    main()
