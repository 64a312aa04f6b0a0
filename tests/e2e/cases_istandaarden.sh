# Sourced by cli.sh: iWmo and iJw 3.2 messages through the istandaarden
# plugin (plugins/in_istandaarden) into the maatwerk datasets and KPIs.
# The messages are written here from the structure of the release 3.2
# XSDs (WMO301.xsd, WMO305.xsd, WMO307.xsd, WMO315.xsd, JW301.xsd,
# JW315.xsd); elements the plugin does not read (Contactgegevens,
# Verwijzer, ...) are left out.

# ist_message FILE STD KIND CODE AFZENDER ONTVANGER DAGTEKENING BSN, the
# products on stdin (prefix m: the message's namespace, b: basisschema).
ist_message() {
	local file=$1 std=$2 kind=$3 p=wmo list
	[ "$std" = ijw ] && p=jw
	case $kind in
	301) list=ToegewezenProducten ;; 305) list=StartProducten ;;
	307) list=StopProducten ;; 315) list=AangevraagdeProducten ;;
	esac
	{
		cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<m:Bericht xmlns:b="http://www.istandaarden.nl/$std/3_2/basisschema/schema" xmlns:m="http://www.istandaarden.nl/$std/3_2/$p$kind/schema">
  <m:Header>
    <m:BerichtCode>$4</m:BerichtCode>
    <m:BerichtVersie>3</m:BerichtVersie>
    <m:BerichtSubversie>2</m:BerichtSubversie>
    <m:Afzender>$5</m:Afzender>
    <m:Ontvanger>$6</m:Ontvanger>
    <m:BerichtIdentificatie>
      <b:Identificatie>$(basename "$file" .xml)</b:Identificatie>
      <b:Dagtekening>$7</b:Dagtekening>
    </m:BerichtIdentificatie>
    <m:XsdVersie>
      <b:BasisschemaXsdVersie>1.0.0</b:BasisschemaXsdVersie>
      <b:BerichtXsdVersie>1.0.0</b:BerichtXsdVersie>
    </m:XsdVersie>
  </m:Header>
  <m:Client>
    <m:Bsn>$8</m:Bsn>
    <m:Geboortedatum><b:Datum>1967-08-13</b:Datum></m:Geboortedatum>
    <m:Geslacht>1</m:Geslacht>
    <m:Naam><b:Geslachtsnaam><b:Achternaam>Wit</b:Achternaam></b:Geslachtsnaam></m:Naam>
    <m:$list>
XML
		cat
		cat <<XML
    </m:$list>
  </m:Client>
</m:Bericht>
XML
	} >"$file"
}

# toegewezen NR CATEGORIE TOEWIJZINGSDATUM INGANGSDATUM [BEFORE_PRODUCT
# [AFTER_INGANGSDATUM]]: a ToegewezenProduct of a 301.
toegewezen() {
	cat <<XML
      <m:ToegewezenProduct>
        <m:ToewijzingNummer>$1</m:ToewijzingNummer>
        ${5:-}
        <m:Product><b:Categorie>$2</b:Categorie><b:Code>${2}A11</b:Code></m:Product>
        <m:Toewijzingsdatum>$3</m:Toewijzingsdatum>
        <m:Toewijzingstijd>10:00:00</m:Toewijzingstijd>
        <m:Ingangsdatum>$4</m:Ingangsdatum>
        ${6:-}
      </m:ToegewezenProduct>
XML
}

ist_config() {
	{ cat <<INI
$(store_sections "$plugins" "$src/scripts")
[run]
periods = 2023-04
kpis = tag:maatwerk
[privacy]
min_count = 0
key_file = $work/secret.key
$(shipped_datasets)
INI
	for m in ${IST_SOURCES:-301:allocations 305:care_starts 307:care_ends 315:allocation_requests}; do
		cat <<INI
[source msg${m%%:*}]
plugin = istandaarden
dataset = ${m#*:}
message = ${m%%:*}
path = $work/msg/${m%%:*}_*.xml
INI
	done
	cat; } >"$work/peil.ini"
}

ist_setup() {
	mkdir -p "$work/msg" "$work/rejects"
	head -c 32 /dev/urandom | base64 >"$work/secret.key"
	chmod 600 "$work/secret.key"
	ist_config </dev/null
}

# The figures of April 2023 (Goede Vrijdag 7, Tweede Paasdag 10 and
# Koningsdag 27 April are holidays), worked by hand:
#   301_1 (iWmo, 0363 to 12340001): T1 cat 01, allocated and starting
#         2023-04-03, ref REF1; T2 cat 02, 2023-04-05, ref REF2.
#   301_2 (iJw, 0363 to 12340002): T3 cat 45, 2023-04-11.
#   301_3 (iWmo, later): T1 corrected (RedenWijziging 14, Ingangsdatum
#         2023-04-04); T2 withdrawn (RedenWijziging 13, Einddatum =
#         Ingangsdatum).
#   305_1: T1 started 2023-04-06.  307_1: T1 ended 2023-04-28, reason 19.
#   315_1 (iWmo, from 12340001, Dagtekening 2023-03-29): REF1.
#   315_2 (iJw, from 12340002, Dagtekening 2023-04-03): REFJ.
# maatwerk_toewijzingen: 12340001/01 1 (T1), 12340001/02 0 (T2 withdrawn),
#   12340002/45 1 (T3), total 2.
# maatwerk_start_binnen_termijn (10 working days): T1 from 2023-04-04
#   (the corrected Ingangsdatum, later than the allocation) to 6 April =
#   2 working days: in time; T3 no start.  12340001 100, 12340002 0,
#   total 50 (1 of 2).
# maatwerk_beeindigd_per_reden: 19 1, total 1.
# maatwerk_doorlooptijd_verzoek: T1 (REF1): 30 and 31 March, 3 April = 3
#   working days; T3 has no reference.  12340001 3, total 3.
# maatwerk_zonder_start: T3 is 19 days old on 30 April: 0.
test_istandaarden_figures() {
	ist_setup
	{ toegewezen T1 01 2023-04-03 2023-04-03 \
		"<m:ReferentieAanbieder>REF1</m:ReferentieAanbieder>"
	  toegewezen T2 02 2023-04-05 2023-04-05 \
		"<m:ReferentieAanbieder>REF2</m:ReferentieAanbieder>"
	} | ist_message "$work/msg/301_1.xml" iwmo 301 414 0363 12340001 2023-04-05 999900006
	toegewezen T3 45 2023-04-11 2023-04-11 |
		ist_message "$work/msg/301_2.xml" ijw 301 436 0363 12340002 2023-04-11 111222333
	cat <<XML | ist_message "$work/msg/305_1.xml" iwmo 305 418 12340001 0363 2023-04-07 999900006
      <m:StartProduct>
        <m:ToewijzingNummer>T1</m:ToewijzingNummer>
        <m:Product><b:Categorie>01</b:Categorie><b:Code>01A11</b:Code></m:Product>
        <m:ToewijzingIngangsdatum>2023-04-03</m:ToewijzingIngangsdatum>
        <m:Begindatum>2023-04-06</m:Begindatum>
        <m:StatusAanlevering>1</m:StatusAanlevering>
      </m:StartProduct>
XML
	cat <<XML | ist_message "$work/msg/307_1.xml" iwmo 307 420 12340001 0363 2023-04-28 999900006
      <m:StopProduct>
        <m:ToewijzingNummer>T1</m:ToewijzingNummer>
        <m:ToewijzingIngangsdatum>2023-04-04</m:ToewijzingIngangsdatum>
        <m:Begindatum>2023-04-06</m:Begindatum>
        <m:RedenBeeindiging>19</m:RedenBeeindiging>
        <m:Einddatum>2023-04-28</m:Einddatum>
        <m:StatusAanlevering>1</m:StatusAanlevering>
      </m:StopProduct>
XML
	cat <<XML | ist_message "$work/msg/315_1.xml" iwmo 315 444 12340001 0363 2023-03-29 999900006
      <m:AangevraagdProduct>
        <m:ReferentieAanbieder>REF1</m:ReferentieAanbieder>
        <m:Product><b:Categorie>01</b:Categorie></m:Product>
        <m:ToewijzingIngangsdatum>2023-04-03</m:ToewijzingIngangsdatum>
      </m:AangevraagdProduct>
XML
	cat <<XML | ist_message "$work/msg/315_2.xml" ijw 315 446 12340002 0363 2023-04-03 111222333
      <m:AangevraagdProduct>
        <m:ReferentieAanbieder>REFJ</m:ReferentieAanbieder>
        <m:ToewijzingIngangsdatum>2023-04-11</m:ToewijzingIngangsdatum>
      </m:AangevraagdProduct>
XML
	"$peil" ingest --config "$work/peil.ini" >"$work/out.1" 2>"$work/err.1"
	expect_rc "the messages go in" 0 $?
	got=$(sqlite3 "$work/peil.db" "SELECT allocation, provider, category, date(start * 86400, 'unixepoch'), coalesce(change_reason, '-'), message, standard, file, length(person) FROM ds_allocations ORDER BY allocation" | tr '\n' ' ')
	[ "$got" = "T1|12340001|01|2023-04-03|-|414|iWmo|301_1.xml|64 T2|12340001|02|2023-04-05|-|414|iWmo|301_1.xml|64 T3|12340002|45|2023-04-11|-|436|iJw|301_2.xml|64 " ] &&
		ok "one row per product, stamped with message code, standard and file; the BSN hashed" ||
		fail "allocations: $got"

	# A later 301: T1 corrected, T2 withdrawn; the same keys, replaced.
	{ toegewezen T1 01 2023-04-03 2023-04-04 \
		"<m:ReferentieAanbieder>REF1</m:ReferentieAanbieder>" \
		"<m:RedenWijziging>14</m:RedenWijziging>"
	  toegewezen T2 02 2023-04-05 2023-04-05 \
		"<m:ReferentieAanbieder>REF2</m:ReferentieAanbieder>" \
		"<m:Einddatum>2023-04-05</m:Einddatum><m:RedenWijziging>13</m:RedenWijziging>"
	} | ist_message "$work/msg/301_3.xml" iwmo 301 414 0363 12340001 2023-04-12 999900006
	"$peil" ingest --config "$work/peil.ini" >"$work/out.2" 2>"$work/err.2"
	expect_rc "the correcting message goes in" 0 $?
	got=$(sqlite3 "$work/peil.db" "SELECT allocation, date(start * 86400, 'unixepoch'), coalesce(date(\"end\" * 86400, 'unixepoch'), '-'), coalesce(change_reason, '-'), file FROM ds_allocations ORDER BY allocation" | tr '\n' ' ')
	[ "$got" = "T1|2023-04-04|-|14|301_3.xml T2|2023-04-05|2023-04-05|13|301_3.xml T3|2023-04-11|-|-|301_2.xml " ] &&
		ok "a correction and a withdrawal replace the allocation by its key" ||
		fail "after the correction: $got"
	if grep -qa -e 999900006 -e 111222333 "$work/peil.db"*; then
		fail "a citizen number is in the store in the clear"
	else
		ok "no citizen number in the store in the clear"
	fi

	"$peil" eval --config "$work/peil.ini" --period 2023-04 --format csv >"$work/out.3" 2>"$work/err.3"
	expect_rc "eval of the maatwerk KPIs" 0 $?
	# CSV columns: kpi;titel;eenheid;periode;reason;provider;category;waarde
	t="maatwerk_toewijzingen;Toewijzingen maatwerk;toewijzingen;2023-04"
	s="maatwerk_start_binnen_termijn;Zorg gestart binnen de termijn;%;2023-04"
	e="maatwerk_beeindigd_per_reden;Beëindigde zorg per reden;beëindigingen;2023-04"
	d="maatwerk_doorlooptijd_verzoek;Doorlooptijd van verzoek tot toewijzing;werkdagen;2023-04"
	z="maatwerk_zonder_start;Toewijzingen zonder start;toewijzingen;2023-04"
	for want in "$t;;12340001;01;1;" "$t;;12340001;02;0;" "$t;;12340002;45;1;" \
		"$t;Totaal;Totaal;Totaal;2;" "$s;;12340001;;100;1;1;" \
		"$s;;12340002;;0;0;1;" "$s;Totaal;Totaal;Totaal;50;1;2;" \
		"$e;19;;;1;" "$e;Totaal;Totaal;Totaal;1;" "$d;;12340001;;3;3;1;" \
		"$d;Totaal;Totaal;Totaal;3;3;1;" "$z;Totaal;Totaal;Totaal;0;"; do
		expect_grep "figure ${want%%;*}${want#*;*;*;2023-04}" "$work/out.3" "$want"
	done
}

# A refused message names file, line, element path and value, and stores
# nothing of the file: ist_refused NAME FILE EXPECTED_TEXT
ist_refused() {
	local before after
	before=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_allocations" 2>/dev/null || echo 0)
	"$peil" ingest --config "$work/peil.ini" >"$work/out.r" 2>"$work/err.r"
	expect_rc "$1: refused" 2 $?
	expect_grep "$1: named with file, line and element path" "$work/err.r" "$3"
	after=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_allocations" 2>/dev/null || echo 0)
	[ "$before" = "$after" ] && ok "$1: nothing of the file stored" ||
		fail "$1: rows $before before, $after after"
	rm -f "$2"
}

test_istandaarden_refusals() {
	IST_SOURCES=301:allocations ist_setup
	toegewezen T1 01 2023-04-03 2023-04-03 |
		ist_message "$work/msg/301_0.xml" iwmo 301 414 0363 12340001 2023-04-05 999900006
	"$peil" ingest --config "$work/peil.ini" >"$work/out.0" 2>"$work/err.0"
	expect_rc "a good message first" 0 $?
	mv "$work/msg/301_0.xml" "$work/good.xml"
	m="$work/msg/301_1.xml"
	p=/Bericht/Client/ToegewezenProducten/ToegewezenProduct

	# ist_bad NAME EXPECTED SED: a good message edited by SED is refused.
	ist_bad() {
		toegewezen T9 01 2023-04-03 2023-04-03 |
			ist_message "$m" iwmo 301 414 0363 12340001 2023-04-05 999900006
		sed -i "$3" "$m"
		ist_refused "$1" "$m" "$2"
	}
	ist_bad "wrong namespace" "301_1.xml:2: column '/Bericht': the namespace 'http://example.org/wmo301' is not that of an iWmo or iJw message" \
		's|xmlns:m="[^"]*"|xmlns:m="http://example.org/wmo301"|'
	ist_bad "unknown release in the namespace" "release '3_1' of iWmo (namespace 'http://www.istandaarden.nl/iwmo/3_1/wmo301/schema') is unknown: Peil reads release 3.2" \
		's|iwmo/3_2/wmo301|iwmo/3_1/wmo301|'
	ist_bad "unknown release in the header" "301_1.xml:6: column '/Bericht/Header/BerichtSubversie': BerichtSubversie '1': this is not release 3.2 of iWmo" \
		's|<m:BerichtSubversie>2<|<m:BerichtSubversie>1<|'
	ist_bad "another message than the source's" "this is a wmo305 message (namespace 'http://www.istandaarden.nl/iwmo/3_2/wmo305/schema'), but the source reads message = 301" \
		's|wmo301/schema|wmo305/schema|'
	ist_bad "a BerichtCode that is not the message's" "column '/Bericht/Header/BerichtCode': '418' is not the BerichtCode of WMO301 (414)" \
		's|<m:BerichtCode>414<|<m:BerichtCode>418<|'
	ist_bad "a date that does not exist" "column '$p/Ingangsdatum': '2023-02-29' is not a date of the form jjjj-mm-dd (LDT_Datum)" \
		's|<m:Ingangsdatum>2023-04-03<|<m:Ingangsdatum>2023-02-29<|'
	ist_bad "a BSN failing the 11-proef" "301_1.xml:24: column '/Bericht/Client/Bsn (line 19)': '1234*****' is not a valid citizen number (fails the 11-proef) (field person)" \
		's|<m:Bsn>999900006<|<m:Bsn>123456789<|'
	if grep -q 123456789 "$work/err.r"; then fail "the BSN in the clear in the error"; else ok "the BSN masked"; fi

	{ toegewezen T9 01 2023-04-03 2023-04-03
	  toegewezen T10 01 2023-04-03 2023-04-03 | grep -v Toewijzingsdatum
	} | ist_message "$m" iwmo 301 414 0363 12340001 2023-04-05 999900006
	ist_refused "a missing mandatory element" "$m" "301_1.xml:33: column '$p/Toewijzingsdatum': the mandatory element Toewijzingsdatum is missing from $p"

	{ toegewezen T9 01 2023-04-03 2023-04-03
	  toegewezen T10 01 2023-04-03 01-04-2023
	} | ist_message "$m" iwmo 301 414 0363 12340001 2023-04-05 999900006
	ist_refused "a date in the wrong format" "$m" "301_1.xml:39: column '$p/Ingangsdatum': '01-04-2023' is not a date of the form jjjj-mm-dd (LDT_Datum)"

	{ toegewezen T9 01 2023-04-03 2023-04-03
	  toegewezen T10 01 2023-04-03 2023-04-03
	} | ist_message "$m" iwmo 301 414 0363 12340001 2023-04-05 999900006
	head -c 1200 "$m" >"$m.cut" && mv "$m.cut" "$m"
	ist_refused "truncated XML" "$m" "damaged or truncated XML"

	ist_bad "a root other than Bericht" "column 'Toewijzing': the root element is Toewijzing, not Bericht" \
		's|m:Bericht |m:Toewijzing |; s|</m:Bericht>|</m:Toewijzing>|'
	ist_bad "a second Client" "301_1.xml:35: column '/Bericht/Client': a second Client: a message holds one" \
		's|^</m:Bericht>|<m:Client/></m:Bericht>|'
	ist_bad "an element repeated" "301_1.xml:20: column '/Bericht/Client/Bsn': element repeated (first on line 19): it occurs once" \
		's|^    <m:Geboortedatum>|    <m:Bsn>999900006</m:Bsn>\n&|'
	ist_bad "an element of another namespace" "column '/Bericht/Client': element Geslacht is in namespace 'urn:x', not in the message's" \
		's|<m:Geslacht>1</m:Geslacht>|<x:Geslacht xmlns:x="urn:x">1</x:Geslacht>|'
	ist_bad "a message without products" "301_1.xml:23: column '/Bericht/Client/ToegewezenProducten': the message holds no ToegewezenProduct" \
		'/ToegewezenProduct>\|ToewijzingNummer\|Product>\|Toewijzings\|Ingangsdatum/d'
	ist_bad "a missing BerichtVersie" "301_1.xml:17: column '/Bericht/Header': the mandatory element BerichtVersie is missing from /Bericht/Header" \
		'/BerichtVersie>/d'
	ist_bad "a DOCTYPE" "a DOCTYPE or entity is not part of an iWmo or iJw message" \
		's|^<m:Bericht |<!DOCTYPE m:Bericht [<!ENTITY e "x">]>\n&|'

	# Validation against the XSDs, when the operator points to them
	# (they are not shipped): here a stand-in WMO301.xsd that allows only
	# a Header, so that the Client is refused with its line.
	mkdir -p "$work/xsd"
	cat >"$work/xsd/WMO301.xsd" <<'XSD'
<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.istandaarden.nl/iwmo/3_2/wmo301/schema" elementFormDefault="qualified">
  <xs:element name="Bericht">
    <xs:complexType><xs:sequence>
      <xs:element name="Header"><xs:complexType><xs:sequence>
        <xs:any namespace="##any" processContents="skip" maxOccurs="unbounded"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
XSD
	echo "xsd_dir = $work/xsd" >>"$work/peil.ini"	# [source msg301] is last
	toegewezen T9 01 2023-04-03 2023-04-03 |
		ist_message "$m" iwmo 301 414 0363 12340001 2023-04-05 999900006
	ist_refused "not valid against the XSD" "$m" "301_1.xml:18: not valid against $work/xsd/WMO301.xsd: Element '{http://www.istandaarden.nl/iwmo/3_2/wmo301/schema}Client': This element is not expected."

	# The same message against a stand-in that allows the Client: stored.
	sed -i 's|^    </xs:sequence></xs:complexType>$|      <xs:element name="Client"><xs:complexType><xs:sequence>\
        <xs:any namespace="##any" processContents="skip" maxOccurs="unbounded"/>\
      </xs:sequence></xs:complexType></xs:element>\
    </xs:sequence></xs:complexType>|' "$work/xsd/WMO301.xsd"
	toegewezen T9 01 2023-04-03 2023-04-03 |
		ist_message "$m" iwmo 301 414 0363 12340001 2023-04-05 999900006
	"$peil" ingest --config "$work/peil.ini" >"$work/out.x" 2>"$work/err.x"
	expect_rc "valid against the XSD" 0 $?
	n=$(sqlite3 "$work/peil.db" "SELECT count(*) FROM ds_allocations")
	[ "$n" = 2 ] && ok "and stored" || fail "$n rows after the valid message"

	# The source's configuration.
	IST_SOURCES=301:allocations ist_config <<INI
[source wrong]
plugin = istandaarden
dataset = care_ends
message = 301
path = $work/good.xml
INI
	"$peil" ingest --config "$work/peil.ini" >"$work/out.c" 2>"$work/err.c"
	expect_rc "a dataset field the message does not fill" 3 $?
	expect_grep "is named with the fields it fills" "$work/err.c" "dataset care_ends has field 'started', which a 301 message does not fill; it fills: message, message_id, message_date, municipality, provider, person, allocation, provider_ref, category, product, allocated, start, end, change_reason, standard, file"
	k=0
	for wrong in "field.person = text required|only person, the citizen number (Bsn), is and must be declared bsn" \
		"field.person = bsn required
field.allocated = text|field 'allocated' of dataset few2 holds a date (LDT_Datum): declare it date" \
		"field.allocation = text key|dataset few3 has no field person: every message carries a citizen number (Bsn)"; do
		k=$((k + 1))
		IST_SOURCES=301:allocations ist_config <<INI
[dataset few$k]
field.municipality = text key
${wrong%|*}
[source few]
plugin = istandaarden
dataset = few$k
message = 301
path = $work/good.xml
INI
		"$peil" ingest --config "$work/peil.ini" >"$work/out.c" 2>"$work/err.c"
		expect_rc "a dataset declared wrongly: ${wrong#*|}" 3 $?
		expect_grep "says so" "$work/err.c" "${wrong#*|}"
	done
}
