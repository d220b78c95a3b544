// SPDX-License-Identifier: GPL-2.0
/*
 * A small JSON writer and the print_*() helpers built on it. The writer keeps a stack of open
 * containers to place commas and, with -p, newlines and indentation; a document ends with a
 * newline when its outermost container closes, so batch runs print one document per command.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "json_print.h"

#define JSON_MAX_DEPTH	16
#define JSON_INDENT	4

static struct {
	FILE *out;
	bool json;
	bool pretty;
	int depth;
	bool has_items[JSON_MAX_DEPTH];	/* per level: a comma is due before the next item */
	bool is_array[JSON_MAX_DEPTH];
} jw = { .depth = 0 };

static FILE *out_fp(void)
{
	return jw.out ? jw.out : stdout;
}

void json_setup(FILE *out, bool json, bool pretty)
{
	jw.out = out;
	jw.json = json || pretty;
	jw.pretty = pretty;
	jw.depth = 0;
}

bool is_json_context(void)
{
	return jw.json;
}

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one (RFC 3629). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned int c = s[0], cp;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and code points past U+10FFFF are not valid UTF-8 */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_escape(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', out);
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(out, "\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", out);
				break;
			}
			fwrite(s, 1, n, out);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', out);
}

static void newline_indent(int depth)
{
	fputc('\n', out_fp());
	fprintf(out_fp(), "%*s", depth * JSON_INDENT, "");
}

/* Comma, newline and key before a value at the current level. */
static void begin_value(const char *key)
{
	FILE *out = out_fp();

	if (jw.depth > 0) {
		if (jw.has_items[jw.depth - 1])
			fputc(',', out);
		jw.has_items[jw.depth - 1] = true;
		if (jw.pretty)
			newline_indent(jw.depth);
		if (!jw.is_array[jw.depth - 1]) {
			json_escape(out, key ? key : "");
			fputs(jw.pretty ? ": " : ":", out);
		}
	}
}

/* After a value: a document that is complete gets its newline. */
static void end_value(void)
{
	if (jw.depth == 0) {
		fputc('\n', out_fp());
		fflush(out_fp());
	}
}

static void open_container(const char *key, bool array)
{
	if (!jw.json)
		return;
	begin_value(key);
	fputc(array ? '[' : '{', out_fp());
	if (jw.depth < JSON_MAX_DEPTH) {
		jw.has_items[jw.depth] = false;
		jw.is_array[jw.depth] = array;
		jw.depth++;
	}
}

static void close_container(void)
{
	bool array;

	if (!jw.json || jw.depth == 0)
		return;
	jw.depth--;
	array = jw.is_array[jw.depth];
	if (jw.pretty && jw.has_items[jw.depth])
		newline_indent(jw.depth);
	fputc(array ? ']' : '}', out_fp());
	end_value();
}

void open_json_object(const char *key)
{
	open_container(key, false);
}

void close_json_object(void)
{
	close_container();
}

void open_json_array(const char *key)
{
	open_container(key, true);
}

void close_json_array(void)
{
	close_container();
}

void json_abort_document(void)
{
	while (jw.json && jw.depth > 0)
		close_container();
}

/*
 * A value outside any container is a document of its own (the caller printed a bare value);
 * keep it valid by ending it like one.
 */
static void json_value_raw(const char *key, const char *raw, const char *str)
{
	begin_value(key);
	if (str)
		json_escape(out_fp(), str);
	else
		fputs(raw, out_fp());
	end_value();
}

static void text_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void text_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(out_fp(), fmt, ap);
	va_end(ap);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void print_string(enum output_type t, const char *key, const char *fmt, const char *val)
{
	if (jw.json) {
		if (t & PRINT_JSON)
			json_value_raw(key, NULL, val ? val : "");
	} else if ((t & PRINT_FP) && fmt) {
		fprintf(out_fp(), fmt, val ? val : "");
	}
}

void print_uint(enum output_type t, const char *key, const char *fmt, unsigned int val)
{
	char buf[16];

	if (jw.json) {
		if (t & PRINT_JSON) {
			snprintf(buf, sizeof(buf), "%u", val);
			json_value_raw(key, buf, NULL);
		}
	} else if ((t & PRINT_FP) && fmt) {
		fprintf(out_fp(), fmt, val);
	}
}

void print_u64(enum output_type t, const char *key, const char *fmt, uint64_t val)
{
	char buf[32];

	if (jw.json) {
		if (t & PRINT_JSON) {
			snprintf(buf, sizeof(buf), "%" PRIu64, val);
			json_value_raw(key, buf, NULL);
		}
	} else if ((t & PRINT_FP) && fmt) {
		fprintf(out_fp(), fmt, (unsigned long long)val);
	}
}

void print_bool(enum output_type t, const char *key, const char *fmt, bool val)
{
	if (jw.json) {
		if (t & PRINT_JSON)
			json_value_raw(key, val ? "true" : "false", NULL);
	} else if ((t & PRINT_FP) && fmt) {
		/* text shows a flag word only when it is set, as ip does */
		if (val)
			fprintf(out_fp(), fmt, "");
	}
}

void print_null(enum output_type t, const char *key, const char *fmt, const char *text_val)
{
	if (jw.json) {
		if (t & PRINT_JSON)
			json_value_raw(key, "null", NULL);
	} else if ((t & PRINT_FP) && fmt) {
		fprintf(out_fp(), fmt, text_val ? text_val : "");
	}
}
#pragma GCC diagnostic pop

void print_nl(void)
{
	if (!jw.json)
		text_printf("\n");
}
