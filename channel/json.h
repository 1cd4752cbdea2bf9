/* json.h - the JSON of the host channel: a writer into a fixed buffer and a
 * reader over jsmn's tokens (docs/protocol.md).
 *
 * Shared by vminit (static musl) and the host-side client and vminitctl.
 * Nothing here allocates: the writer fills a caller's buffer and marks
 * overflow, the reader keeps its tokens in the caller's struct.
 */
#ifndef VMINIT_JSON_H
#define VMINIT_JSON_H

#include <stddef.h>
#include <stdint.h>

/* ---- writer ---- */

struct jw {
	char *buf;
	size_t cap, len;
	int overflow;        /* set once something did not fit: the text is cut */
	int comma;           /* 1: a value was written at this level (0 or 1) */
};

void jw_init(struct jw *w, char *buf, size_t cap);
void jw_obj(struct jw *w);
void jw_end(struct jw *w);        /* '}' */
void jw_arr(struct jw *w);
void jw_end_arr(struct jw *w);    /* ']' */
void jw_key(struct jw *w, const char *key);
/* Strings are escaped; bytes that are not valid UTF-8 become U+FFFD. */
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
/* s[0..n) known to need no escape (no byte below 0x20 or over 0x7f, no '"'
 * or '\\'): its bytes between quotes, not looked at. */
void jw_strn_plain(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, long long v);
/* v in decimal into out[0..20), no NUL; its length. */
size_t jw_fmt_u64(char *out, unsigned long long v);
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* Already-encoded JSON (an echoed id). */
void jw_raw(struct jw *w, const char *raw, size_t n);
/* The end of a message: '\n'. */
void jw_nl(struct jw *w);

/* key + value shorthands */
void jw_kstr(struct jw *w, const char *key, const char *s);   /* NULL -> null */
void jw_kint(struct jw *w, const char *key, long long v);
void jw_kbool(struct jw *w, const char *key, int v);
void jw_knull(struct jw *w, const char *key);

/* Members whose key the program spells: key[0..n) must be plain ASCII (no
 * '"', '\\', control or non-ASCII byte): it is copied as it stands, in
 * words, without strlen and without a test of its bytes (~35 instructions
 * a key where jw_key takes ~150; a status reply writes some 280). The
 * encoders name theirs by ENC_K (keys.h); JW_LIT("key") is a string
 * literal's text and length. */
#define JW_LIT(key) ("" key ""), (sizeof(key) - 1)
void jw_lkey(struct jw *w, const char *key, size_t n);
void jw_lkstr(struct jw *w, const char *key, size_t n, const char *s);   /* NULL -> null */
void jw_lkint(struct jw *w, const char *key, size_t n, long long v);
void jw_lkbool(struct jw *w, const char *key, size_t n, int v);
void jw_lknull(struct jw *w, const char *key, size_t n);

/* ---- reader ---- */

/* jsmn's types only; json_read.c has its code. */
#define JSMN_HEADER
#include <jsmn.h>

enum jr_type { JR_NONE, JR_OBJECT, JR_ARRAY, JR_STRING, JR_PRIMITIVE };

struct jr {
	const char *js;
	size_t len;
	int n;
	jsmntok_t *tok;      /* the caller's array of max tokens */
	int max;
};

/* Parse one JSON object (the whole of js[0..len)) into tok[0..max). 0, or -1
 * with a reason in *ret_err ("not JSON", "not an object", "too many values"). */
int jr_parse(struct jr *r, jsmntok_t *tok, int max, const char *js, size_t len,
	     const char **ret_err);
/* The index after token i and everything inside it. */
int jr_next(const struct jr *r, int i);
/* The value of key in the object at token obj, or -1. */
int jr_get(const struct jr *r, int obj, const char *key);
int jr_type(const struct jr *r, int i);
/* A string's text unescaped into out (NUL-terminated). Its length, or -1 if i
 * is not a string, does not fit, holds a NUL, a control character or bad
 * UTF-8. */
int jr_str(const struct jr *r, int i, char *out, size_t cap);
/* The same for bytes that may hold NUL (a command's output, a log line): the
 * length, with a NUL after it. out may be the token's own text in the
 * caller's buffer (unescaping in place). */
long jr_bytes(const struct jr *r, int i, char *out, size_t cap);
/* An integer (no fraction, no exponent). 0 or -1. */
int jr_int(const struct jr *r, int i, long long *ret);
int jr_bool(const struct jr *r, int i, int *ret);
int jr_is_null(const struct jr *r, int i);

/* Validate UTF-8: the length of the valid sequence at s (1-4), or 0. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
