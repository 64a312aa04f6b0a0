/*
 * xml_tokenisers.c - not a test, not built by CMake: the CPU time of two
 * Debian XML tokenisers over one unpacked part, each with callbacks that
 * do nothing, pushed in chunks of 128 KiB as the xlsx plugin pushes them:
 * libxml2's SAX2 push parser (what the plugin uses) and expat's
 * XML_Parse (with and without namespace processing).  It answered whether
 * expat would cut the sheet parser's CPU (docs/benchmarks.md, branch
 * i20e: it would not).
 *
 *   B=build; work=$(mktemp -d)
 *   BENCH_DIR=$work $B/plugins/in_xlsx/bench_input_xlsx 200000
 *   unzip -o $work/cases.xlsx xl/worksheets/sheet1.xml -d $work/x
 *   cc -O2 -o $work/xml_tokenisers tests/bench/xml_tokenisers.c \
 *      $(pkg-config --cflags --libs expat libxml-2.0)     # libexpat1-dev
 *   $work/xml_tokenisers $work/x/xl/worksheets/sheet1.xml; rm -r $work
 */
#include <expat.h>
#include <libxml/parser.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK (128 * 1024)

static char *xml;
static size_t xml_len;
static long elements;

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void XMLCALL expat_start(void *ctx, const XML_Char *name,
				const XML_Char **attributes)
{
	(void)ctx;
	(void)name;
	(void)attributes;
	elements++;
}

static void XMLCALL expat_end(void *ctx, const XML_Char *name)
{
	(void)ctx;
	(void)name;
}

static void XMLCALL expat_text(void *ctx, const XML_Char *text, int len)
{
	(void)ctx;
	(void)text;
	(void)len;
}

static double expat(int namespaces)
{
	double start = cpu_seconds();
	XML_Parser p = namespaces ? XML_ParserCreateNS(NULL, '\x01')
				  : XML_ParserCreate(NULL);
	size_t at, n;

	XML_SetElementHandler(p, expat_start, expat_end);
	XML_SetCharacterDataHandler(p, expat_text);
	for (at = 0; at < xml_len; at += n) {
		n = xml_len - at < CHUNK ? xml_len - at : CHUNK;
		if (XML_Parse(p, xml + at, (int)n, 0) != XML_STATUS_OK) {
			fprintf(stderr, "expat: %s\n",
				XML_ErrorString(XML_GetErrorCode(p)));
			exit(1);
		}
	}
	XML_Parse(p, "", 0, 1);
	XML_ParserFree(p);
	return cpu_seconds() - start;
}

static void sax2_start(void *ctx, const xmlChar *localname,
		       const xmlChar *prefix, const xmlChar *uri,
		       int namespace_count, const xmlChar **namespaces,
		       int attribute_count, int defaulted,
		       const xmlChar **attributes)
{
	(void)ctx;
	(void)localname;
	(void)prefix;
	(void)uri;
	(void)namespace_count;
	(void)namespaces;
	(void)attribute_count;
	(void)defaulted;
	(void)attributes;
	elements++;
}

static void sax2_end(void *ctx, const xmlChar *localname,
		     const xmlChar *prefix, const xmlChar *uri)
{
	(void)ctx;
	(void)localname;
	(void)prefix;
	(void)uri;
}

static void sax2_text(void *ctx, const xmlChar *text, int len)
{
	(void)ctx;
	(void)text;
	(void)len;
}

static double libxml2(void)
{
	double start = cpu_seconds();
	xmlSAXHandler sax;
	xmlParserCtxtPtr p;
	size_t at, n;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax2_start;
	sax.endElementNs = sax2_end;
	sax.characters = sax2_text;
	p = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, "part");
	xmlCtxtUseOptions(p, XML_PARSE_NONET);
	for (at = 0; at < xml_len; at += n) {
		n = xml_len - at < CHUNK ? xml_len - at : CHUNK;
		xmlParseChunk(p, xml + at, (int)n, 0);
	}
	xmlParseChunk(p, NULL, 0, 1);
	xmlFreeParserCtxt(p);
	return cpu_seconds() - start;
}

int main(int argc, char **argv)
{
	FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
	int round;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
		fprintf(stderr, "usage: xml_tokenisers PART.xml\n");
		return 64;
	}
	xml_len = (size_t)ftell(f);
	rewind(f);
	xml = malloc(xml_len);
	if (xml == NULL || fread(xml, 1, xml_len, f) != xml_len)
		return 1;
	fclose(f);
	for (round = 0; round < 5; round++) {
		double a, b, c;

		elements = 0;
		a = libxml2();
		b = expat(0);
		c = expat(1);
		printf("CPU s: libxml2 SAX2 %.3f, expat %.3f, expat with namespaces %.3f (%ld elements each)\n",
		       a, b, c, elements / 3);
	}
	free(xml);
	return 0;
}
