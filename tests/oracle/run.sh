#!/usr/bin/env bash
# run.sh - every figure of the shipped KPIs computed twice: by peil eval and
# by the oracle (oracle.py, an independent computation from the input CSVs
# and docs/domain.md), compared one by one, on data sets of three shapes:
#
#   demo      the shipped demo (peil-demo's defaults) and conf/peil.ini
#             (small cells off), 2017-01 to 2018-12, with months, quarters
#             and years of a few KPIs ([kpi ID] grains);
#   reshaped  another seed and size of peil-demo, rewritten by reshape.py
#             as another system exports it (other headers, fewer columns,
#             about 1 000 teams, other separators, encodings and date
#             formats, other value spellings recoded), read by a
#             configuration written here: contract years from July, the
#             reference date the day after the period, no Goede Vrijdag
#             nor Bevrijdingsdag but added dates, other parameters and
#             grains, 2017-07 to 2018-06; the neighbourhood is not in the
#             export, so kwaliteit_zonder_buurt is not evaluated;
#   explicit  reshaped data of a third seed (about 30 teams) with an
#             explicit list of holidays (of 2015 and 2016: a list knows
#             only the years it holds a date of), contract years from April, the
#             reference date the first day, from 2014-10 (before any data:
#             periods not evaluated) to 2016-03;
#   maatwerk  the datasets of the iWmo/iJw messages (as conf/peil.ini
#             declares them) from CSV exports that gen_maatwerk.py makes,
#             for the maatwerk KPIs, 2016-11 to 2018-12.
#
# A difference fails the test, naming KPI, period, breakdown and both
# values (the first 40; ORACLE_SHOW=N for more); ORACLE_KEEP=1 keeps the
# work directory (data, configurations, peil.json).
#
#   run.sh PEIL PEIL_DEMO SOURCE_DIR PLUGIN_DIR [SHAPE...]
set -u
peil=$1 demo=$2 src=$3 plugins=$4
shift 4
shapes=${*:-demo reshaped explicit maatwerk}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../e2e/lib.sh"
work=$(mktemp -d --tmpdir peil-oracle-XXXXXX)
[ -n "${ORACLE_KEEP:-}" ] && echo "work: $work" || trap 'rm -rf "$work"' EXIT
fail=0

# compare NAME FROM TO: ingest and evaluate $work/NAME/peil.ini, then the
# oracle over the same periods.
compare() {
	local d=$work/$1 rc
	"$peil" ingest --config "$d/peil.ini" -q 2>"$d/err" || { cat "$d/err"; fail=1; return; }
	"$peil" eval --config "$d/peil.ini" --from "$2" --to "$3" --format json --dry-run -q \
		>"$d/peil.json" 2>>"$d/err"
	rc=$?
	# 6: some KPI not evaluated for some period (the oracle says which)
	if [ $rc != 0 ] && [ $rc != 6 ]; then
		echo "$1: peil eval exited $rc"; cat "$d/err"; fail=1; return
	fi
	echo "== $1: $2 to $3"
	python3 "$here/oracle.py" --config "$d/peil.ini" --from "$2" --to "$3" \
		--peil "$d/peil.json" --show "${ORACLE_SHOW:-40}" || fail=1
}

# reshaped_data NAME SEED FIRST_YEAR LAST_YEAR CASES_PER_YEAR TEAMS: d set
# to $work/NAME, peil-demo's exports of that seed, years and size there,
# and in $d/data as reshape.py rewrites them (each team split in TEAMS).
reshaped_data() {
	d=$work/$1
	mkdir -p "$d"
	"$demo" --out "$d/demo" --seed "$2" --from-year "$3" --to-year "$4" \
		--cases-per-year "$5" >/dev/null &&
		python3 "$here/reshape.py" "$d/demo" "$d/data" "$6"
}

# The datasets and sources of the reshaped exports in $1, on stdout.
reshaped_sections() {
	cat <<INI
[dataset cases]
field.case_id = text key
field.team = text required
field.registered = date required
field.first_meeting = date
field.closed = date
field.referrer = text
field.closure_reason = text
field.self_reliant = text
field.mark = integer
field.person = text
field.entered = date

[dataset case_members]
field.member_id = text key
field.case_id = text required
field.person = text

[dataset measurements]
field.measurement_id = text key
field.person = text required
field.date = date required
field.instrument = text required
field.domain = text
field.score = integer required

[dataset referrals]
field.referral_id = text key
field.provider = text required
field.issued = date required
field.care_started = date

[dataset trajectories]
field.trajectory_id = text key
field.person = text required
field.programme = text required
field.start = date required
field.end = date

[dataset visits]
field.visit_id = text key
field.trajectory_id = text required
field.month = integer required
field.date = date required

[source dossiers]
plugin = csv
dataset = cases
path = $1/dossiers.csv
encoding = utf-8
separator = comma
date_format = jjjj-mm-dd
column.Dossier-ID = case_id
column.Teamnaam = team
column.Aanmelddatum = registered
column.Eerste gesprek = first_meeting
column.Einddatum = closed
column.Verwezen door = referrer
column.Reden einde = closure_reason
column.Zelfredzaam? = self_reliant
column.Cijfer cliënt = mark
column.Cliëntnummer = person
column.Ingevoerd op = entered
fold.self_reliant = case
recode.self_reliant.ja = ja
recode.self_reliant.nee = nee
recode.self_reliant.nvt = n.v.t.

[source leden]
plugin = csv
dataset = case_members
path = $1/leden.tsv
separator = tab
column.Lid = member_id
column.Dossier-ID = case_id
column.Cliëntnummer = person

[source metingen]
plugin = csv
dataset = measurements
path = $1/metingen.csv
separator = comma
date_format = jjjjmmdd
column.ID = measurement_id
column.Cliëntnummer = person
column.Meetdatum = date
column.Meetinstrument = instrument
column.Domein ZRM = domain
column.Score = score

[source trajecten]
plugin = csv
dataset = trajectories
path = $1/trajecten.csv
separator = semicolon
date_format = dd/mm/jjjj
column.Traject = trajectory_id
column.Cliëntnummer = person
column.Programma = programme
column.Begin = start
column.Einde = end

[source bezoeken]
plugin = csv
dataset = visits
path = $1/bezoeken.csv
separator = semicolon
date_format = dd.mm.jjjj
column.Bezoek = visit_id
column.Traject = trajectory_id
column.Na maanden = month
column.Bezocht op = date

[source verwijzingen]
plugin = csv
dataset = referrals
path = $1/verwijzingen.csv
separator = semicolon
date_format = jjjj-mm-dd
column.Beschikking = referral_id
column.Zorgaanbieder = provider
column.Afgegeven = issued
column.Zorg gestart = care_started
INI
}

# maatwerk_source NAME DATASET FILE HEADER=FIELD...: a CSV source NAME
# of the maatwerk shape's file FILE (in $d/data, as gen_maatwerk.py
# writes it) into DATASET, with a column mapping per HEADER=FIELD; on
# stdout.
maatwerk_source() {
	csv_source "$1" "$2" "$d/data/$3" semicolon "${@:4}"
	printf 'date_format = jjjj-mm-dd\n\n'
}

# The columns of the start and the end messages (305, 307) alike.
message_columns=(Gemeente=municipality Toewijzingnummer=allocation Begindatum=started
	Aanbieder=provider BSN=person Categorie=category Product=product
	Ingangsdatum=allocation_start Status=status Bericht=message
	Standaard=standard Bestand=file)

# The [peil], [storage] and [privacy] sections of a sqlite store in $1.
oracle_store_sections() {
	head -c 32 /dev/urandom | base64 >"$1/bsn.key"
	chmod 600 "$1/bsn.key"
	work=$1 peil_sections "$plugins" "$src/scripts" sqlite
	printf '\n[privacy]\nmin_count = 0\nkey_file = %s\n' "$1/bsn.key"
}

for shape in $shapes; do
	case $shape in
	demo)
		d=$work/demo
		mkdir -p "$d"
		"$demo" --out "$d/data" >/dev/null || exit 1
		sed -e "s|^path = ../var/demo/|path = $d/data/|" \
		    -e "s|^path = ../var/peil.db|path = $d/peil.db|" \
		    -e "s|^script_dirs = ../scripts|script_dirs = $src/scripts\nplugin_dirs = $plugins|" \
		    -e "s|^reject_dir = .*|reject_dir = $d/rejects|" \
		    -e "s|^min_count = .*|min_count = 0|" \
		    "$src/conf/peil.ini" >"$d/peil.ini"
		cat >>"$d/peil.ini" <<INI
[kpi casussen_lopend]
grains = month, quarter, year
[kpi caseload]
grains = month, quarter
[kpi wachttijd_gemiddeld]
grains = month, year
[kpi personen_uniek]
grains = month, quarter, year
[kpi zrm_vooruit]
grains = quarter, year
[kpi ladder_gestegen]
grains = contract_year, quarter
INI
		compare demo 2017-01 2018-12
		;;
	reshaped)
		reshaped_data reshaped 7 2015 2018 2500 70 || exit 1
		{
			oracle_store_sections "$d"
			cat <<INI
[calendar]
good_friday = no
liberation_day = no
extra = 2017-12-27, 2018-02-13, 2018-05-11

[contract]
start_month = 7
reference = next

[run]
kpis = -tag:maatwerk

[kpi wachttijd_binnen_norm]
param.norm = 3
[kpi afgesloten_volgens_plan]
param.reason = Beeindigd volgens plan
[kpi duur_3_6_maanden]
param.from = 2
param.to = 7
[kpi kwaliteit_laat_ingevoerd]
param.late_days = 3
[kpi vervolgbezoeken_achterstallig]
param.grace_days = 20
[kpi ladder_gestegen]
param.rungs = 1
grains = contract_year, year, quarter
[kpi casussen_gestart]
grains = month, quarter, year, contract_year
[kpi caseload]
grains = quarter, contract_year
[kpi zrm_gelijk]
grains = quarter, contract_year
[kpi wachttijd_gemiddeld]
grains = month, contract_year
[kpi vervolgbezoeken_gedaan]
grains = month, quarter
INI
			reshaped_sections "$d/data"
		} >"$d/peil.ini"
		# The neighbourhood is not in the export: no KPI can count it.
		compare reshaped 2017-07 2018-06
		;;
	explicit)
		reshaped_data explicit 11 2015 2016 3000 2 || exit 1
		{
			oracle_store_sections "$d"
			cat <<INI
[calendar]
dates = 2015-01-01, 2015-01-02, 2015-03-16, 2015-04-06, 2015-05-05, 2015-12-25,
  2016-01-01, 2016-03-28

[contract]
start_month = 4
reference = first

[run]
kpis = -tag:maatwerk

[kpi casussen_lopend]
grains = month, contract_year
[kpi ladder_in_traject]
grains = contract_year, quarter
INI
			reshaped_sections "$d/data"
		} >"$d/peil.ini"
		compare explicit 2014-10 2016-03
		;;
	maatwerk)
		d=$work/maatwerk
		mkdir -p "$d"
		python3 "$here/gen_maatwerk.py" "$d/data" 5 || exit 1
		{
			oracle_store_sections "$d"
			cat <<INI
[calendar]
extra = 2017-12-27, 2018-07-02

[run]
kpis = tag:maatwerk

[kpi maatwerk_toewijzingen]
grains = month, quarter
[kpi maatwerk_zonder_start]
grains = month, quarter, year
param.dagen = 20
[kpi maatwerk_start_binnen_termijn]
grains = month, year

INI
			# the message datasets as conf/peil.ini declares them
			shipped_datasets allocations care_starts care_ends allocation_requests
			maatwerk_source toewijzingen allocations toewijzingen.csv \
				Gemeente=municipality Toewijzingnummer=allocation Aanbieder=provider \
				BSN=person Referentie=provider_ref Categorie=category Product=product \
				Toewijzingsdatum=allocated Ingangsdatum=start Einddatum=end \
				"Reden wijziging=change_reason" Bericht=message \
				Dagtekening=message_date Standaard=standard Bestand=file
			maatwerk_source starten care_starts starten.csv "${message_columns[@]}"
			maatwerk_source stoppen care_ends stoppen.csv "${message_columns[@]}" \
				Reden=reason Einddatum=ended
			maatwerk_source verzoeken allocation_requests verzoeken.csv \
				Gemeente=municipality Aanbieder=provider Referentie=provider_ref \
				BSN=person Categorie=category Product=product Begindatum=start \
				Einddatum=end Bericht=message Dagtekening=message_date \
				Standaard=standard Bestand=file
		} >"$d/peil.ini"
		compare maatwerk 2016-11 2018-12
		;;
	*) echo "run.sh: unknown shape $shape" >&2; exit 64 ;;
	esac
done
exit $fail
