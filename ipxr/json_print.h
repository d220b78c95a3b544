/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One print path for text and JSON: each field is printed once, with the text format and the
 * JSON key side by side, so the two outputs cannot drift apart.
 */
#ifndef IPXR_JSON_PRINT_H
#define IPXR_JSON_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum output_type {
	PRINT_FP = 1,		/* text only */
	PRINT_JSON = 2,		/* JSON only */
	PRINT_ANY = 3,
};

/* Output goes to @out; JSON when @json, indented when @pretty. */
void json_setup(FILE *out, bool json, bool pretty);
bool is_json_context(void);

void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);
/* Close whatever is open (after an error in the middle of a document). */
void json_abort_document(void);

void print_string(enum output_type t, const char *key, const char *fmt, const char *val);
void print_uint(enum output_type t, const char *key, const char *fmt, unsigned int val);
void print_u64(enum output_type t, const char *key, const char *fmt, uint64_t val);
void print_bool(enum output_type t, const char *key, const char *fmt, bool val);
/* JSON null; in text @fmt is printed with @text_val */
void print_null(enum output_type t, const char *key, const char *fmt, const char *text_val);
/* End of a text line; nothing in JSON. */
void print_nl(void);

/* A JSON string literal with its quotes; invalid UTF-8 becomes U+FFFD so the output stays valid. */
void json_escape(FILE *out, const char *s);

#endif /* IPXR_JSON_PRINT_H */
