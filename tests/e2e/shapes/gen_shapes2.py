#!/usr/bin/env python3
"""gen_shapes2.py - exports for the KPIs that gen_shapes.py leaves out:
the self-sufficiency matrix (ZRM) and the follow-up visits of
neighbourhood jobs, with their truth.

    gen_shapes2.py SHAPE OUT_DIR SCRIPTS_DIR

Writes OUT_DIR/peil.ini (as a new municipality's integrator would write it
from README.md and docs/configuration.md), the exports it reads, and
OUT_DIR/truth.json (the rows as meant, ISO dates) for check_shapes2.py.
Shapes:

  zrm     ZRM measurements of the 2017 version (13 domains) and the older
          one (11 domains) mixed, a person moving from one to the other;
          persons measured once, sessions of a few domains only, two
          sessions on one day (numbered against the export's order),
          ladder measurements beside them; quarters and years
  visits  neighbourhood-job trajectories started on the 28th to 31st and
          on ordinary days, ending before, on and after a visit's due
          date, visits done early, on the due date, late, twice, never,
          or for a month not in the schedule; other programmes beside
          them; months, quarters and years
  iwmo    customised care as iWmo and iJw 3.2 messages (301, 305, 307,
          315; written after the structure of the release's XSDs) and the
          same facts as CSV exports of the datasets: messages of two
          products, two municipalities that use the same allocation
          numbers, corrections (RedenWijziging 14) and withdrawals (13)
          in later messages, starts and stops deleted by a later message
          (StatusAanlevering 3), requests of another provider
  history three deliveries of cases by two organisations: Welzijn Noord
          sends its whole export each month (mode = snapshot, scope
          organisation), with cases reopened, deleted and their
          registration corrected from one export to the next; Welzijn
          Zuid sends monthly exports that overlap (mode = increment), its
          January again corrected in the third delivery; delivery K's new
          files in OUT_DIR/dK, the cases as the store should hold them
          after each in the truth

Seeded (the shape's name): the same files every time.  Standard library
only.
"""

import datetime as dt
import os
import random
import sys

sys.dont_write_bytecode = True  # nothing written beside the sources
from shape_files import datasets, export, head, iso, source, with_key_file, write_shape  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "oracle"))
from gen_maatwerk import bsn  # noqa: E402 (the oracle's)

D = dt.date

ZRM_2017 = ["Financiën", "Werk & opleiding", "Tijdsbesteding", "Huisvesting",
            "Huiselijke relaties", "Geestelijke gezondheid",
            "Lichamelijke gezondheid", "Middelengebruik", "Basale ADL",
            "Instrumentele ADL", "Sociaal netwerk",
            "Maatschappelijke participatie", "Justitie"]
ZRM_OLD = ["Financiën", "Dagbesteding", "Huisvesting", "Huiselijke relaties",
           "Geestelijke gezondheid", "Lichamelijke gezondheid", "Verslaving",
           "ADL-vaardigheden", "Sociaal netwerk",
           "Maatschappelijke participatie", "Justitie"]


def ini_head(scripts, kpis, run_from, run_to):
    return head(scripts, 0, "good_friday = yes\nliberation_day = yes\n", "start_month = 1\n",
                run_from, run_to, kpis)


DMY = "date_format = dd-mm-jjjj\n"


def add_months(d, n):
    """date.add_months as docs/kpi-scripts.md says: 31 January + 1 month
    is the end of February."""
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    last = (D(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return D(y, m, min(d.day, last))


def zrm(r):
    """Persons with sessions of the ZRM: each session a date and a score
    per domain of its version; a few rows of the participation ladder."""
    rows, n = [], 0

    def row(person, day, instrument, domain, score):
        nonlocal n
        n += 1
        rows.append({"measurement_id": "M%06d" % n, "person": person, "date": day,
                     "instrument": instrument, "domain": domain, "score": score})

    for p in range(1, 201):
        person = "Z%04d" % p
        kind = r.random()
        first = D(2017, 1, 1) + dt.timedelta(days=r.randint(0, 900))
        sessions = 1 if kind < 0.15 else r.randint(2, 5)
        day = first
        switch = r.randint(1, sessions) if kind > 0.7 else (99 if day.year < 2018 else 0)
        prev = {}
        for s in range(sessions):
            domains = ZRM_OLD if s < switch else ZRM_2017
            if r.random() < 0.3:
                domains = r.sample(domains, r.randint(1, 4))
            same_day = s > 0 and r.random() < 0.12
            if not same_day and s > 0:
                day = day + dt.timedelta(days=r.choice([1, 14, 30, 45, 61, 90, 91, 92, 120, 180, 300]))
            for dom in domains:
                score = prev.get(dom, r.randint(1, 5))
                score = min(5, max(1, score + r.choice([-2, -1, 0, 0, 1, 1, 2])))
                prev[dom] = score
                row(person, day, "ZRM", dom, score)
        if r.random() < 0.2:
            row(person, first + dt.timedelta(days=10), "Participatieladder", None, r.randint(1, 6))
    # Two sessions on one day whose numbers run against the export's
    # order: the lower number is written last.
    for p in range(401, 421):
        person = "Z%04d" % p
        day = D(2018, 3, 1) + dt.timedelta(days=p)
        for dom in ZRM_2017[:3]:
            row(person, day, "ZRM", dom, r.randint(1, 5))
        later = day + dt.timedelta(days=r.choice([0, 40, 100]))
        a, b = r.randint(1, 5), r.randint(1, 5)
        n += 2
        rows.append({"measurement_id": "M%06d" % n, "person": person, "date": later,
                     "instrument": "ZRM", "domain": ZRM_2017[0], "score": a})
        rows.append({"measurement_id": "M%06d" % (n - 1), "person": person, "date": later,
                     "instrument": "ZRM", "domain": ZRM_2017[0], "score": b})
    return rows


def visits(r):
    """Trajectories and their visits."""
    traj, vis = [], []
    starts = []
    for y, m in [(2017, 8), (2017, 11), (2017, 12), (2018, 1), (2018, 3), (2018, 5), (2018, 8), (2018, 10)]:
        for d in (28, 29, 30, 31):
            try:
                starts.append(D(y, m, d))
            except ValueError:
                pass
    starts += [D(2016, 2, 29), D(2016, 5, 31), D(2017, 5, 31)]
    for i in range(1, 361):
        start = r.choice(starts) if r.random() < 0.5 else D(2016, 6, 1) + dt.timedelta(days=r.randint(0, 900))
        due = [add_months(start, m) for m in (3, 9, 15, 22)]
        k = r.random()
        if k < 0.45:
            end = None
        elif k < 0.65:
            end = r.choice(due)  # ends on a due date: that visit falls due
        elif k < 0.8:
            end = r.choice(due) - dt.timedelta(days=1)  # ends the day before
        else:
            end = start + dt.timedelta(days=r.randint(0, 800))
        prog = "Buurtbaan" if r.random() < 0.8 else r.choice(["Taal & Rekenen", "Digivaardig"])
        tid = "T%04d" % i
        traj.append({"trajectory_id": tid, "person": "P%04d" % r.randint(1, 300), "programme": prog,
                     "start": start, "end": end})
        for m, dd in zip((3, 9, 15, 22), due):
            k = r.random()
            if k < 0.25:
                continue
            shift = r.choice([-45, -20, -1, 0, 0, 0, 1, 5, 20, 31, 60, 120])
            vis.append({"trajectory_id": tid, "month": m, "date": dd + dt.timedelta(days=shift)})
            if k > 0.93:  # registered twice
                vis.append({"trajectory_id": tid, "month": m, "date": dd + dt.timedelta(days=shift + 7)})
        if r.random() < 0.1:  # a visit for a month not in the schedule
            vis.append({"trajectory_id": tid, "month": 6, "date": add_months(start, 6)})
    r.shuffle(vis)
    for n, v in enumerate(vis, 1):
        v["visit_id"] = "V%05d" % n
    return traj, vis


IST = {("iwmo", "301"): "414", ("iwmo", "305"): "418", ("iwmo", "307"): "420", ("iwmo", "315"): "444",
       ("ijw", "301"): "436", ("ijw", "305"): "438", ("ijw", "307"): "440", ("ijw", "315"): "446"}
LIST = {"301": "ToegewezenProducten", "305": "StartProducten", "307": "StopProducten",
        "315": "AangevraagdeProducten"}


def message(path, std, kind, sender, receiver, dated, person, products):
    """An iWmo or iJw 3.2 message of one client; products are the XML of
    its products (prefix m: the message's namespace, b: basisschema)."""
    p = "jw" if std == "ijw" else "wmo"
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"""<?xml version="1.0" encoding="UTF-8"?>
<m:Bericht xmlns:b="http://www.istandaarden.nl/{std}/3_2/basisschema/schema" xmlns:m="http://www.istandaarden.nl/{std}/3_2/{p}{kind}/schema">
  <m:Header>
    <m:BerichtCode>{IST[(std, kind)]}</m:BerichtCode>
    <m:BerichtVersie>3</m:BerichtVersie>
    <m:BerichtSubversie>2</m:BerichtSubversie>
    <m:Afzender>{sender}</m:Afzender>
    <m:Ontvanger>{receiver}</m:Ontvanger>
    <m:BerichtIdentificatie>
      <b:Identificatie>{os.path.basename(path)[:-4]}</b:Identificatie>
      <b:Dagtekening>{dated.isoformat()}</b:Dagtekening>
    </m:BerichtIdentificatie>
    <m:XsdVersie>
      <b:BasisschemaXsdVersie>1.0.0</b:BasisschemaXsdVersie>
      <b:BerichtXsdVersie>1.0.0</b:BerichtXsdVersie>
    </m:XsdVersie>
  </m:Header>
  <m:Client>
    <m:Bsn>{person}</m:Bsn>
    <m:Geboortedatum><b:Datum>1958-02-28</b:Datum></m:Geboortedatum>
    <m:Geslacht>2</m:Geslacht>
    <m:Naam><b:Geslachtsnaam><b:Achternaam>Jansen</b:Achternaam></b:Geslachtsnaam></m:Naam>
    <m:{LIST[kind]}>
{"".join(products)}    </m:{LIST[kind]}>
  </m:Client>
</m:Bericht>
""")


def opt(tag, v):
    return "" if v is None or v == "" else "<m:%s>%s</m:%s>" % (tag, v.isoformat() if isinstance(v, D) else v, tag)


def iwmo(r, out):
    """Allocations, starts, stops and requests as messages in out/msg, and
    the rows that the datasets hold after them (one per key, the later
    message replacing the earlier), returned for the CSV exports."""
    os.makedirs(os.path.join(out, "msg"), exist_ok=True)
    providers = ["12340001", "12340002", "12340003", "87650004"]
    alloc, starts, ends, reqs = {}, {}, {}, {}
    n301 = n305 = n307 = n315 = 0
    i = 0
    while i < 240:
        gem = r.choice(["0363", "0599"])
        prov = r.choice(providers)
        std = "ijw" if r.random() < 0.25 else "iwmo"
        person = bsn(r)
        prods, rows = [], []
        for _ in range(1 if r.random() < 0.75 else 2):
            i += 1
            number = "A%04d" % ((i + 1) // 2 if r.random() < 0.3 else i)  # some numbers in both municipalities
            if (gem, number) in alloc or any(x["allocation"] == number for x in rows):
                number = "A%04d" % (1000 + i)
            allocated = D(2023, 1, 2) + dt.timedelta(days=r.randint(0, 360))
            start = allocated + dt.timedelta(days=r.choice([-10, 0, 0, 0, 3, 20]))
            end = start + dt.timedelta(days=r.randint(10, 300)) if r.random() < 0.5 else None
            ref = "R%04d" % i if r.random() < 0.7 else None
            cat = "45" if std == "ijw" else r.choice(["01", "02", "10"])
            row = {"municipality": gem, "allocation": number, "provider": prov, "person": person,
                   "provider_ref": ref, "category": cat, "product": cat + "A11", "allocated": allocated,
                   "start": start, "end": end, "change_reason": None, "message": IST[(std, "301")],
                   "message_date": allocated, "standard": "iJw" if std == "ijw" else "iWmo"}
            rows.append(row)
        n301 += 1
        name = "301_1_%04d.xml" % n301
        for row in rows:
            row.update(file=name, message_date=rows[0]["allocated"])
            alloc[(row["municipality"], row["allocation"])] = row
            prods.append(toegewezen(row))
        message(os.path.join(out, "msg", name), std, "301", gem, prov, rows[0]["allocated"], person, prods)
        for row in rows:
            # a later 301: a correction or a withdrawal of this product
            k = r.random()
            if k < 0.25:
                n301 += 1
                name = "301_2_%04d.xml" % n301
                new = dict(row, file=name, message_date=row["allocated"] + dt.timedelta(days=5))
                if k < 0.1:
                    new.update(change_reason="13", end=new["start"])
                else:
                    new.update(change_reason="14", start=row["start"] + dt.timedelta(days=r.choice([-3, 1, 5])))
                alloc[(gem, row["allocation"])] = new
                message(os.path.join(out, "msg", name), std, "301", gem, prov, new["message_date"], person,
                        [toegewezen(new)])
            vanaf = max(row["start"], row["allocated"])
            for k in range(r.choice([0, 1, 1, 1, 2])):
                started = vanaf + dt.timedelta(days=r.choice([-2, 0, 1, 4, 9, 14, 15, 16, 30, 45]) + k)
                n305 += 1
                s = {"municipality": gem, "allocation": row["allocation"], "started": started, "provider": prov,
                     "person": person, "category": row["category"], "product": row["product"],
                     "allocation_start": row["start"], "status": "1", "message": IST[(std, "305")],
                     "standard": row["standard"], "file": "305_1_%04d.xml" % n305}
                starts[(gem, row["allocation"], started)] = s
                message(os.path.join(out, "msg", s["file"]), std, "305", prov, gem, started, person, [startproduct(s)])
                if r.random() < 0.12:  # deleted by a later message
                    n305 += 1
                    s = dict(s, status="3", file="305_2_%04d.xml" % n305)
                    starts[(gem, row["allocation"], started)] = s
                    message(os.path.join(out, "msg", s["file"]), std, "305", prov, gem, started, person,
                            [startproduct(s)])
                if r.random() < 0.4:
                    n307 += 1
                    e = dict(s, reason=r.choice(["02", "19", "19", "20", "34"]), status="1",
                             ended=started + dt.timedelta(days=r.randint(0, 200)),
                             message=IST[(std, "307")], file="307_1_%04d.xml" % n307)
                    ends[(gem, row["allocation"], started)] = e
                    message(os.path.join(out, "msg", e["file"]), std, "307", prov, gem, e["ended"], person,
                            [stopproduct(e)])
                    if r.random() < 0.1:
                        n307 += 1
                        e = dict(e, status="3", file="307_2_%04d.xml" % n307)
                        ends[(gem, row["allocation"], started)] = e
                        message(os.path.join(out, "msg", e["file"]), std, "307", prov, gem, e["ended"], person,
                                [stopproduct(e)])
            if row["provider_ref"] and r.random() < 0.7:
                who = prov if r.random() < 0.85 else r.choice(providers)
                asked = row["allocated"] - dt.timedelta(days=r.randint(0, 25))
                if (gem, who, row["provider_ref"]) in reqs:
                    continue
                n315 += 1
                q = {"municipality": gem, "provider": who, "provider_ref": row["provider_ref"], "person": person,
                     "category": row["category"], "product": None, "start": row["start"], "end": None,
                     "message": IST[(std, "315")], "message_date": asked, "standard": row["standard"],
                     "file": "315_1_%04d.xml" % n315}
                reqs[(gem, who, row["provider_ref"])] = q
                message(os.path.join(out, "msg", q["file"]), std, "315", who, gem, asked, person,
                        ["""      <m:AangevraagdProduct>
        <m:ReferentieAanbieder>%s</m:ReferentieAanbieder>
        <m:Product><b:Categorie>%s</b:Categorie></m:Product>
        <m:ToewijzingIngangsdatum>%s</m:ToewijzingIngangsdatum>
      </m:AangevraagdProduct>
""" % (q["provider_ref"], q["category"], q["start"].isoformat())])
    return [list(x.values()) for x in (alloc, starts, ends, reqs)]


def toegewezen(a):
    return """      <m:ToegewezenProduct>
        <m:ToewijzingNummer>%s</m:ToewijzingNummer>
        %s
        <m:Product><b:Categorie>%s</b:Categorie><b:Code>%s</b:Code></m:Product>
        <m:Toewijzingsdatum>%s</m:Toewijzingsdatum>
        <m:Toewijzingstijd>10:00:00</m:Toewijzingstijd>
        <m:Ingangsdatum>%s</m:Ingangsdatum>
        %s%s
      </m:ToegewezenProduct>
""" % (a["allocation"], opt("ReferentieAanbieder", a["provider_ref"]), a["category"], a["product"],
       a["allocated"].isoformat(), a["start"].isoformat(), opt("Einddatum", a["end"]),
       opt("RedenWijziging", a["change_reason"]))


def startproduct(s):
    return """      <m:StartProduct>
        <m:ToewijzingNummer>%s</m:ToewijzingNummer>
        <m:Product><b:Categorie>%s</b:Categorie><b:Code>%s</b:Code></m:Product>
        <m:ToewijzingIngangsdatum>%s</m:ToewijzingIngangsdatum>
        <m:Begindatum>%s</m:Begindatum>
        <m:StatusAanlevering>%s</m:StatusAanlevering>
      </m:StartProduct>
""" % (s["allocation"], s["category"], s["product"], s["allocation_start"].isoformat(),
       s["started"].isoformat(), s["status"])


def stopproduct(e):
    return """      <m:StopProduct>
        <m:ToewijzingNummer>%s</m:ToewijzingNummer>
        <m:Product><b:Categorie>%s</b:Categorie><b:Code>%s</b:Code></m:Product>
        <m:ToewijzingIngangsdatum>%s</m:ToewijzingIngangsdatum>
        <m:Begindatum>%s</m:Begindatum>
        <m:RedenBeeindiging>%s</m:RedenBeeindiging>
        <m:Einddatum>%s</m:Einddatum>
        <m:StatusAanlevering>%s</m:StatusAanlevering>
      </m:StopProduct>
""" % (e["allocation"], e["category"], e["product"], e["allocation_start"].isoformat(),
       e["started"].isoformat(), e["reason"], e["ended"].isoformat(), e["status"])


def history(r):
    """The cases of both organisations, and what each delivery sends."""
    def case(i, org):
        reg = D(2018, 1, 1) + dt.timedelta(days=r.randint(0, 75))
        closed = reg + dt.timedelta(days=r.choice([0, 5, 20, 40, 70])) if r.random() < 0.6 else None
        return {"case_id": "C%03d" % i, "organisation": org,
                "team": org.split()[1] + "-" + r.choice("AB"), "registered": reg, "closed": closed}

    def as_of(c, day):
        """The case as an export of that day shows it, or None."""
        if c["registered"] > day:
            return None
        return dict(c, closed=c["closed"] if c["closed"] and c["closed"] <= day else None)

    noord = [case(i, "Welzijn Noord") for i in range(1, 121)]
    zuid = [case(i, "Welzijn Zuid") for i in range(1, 121)]  # the same numbers: other cases
    days = [D(2018, 3, 1), D(2018, 4, 1), D(2018, 5, 1)]
    deliveries = []
    reopened, deleted, moved = set(), set(), {}
    for k, day in enumerate(days):
        files = {}
        if k == 1:  # from now on: some reopened, some deleted, some registered on another day
            shown = [c for c in noord if as_of(c, days[0])]
            reopened = {c["case_id"] for c in r.sample([c for c in shown if c["closed"] and c["closed"] <= days[0]], 4)}
            deleted = {c["case_id"] for c in r.sample(shown, 4)}
            moved = {c["case_id"]: c["registered"] + dt.timedelta(days=r.choice([-20, -3, 9, 31]))
                     for c in r.sample(shown, 5)}
        rows = []
        for c in noord:
            c = as_of(c, day)
            if c is None or c["case_id"] in deleted:
                continue
            if c["case_id"] in reopened:
                c["closed"] = None
            if c["case_id"] in moved:
                c["registered"] = moved[c["case_id"]]
                if c["closed"] and c["closed"] < c["registered"]:
                    c["closed"] = c["registered"]
            rows.append(c)
        files["noord_%d.csv" % (k + 1)] = rows
        # Zuid: the month before the day, and the last ten days of the one before that
        lo = add_months(D(day.year, day.month, 1), -2) + dt.timedelta(days=20 if k else -400)
        files["zuid_%d.csv" % (k + 1)] = [x for x in (as_of(c, day) for c in zuid)
                                          if x and lo <= x["registered"] < D(day.year, day.month, 1)]
        if k == 2:  # January again, corrected: registrations a few days on, closures as of now
            fix = []
            for c in zuid:
                x = as_of(c, day)
                if x and x["registered"].month == 1:
                    x["registered"] += dt.timedelta(days=r.choice([0, 0, 2, 15]))
                    if x["closed"] and x["closed"] < x["registered"]:
                        x["closed"] = x["registered"]
                    fix.append(x)
            files["zuid_1_correctie.csv"] = fix
        deliveries.append(files)
    return deliveries


def main():
    shape, out, scripts = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    conf = os.path.join(scripts, os.pardir, "conf", "peil.ini")
    os.makedirs(out, exist_ok=True)
    r = random.Random("peil-shapes2-" + shape)
    truth = {"shape": shape}
    if shape == "zrm":
        meas = zrm(r)
        cols = [("Meting", "measurement_id"), ("Client", "person"), ("Datum", "date"),
                ("Instrument", "instrument"), ("Domein", "domain"), ("Score", "score")]
        ini = ini_head(scripts, "tag:zrm", "2017-01", "2019-12") + datasets(conf, ["measurements"])
        ini += export(out, "metingen", "measurements", cols, meas, DMY, "dd-mm-jjjj")
        ini += "\n[kpi zrm_vooruit]\ngrains = quarter, year\n\n[kpi zrm_gelijk]\ngrains = quarter, year\n" \
               "\n[kpi zrm_achteruit]\ngrains = quarter, year\n"
        truth.update(measurements=iso(meas), range=["2017-01", "2019-12"])
    elif shape == "visits":
        traj, vis = visits(r)
        tc = [("Trajectnummer", "trajectory_id"), ("Persoonsnummer", "person"), ("Programma", "programme"),
              ("Startdatum", "start"), ("Einddatum", "end")]
        vc = [("Bezoeknummer", "visit_id"), ("Trajectnummer", "trajectory_id"), ("Maand", "month"),
              ("Datum bezoek", "date")]
        ini = ini_head(scripts, "tag:bezoeken", "2016-06", "2019-12") + datasets(conf, ["trajectories", "visits"])
        ini += export(out, "trajecten", "trajectories", tc, traj, DMY, "dd-mm-jjjj")
        ini += export(out, "bezoeken", "visits", vc, vis, DMY, "dd-mm-jjjj")
        for k in ("gepland", "gedaan", "achterstallig"):
            ini += "\n[kpi vervolgbezoeken_%s]\ngrains = month, quarter, year\n" % k
        truth.update(trajectories=iso(traj), visits=iso(vis), range=["2016-06", "2019-12"])
    elif shape == "iwmo":
        sets = iwmo(r, out)
        names = ["allocations", "care_starts", "care_ends", "allocation_requests"]
        common = with_key_file(ini_head(scripts, "tag:maatwerk", "2023-01", "2023-12"), out, "secret.key",
                               "c2hhcGVzMi1pd21vLXNlY3JldC1rZXktMzItYnl0ZXMhIQ==\n") + datasets(conf, names)
        xml = csv = common
        os.makedirs(os.path.join(out, "csv"), exist_ok=True)
        for kind, ds, rows in zip(("301", "305", "307", "315"), names, sets):
            xml += "\n[source msg%s]\nplugin = istandaarden\ndataset = %s\nmessage = %s\npath = msg/%s_*.xml\n" \
                % (kind, ds, kind, kind)
            csv += export(os.path.join(out, "csv"), ds, ds, [(f, f) for f in rows[0]], rows,
                          "date_format = jjjj-mm-dd\n", "jjjj-mm-dd")
        ini = xml
        with open(os.path.join(out, "csv", "peil.ini"), "w", encoding="utf-8") as f:
            f.write(csv.replace("key_file = secret.key", "key_file = ../secret.key"))
        truth.update(range=["2023-01", "2023-12"], **{n: iso(rows) for n, rows in zip(names, sets)})
    elif shape == "history":
        deliveries = history(r)
        cols = [("Dossier", "case_id"), ("Organisatie", "organisation"), ("Team", "team"),
                ("Aanmelding", "registered"), ("Afsluiting", "closed")]
        decl = datasets(conf, ["cases"]).replace("field.organisation = text\n",
                                                  "field.organisation = text key\n")
        ini = ini_head(scripts, "casussen_gestart, casussen_afgesloten, casussen_lopend, caseload",
                       "2018-01", "2018-02") + decl
        for org, mode in (("noord", "snapshot"), ("zuid", "increment")):
            ini += source(org, "cases", "exports/%s_*.csv" % org, cols,
                          "mode = %s\nscope_field = organisation\nscope_value = Welzijn %s\n%s"
                          % (mode, org.capitalize(), DMY))
        states, zuid = [], {}
        for k, files in enumerate(deliveries, 1):
            os.makedirs(os.path.join(out, "d%d" % k), exist_ok=True)
            for name, rows in sorted(files.items()):
                export(os.path.join(out, "d%d" % k), name[:-4], "cases", cols, rows, "", "dd-mm-jjjj")
                if name.startswith("zuid"):
                    zuid.update({c["case_id"]: c for c in rows})
                else:
                    noord = rows
            states.append(iso(noord + sorted(zuid.values(), key=lambda c: c["case_id"])))
        truth.update(states=states, range=["2018-01", "2018-02"])
    else:
        sys.exit("unknown shape " + shape)
    write_shape(out, ini, truth)


if __name__ == "__main__":
    main()
