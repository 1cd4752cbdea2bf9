/* keys.c - the text of every key the encoders spell, and the members
 * written by ENC_K (keys.h).
 *
 * Only spelling; json.c writes. The table is one object: each key's offset
 * and length are constants where it is used.
 */
#include "keys.h"

const struct enc_key_text enc_key_text = {
#define ENC_KEY_INIT(k) #k,
	ENC_KEYS(ENC_KEY_INIT)
#undef ENC_KEY_INIT
};

#define KEY_TEXT(k) ((const char *)&enc_key_text + ((k) & 0xffff)), ((size_t)(k) >> 16)

void enc_kkey(struct jw *w, unsigned k)
{
	jw_lkey(w, KEY_TEXT(k));
}

void enc_kstr(struct jw *w, unsigned k, const char *s)
{
	jw_lkstr(w, KEY_TEXT(k), s);
}

void enc_kint(struct jw *w, unsigned k, long long v)
{
	jw_lkint(w, KEY_TEXT(k), v);
}

void enc_kbool(struct jw *w, unsigned k, int v)
{
	jw_lkbool(w, KEY_TEXT(k), v);
}

void enc_knull(struct jw *w, unsigned k)
{
	jw_lknull(w, KEY_TEXT(k));
}
