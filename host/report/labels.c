/*
 * labels.c - Dutch and English words of the outputs.
 */
#include "report/labels.h"

#include <stdio.h>
#include <string.h>

#include "base/calendar.h"
#include "model/results.h"

/* Each label once, its Dutch words beside its English: LABEL_WORDS(W)
 * is W(field, Dutch, English) for every field of labels, an array's
 * words in LIST(...). */
#define LIST(...) { __VA_ARGS__ }
#define LABEL_WORDS(W)                                                        \
	W(lang, "nl", "en")                                                   \
	W(row_words,                                                          \
	  &breakdown_words_of[BREAKDOWN_NL],                                  \
	  &breakdown_words_of[BREAKDOWN_EN])                                  \
	W(met, "gehaald", "met")                                              \
	W(at_risk, "in gevaar", "at risk")                                    \
	W(not_met, "niet gehaald", "not met")                                 \
	W(no_target, "geen doel", "no target")                                \
	W(not_evaluated_mark, "n.b.", "n.e.")                                 \
	W(not_evaluated, "niet berekend", "not evaluated")                    \
	W(stale_input,                                                        \
	  "let op: de nieuwste invoer van dataset %s is %lld dagen oud "      \
	  "(max_age_days = %llu)",                                            \
	  "note: the newest input of dataset %s is %lld days old "            \
	  "(max_age_days = %llu)")                                            \
	W(partly_covered,                                                     \
	  "let op: de nieuwste invoer van dataset %s is van %s, dus "         \
	  "cijfers van perioden die daarna eindigen blijven voorlopig",       \
	  "note: the newest input of dataset %s is of %s, so the "            \
	  "figures of periods that end after it stay provisional")            \
	W(unmatched,                                                          \
	  "let op: KPI %s: rijen van dataset %s zonder rij in %s (hun %s "    \
	  "komt daar niet voor): %llu, %s",                                   \
	  "note: KPI %s: rows of dataset %s without a row in %s (their %s "   \
	  "is not there): %llu, %s")                                          \
	W(unmatched_left_out,                                                 \
	  "weggelaten, want de selectie dateert rijen met de gekoppelde "     \
	  "dataset",                                                          \
	  "left out, as the selection dates rows by the joined dataset")      \
	W(unmatched_empty,                                                    \
	  "meegeteld met de gekoppelde velden leeg",                          \
	  "counted with the joined fields empty")                             \
	W(unpublished,                                                        \
	  "let op: deze cijfers zijn op verzoek berekend, niet door "         \
	  "een geplande run: het zijn niet de gepubliceerde cijfers",         \
	  "note: these figures were evaluated on request, not by a "          \
	  "scheduled run: they are not the published figures")                \
	W(col_previous, "vorige_waarde", "previous_value")                    \
	W(col_revised, "herzien", "revised")                                  \
	W(commentary, "Toelichting", "Commentary")                            \
	W(revised_title, "Herzien", "Revised")                                \
	W(revised_since,                                                      \
	  "Cijfers die anders zijn dan in run %lld, de vorige geplande "      \
	  "run over deze periode:",                                           \
	  "Figures that differ from those of run %lld, the previous "         \
	  "scheduled run over this period:")                                  \
	W(revised_since_report,                                               \
	  "Cijfers die anders zijn dan in het vorige verslag over deze "      \
	  "periode (verslag %lld, run %lld):",                                \
	  "Figures that differ from those of the previous report of "         \
	  "this period (report %lld, run %lld):")                             \
	W(revised_none, "Geen cijfers herzien.", "No figures revised.")       \
	W(revised_cell, "cel", "cell")                                        \
	W(revised_old, "oud", "old")                                          \
	W(revised_new, "nieuw", "new")                                        \
	W(revised_change, "wijziging", "change")                              \
	W(revised_why, "waarom", "why")                                       \
	W(revision_changed, "gewijzigd", "changed")                           \
	W(revision_new, "nieuw", "new")                                       \
	W(revision_removed, "vervallen", "removed")                           \
	W(revision_now_hidden, "nu onderdrukt", "now suppressed")             \
	W(revision_was_hidden, "eerder onderdrukt", "previously suppressed")  \
	W(cause_input, "invoer", "input")                                     \
	W(cause_definition, "definitie", "definition")                        \
	W(revisions_unknown,                                                  \
	  "let op: herzieningen kunnen niet worden getoond: %s",              \
	  "note: revisions cannot be shown: %s")                              \
	W(missing_dataset,                                                    \
	  "dataset %s ontbreekt",                                             \
	  "dataset %s is not configured")                                     \
	W(missing_field,                                                      \
	  "dataset %s heeft geen veld %s",                                    \
	  "dataset %s does not declare field %s")                             \
	W(missing_source,                                                     \
	  "dataset %s: geen bron levert veld %s (geen kolom van de "          \
	  "export is eraan gekoppeld)",                                       \
	  "dataset %s: no source fills field %s (no column of an "            \
	  "export is mapped to it)")                                          \
	W(missing_rows_field,                                                 \
	  "dataset %s heeft geen rij met %s tot het einde van de "            \
	  "periode",                                                          \
	  "dataset %s has no row with %s up to the period's end")             \
	W(missing_rows,                                                       \
	  "dataset %s heeft geen rijen tot het einde van de periode",         \
	  "dataset %s has no rows up to the period's end")                    \
	W(missing_rows_after,                                                 \
	  "dataset %s heeft geen rij met %s na %s",                           \
	  "dataset %s has no row with %s after %s")                           \
	W(missing_input_after,                                                \
	  "dataset %s heeft geen invoer na %s",                               \
	  "dataset %s has no input after %s")                                 \
	W(missing_contract_start,                                             \
	  "de startdatum van het contract ([contract] start) "                \
	  "ontbreekt; cumulatief telt vanaf die datum",                       \
	  "[contract] start is not set; cumulative() counts from it")         \
	W(at_least, "minimaal", "at least")                                   \
	W(at_most, "maximaal", "at most")                                     \
	W(and_word, "en", "and")                                              \
	W(target, "Doel", "Target")                                           \
	W(misses,                                                             \
	  "%d van de %d cijfers niet gehaald of in gevaar",                   \
	  "%d of %d figures not met or at risk")                              \
	W(compare_name,                                                       \
	  LIST("de vorige periode", "een jaar eerder"),                       \
	  LIST("the previous period", "a year before"))                       \
	W(compare_heading,                                                    \
	  "Verschil t.o.v. %s (in %s en in %%)",                              \
	  "Change vs %s (in %s and in %%)")                                   \
	W(compare_vs, "t.o.v.", "vs")                                         \
	W(points, "procentpunten", "percentage points")                       \
	W(compare_legend,                                                     \
	  "- = geen verschil: de run heeft geen cijfer van de eerdere "       \
	  "periode, of een van beide heeft geen waarde; * = niet "            \
	  "getoond: het verschil zou een niet getoond cijfer verraden",       \
	  "- = no change: the run has no figure of the earlier period, "      \
	  "or either has no value; * = not shown: the change would "          \
	  "tell a figure not shown")                                          \
	W(compare_absent, "geen cijfer van %s", "no figure of %s")            \
	W(col_compare,                                                        \
	  LIST(LIST("vorige_periode", "verschil", "verschil_pct"),            \
	       LIST("jaar_eerder", "verschil_jaar", "verschil_jaar_pct")),    \
	  LIST(LIST("previous", "change", "change_pct"),                      \
	       LIST("year_before", "change_year", "change_year_pct")))        \
	W(suppressed_legend,                                                  \
	  "* = niet getoond: minder dan %g, of daaruit af te leiden",         \
	  "* = not shown: fewer than %g, or derivable from such a "           \
	  "number")                                                           \
	W(suppressed_small, "klein aantal", "small count")                    \
	W(diff_hidden,                                                        \
	  "%zu cijfers veranderden, geen ervan getoond: de regels voor "      \
	  "kleine aantallen verbergen ze",                                    \
	  "%zu figures changed, none of them shown: the rules for "           \
	  "small numbers hide them")                                          \
	W(suppressed_derivable, "afleidbaar", "derivable")                    \
	W(provisional_legend,                                                 \
	  "~ = voorlopig: kan nog veranderen",                                \
	  "~ = provisional: may still change")                                \
	W(word_provisional, "voorlopig", "provisional")                       \
	W(word_final, "definitief", "final")                                  \
	W(col_finality, "stand", "state")                                     \
	W(col_grain, "korrel", "grain")                                       \
	W(grain_word,                                                         \
	  LIST("", "maand", "kwartaal", "jaar", "contractjaar"),              \
	  LIST("", "month", "quarter", "year", "contract_year"))              \
	W(per_grain,                                                          \
	  LIST("", "Per maand", "Per kwartaal", "Per jaar",                   \
	       "Per contractjaar"),                                           \
	  LIST("", "By month", "By quarter", "By year", "By contract year"))  \
	W(col_kpi, "kpi", "kpi")                                              \
	W(col_title, "titel", "title")                                        \
	W(col_unit, "eenheid", "unit")                                        \
	W(col_period, "periode", "period")                                    \
	W(col_value, "waarde", "value")                                       \
	W(col_numerator, "teller", "numerator")                               \
	W(col_denominator, "noemer", "denominator")                           \
	W(col_target_min, "doel_min", "target_min")                           \
	W(col_target_max, "doel_max", "target_max")                           \
	W(col_status, "status", "status")                                     \
	W(col_suppressed, "onderdrukt", "suppressed")                         \
	W(report_title, "Verslag", "Report")                                  \
	W(report_subtitle,                                                    \
	  "KPI's van het sociaal domein",                                     \
	  "KPIs of the social domain")                                        \
	W(summary, "Samenvatting", "Summary")                                 \
	W(summary_intro,                                                      \
	  "De waarde en status zijn die van het totaal in de gevraagde "      \
	  "periode, of anders in de laatste periode met cijfers van de "      \
	  "langste korrel daarbinnen; daarnaast in hoeveel perioden "         \
	  "van die korrel het doel gehaald is.",                              \
	  "The value and status are those of the total in the period "        \
	  "asked for, else in the latest period with figures of the "         \
	  "longest grain within it, followed by the number of periods "       \
	  "of that grain in which the target was met.")                       \
	W(latest_value, "Laatste waarde", "Latest value")                     \
	W(months_met, "Doel gehaald", "Target met")                           \
	W(trend_title, "Verloop van het totaal", "Trend of the total")        \
	W(bars_title, "Per %s, %s", "By %s, %s")                              \
	W(figures_title, "Cijfers", "Figures")                                \
	W(quality_title,                                                      \
	  "Kwaliteit van de registratie",                                     \
	  "Quality of registration")                                          \
	W(quality_intro,                                                      \
	  "Voor wie registreert: per team het aandeel van de in de "          \
	  "periode aangemelde casussen waarin een veld leeg is, en het "      \
	  "aandeel dat meer dan %d dagen na aanmelding is ingevoerd. "        \
	  "Velden over de afsluiting tellen over de in de periode "           \
	  "afgesloten casussen. Hoe lager, hoe beter.",                       \
	  "For the registering staff: per team the share of the cases "       \
	  "registered in the period with an empty field, and the share "      \
	  "entered more than %d days after registration. Fields about "       \
	  "closure count over the cases closed in the period. Lower is "      \
	  "better.")                                                          \
	W(quality_missing, "leeg", "empty")                                   \
	W(quality_late, "Te laat ingevoerd", "Entered late")                  \
	W(quality_cases, "Aangemeld", "Registered")                           \
	W(quality_closed, "Afgesloten", "Closed")                             \
	W(quality_cases_title, "Aangemelde casussen", "Registered cases")     \
	W(quality_closed_title, "Afgesloten casussen", "Closed cases")        \
	W(quality_none,                                                       \
	  "Geen gegevens over de registratie: de dataset ontbreekt of "       \
	  "heeft de velden niet.",                                            \
	  "No figures on registration: the dataset is missing or lacks "      \
	  "the fields.")                                                      \
	W(footer_title, "Verantwoording", "Accountability")                   \
	W(footer_run, "Run", "Run")                                           \
	W(footer_started, "Berekend op", "Computed on")                       \
	W(footer_config,                                                      \
	  "Vingerafdruk configuratie",                                        \
	  "Configuration fingerprint")                                        \
	W(footer_scripts,                                                     \
	  "Vingerafdruk KPI-scripts",                                         \
	  "KPI scripts fingerprint")                                          \
	W(footer_inputs, "Vingerafdruk invoer", "Inputs fingerprint")         \
	W(provisional_title, "Voorlopige cijfers", "Provisional figures")     \
	W(provisional_rule,                                                   \
	  "Cijfers van perioden die minder dan %d maanden voor de "           \
	  "berekening eindigden, zijn voorlopig: late registraties en "       \
	  "correcties kunnen ze nog veranderen.",                             \
	  "Figures of periods that ended less than %d months before "         \
	  "the computation are provisional: late registrations and "          \
	  "corrections may still change them.")                               \
	W(provisional_none,                                                   \
	  "Geen: alle cijfers in dit verslag zijn definitief.",               \
	  "None: every figure in this report is final.")                      \
	W(privacy_rule,                                                       \
	  "Aantallen kleiner dan %g, en cijfers waaruit die af te "           \
	  "leiden zijn, worden niet getoond (*). Percentages en "             \
	  "gemiddelden staan er alleen bij minstens %g waarnemingen.",        \
	  "Counts below %g, and figures from which they could be "            \
	  "derived, are not shown (*). Percentages and means need at "        \
	  "least %g observations.")                                           \
	W(privacy_off,                                                        \
	  "Let op: de regels voor kleine aantallen staan uit "                \
	  "(min_count = 0); dit verslag is niet geschikt om te delen.",       \
	  "Note: the small-cell rules are switched off (min_count = "         \
	  "0); do not share this report.")                                    \
	W(target_band, "doelzone", "target zone")                             \
	W(no_figures,                                                         \
	  "Geen cijfers in deze periode.",                                    \
	  "No figures in this period.")                                       \
	W(period_word, "Periode", "Period")                                   \
	W(contents, "Inhoud", "Contents")                                     \
	W(months,                                                             \
	  LIST("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", \
	       "okt", "nov", "dec"),                                          \
	  LIST("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", \
	       "Oct", "Nov", "Dec"))

#define LABEL_DUTCH(field, nl, en) .field = nl,
#define LABEL_ENGLISH(field, nl, en) .field = en,

static const labels dutch = { LABEL_WORDS(LABEL_DUTCH) };
static const labels english = { LABEL_WORDS(LABEL_ENGLISH) };

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
