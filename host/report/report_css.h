/*
 * report_css.h - the style sheet of the HTML report (report_html.c).
 */
#ifndef PEIL_REPORT_CSS_H
#define PEIL_REPORT_CSS_H

/* Minified CSS, without the <style> element. */
extern const char report_css[];

#endif
