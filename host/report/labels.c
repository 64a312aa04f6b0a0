/*
 * labels.c - Dutch and English words of the outputs.
 */
#include "report/labels.h"

#include <stdio.h>
#include <string.h>

#include "base/calendar.h"
#include "model/results.h"

static const labels dutch = {
	.lang = "nl",
	.row_words = &breakdown_words_of[BREAKDOWN_NL],
	.met = "gehaald",
	.at_risk = "in gevaar",
	.not_met = "niet gehaald",
	.no_target = "geen doel",
	.not_evaluated_mark = "n.b.",
	.not_evaluated = "niet berekend",
	.stale_input = "let op: de nieuwste invoer van dataset %s is %lld "
		       "dagen oud (max_age_days = %llu)",
	.partly_covered = "let op: de nieuwste invoer van dataset %s is van "
			  "%s, dus cijfers van perioden die daarna eindigen "
			  "blijven voorlopig",
	.unmatched = "let op: KPI %s: rijen van dataset %s zonder rij in "
		     "%s (hun %s komt daar niet voor): %llu, %s",
	.unmatched_left_out = "weggelaten, want de selectie dateert rijen "
			      "met de gekoppelde dataset",
	.unmatched_empty = "meegeteld met de gekoppelde velden leeg",
	.unpublished = "let op: deze cijfers zijn op verzoek berekend, niet "
		       "door een geplande run: het zijn niet de gepubliceerde "
		       "cijfers",
	.col_previous = "vorige_waarde",
	.col_revised = "herzien",
	.commentary = "Toelichting",
	.revised_title = "Herzien",
	.revised_since = "Cijfers die anders zijn dan in run %lld, de vorige "
			 "geplande run over deze periode:",
	.revised_since_report = "Cijfers die anders zijn dan in het vorige "
				"verslag over deze periode (verslag %lld, run "
				"%lld):",
	.revised_none = "Geen cijfers herzien.",
	.revised_cell = "cel",
	.revised_old = "oud",
	.revised_new = "nieuw",
	.revised_change = "wijziging",
	.revised_why = "waarom",
	.revision_changed = "gewijzigd",
	.revision_new = "nieuw",
	.revision_removed = "vervallen",
	.revision_now_hidden = "nu onderdrukt",
	.revision_was_hidden = "eerder onderdrukt",
	.cause_input = "invoer",
	.cause_definition = "definitie",
	.revisions_unknown = "let op: herzieningen kunnen niet worden "
			     "getoond: %s",
	.missing_dataset = "dataset %s ontbreekt",
	.missing_field = "dataset %s heeft geen veld %s",
	.missing_source = "dataset %s: geen bron levert veld %s (geen "
			  "kolom van de export is eraan gekoppeld)",
	.missing_rows_field = "dataset %s heeft geen rij met %s tot het "
			      "einde van de periode",
	.missing_rows = "dataset %s heeft geen rijen tot het einde van de "
			"periode",
	.missing_rows_after = "dataset %s heeft geen rij met %s na %s",
	.missing_input_after = "dataset %s heeft geen invoer na %s",
	.missing_contract_start = "de startdatum van het contract "
				  "([contract] start) ontbreekt; cumulatief "
				  "telt vanaf die datum",
	.at_least = "minimaal",
	.at_most = "maximaal",
	.and_word = "en",
	.target = "Doel",
	.misses = "%d van de %d cijfers niet gehaald of in gevaar",
	.compare_name = { "de vorige periode", "een jaar eerder" },
	.compare_heading = "Verschil t.o.v. %s (in %s en in %%)",
	.compare_vs = "t.o.v.",
	.points = "procentpunten",
	.compare_legend = "- = geen verschil: de run heeft geen cijfer van "
			  "de eerdere periode, of een van beide heeft geen "
			  "waarde; * = niet getoond: het verschil zou een "
			  "niet getoond cijfer verraden",
	.compare_absent = "geen cijfer van %s",
	.col_compare = { { "vorige_periode", "verschil", "verschil_pct" },
			 { "jaar_eerder", "verschil_jaar",
			   "verschil_jaar_pct" } },
	.suppressed_legend = "* = niet getoond: minder dan %g, of daaruit af "
			     "te leiden",
	.suppressed_small = "klein aantal",
	.diff_hidden = "%zu cijfers veranderden, geen ervan getoond: de "
		       "regels voor kleine aantallen verbergen ze",
	.suppressed_derivable = "afleidbaar",
	.provisional_legend = "~ = voorlopig: kan nog veranderen",
	.word_provisional = "voorlopig",
	.word_final = "definitief",
	.col_finality = "stand",
	.col_grain = "korrel",
	.grain_word = { "", "maand", "kwartaal", "jaar", "contractjaar" },
	.per_grain = { "", "Per maand", "Per kwartaal", "Per jaar",
		       "Per contractjaar" },
	.col_kpi = "kpi",
	.col_title = "titel",
	.col_unit = "eenheid",
	.col_period = "periode",
	.col_value = "waarde",
	.col_numerator = "teller",
	.col_denominator = "noemer",
	.col_target_min = "doel_min",
	.col_target_max = "doel_max",
	.col_status = "status",
	.col_suppressed = "onderdrukt",
	.report_title = "Verslag",
	.report_subtitle = "KPI's van het sociaal domein",
	.summary = "Samenvatting",
	.summary_intro = "De waarde en status zijn die van het totaal in de "
			 "gevraagde periode, of anders in de laatste periode "
			 "met cijfers van de langste korrel daarbinnen; "
			 "daarnaast in hoeveel perioden van die korrel het "
			 "doel gehaald is.",
	.latest_value = "Laatste waarde",
	.months_met = "Doel gehaald",
	.trend_title = "Verloop van het totaal",
	.bars_title = "Per %s, %s",
	.figures_title = "Cijfers",
	.quality_title = "Kwaliteit van de registratie",
	.quality_intro = "Voor wie registreert: per team het aandeel van de "
			 "in de periode aangemelde casussen waarin een veld "
			 "leeg is, en het aandeel dat meer dan %d dagen na "
			 "aanmelding is ingevoerd. Velden over de afsluiting "
			 "tellen over de in de periode afgesloten casussen. "
			 "Hoe lager, hoe beter.",
	.quality_missing = "leeg",
	.quality_late = "Te laat ingevoerd",
	.quality_cases = "Aangemeld",
	.quality_closed = "Afgesloten",
	.quality_cases_title = "Aangemelde casussen",
	.quality_closed_title = "Afgesloten casussen",
	.quality_none = "Geen gegevens over de registratie: de dataset "
			"ontbreekt of heeft de velden niet.",
	.footer_title = "Verantwoording",
	.footer_run = "Run",
	.footer_started = "Berekend op",
	.footer_config = "Vingerafdruk configuratie",
	.footer_scripts = "Vingerafdruk KPI-scripts",
	.footer_inputs = "Vingerafdruk invoer",
	.provisional_title = "Voorlopige cijfers",
	.provisional_rule = "Cijfers van perioden die minder dan %d maanden "
			    "voor de berekening eindigden, zijn voorlopig: "
			    "late registraties en correcties kunnen ze nog "
			    "veranderen.",
	.provisional_none = "Geen: alle cijfers in dit verslag zijn definitief.",
	.privacy_rule = "Aantallen kleiner dan %g, en cijfers waaruit die af "
			"te leiden zijn, worden niet getoond (*). Percentages "
			"en gemiddelden staan er alleen bij minstens %g "
			"waarnemingen.",
	.privacy_off = "Let op: de regels voor kleine aantallen staan uit "
		       "(min_count = 0); dit verslag is niet geschikt om te "
		       "delen.",
	.target_band = "doelzone",
	.no_figures = "Geen cijfers in deze periode.",
	.period_word = "Periode",
	.contents = "Inhoud",
	.months = { "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug",
		    "sep", "okt", "nov", "dec" },
};

static const labels english = {
	.lang = "en",
	.row_words = &breakdown_words_of[BREAKDOWN_EN],
	.met = "met",
	.at_risk = "at risk",
	.not_met = "not met",
	.no_target = "no target",
	.not_evaluated_mark = "n.e.",
	.not_evaluated = "not evaluated",
	.stale_input = "note: the newest input of dataset %s is %lld days "
		       "old (max_age_days = %llu)",
	.partly_covered = "note: the newest input of dataset %s is of %s, so "
			  "the figures of periods that end after it stay "
			  "provisional",
	.unmatched = "note: KPI %s: rows of dataset %s without a row in %s "
		     "(their %s is not there): %llu, %s",
	.unmatched_left_out = "left out, as the selection dates rows by the "
			      "joined dataset",
	.unmatched_empty = "counted with the joined fields empty",
	.unpublished = "note: these figures were evaluated on request, not "
		       "by a scheduled run: they are not the published "
		       "figures",
	.col_previous = "previous_value",
	.col_revised = "revised",
	.commentary = "Commentary",
	.revised_title = "Revised",
	.revised_since = "Figures that differ from those of run %lld, the "
			 "previous scheduled run over this period:",
	.revised_since_report = "Figures that differ from those of the "
				"previous report of this period (report "
				"%lld, run %lld):",
	.revised_none = "No figures revised.",
	.revised_cell = "cell",
	.revised_old = "old",
	.revised_new = "new",
	.revised_change = "change",
	.revised_why = "why",
	.revision_changed = "changed",
	.revision_new = "new",
	.revision_removed = "removed",
	.revision_now_hidden = "now suppressed",
	.revision_was_hidden = "previously suppressed",
	.cause_input = "input",
	.cause_definition = "definition",
	.revisions_unknown = "note: revisions cannot be shown: %s",
	.missing_dataset = "dataset %s is not configured",
	.missing_field = "dataset %s does not declare field %s",
	.missing_source = "dataset %s: no source fills field %s (no "
			  "column of an export is mapped to it)",
	.missing_rows_field = "dataset %s has no row with %s up to the "
			      "period's end",
	.missing_rows = "dataset %s has no rows up to the period's end",
	.missing_rows_after = "dataset %s has no row with %s after %s",
	.missing_input_after = "dataset %s has no input after %s",
	.missing_contract_start = "[contract] start is not set; cumulative() "
				  "counts from it",
	.at_least = "at least",
	.at_most = "at most",
	.and_word = "and",
	.target = "Target",
	.misses = "%d of %d figures not met or at risk",
	.compare_name = { "the previous period", "a year before" },
	.compare_heading = "Change vs %s (in %s and in %%)",
	.compare_vs = "vs",
	.points = "percentage points",
	.compare_legend = "- = no change: the run has no figure of the "
			  "earlier period, or either has no value; * = not "
			  "shown: the change would tell a figure not shown",
	.compare_absent = "no figure of %s",
	.col_compare = { { "previous", "change", "change_pct" },
			 { "year_before", "change_year", "change_year_pct" } },
	.suppressed_legend = "* = not shown: fewer than %g, or derivable "
			     "from such a number",
	.suppressed_small = "small count",
	.diff_hidden = "%zu figures changed, none of them shown: the rules "
		       "for small numbers hide them",
	.suppressed_derivable = "derivable",
	.provisional_legend = "~ = provisional: may still change",
	.word_provisional = "provisional",
	.word_final = "final",
	.col_finality = "state",
	.col_grain = "grain",
	.grain_word = { "", "month", "quarter", "year", "contract_year" },
	.per_grain = { "", "By month", "By quarter", "By year",
		       "By contract year" },
	.col_kpi = "kpi",
	.col_title = "title",
	.col_unit = "unit",
	.col_period = "period",
	.col_value = "value",
	.col_numerator = "numerator",
	.col_denominator = "denominator",
	.col_target_min = "target_min",
	.col_target_max = "target_max",
	.col_status = "status",
	.col_suppressed = "suppressed",
	.report_title = "Report",
	.report_subtitle = "KPIs of the social domain",
	.summary = "Summary",
	.summary_intro = "The value and status are those of the total in the "
			 "period asked for, else in the latest period with "
			 "figures of the longest grain within it, followed "
			 "by the number of periods of that grain in which "
			 "the target was met.",
	.latest_value = "Latest value",
	.months_met = "Target met",
	.trend_title = "Trend of the total",
	.bars_title = "By %s, %s",
	.figures_title = "Figures",
	.quality_title = "Quality of registration",
	.quality_intro = "For the registering staff: per team the share of "
			 "the cases registered in the period with an empty "
			 "field, and the share entered more than %d days "
			 "after registration. Fields about closure count "
			 "over the cases closed in the period. Lower is "
			 "better.",
	.quality_missing = "empty",
	.quality_late = "Entered late",
	.quality_cases = "Registered",
	.quality_closed = "Closed",
	.quality_cases_title = "Registered cases",
	.quality_closed_title = "Closed cases",
	.quality_none = "No figures on registration: the dataset is missing "
			"or lacks the fields.",
	.footer_title = "Accountability",
	.footer_run = "Run",
	.footer_started = "Computed on",
	.footer_config = "Configuration fingerprint",
	.footer_scripts = "KPI scripts fingerprint",
	.footer_inputs = "Inputs fingerprint",
	.provisional_title = "Provisional figures",
	.provisional_rule = "Figures of periods that ended less than %d "
			    "months before the computation are provisional: "
			    "late registrations and corrections may still "
			    "change them.",
	.provisional_none = "None: every figure in this report is final.",
	.privacy_rule = "Counts below %g, and figures from which they could "
			"be derived, are not shown (*). Percentages and means "
			"need at least %g observations.",
	.privacy_off = "Note: the small-cell rules are switched off "
		       "(min_count = 0); do not share this report.",
	.target_band = "target zone",
	.no_figures = "No figures in this period.",
	.period_word = "Period",
	.contents = "Contents",
	.months = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		    "Sep", "Oct", "Nov", "Dec" },
};

const labels *labels_for(const char *lang)
{
	if (!lang || strcmp(lang, "nl") == 0)
		return &dutch;
	if (strcmp(lang, "en") == 0)
		return &english;
	return NULL;
}

const char *labels_status(const labels *l, const char *status)
{
	if (!status)
		return l->no_target;
	if (strcmp(status, "met") == 0)
		return l->met;
	if (strcmp(status, "at risk") == 0)
		return l->at_risk;
	if (strcmp(status, "not met") == 0)
		return l->not_met;
	return status;
}

void labels_status_text(const labels *l, const char *status, char *out,
			size_t size)
{
	char dataset[128], field[128], date[11], why[384];
	result_missing missing;

	if (!status) {
		snprintf(out, size, "%s", "");
		return;
	}
	if (result_not_evaluated_parse(status, &missing, dataset,
				       sizeof(dataset), field,
				       sizeof(field), date) < 0) {
		snprintf(out, size, "%s", result_not_evaluated(status)
					      ? status : labels_status(l, status));
		return;
	}
	switch (missing) {
	case RESULT_MISSING_CONTRACT_START:
		snprintf(why, sizeof(why), "%s", l->missing_contract_start);
		break;
	case RESULT_MISSING_DATASET:
		snprintf(why, sizeof(why), l->missing_dataset, dataset);
		break;
	case RESULT_MISSING_FIELD:
		snprintf(why, sizeof(why), l->missing_field, dataset, field);
		break;
	case RESULT_MISSING_SOURCE:
		snprintf(why, sizeof(why), l->missing_source, dataset, field);
		break;
	case RESULT_MISSING_ROWS_AFTER:
		snprintf(why, sizeof(why), l->missing_rows_after, dataset,
			 field, date);
		break;
	case RESULT_MISSING_INPUT_AFTER:
		snprintf(why, sizeof(why), l->missing_input_after, dataset,
			 date);
		break;
	default:
		if (field[0])
			snprintf(why, sizeof(why), l->missing_rows_field,
				 dataset, field);
		else
			snprintf(why, sizeof(why), l->missing_rows, dataset);
	}
	snprintf(out, size, "%s: %s", l->not_evaluated, why);
}

int labels_input_note(const labels *l, const input_ages *notes, size_t i,
		      char *out, size_t size)
{
	const input_age *a = &notes->items[i];
	char day[11];

	if (!input_ages_first(notes, i))
		return 0;
	if (a->kind == INPUT_PARTLY_COVERED) {
		date_format_iso(a->input_day, day);
		snprintf(out, size, l->partly_covered, a->dataset, day);
	} else if (a->kind == INPUT_UNMATCHED) {
		snprintf(out, size, l->unmatched, a->kpi, a->dataset,
			 a->joined, a->field, (unsigned long long)a->rows,
			 a->left_out ? l->unmatched_left_out
				     : l->unmatched_empty);
	} else {
		snprintf(out, size, l->stale_input, a->dataset,
			 (long long)a->age_days,
			 (unsigned long long)a->max_age_days);
	}
	return 1;
}

const char *labels_revision(const labels *l, const revision *r)
{
	if (r->new_state == REVISION_HIDDEN)
		return l->revision_now_hidden;
	if (r->old_state == REVISION_HIDDEN)
		return l->revision_was_hidden;
	if (r->old_state == REVISION_ABSENT)
		return l->revision_new;
	if (r->new_state == REVISION_ABSENT)
		return l->revision_removed;
	return l->revision_changed;
}

const char *labels_revision_cause(const labels *l, const revision *r)
{
	return r->cause == REVISION_CAUSE_DEFINITION ? l->cause_definition
	       : r->cause == REVISION_CAUSE_INPUT    ? l->cause_input
						     : "";
}
