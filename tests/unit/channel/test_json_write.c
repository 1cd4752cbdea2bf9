#include "tests/unit/channel/json_test.h"

/* test_json_write.c - the host channel's JSON writer (channel/json.c): its
 * nesting and commas, escapes, UTF-8 kept or repaired (U+FFFD), the UTF-8
 * validator, and overflow at every cut point. */

/* ---- writer: structure ---- */

Test(jw, empty_object)
{
	cr_assert_str_eq(WRITE(w, (jw_obj(&w), jw_end(&w))), "{}");
	cr_assert_str_eq(WRITE(w, (jw_obj(&w), jw_end(&w), jw_nl(&w))), "{}\n");
}

Test(jw, nesting_and_commas)
{
	const char *s = WRITE(w, ({
		jw_obj(&w);
		jw_kint(&w, "a", 1);
		jw_key(&w, "b");
		jw_arr(&w);
		jw_int(&w, 1);
		jw_str(&w, "x");
		jw_obj(&w);
		jw_knull(&w, "c");
		jw_end(&w);
		jw_arr(&w);
		jw_end_arr(&w);
		jw_arr(&w);
		jw_arr(&w);
		jw_bool(&w, 0);
		jw_end_arr(&w);
		jw_end_arr(&w);
		jw_end_arr(&w);
		jw_key(&w, "d");
		jw_obj(&w);
		jw_end(&w);
		jw_kbool(&w, "e", 1);
		jw_kstr(&w, "f", "g");
		jw_kstr(&w, "h", NULL);
		jw_key(&w, "i");
		jw_raw(&w, "\"raw\"", 5);
		jw_end(&w);
		jw_nl(&w);
	}));
	cr_assert_str_eq(s, "{\"a\":1,\"b\":[1,\"x\",{\"c\":null},[],[[false]]],\"d\":{},\"e\":true,"
			    "\"f\":\"g\",\"h\":null,\"i\":\"raw\"}\n");
	parse_ok(s);
}

Test(jw, message_after_message)
{
	/* jw_nl ends a message: the next one starts without a comma. */
	const char *s = WRITE(w, ({
		jw_obj(&w);
		jw_kint(&w, "a", 1);
		jw_end(&w);
		jw_nl(&w);
		jw_obj(&w);
		jw_kint(&w, "b", 2);
		jw_end(&w);
		jw_nl(&w);
	}));
	cr_assert_str_eq(s, "{\"a\":1}\n{\"b\":2}\n");
}

Test(jw, integers)
{
	cr_assert_str_eq(WRITE(w, jw_int(&w, 0)), "0");
	cr_assert_str_eq(WRITE(w, jw_int(&w, -1)), "-1");
	cr_assert_str_eq(WRITE(w, jw_int(&w, LLONG_MAX)), "9223372036854775807");
	cr_assert_str_eq(WRITE(w, jw_int(&w, LLONG_MIN)), "-9223372036854775808");
	cr_assert_str_eq(WRITE(w, (jw_arr(&w), jw_int(&w, 1), jw_int(&w, 2), jw_end_arr(&w))),
			 "[1,2]");
}

/* jw_fmt_u64 counts the digits against powers of ten: every digit count,
 * each side of each power of ten, as snprintf has them. */
Test(jw, fmt_u64_as_printf)
{
	char got[24], want[24];
	unsigned long long p = 1;
	for (int k = 0; k < 20; k++, p *= 10) {
		unsigned long long vs[] = { p - 1, p, p + 1, p * 9 + 8 / (k + 1) };
		for (size_t j = 0; j < sizeof(vs) / sizeof(vs[0]); j++) {
			size_t n = jw_fmt_u64(got, vs[j]);
			got[n] = '\0';
			snprintf(want, sizeof(want), "%llu", vs[j]);
			cr_assert_str_eq(got, want);
		}
	}
	cr_assert_eq(jw_fmt_u64(got, ULLONG_MAX), 20);
	got[20] = '\0';
	cr_assert_str_eq(got, "18446744073709551615");
}

/* jw_str copies a plain start in one pass, then escapes the rest. */
Test(jw, str_plain_start_then_escapes)
{
	cr_assert_str_eq(WRITE(w, jw_str(&w, "abc")), "\"abc\"");
	cr_assert_str_eq(WRITE(w, jw_str(&w, "")), "\"\"");
	cr_assert_str_eq(WRITE(w, jw_str(&w, "ab\"c\\d\ne")), "\"ab\\\"c\\\\d\\ne\"");
	cr_assert_str_eq(WRITE(w, jw_str(&w, "\x01x")), "\"\\u0001x\"");
	cr_assert_str_eq(WRITE(w, jw_str(&w, "caf\xc3\xa9!")), "\"caf\xc3\xa9!\"");
	cr_assert_str_eq(WRITE(w, jw_kstr(&w, "k\"", "v")), "\"k\\\"\":\"v\"");
}

/* A plain string that fills the buffer exactly, and one byte more. */
Test(jw, str_plain_at_the_cap)
{
	char buf[8];
	struct jw w;
	jw_init(&w, buf, sizeof(buf));
	jw_str(&w, "abcdef");   /* 8 bytes with its quotes */
	cr_assert_eq(w.overflow, 0);
	cr_assert_eq(w.len, 8);
	cr_assert(!memcmp(buf, "\"abcdef\"", 8));
	jw_init(&w, buf, sizeof(buf));
	jw_str(&w, "abcdefg");
	cr_assert_eq(w.overflow, 1);
	jw_init(&w, buf, sizeof(buf));
	jw_str(&w, "abcdefgh\"");
	cr_assert_eq(w.overflow, 1);
}

/* jw_str tests 4 and 8 bytes at a time (words that overlap at the end):
 * every length to 40, with each byte that must be escaped or repaired at
 * every place, writes what jw_strn (a byte at a time) writes. */
Test(jw, str_words_match_bytes)
{
	static const char bad[] = { '"', '\\', 0x1f, 0x01, (char)0x80, (char)0xc3, (char)0xff };
	char s[41], a[512], b[512];
	for (size_t n = 0; n <= 40; n++)
		for (size_t at = 0; at <= n; at++)
			for (size_t k = 0; k < sizeof(bad); k++) {
				struct jw wa, wb;
				for (size_t i = 0; i < n; i++)
					s[i] = (char)('a' + i % 26);
				if (at < n)
					s[at] = bad[k];
				s[n] = '\0';
				jw_init(&wa, a, sizeof(a));
				jw_init(&wb, b, sizeof(b));
				jw_str(&wa, s);
				jw_strn(&wb, s, n);
				cr_assert_eq(wa.len, wb.len, "length %zu, byte %#x at %zu", n, (unsigned char)bad[k], at);
				cr_assert(!memcmp(a, b, wa.len), "length %zu, byte %#x at %zu", n, (unsigned char)bad[k], at);
			}
}

/* A literal key (JW_LIT) is copied in words, not tested: for every length
 * to 40 and each member kind, with and without a comma before it, the same
 * bytes as through jw_key. */
Test(jw, literal_keys_match_jw_key)
{
	char key[41], a[256], b[256];
	for (size_t n = 1; n <= 40; n++) {
		for (size_t i = 0; i < n; i++)
			key[i] = (char)('a' + (i * 7) % 26);
		key[n] = '\0';
		for (int kind = 0; kind < 5; kind++)
			for (int first = 0; first < 2; first++) {
				struct jw wa, wb;
				jw_init(&wa, a, sizeof(a));
				jw_init(&wb, b, sizeof(b));
				jw_obj(&wa);
				jw_obj(&wb);
				if (!first) {
					jw_kint(&wa, "x", 1);
					jw_kint(&wb, "x", 1);
				}
				switch (kind) {
				case 0: jw_lkey(&wa, key, n); jw_key(&wb, key); jw_int(&wa, 5); jw_int(&wb, 5); break;
				case 1: jw_lkstr(&wa, key, n, "v\""); jw_kstr(&wb, key, "v\""); break;
				case 2: jw_lkint(&wa, key, n, -(long long)n * 1000); jw_kint(&wb, key, -(long long)n * 1000); break;
				case 3: jw_lkbool(&wa, key, n, (int)n & 1); jw_kbool(&wb, key, (int)n & 1); break;
				default: jw_lknull(&wa, key, n); jw_knull(&wb, key); break;
				}
				jw_end(&wa);
				jw_end(&wb);
				cr_assert_eq(wa.overflow, 0);
				cr_assert_eq(wa.len, wb.len, "key length %zu, kind %d", n, kind);
				cr_assert(!memcmp(a, b, wa.len), "key length %zu, kind %d: %.*s", n, kind, (int)wa.len, a);
			}
	}
	cr_assert_str_eq(WRITE(w, (jw_obj(&w), jw_lkint(&w, JW_LIT("ab"), 1), jw_lknull(&w, JW_LIT("c")), jw_end(&w))),
			 "{\"ab\":1,\"c\":null}");
}

/* The one-digit numbers (most of a status reply) take a shorter way. */
Test(jw, small_integers_as_printf)
{
	char want[24];
	for (long long v = -12; v <= 12; v++) {
		snprintf(want, sizeof(want), "%lld", v);
		cr_assert_str_eq(WRITE(w, jw_int(&w, v)), want);
	}
}

Test(jw, literals)
{
	cr_assert_str_eq(WRITE(w, jw_bool(&w, 1)), "true");
	cr_assert_str_eq(WRITE(w, jw_bool(&w, 42)), "true");
	cr_assert_str_eq(WRITE(w, jw_bool(&w, 0)), "false");
	cr_assert_str_eq(WRITE(w, jw_null(&w)), "null");
}

/* ---- writer: escapes ---- */

Test(jw, escapes)
{
	cr_assert_str_eq(enc0(""), "\"\"");
	cr_assert_str_eq(enc0("plain text"), "\"plain text\"");
	cr_assert_str_eq(enc0("\""), "\"\\\"\"");
	cr_assert_str_eq(enc0("\\"), "\"\\\\\"");
	cr_assert_str_eq(enc0("\n"), "\"\\n\"");
	cr_assert_str_eq(enc0("\r"), "\"\\r\"");
	cr_assert_str_eq(enc0("\t"), "\"\\t\"");
	cr_assert_str_eq(enc0("\b"), "\"\\u0008\"");
	cr_assert_str_eq(enc0("\f"), "\"\\u000c\"");
	/* '/' and DEL need no escape */
	cr_assert_str_eq(enc0("a/b\x7f"), "\"a/b\x7f\"");
	cr_assert_str_eq(enc0("say \"hi\"\\n\r\n"), "\"say \\\"hi\\\"\\\\n\\r\\n\"");
}

Test(jw, control_characters_as_u00xx)
{
	for (int c = 0; c < 0x20; c++) {
		char in[3] = { 'a', (char)c, 'b' }, want[16];
		if (c == '\n' || c == '\r' || c == '\t')
			continue;
		snprintf(want, sizeof(want), "\"a\\u00%02xb\"", c);
		cr_assert_str_eq(enc(in, 3), want, "byte 0x%02x", c);
	}
}

Test(jw, printable_ascii_kept)
{
	for (int c = 0x20; c < 0x80; c++) {
		char in[1] = { (char)c }, want[8];
		if (c == '"' || c == '\\')
			continue;
		snprintf(want, sizeof(want), "\"%c\"", c);
		cr_assert_str_eq(enc(in, 1), want, "byte 0x%02x", c);
	}
}

/* Every byte at every place of a 40-byte line, the rest plain: the scan 16
 * bytes at a time finds it wherever it falls, and the bytes around it
 * are kept. */
Test(jw, one_byte_anywhere_in_a_long_line)
{
	for (int c = 0; c < 256; c++) {
		for (size_t at = 0; at < 40; at++) {
			char in[40], want[80], esc[8];
			memset(in, 'a' + (int)(at % 26), sizeof(in));
			in[at] = (char)c;
			if (c == '"' || c == '\\')
				snprintf(esc, sizeof(esc), "\\%c", c);
			else if (c == '\n' || c == '\r' || c == '\t')
				snprintf(esc, sizeof(esc), "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
			else if (c < 0x20)
				snprintf(esc, sizeof(esc), "\\u00%02x", c);
			else if (c >= 0x80)
				snprintf(esc, sizeof(esc), "\\ufffd");
			else
				snprintf(esc, sizeof(esc), "%c", c);
			snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", (int)at, in, esc,
				 (int)(sizeof(in) - at - 1), in + at + 1);
			cr_assert_str_eq(enc(in, sizeof(in)), want, "byte 0x%02x at %zu", c, at);
		}
	}
}

Test(jw, nul_byte_with_length)
{
	cr_assert_str_eq(enc("a\0b", 3), "\"a\\u0000b\"");
}

Test(jw, key_is_escaped)
{
	cr_assert_str_eq(WRITE(w, (jw_obj(&w), jw_kint(&w, "a\"b\n", 1), jw_end(&w))),
			 "{\"a\\\"b\\n\":1}");
}

/* ---- writer: UTF-8 ---- */

Test(jw, valid_utf8_kept)
{
	static const char *const ok[] = {
		"\xc2\x80",                 /* U+0080, the first 2-byte */
		"\xc3\xa9",                 /* é */
		"\xdf\xbf",                 /* U+07FF */
		"\xe0\xa0\x80",             /* U+0800, the first 3-byte */
		"\xe2\x82\xac",             /* € */
		"\xed\x9f\xbf",             /* U+D7FF, just below the surrogates */
		"\xee\x80\x80",             /* U+E000, just above */
		"\xef\xbf\xbd",             /* U+FFFD itself */
		"\xef\xbf\xbf",             /* U+FFFF */
		"\xf0\x90\x80\x80",         /* U+10000, the first 4-byte */
		"\xf0\x9f\x98\x80",         /* 😀 */
		"\xf4\x8f\xbf\xbf",         /* U+10FFFF, the last */
		"na\xc3\xafve caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char want[64];
		snprintf(want, sizeof(want), "\"%s\"", ok[i]);
		cr_assert_str_eq(enc0(ok[i]), want, "case %zu", i);
	}
}

Test(jw, invalid_utf8_replaced)
{
	static const struct { const char *in, *out; } cases[] = {
		/* stray continuation bytes */
		{ "\x80", "\"" U_FFFD "\"" },
		{ "a\xbfz", "\"a" U_FFFD "z\"" },
		{ "\xc3\xa9\xa9", "\"\xc3\xa9" U_FFFD "\"" },
		/* bytes that never start a sequence */
		{ "\xc0", "\"" U_FFFD "\"" },
		{ "\xc1", "\"" U_FFFD "\"" },
		{ "\xf5\x80\x80\x80", "\"" U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xfe\xff", "\"" U_FFFD U_FFFD "\"" },
		/* overlong */
		{ "\xc0\xaf", "\"" U_FFFD U_FFFD "\"" },
		{ "\xc1\xbf", "\"" U_FFFD U_FFFD "\"" },
		{ "\xe0\x80\xaf", "\"" U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xe0\x9f\xbf", "\"" U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xf0\x80\x80\xaf", "\"" U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xf0\x8f\xbf\xbf", "\"" U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		/* UTF-16 surrogates */
		{ "\xed\xa0\x80", "\"" U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xed\xbf\xbf", "\"" U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xed\xa0\xbd\xed\xb8\x80", "\"" U_FFFD U_FFFD U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		/* over U+10FFFF */
		{ "\xf4\x90\x80\x80", "\"" U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		{ "\xf7\xbf\xbf\xbf", "\"" U_FFFD U_FFFD U_FFFD U_FFFD "\"" },
		/* a lead byte without its continuation, then ASCII */
		{ "\xc3z", "\"" U_FFFD "z\"" },
		{ "\xe2\x82z", "\"" U_FFFD U_FFFD "z\"" },
		{ "\xe2\x82\xc3\xa9", "\"" U_FFFD U_FFFD "\xc3\xa9\"" },
		/* a sequence cut by the end of the text */
		{ "a\xc3", "\"a" U_FFFD "\"" },
		{ "a\xe2\x82", "\"a" U_FFFD U_FFFD "\"" },
		{ "a\xf0\x9f\x98", "\"a" U_FFFD U_FFFD U_FFFD "\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_str_eq(enc0(cases[i].in), cases[i].out, "case %zu", i);
}

Test(jw, truncated_sequence_with_explicit_length)
{
	/* The sequence is whole in memory but cut by n: n is the end. */
	cr_assert_str_eq(enc("\xe2\x82\xac", 2), "\"" U_FFFD U_FFFD "\"");
	cr_assert_str_eq(enc("\xf0\x9f\x98\x80", 3), "\"" U_FFFD U_FFFD U_FFFD "\"");
	cr_assert_str_eq(enc("\xc3\xa9", 1), "\"" U_FFFD "\"");
	cr_assert_str_eq(enc("\xc3\xa9", 2), "\"\xc3\xa9\"");
}

Test(jw, utf8_seq_len)
{
	const unsigned char *u = (const unsigned char *)"\xf0\x9f\x98\x80";
	cr_assert_eq(utf8_seq_len((const unsigned char *)"A", 1), 1);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xc3\xa9", 2), 2);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
	cr_assert_eq(utf8_seq_len(u, 4), 4);
	cr_assert_eq(utf8_seq_len(u, 3), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xc3\xa9", 1), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\x80", 1), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xc3\x28", 2), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xe2\x28\xa1", 3), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xe2\x82\x28", 3), 0);
	cr_assert_eq(utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x28", 4), 0);
}

/* Every 1-, 2- and 3-byte sequence and the 4-byte ones around each boundary,
 * checked against the code point it would decode to. */
Test(jw, utf8_seq_len_exhaustive)
{
	for (unsigned b0 = 0x80; b0 < 0x100; b0++) {
		unsigned char s[1] = { (unsigned char)b0 };
		cr_assert_eq(utf8_seq_len(s, 1), 0, "lone 0x%02x", b0);
	}
	for (unsigned b0 = 0xc0; b0 < 0x100; b0++)
		for (unsigned b1 = 0; b1 < 0x100; b1++) {
			unsigned char s[2] = { (unsigned char)b0, (unsigned char)b1 };
			unsigned cp = (b0 & 0x1f) << 6 | (b1 & 0x3f);
			size_t want = b0 < 0xe0 && (b1 & 0xc0) == 0x80 && cp >= 0x80 ? 2 : 0;
			cr_assert_eq(utf8_seq_len(s, 2), want, "%02x %02x", b0, b1);
		}
	for (unsigned b0 = 0xe0; b0 < 0xf0; b0++)
		for (unsigned b1 = 0x80; b1 < 0xc0; b1++)
			for (unsigned b2 = 0x70; b2 < 0xd0; b2 += 0x0f) {
				unsigned char s[3] = { (unsigned char)b0, (unsigned char)b1,
						       (unsigned char)b2 };
				unsigned cp = (b0 & 0x0f) << 12 | (b1 & 0x3f) << 6 | (b2 & 0x3f);
				size_t want = (b2 & 0xc0) == 0x80 && cp >= 0x800 &&
							      !(cp >= 0xd800 && cp <= 0xdfff)
						      ? 3
						      : 0;
				cr_assert_eq(utf8_seq_len(s, 3), want, "%02x %02x %02x", b0, b1, b2);
			}
	for (unsigned b0 = 0xf0; b0 < 0x100; b0++)
		for (unsigned b1 = 0x80; b1 < 0xc0; b1++) {
			unsigned char s[4] = { (unsigned char)b0, (unsigned char)b1, 0x80, 0xbf };
			unsigned cp = (b0 & 0x07) << 18 | (b1 & 0x3f) << 12 | 0x3f;
			size_t want = b0 < 0xf8 && cp >= 0x10000 && cp <= 0x10ffff ? 4 : 0;
			cr_assert_eq(utf8_seq_len(s, 4), want, "%02x %02x 80 bf", b0, b1);
		}
}

/* ---- writer: overflow ---- */

Test(jw, overflow_at_every_cut_point)
{
	char full[1024];
	struct jw w;
	size_t n;

	jw_init(&w, full, sizeof(full));
	write_all_kinds(&w);
	cr_assert_eq(w.overflow, 0);
	n = w.len;
	cr_assert(n > 100 && n < sizeof(full));

	for (size_t cap = 0; cap <= n; cap++) {
		/* Canaries after cap, in a buffer big enough for all of it. */
		char buf[1024 + 16];
		memset(buf, 0xa5, sizeof(buf));
		jw_init(&w, buf, cap);
		write_all_kinds(&w);
		cr_assert_eq(w.overflow, cap < n, "cap %zu: overflow %d", cap, w.overflow);
		cr_assert_leq(w.len, cap, "cap %zu: len %zu", cap, w.len);
		cr_assert_eq(memcmp(buf, full, w.len), 0, "cap %zu: not a prefix of the whole", cap);
		for (size_t i = cap; i < sizeof(buf); i++)
			cr_assert_eq((unsigned char)buf[i], 0xa5, "cap %zu: byte %zu written", cap, i);
		for (size_t i = w.len; i < cap; i++)
			cr_assert_eq((unsigned char)buf[i], 0xa5, "cap %zu: byte %zu after len", cap,
				     i);
	}
}

Test(jw, overflow_exact_size_heap_buffers)
{
	/* The same under ASan with nothing after cap to absorb a stray write. */
	char full[1024];
	struct jw w;
	size_t n;
	jw_init(&w, full, sizeof(full));
	write_all_kinds(&w);
	n = w.len;
	for (size_t cap = 0; cap <= n; cap++) {
		char *buf = malloc(cap ? cap : 1);
		cr_assert_not_null(buf);
		jw_init(&w, buf, cap);
		write_all_kinds(&w);
		cr_assert_eq(w.overflow, cap < n);
		free(buf);
	}
}

Test(jw, overflow_sticks)
{
	/* Once something did not fit, nothing more is written, even what fits. */
	char buf[8];
	struct jw w;
	jw_init(&w, buf, sizeof(buf));
	jw_str(&w, "0123456789");
	cr_assert(w.overflow);
	size_t len = w.len;
	jw_int(&w, 1);
	jw_nl(&w);
	jw_null(&w);
	cr_assert_eq(w.len, len);
	cr_assert(w.overflow);
}

Test(jw, zero_capacity)
{
	char buf[1] = { 'Z' };
	struct jw w;
	jw_init(&w, buf, 0);
	jw_obj(&w);
	cr_assert(w.overflow);
	cr_assert_eq(w.len, 0);
	cr_assert_eq(buf[0], 'Z');
}
