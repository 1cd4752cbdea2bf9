/* spec/value.h - the literal syntax of spec values (docs/spec.md, "Values").
 *
 * A value is one of: a string (one or more adjacent JSON string literals,
 * concatenated), an integer, a float, true/false, an array of strings, or the
 * empty table {} (a table's keys are dotted keys; {} only says it exists).
 * Output uses the same syntax, wrapped so no physical line exceeds
 * SPEC_LINE_MAX bytes; ';' is always escaped because inih would take " ;" for
 * the start of a comment.
 */
#ifndef VMINIT_SPEC_VALUE_H
#define VMINIT_SPEC_VALUE_H

#include <stddef.h>
#include <stdio.h>

#define SPEC_LINE_MAX 198   /* bytes before the newline; inih's limit */

enum val_type { VAL_STRING, VAL_INT, VAL_FLOAT, VAL_BOOL, VAL_ARRAY, VAL_TABLE };

struct val {
	enum val_type type;
	char *s;          /* VAL_STRING */
	long long i;      /* VAL_INT */
	double f;         /* VAL_FLOAT */
	int b;            /* VAL_BOOL */
	char **arr;       /* VAL_ARRAY: NULL-terminated */
	size_t narr;
	/* VAL_TABLE has no payload: the only table literal is the empty one */
};

/* 0, or -1 with a message in err. ret is untouched on failure. */
int val_parse(const char *text, struct val *ret, char *err, size_t errlen);
void val_free(struct val *v);
const char *val_type_name(enum val_type t);

/* Writers for the canonical form. A writer tracks the column so it can wrap
 * onto indented continuation lines between tokens. */
struct val_out {
	FILE *f;
	size_t col;
};
void val_out_key(struct val_out *o, const char *key);   /* starts "key = " */
void val_out_string(struct val_out *o, const char *s);
void val_out_strv(struct val_out *o, char *const *v, size_t n);
void val_out_raw(struct val_out *o, const char *tok);  /* ints, bools, floats */
void val_out_end(struct val_out *o);                    /* newline */
/* The shortest decimal that reads back as the same double: with a '.' ("1.0",
 * "10.0"), or an exponent when that does not fit in len. */
void val_format_float(double d, char *buf, size_t len);

/* Count code points of valid UTF-8. */
size_t utf8_len(const char *s);
/* Bytes of the valid UTF-8 character at s (1 to 4), or 0 when s does not
 * start one. Reads no further than a NUL. */
size_t utf8_char_len(const char *s);

#endif
