/* files.c - resolv.conf and hosts from the spec (files.h).
 *
 * Invariants: each file is built whole into the caller's buffer or not at
 * all (EMSGSIZE); every value was checked by the spec (addresses are binary,
 * names and hosts lines validated), so nothing here escapes or rejects.
 */
#include "files.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct out {
	char *buf;
	size_t cap, len;
	int full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = 1;
	else
		o->len += (size_t)n;
}

static int done(struct out *o, size_t *ret_len)
{
	if (o->full) {
		if (o->cap)
			o->buf[0] = '\0';
		errno = EMSGSIZE;
		return -1;
	}
	*ret_len = o->len;
	return 0;
}

int net_render_resolv(const struct spec *s, char *buf, size_t cap, size_t *ret_len)
{
	struct out o = { buf, cap, 0, cap == 0 };
	char a[64];
	put(&o, "# written by vminit from the spec's [guest.network]\n");
	for (size_t i = 0; i < s->net.ndns; i++)
		if (spec_ip_print(&s->net.dns[i], a, sizeof(a)) == 0)
			put(&o, "nameserver %s\n", a);
	if (s->net.search.n) {
		put(&o, "search");
		for (size_t i = 0; i < s->net.search.n; i++)
			put(&o, " %s", s->net.search.v[i]);
		put(&o, "\n");
	}
	return done(&o, ret_len);
}

int net_render_hosts(const struct spec *s, char *buf, size_t cap, size_t *ret_len)
{
	struct out o = { buf, cap, 0, cap == 0 };
	char a[64] = "127.0.1.1";
	put(&o, "# written by vminit from the spec's [guest.network]\n");
	put(&o, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	if (s->net.nifaces && s->net.ifaces[0].naddrs) {
		struct spec_ip ip = s->net.ifaces[0].addrs[0];
		ip.prefix = -1;
		spec_ip_print(&ip, a, sizeof(a));
	}
	if (s->guest.hostname)
		put(&o, "%s\t%s\n", a, s->guest.hostname);
	for (size_t i = 0; i < s->net.hosts.n; i++)
		put(&o, "%s\n", s->net.hosts.v[i]);
	return done(&o, ret_len);
}
