#!/usr/bin/env python3
"""gen_shapes3.py - exports of shapes that gen_shapes.py and gen_shapes2.py
leave out, with their truth for check_shapes3.py.

    gen_shapes3.py SHAPE OUT_DIR SCRIPTS_DIR

Writes OUT_DIR/peil.ini (as a municipality's integrator would write it from
docs/configuration.md), the exports it reads, and OUT_DIR/truth.json (the
rows as meant: ISO dates, values as the KPIs compare them; the shape of
gen_shapes.py's truth, so that check_shapes.py's second computation reads
it).  Shapes:

  minimal   every dataset with the columns it cannot do without and no
            more: cases of case number, team and registration; members
            without a role; trajectories without an end; measurements
            without instrument and domain; referrals without case, product
            and care start.  The KPIs that need a missing field are not
            evaluated, naming it; the others exact
  calendar  2025 to 2030: Easter from 20 March to 25 April, Koningsdag on
            a Sunday (26 April 2025), a leap day (2028), year ends;
            Bevrijdingsdag in lustrum years only (liberation_day = no,
            extra = 2025-05-05, 2030-05-05) and no Goede Vrijdag; first
            meetings on weekends and holidays; [run] periods a range
            that starts in April (run by peil run), contract years from
            July; months, quarters, years and contract years
  spellings other spellings than gen_shapes.py's: headers in capitals,
            lower case, with accents, a trailing space and '(J/N)';
            dates of one column in the default formats mixed (dd-mm-jjjj,
            d-m-jjjj, jjjj-mm-dd, jjjj-m-d) and 31-12-9999 for an open
            case; J/N for self-reliance; team names that differ only in
            case and spaces (fold.team, allowed.team); district and
            neighbourhood codes with leading zeros; members whose citizen
            number (field person = bsn) is written with 9 digits in one
            case and 8 (the leading zero lost) in another; UTF-8 with a
            BOM and LF line ends
  xlsx      the cases as two workbooks, one of Excel's 1900 date system,
            one of the 1904 system, dates as serial numbers (some with a
            time of day), marks as numbers, district and neighbourhood
            codes with leading zeros as numbers whose formats (00,
            00000000) show the zeros; the members' citizen numbers as
            number cells (8 digits
            where Excel dropped the zero); 2023-07 to 2024-06 with the
            leap day 29 February 2024
  teams     SHAPES_TEAMS teams (5 000 by default), most with one to three
            cases, teams whose names differ only in case or inner spaces
            (other teams: no fold) and trailing spaces (trimmed);
            [privacy] min_count 5 and min_denominator 8, [privacy public]
            8 and 12 for three public KPIs; months, quarters and years of
            the started cases, so that every figure is judged against the
            primary and secondary rules

Seeded (the shape's name): the same files every time.  Standard library
only.
"""

import datetime as dt
import os
import sys
import zipfile
from xml.sax.saxutils import escape

sys.dont_write_bytecode = True  # nothing written beside the sources
from gen_shapes import CASE_FIELDS, Gen, edge_dates, other_sources  # noqa: E402
from shape_files import datasets, export, head, section, source, with_key_file, write_csv, write_shape  # noqa: E402

D = dt.date
KPIS = "-tag:maatwerk, -tag:bezoeken, -tag:zrm"
TAGS = {"trajecten": ["ladder_in_traject", "ladder_gestegen"], "leden": ["personen_uniek", "casussen_zonder_persoon"],
        "verwijzingen": ["verwijzingen_maatwerk", "verwijzingen_zorg_gestart"]}
KEY = "c2hhcGVzMy1zZWNyZXQta2V5LW9mLTMyLWJ5dGVzISE=\n"
TEAMS = ["Buurtteam Noord", "Buurtteam Zuid", "Wijkteam Oost", "Jeugdteam Centrum"]


def bsn0(r):
    """A citizen number that passes the 11-proef and starts with a 0, so
    that Excel and some exports write it with 8 digits."""
    while True:
        d = [0, r.randint(1, 9)] + [r.randint(0, 9) for _ in range(6)]
        s = sum((9 - i) * x for i, x in enumerate(d)) % 11
        if s < 10 and any(d):
            return "".join(map(str, d)) + str(s)


def bsn_members(g, cases):
    """Members of the cases whose person is a citizen number: a pool of
    persons, each often in several cases; the truth keeps the 9 digits,
    the export writes the number of a person with a leading zero with 8
    digits about half the time.  Returns the rows and their spellings."""
    pool = [bsn0(g.r) for _ in range(len(cases) // 4)]
    rows, spelled = [], []
    for c in cases:
        for k in range(1 + (g.r.random() < 0.3)):
            person = g.r.choice(pool) if g.r.random() < 0.9 else None
            rows.append({"member_id": "%s-%d" % (c["case_id"], k + 1), "case_id": c["case_id"],
                         "person": person})
            spelled.append(person[1:] if person and g.r.random() < 0.5 else person)
    return rows, spelled


# ------------------------------------------------------------------ xlsx
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def serial(d, date1904, frac=0.0):
    """Excel's serial number of date d: days since 30 December 1899 in the
    1900 system (whose 60 is the 29 February 1900 that never was: every
    date after it is one higher than the days since 31 December 1899, so
    the days since 30 December 1899 are right), days since 1 January 1904
    in the 1904 system."""
    base = D(1904, 1, 1) if date1904 else D(1899, 12, 30)
    return (d - base).days + frac


def column_name(i):
    s = ""
    i += 1
    while i:
        i, m = divmod(i - 1, 26)
        s = chr(65 + m) + s
    return s


# The cell styles of write_book: 1 the built-in date format 14; 2 to 4
# codes of 2, 8 and 9 digits, their leading zeros shown by the formats
# 00, 00000000 and 000000000 (a number cell of 1 shows 01).
STYLES = {"date": 1, "00": 2, "00000000": 3, "000000000": 4}


def cell(ref, v):
    """A cell: (style, number) formatted by a style of STYLES, a number,
    or an inline string."""
    if v is None:
        return ""
    if isinstance(v, tuple):
        return '<c r="%s" s="%d"><v>%r</v></c>' % (ref, STYLES[v[0]], v[1])
    if isinstance(v, (int, float)):
        return '<c r="%s"><v>%r</v></c>' % (ref, v)
    return '<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (ref, escape(v))


def write_book(path, header, rows, date1904=False):
    """A one-sheet workbook ("Blad1") as Excel writes it: a style sheet
    of STYLES, the date system in workbookPr."""
    xml = ['<row r="1">%s</row>' % "".join(cell(column_name(i) + "1", h) for i, h in enumerate(header))]
    for n, row in enumerate(rows, 2):
        xml.append('<row r="%d">%s</row>' % (n, "".join(cell("%s%d" % (column_name(i), n), v)
                                                        for i, v in enumerate(row))))
    pr = '<workbookPr date1904="1"/>' if date1904 else '<workbookPr/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>'
                   '<sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">'
                   f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml", f'<styleSheet xmlns="{MAIN}"><numFmts count="3">'
                   + "".join('<numFmt numFmtId="%d" formatCode="%s"/>' % (164 + i, code)
                             for i, code in enumerate(list(STYLES)[1:]))
                   + '</numFmts><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
                   + "".join('<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>' % n
                             for n in (14, 164, 165, 166)) + '</cellXfs></styleSheet>')
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(xml)}'
                   '</sheetData></worksheet>')


# ---------------------------------------------------------------- shapes
def minimal(g, out, conf, scripts, truth):
    cases = g.cases(700, TEAMS, [], D(2023, 1, 1), D(2024, 12, 31))
    filled = {"cases": ["case_id", "team", "registered"],
              "members": ["member_id", "case_id", "person"],
              "trajectories": ["trajectory_id", "person", "programme", "start"],
              "measurements": ["measurement_id", "person", "date", "score"],
              "referrals": ["referral_id", "provider", "issued"]}
    members = g.members(cases)
    traj, meas = g.trajectories(300, D(2023, 1, 1), D(2024, 12, 31))
    refs = g.referrals(cases)
    for ds, rows in (("cases", cases), ("members", members), ("trajectories", traj),
                     ("measurements", meas), ("referrals", refs)):
        for row in rows:
            for k in row:
                if k not in filled[ds]:
                    row[k] = None
    ini = head(scripts, 0, "", "start_month = 1\n", "2023-01", "2024-12", "-tag:bezoeken, -tag:zrm")
    ini += datasets(conf)
    ini += export(out, "casussen", "cases", [("Dossier", "case_id"), ("Team", "team"),
                                             ("Aanmelding", "registered")], cases)
    ini += export(out, "leden", "case_members", [("Lid", "member_id"), ("Dossier", "case_id"),
                                                 ("Persoon", "person")], members)
    ini += export(out, "trajecten", "trajectories", [("Traject", "trajectory_id"), ("Client", "person"),
                                                     ("Programma", "programme"), ("Start", "start")], traj)
    ini += export(out, "metingen", "measurements", [("Meting", "measurement_id"), ("Client", "person"),
                                                    ("Datum", "date"), ("Score", "score")], meas)
    ini += export(out, "verwijzingen", "referrals", [("Beschikking", "referral_id"), ("Aanbieder", "provider"),
                                                     ("Afgegeven", "issued")], refs)
    truth.update(filled=filled, range=["2023-01", "2024-12"])
    return ini, cases, members, traj, meas, refs


def calendar(g, out, conf, scripts, truth):
    years = range(2025, 2031)
    edges = edge_dates(years) + [D(2028, 2, 28), D(2028, 2, 29), D(2028, 3, 1), D(2028, 3, 2),
                                 D(2027, 2, 26), D(2027, 3, 1)]
    # weekends next to holidays and the ends of months and years
    edges += [d + dt.timedelta(days=k) for d in list(edges) for k in (1, 2)
              if (d + dt.timedelta(days=k)).weekday() >= 5]
    edges = [d for d in edges if D(2025, 1, 1) <= d <= D(2030, 6, 30)]
    cases = g.cases(2500, TEAMS, ["Welzijn Noord", "Welzijn Zuid"], D(2025, 1, 1), D(2030, 6, 30),
                    edges=edges)
    members = g.members(cases)
    traj, meas = g.trajectories(400, D(2024, 7, 1), D(2030, 6, 30))
    cal = "good_friday = no\nliberation_day = no\nextra = 2025-05-05, 2030-05-05\n"
    ini = head(scripts, 0, cal, "start_month = 7\n", "2025-04", "2030-06", KPIS + ", -tag:verwijzingen")
    ini += datasets(conf)
    ini += export(out, "casussen", "cases", [(k, k) for k in CASE_FIELDS], cases, form="dd-mm-jjjj")
    ini += other_sources(out, members, traj, meas, [], [])
    grains = {"casussen_gestart": ["month", "quarter", "year", "contract_year"],
              "wachttijd_gemiddeld": ["month", "quarter", "year", "contract_year"],
              "wachttijd_binnen_norm": ["month", "quarter", "contract_year"],
              "caseload": ["quarter", "contract_year"],
              "casussen_lopend": ["year", "contract_year"],
              "ladder_in_traject": ["contract_year", "year"],
              "ladder_gestegen": ["contract_year", "year"]}
    truth.update(good_friday=False, liberation_day=False, extra=["2025-05-05", "2030-05-05"],
                 start_month=7, grains=grains, range=["2025-04", "2030-06"])
    return ini, cases, members, traj, meas, []


def spellings(g, out, conf, scripts, truth):
    cases = g.cases(1500, TEAMS, ["Welzijn Noord", "Welzijn Zuid"], D(2024, 1, 1), D(2025, 12, 31),
                    edges=edge_dates([2024, 2025]))
    r = g.r
    for c in cases:
        c["district"] = c["district"] and "%02d" % int(c["district"][1:])
        c["neighbourhood"] = c["neighbourhood"] and "0363%04d" % int(c["neighbourhood"][1:])
    members, spelled = bsn_members(g, cases)
    team_spell = lambda t: r.choice([t, t.lower(), t.upper(), t.replace(" ", "  "), " " + t + " ",
                                     t + "\u00a0"])
    yes = {"ja": ["J", "j", "Ja"], "nee": ["N", "n", "Nee"], "n.v.t.": ["nvt", "N.v.t."]}

    def date(d, open_end=False):
        if d is None:
            return "31-12-9999" if open_end and r.random() < 0.5 else ""
        return r.choice(["%02d-%02d-%d", "%d-%d-%d"]) % (d.day, d.month, d.year) if r.random() < 0.5 \
            else r.choice(["%d-%02d-%02d", "%d-%d-%d"]) % (d.year, d.month, d.day)
    header = ["DOSSIERNUMMER", "Team ", "organisatie", "Wijkcode", "Buurtcode", "Datum aanmelding",
              "Datum 1e kennismaking", "Datum beëindiging", "Verwezen door", "Reden beëindiging",
              "Zelfredzaam (J/N)", "Rapportcijfer", "Cliëntnummer", "Ingevoerd op"]
    rows = [[c["case_id"], team_spell(c["team"]), c["organisation"], c["district"], c["neighbourhood"],
             date(c["registered"]), date(c["first_meeting"]), date(c["closed"], True), c["referrer"],
             c["closure_reason"], r.choice(yes[c["self_reliant"]]) if c["self_reliant"] else None,
             c["mark"], c["person"], date(c["entered"])] for c in cases]
    write_csv(os.path.join(out, "casussen.csv"), header, rows, encoding="utf-8-sig", eol="\n")
    keys = ("fold.team = all\nallowed.team = %s\nfold.self_reliant = case\n"
            "recode.self_reliant.j = ja\nrecode.self_reliant.n = nee\nrecode.self_reliant.nvt = n.v.t.\n"
            "allowed.self_reliant = ja, nee, n.v.t.\non_unknown = refuse\n" % ", ".join(TEAMS))
    cols = [(h.strip(), f) for h, f in zip(header, CASE_FIELDS)]
    ini = head(scripts, 0, "", "start_month = 1\n", "2024-01", "2025-12",
               "-tag:maatwerk, -tag:bezoeken, -tag:zrm, -tag:trajecten, -tag:verwijzingen")
    ini = with_key_file(ini, out, "peil.key", KEY)
    ini += datasets(conf).replace("[dataset case_members]\nfield.member_id = text key\n"
                                  "field.case_id = text required\nfield.person = text\n",
                                  "[dataset case_members]\nfield.member_id = text key\n"
                                  "field.case_id = text required\nfield.person = bsn\n")
    ini += source("casussen", "cases", "casussen.csv", cols, keys)
    write_csv(os.path.join(out, "leden.csv"), ["Lidnummer", "Dossiernummer", "BSN"],
              [[m["member_id"], m["case_id"], s] for m, s in zip(members, spelled)], eol="\n")
    ini += source("leden", "case_members", "leden.csv", [("Lidnummer", "member_id"), ("Dossiernummer", "case_id"),
                                                         ("BSN", "person")])
    truth.update(range=["2024-01", "2025-12"],
                 breakdowns={"casussen_afgesloten": ["district"], "caseload": ["neighbourhood"]})
    return ini, cases, members, [], [], []


def xlsx(g, out, conf, scripts, truth):
    edges = [d for d in edge_dates([2023, 2024]) if D(2023, 1, 1) <= d <= D(2024, 6, 30)]
    edges += [D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 1)] * 4
    cases = g.cases(1200, TEAMS, ["Welzijn Noord", "Welzijn Zuid"], D(2023, 1, 1), D(2024, 6, 30),
                    edges=edges)
    r = g.r
    for c in cases:
        c["district"] = c["district"] and "%02d" % int(c["district"][1:])
        c["neighbourhood"] = c["neighbourhood"] and "0363%04d" % int(c["neighbourhood"][1:])
    members, _ = bsn_members(g, cases)
    header = ["Dossiernummer", "Team", "Organisatie", "Wijk", "Buurt", "Datum aanmelding",
              "Datum eerste kennismaking", "Datum afsluiting", "Melder", "Reden afsluiting",
              "Zelfredzaam", "Rapportcijfer", "Client", "Datum invoer"]
    half = len(cases) // 2
    ini = head(scripts, 0, "", "start_month = 1\n", "2023-07", "2024-06",
               "-tag:maatwerk, -tag:bezoeken, -tag:zrm, -tag:trajecten, -tag:verwijzingen")
    ini = with_key_file(ini, out, "peil.key", KEY)
    ini += datasets(conf).replace("field.person = text\nfield.role", "field.person = bsn\nfield.role")
    for k, (part, date1904) in enumerate(((cases[:half], False), (cases[half:], True)), 1):
        rows = []
        for c in part:
            row = []
            for f in CASE_FIELDS:
                v = c[f]
                if isinstance(v, D):
                    v = ("date", serial(v, date1904, r.choice([0.0, 0.0, 0.25, 0.999988426])))
                elif f in ("district", "neighbourhood") and v:
                    v = ("0" * len(v), int(v))  # the code as a number, its format showing its zeros
                row.append(v)
            rows.append(row)
        write_book(os.path.join(out, "casussen_%d.xlsx" % k), header, rows, date1904)
        ini += section("casussen_%d" % k, "xlsx", "cases", "casussen_%d.xlsx" % k,
                       columns=list(zip(header, CASE_FIELDS)))
    write_book(os.path.join(out, "leden.xlsx"), ["Lidnummer", "Dossiernummer", "BSN"],
               [[m["member_id"], m["case_id"], int(m["person"]) if m["person"] else None] for m in members])
    ini += section("leden", "xlsx", "case_members", "leden.xlsx",
                   columns=[("Lidnummer", "member_id"), ("Dossiernummer", "case_id"), ("BSN", "person")])
    truth.update(range=["2023-07", "2024-06"],
                 breakdowns={"casussen_afgesloten": ["district"], "caseload": ["neighbourhood"]})
    return ini, cases, members, [], [], []


def teams(g, out, conf, scripts, truth):
    n = int(os.environ.get("SHAPES_TEAMS", "5000"))
    names = []
    for i in range(n):
        base = "%s %s %d" % (["Buurtteam", "Wijkteam", "Jeugdteam", "Team"][i % 4],
                             ["Noord", "Zuid", "Oost", "West", "Ëlst"][i % 5], i // 4)
        # every tenth name again in lower case, every twentieth with two
        # spaces inside: other teams, as no fold joins them
        names.append(base)
        if i % 10 == 0:
            names.append(base.lower())
        if i % 20 == 0:
            names.append(base.replace(" ", "  ", 1))
    orgs = ["Welzijn %02d" % i for i in range(40)]
    cases = g.cases(int(n * 1.6), names, orgs, D(2023, 1, 1), D(2024, 12, 31))
    # a few large teams, so that not every cell is small
    for c in cases[:400]:
        c["team"] = names[int(c["case_id"][1:]) % 3]
    header = ["Dossier", "Team", "Organisatie", "Wijk", "Buurt", "Aanmelding", "Kennismaking",
              "Afsluiting", "Melder", "Reden", "Zelfredzaam", "Cijfer", "Client", "Invoer"]
    rows = [[c["case_id"], c["team"] + (" " if g.r.random() < 0.1 else "")] +
            [c[f] for f in CASE_FIELDS[2:]] for c in cases]
    rows = [[v.strftime("%d-%m-%Y") if isinstance(v, D) else v for v in row] for row in rows]
    write_csv(os.path.join(out, "casussen.csv"), header, rows)
    only = ["casussen_gestart", "casussen_lopend", "casussen_afgesloten", "caseload", "instroom_per_melder",
            "wachttijd_gemiddeld", "wachttijd_binnen_norm", "zelfredzaam_bij_afsluiting", "rapportcijfer_gemiddeld"]
    ini = head(scripts, 5, "", "start_month = 1\n", "2023-01", "2024-12", ", ".join(only))
    public = ["casussen_gestart", "caseload", "wachttijd_binnen_norm"]
    ini = ini.replace("min_count = 5\n", "min_count = 5\nmin_denominator = 8\n\n[privacy public]\n"
                      "min_count = 8\nmin_denominator = 12\n")
    ini += datasets(conf) + source("casussen", "cases", "casussen.csv", list(zip(header, CASE_FIELDS)))
    truth.update(min_count=5, min_denominator=8, only=only,
                 public={"min_count": 8, "min_denominator": 12, "only": public}, range=["2023-01", "2024-12"],
                 grains={"casussen_gestart": ["month", "quarter", "year"]},
                 breakdowns={"casussen_lopend": ["organisation", "team"]})
    return ini, cases, [], [], [], []


def main():
    shape, out, scripts = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    conf = os.path.join(scripts, os.pardir, "conf", "peil.ini")
    os.makedirs(out, exist_ok=True)
    g = Gen("3-" + shape, out)
    truth = {"shape": shape, "min_count": 0, "good_friday": True, "liberation_day": True,
             "extra": [], "dates": None, "start_month": 1, "reference": "last",
             "grains": {}, "breakdowns": {}, "filled": None}
    make = {"minimal": minimal, "calendar": calendar, "spellings": spellings, "xlsx": xlsx,
            "teams": teams}.get(shape)
    if make is None:
        sys.exit("unknown shape " + shape)
    ini, cases, members, traj, meas, refs = make(g, out, conf, scripts, truth)
    # the KPIs that [run] kpis leaves out, for the checker
    truth["left_out"] = sorted(k for tag, ids in TAGS.items() if "-tag:" + tag in ini for k in ids)
    # each KPI's section: its grains, breakdown and visibility
    keys = {"grains": truth["grains"], "breakdown": truth["breakdowns"],
            "visibility": {k: ["public"] for k in truth.get("public", {}).get("only", [])}}
    for kid in sorted(set().union(*keys.values())):
        ini += "\n[kpi %s]\n" % kid + "".join("%s = %s\n" % (key, ", ".join(by_kpi[kid]))
                                             for key, by_kpi in keys.items() if kid in by_kpi)
    write_shape(out, ini, truth, cases=cases, members=members, trajectories=traj,
                measurements=meas, referrals=refs)


if __name__ == "__main__":
    main()
