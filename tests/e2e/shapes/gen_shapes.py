#!/usr/bin/env python3
"""gen_shapes.py - exports of shapes unlike the demo's, with their truth.

    gen_shapes.py SHAPE OUT_DIR SCRIPTS_DIR

Writes OUT_DIR/peil.ini (written as a new municipality's integrator would,
from docs/configuration.md), the exports it reads, and OUT_DIR/truth.json:
the rows as they are meant (ISO dates, recoded values) and the facts of the
configuration that the figures depend on, for check_shapes.py.  Shapes:

  few        a cases export of four columns (id, team, registration,
             closure), members without persons, measurements without an
             instrument column: the KPIs that need what is missing are
             not evaluated, naming it; the others exact
  teams      1 000 teams of 30 organisations, names with accents, '&',
             quotes and ';'; district, neighbourhood and organisation
             breakdowns; small cells on (min_count 10)
  spellings  Windows-1252 with CRLF, a second file UTF-8 with a BOM,
             headers in capitals and with accents, d-m-jjjj and dd.mm.jjjj
             dates, Ja/JA/j, closure reasons and referrers spelled
             otherwise (recodes), quoted line breaks and separators, trailing
             empty columns, a totals row (on_error = reject)
  calendar   dates around Easter, Koningsdag on a Saturday (2025), 5 May,
             year ends; Goede Vrijdag and Bevrijdingsdag on, added dates;
             contract years from April, the reference date the period's
             first day; months, quarters and years of the started cases
  explicit   the same dates under an explicit list of holidays, contract
             years from July, the reference date the day after the period

Seeded (the shape's name): the same files every time.  Standard library only.
"""

import datetime as dt
import os
import random
import sys

sys.dont_write_bytecode = True  # nothing written beside the sources
from check_shapes import easter  # noqa: F401 (via the oracle)
from shape_files import datasets, dmy, export, head, source, write_csv, write_shape  # noqa: E402

D = dt.date
SOURCES = ["Zelfmelder", "Huisarts", "Familie", "Veilig Thuis",
           "Woningcorporatie", "Ander team"]
REASONS = ["Beëindigd volgens plan", "Beëindigd door externe omstandigheden",
           "Eenzijdig beëindigd door aanbieder",
           "Eenzijdig beëindigd door cliënt",
           "Voortijdig beëindigd in overleg"]
PROGRAMMES = ["Buurtbaan", "Taal & Rekenen", "Digivaardig"]


def edge_dates(years):
    """Dates that hit the calendar's edges in the given years."""
    out = []
    for y in years:
        e = easter(y)
        for delta in range(-9, 10):
            out.append(e + dt.timedelta(days=delta))
        for m, d in ((4, 24), (4, 25), (4, 26), (4, 27), (4, 28), (4, 29),
                     (4, 30), (5, 2), (5, 4), (5, 5), (5, 6), (12, 22),
                     (12, 23), (12, 24), (12, 27), (12, 28), (12, 29),
                     (12, 30), (12, 31), (1, 1), (1, 2), (1, 3), (3, 31),
                     (6, 30), (7, 1), (9, 30), (10, 1)):
            out.append(D(y, m, d))
        for delta in (36, 37, 38, 39, 40, 47, 48, 49, 50, 51):
            out.append(e + dt.timedelta(days=delta))
    return out


class Gen:
    def __init__(self, shape, out):
        self.shape, self.out = shape, out
        self.r = random.Random("peil-shapes-" + shape)

    def date_between(self, a, b):
        return a + dt.timedelta(days=self.r.randint(0, (b - a).days))

    def cases(self, n, teams, orgs, first, last, edges=()):
        r = self.r
        rows = []
        for i in range(n):
            if edges and r.random() < 0.6:
                reg = r.choice(edges)
            else:
                reg = self.date_between(first, last)
            fm = None
            if r.random() < 0.85:
                if edges and r.random() < 0.5:
                    later = [e for e in edges if reg <= e <= reg + dt.timedelta(days=20)]
                    fm = r.choice(later) if later else reg
                else:
                    fm = reg + dt.timedelta(days=r.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 14, 20, 30]))
            closed = None
            if r.random() < 0.7:
                closed = reg + dt.timedelta(days=r.choice([0, 1, 20, 31, 45, 60, 90, 120, 200, 365, 400, 800]))
                if edges and r.random() < 0.3:
                    later = [e for e in edges if e >= reg]
                    closed = r.choice(later) if later else closed
                if fm and closed < fm:
                    closed = fm
            team = r.choice(teams)
            rows.append({
                "case_id": "C%05d" % (i + 1),
                "team": team,
                "organisation": orgs[hash_index(team, len(orgs))] if orgs else None,
                "district": "W%02d" % r.randint(1, 12) if r.random() < 0.9 else None,
                "neighbourhood": "B%03d" % r.randint(1, 60) if r.random() < 0.85 else None,
                "registered": reg,
                "first_meeting": fm,
                "closed": closed,
                "referrer": r.choice(SOURCES) if r.random() < 0.9 else None,
                "closure_reason": (r.choice(REASONS) if r.random() < 0.9 else None) if closed else None,
                "self_reliant": (r.choice(["ja", "ja", "nee", "n.v.t.", None])) if closed else None,
                "mark": (r.randint(1, 10) if r.random() < 0.7 else None) if closed else None,
                "person": "P%05d" % r.randint(1, max(2, n * 2 // 3)) if r.random() < 0.92 else None,
                "entered": reg + dt.timedelta(days=r.choice([0, 1, 3, 14, 15, 30])) if r.random() < 0.8 else None,
            })
        return rows

    def members(self, cases):
        """One member per case with its person (or none: anonymous), and
        a second member for some households."""
        rows = []
        for c in cases:
            rows.append({"member_id": c["case_id"] + "-1", "case_id": c["case_id"],
                         "person": c["person"]})
            if self.r.random() < 0.2:
                rows.append({"member_id": c["case_id"] + "-2", "case_id": c["case_id"],
                             "person": "P%05d" % self.r.randint(1, 3000)
                             if self.r.random() < 0.8 else None})
        # a member of a case the cases export lacks: joins nothing
        rows.append({"member_id": "X-1", "case_id": "C99999", "person": "P99999"})
        return rows

    def trajectories(self, n, first, last):
        r = self.r
        traj, meas = [], []
        mid = 0
        for i in range(n):
            person = "P%05d" % r.randint(1, n * 3 // 4)
            start = self.date_between(first, last)
            end = start + dt.timedelta(days=r.randint(30, 900)) if r.random() < 0.6 else None
            traj.append({"trajectory_id": "T%04d" % (i + 1), "person": person,
                         "programme": r.choice(PROGRAMMES), "start": start, "end": end})
            score = r.randint(1, 4)
            day = start - dt.timedelta(days=r.choice([0, 0, 10]))
            for _ in range(r.randint(0, 5)):
                mid += 1
                meas.append({"measurement_id": "M%05d" % mid, "person": person,
                             "date": day, "instrument": "Participatieladder",
                             "domain": None, "score": score})
                # a ZRM row on the same day with a high score: not a rung
                if r.random() < 0.3:
                    mid += 1
                    meas.append({"measurement_id": "M%05d" % mid, "person": person,
                                 "date": day, "instrument": "ZRM",
                                 "domain": "Financiën", "score": 5})
                day += dt.timedelta(days=r.choice([0, 30, 90, 200, 400]))
                score = max(1, min(6, score + r.choice([-1, 0, 1, 1, 2, 3])))
        return traj, meas

    def referrals(self, cases):
        rows = []
        for i, c in enumerate(cases):
            if self.r.random() < 0.3:
                issued = c["registered"] + dt.timedelta(days=self.r.randint(0, 60))
                rows.append({"referral_id": "R%05d" % (i + 1), "case_id": c["case_id"],
                             "provider": self.r.choice(["Zorg & Co", "Thuiszorg \"De Linde\"", "Aanbieder; Oost"]),
                             "issued": issued,
                             "care_started": issued + dt.timedelta(days=self.r.randint(0, 40))
                             if self.r.random() < 0.7 else None})
        return rows


CASE_FIELDS = ["case_id", "team", "organisation", "district", "neighbourhood", "registered",
               "first_meeting", "closed", "referrer", "closure_reason", "self_reliant", "mark",
               "person", "entered"]


def hash_index(text, n):
    return sum(text.encode("utf-8")) % n


def other_sources(out, members, traj, meas, refs, persons, instrument=True):
    """The exports of the other datasets, and their sources."""
    m = [("Meting", "measurement_id"), ("Client", "person"), ("Datum", "date"),
         ("Instrument", "instrument"), ("Domein", "domain"), ("Score", "score")]
    return (export(out, "leden", "case_members", [("Lidnummer", "member_id"), ("Dossiernummer", "case_id"),
                                                  ("Persoonsnummer", "person")], members)
            + export(out, "personen", "persons", [("Client", "person"), ("Buurt", "neighbourhood")], persons)
            + export(out, "trajecten", "trajectories", [("Traject", "trajectory_id"), ("Client", "person"),
                                                        ("Programma", "programme"), ("Start", "start"),
                                                        ("Einde", "end")], traj)
            + export(out, "metingen", "measurements", m if instrument else m[:3] + m[4:], meas)
            + export(out, "verwijzingen", "referrals", [("Beschikking", "referral_id"), ("Dossier", "case_id"),
                                                        ("Aanbieder", "provider"), ("Afgegeven", "issued"),
                                                        ("Start zorg", "care_started")], refs))


def main():
    shape, out, scripts = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    conf = os.path.join(scripts, os.pardir, "conf", "peil.ini")
    os.makedirs(out, exist_ok=True)
    g = Gen(shape, out)
    truth = {"shape": shape, "min_count": 0, "good_friday": True, "liberation_day": True,
             "extra": [], "dates": None, "start_month": 1, "reference": "last",
             "grains": {}, "breakdowns": {}, "filled": None, "not_configured": []}
    kpis = "-tag:maatwerk, -tag:bezoeken, -tag:zrm"
    if shape == "few":
        teams = ["Noord", "Zuid", "Oost", "West", "Centrum"]
        cases = g.cases(600, teams, [], D(2023, 1, 1), D(2024, 12, 31))
        filled = ["case_id", "team", "registered", "closed"]
        for c in cases:
            for k in list(c):
                if k not in filled:
                    c[k] = None
        members = g.members(cases)
        for m in members:
            m["person"] = None if m["case_id"] != "C99999" else m["person"]
        traj, meas = g.trajectories(300, D(2023, 1, 1), D(2024, 12, 31))
        for m in meas:
            m["instrument"] = None
        persons = [{"person": "P%05d" % i, "neighbourhood": None} for i in range(1, 50)]
        ini = head(scripts, 0, "", "start_month = 1\n", "2023-01", "2024-12", kpis) + datasets(conf)
        ini += export(out, "casussen", "cases", [("Dossier", "case_id"), ("Team", "team"),
                                                 ("Aanmelding", "registered"), ("Afsluiting", "closed")], cases)
        ini += other_sources(out, members, traj, meas, [], persons, instrument=False)
        truth.update(filled=filled, range=["2023-01", "2024-12"])
        refs = []
    elif shape == "teams":
        orgs = ["Welzijn %s" % n for n in ["Noord", "Zuid", "Oost", "West", "Midden", "Ëlst", "Ærø", "Ĳsselmonde",
                                          "De \"Brug\"", "Kind & Gezin", "Zorg; Welzijn", "Çetin"]]
        orgs += ["Stichting %02d" % i for i in range(len(orgs), 30)]
        teams = []
        for i in range(int(os.environ.get("SHAPES_TEAMS", "1000"))):
            base = ["Buurtteam", "Wijkteam", "Jeugdteam", "Team Geestelijke & Lichamelijke Gezondheid"][i % 4]
            name = "%s %s-%03d" % (base, ["Noordoost", "Zuidwest", "Ëindhoven", "'s-Hertogenbosch",
                                          "Café \"De Kroon\"", "Oost; West", "Nijmegen & Lent",
                                          "Überwald"][i % 8], i)
            teams.append(name)
        cases = g.cases(6000, teams, orgs, D(2022, 7, 1), D(2024, 6, 30))
        members = g.members(cases)
        traj, meas = g.trajectories(400, D(2022, 1, 1), D(2024, 6, 30))
        refs = g.referrals(cases)
        persons = []
        header = ["Dossier", "Team", "Organisatie", "Wijk", "Buurt", "Aanmelding", "Kennismaking",
                  "Afsluiting", "Melder", "Reden", "Zelfredzaam", "Cijfer", "Client", "Invoer"]
        ini = head(scripts, 10, "", "start_month = 7\n", "2023-01", "2024-06", kpis) + datasets(conf)
        ini += export(out, "casussen", "cases", list(zip(header, CASE_FIELDS)), cases, form="dd-mm-jjjj")
        ini += other_sources(out, members, traj, meas, refs, persons)
        ini += """
[kpi casussen_lopend]
breakdown = organisation, team

[kpi casussen_afgesloten]
breakdown = district

[kpi caseload]
breakdown = neighbourhood

[kpi casussen_gestart]
grains = month, quarter, year
"""
        truth.update(min_count=10, start_month=7, range=["2023-01", "2024-06"],
                     grains={"casussen_gestart": ["month", "quarter", "year"]},
                     breakdowns={"casussen_lopend": ["organisation", "team"],
                                 "casussen_afgesloten": ["district"], "caseload": ["neighbourhood"]})
    elif shape in ("spellings", "calendar", "explicit"):
        teams = ["Buurtteam Noord", "Buurtteam Zuid", "Wijkteam Ëlst", "Team \"Oost\"; Centrum"]
        cases = g.cases(1500, teams, ["Welzijn Noord", "Welzijn Zuid"], D(2024, 1, 1), D(2025, 12, 31),
                        edges=edge_dates([2024, 2025]))
        members = g.members(cases)
        traj, meas = g.trajectories(500, D(2023, 1, 1), D(2025, 12, 31))
        refs = g.referrals(cases)
        persons = []
        if shape == "spellings":
            yes = {"ja": ["Ja", "JA", "j", " ja "], "nee": ["Nee", "NEE", "n"], "n.v.t.": ["nvt", "N.v.t.", "n.v.t."]}
            reasons = {REASONS[0]: ["Beeindigd volgens plan", "BEËINDIGD VOLGENS PLAN", "Afgesloten: plan = gehaald"],
                       REASONS[1]: ["Beëindigd door externe omstandigheden"],
                       REASONS[2]: ["Eenzijdig beeindigd door aanbieder"],
                       REASONS[3]: ["Eenzijdig beëindigd door cliënt", "eenzijdig beeindigd door client"],
                       REASONS[4]: ["Voortijdig beëindigd in overleg"]}
            refer = {"Huisarts": ["huisarts", "HUISARTS", "Huisarts "], "Ander team": ["Ander  team"]}
            header = ["DOSSIERNUMMER", "TEAM", "Organisatie", "Wijkcode", "Buurtcode", "Datum aanmelding",
                      "Datum eerste kennismaking", "Datum afsluiting", "Melder", "Reden beëindiging",
                      "Zelfredzaam bij afsluiting", "Rapportcijfer", "Persoonsnummer", "Datum invoer",
                      "Opmerking", "Uren", "", ""]
            rows = []
            for c in cases:
                form = g.r.choice(["d-m-jjjj", "dd.mm.jjjj", "dd-mm-jjjj"])
                sr = c["self_reliant"]
                rows.append([c["case_id"], c["team"], c["organisation"], c["district"], c["neighbourhood"],
                             dmy(c["registered"], form), dmy(c["first_meeting"], form), dmy(c["closed"], form),
                             g.r.choice(refer.get(c["referrer"], [c["referrer"]])),
                             g.r.choice(reasons[c["closure_reason"]]) if c["closure_reason"] else None,
                             g.r.choice(yes[sr]) if sr else None, c["mark"], c["person"],
                             dmy(c["entered"], form),
                             g.r.choice(["", "belt terug;\r\nmaandag", "zegt \"later\"", "=1+1"]),
                             g.r.choice(["", "1,5", "12,25", "1.234,5"]), "", ""])
            half = len(rows) // 2
            write_csv(os.path.join(out, "casussen_1.csv"), header, rows[:half], encoding="windows-1252",
                      tail="Totaal;;;;;;;;;;;;;;;;;\r\n")
            write_csv(os.path.join(out, "casussen_2.csv"), header, rows[half:], encoding="utf-8-sig")
            # the two files differ in encoding: one source each
            src = ""
            for i, enc in ((1, "windows-1252"), (2, "utf-8")):
                src += source("casussen_%d" % i, "cases", "casussen_%d.csv" % i,
                              list(zip(header[:14], CASE_FIELDS)) + [("Uren", "hours")],
                              "encoding = %s\ndate_format = dd-mm-jjjj, dd.mm.jjjj\ndecimal = comma\n"
                              "on_error = reject\nfold.self_reliant = all\nallowed.self_reliant = ja, nee, n.v.t.\n"
                              "recode.self_reliant.j = ja\nrecode.self_reliant.n = nee\n"
                              "recode.self_reliant.nvt = n.v.t.\nfold.closure_reason = all\n"
                              "allowed.closure_reason = %s\nrecode_file = recodes.csv\nfold.referrer = all\n"
                              % (enc, ", ".join(REASONS)))
            with open(os.path.join(out, "recodes.csv"), "w", encoding="utf-8") as f:
                f.write("field;from;to\nclosure_reason;Beeindigd volgens plan;Beëindigd volgens plan\n"
                        "closure_reason;\"Afgesloten: plan = gehaald\";Beëindigd volgens plan\n"
                        "referrer;Ander team;Ander team\nreferrer;Huisarts;Huisarts\n")
            ini = head(scripts, 0, "", "start_month = 1\n", "2024-01", "2025-12", kpis)
            ini += datasets(conf, extra="field.hours = real\n") + src
            truth.update(range=["2024-01", "2025-12"], rejects=1)
        else:
            if shape == "calendar":
                cal = "good_friday = yes\nliberation_day = yes\nextra = 2024-12-24, 2025-12-31\n"
                con = "start_month = 4\nreference = first\n"
                truth.update(extra=["2024-12-24", "2025-12-31"], start_month=4, reference="first")
            else:
                # A list knows the years it holds a date of: first
                # meetings of late December 2025 lie in 2026.
                dates = ["2024-01-01", "2024-04-01", "2024-05-09", "2024-12-25", "2025-04-21",
                         "2025-04-26", "2025-05-05", "2025-12-26", "2025-12-31", "2026-01-01"]
                cal = "dates = " + ", ".join(dates) + "\n"
                con = "start_month = 7\nreference = next\n"
                truth.update(dates=dates, start_month=7, reference="next")
            ini = head(scripts, 0, cal, con, "2024-01", "2025-12", kpis) + datasets(conf)
            ini += export(out, "casussen", "cases", [(k, k) for k in CASE_FIELDS], cases, form="jjjj-mm-dd")
            ini += """
[kpi casussen_gestart]
grains = month, quarter, year

[kpi wachttijd_gemiddeld]
grains = month, quarter, year

[kpi caseload]
grains = month, quarter

[kpi ladder_in_traject]
grains = contract_year, year
"""
            truth.update(range=["2024-01", "2025-12"],
                         grains={"casussen_gestart": ["month", "quarter", "year"],
                                 "wachttijd_gemiddeld": ["month", "quarter", "year"],
                                 "caseload": ["month", "quarter"],
                                 "ladder_in_traject": ["contract_year", "year"]})
        ini += other_sources(out, members, traj, meas, refs, persons)
    else:
        sys.exit("unknown shape " + shape)
    write_shape(out, ini, truth, cases=cases, members=members, trajectories=traj,
                measurements=meas, referrals=refs)


if __name__ == "__main__":
    main()
