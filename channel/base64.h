/* base64.h - standard base64 (RFC 4648 §4, with padding) for the bytes the
 * host channel carries in JSON strings: the entropy op's data.
 *
 * The decoder is strict, as a parser of outside bytes should be: only the
 * standard alphabet, padding to a multiple of four, no white space, and the
 * unused bits of the last group zero (so one text decodes to one byte string
 * and one byte string has one text).
 */
#ifndef VMINIT_BASE64_H
#define VMINIT_BASE64_H

#include <stddef.h>

/* The text's length for n bytes, without the NUL. */
#define B64_LEN(n) (((n) + 2) / 3 * 4)

/* n bytes as text into out (B64_LEN(n) + 1 bytes, NUL-terminated). */
void b64_encode(const unsigned char *in, size_t n, char *out);
/* len bytes of text into out (room for cap bytes): the byte count, or -1
 * when the text is not strict base64 or decodes to more than cap bytes. */
long b64_decode(const char *in, size_t len, unsigned char *out, size_t cap);

#endif
