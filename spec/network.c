/* spec/network.c - the guest's network: [guest.network] (DNS, extra hosts,
 * whether processes wait for it) and [guest.network.interfaces.NAME] (an
 * interface by MAC, or the only one: MTU, addresses, default gateways).
 * docs/network.md says what vminit does with them; docs/spec.md the rules.
 *
 * Owns: reading and checking those sections, and an address as text both
 * ways. Addresses are kept in binary (inet_pton) and printed back with
 * inet_ntop, so the canonical form is the kernel's spelling.
 *
 * Invariants: every array is bounded (SPEC_NET_MAX_*); a value that breaks a
 * rule is an error at its line and is not kept.
 */
#include "spec_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- addresses as text ---- */

/* "ADDR" (want_prefix 0) or "ADDR/PREFIX" (want_prefix 1): 0, or -1 with why. */
static int ip_parse(const char *s, int want_prefix, struct spec_ip *ret, const char **why)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	*ret = (struct spec_ip){ .prefix = -1 };
	*why = want_prefix ? "not ADDRESS/PREFIX (\"10.0.0.2/24\", \"fdaa::2/64\")" : "not an IPv4 or IPv6 address";
	if (n == 0 || n >= sizeof(addr) || (slash != NULL) != want_prefix)
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, ret->addr) == 1)
		ret->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, ret->addr) == 1)
		ret->family = AF_INET6;
	else
		return -1;
	if (slash) {
		const char *d = slash + 1;
		int max = ret->family == AF_INET ? 32 : 128, v = 0;
		size_t k;
		for (k = 0; isdigit((unsigned char)d[k]) && k < 3; k++)
			v = v * 10 + (d[k] - '0');
		if (k == 0 || d[k] || (d[0] == '0' && k > 1) || v < 1 || v > max) {
			*why = ret->family == AF_INET ? "the prefix must be 1 to 32" : "the prefix must be 1 to 128";
			return -1;
		}
		ret->prefix = v;
	}
	return 0;
}

int spec_ip_print(const struct spec_ip *ip, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int n;
	if (!ip->family || !inet_ntop(ip->family, ip->addr, a, sizeof(a)))
		return -1;
	n = ip->prefix >= 0 ? snprintf(buf, len, "%s/%d", a, ip->prefix) : snprintf(buf, len, "%s", a);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int ip_same(const struct spec_ip *a, const struct spec_ip *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

static int ip_link_local6(const struct spec_ip *ip)
{
	return ip->family == AF_INET6 && ip->addr[0] == 0xfe && (ip->addr[1] & 0xc0) == 0x80;
}

/* A host or domain name: dot-separated labels of letters, digits and '-',
 * 1 to 63 bytes each, not starting or ending with '-'; at most 253 bytes. */
static int valid_dns_name(const char *s)
{
	size_t label = 0, total = strlen(s);
	if (total == 0 || total > 253)
		return 0;
	for (size_t i = 0; i <= total; i++) {
		char ch = s[i];
		if (ch == '.' || ch == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)ch) && !(ch == '-' && label > 0))
			return 0;
		label++;
	}
	return 1;
}

/* ---- [guest.network] ---- */

/* "ADDR NAME [NAME...]": one /etc/hosts line. */
static int valid_hosts_line(const char *s, const char **why)
{
	char buf[512], *save = NULL, *tok;
	struct spec_ip ip;
	int names = 0;
	if (strlen(s) >= sizeof(buf) || strchr(s, '\t') || strchr(s, '#')) {
		*why = "not \"ADDRESS NAME [NAME...]\" (spaces between, no tab or #, under 512 bytes)";
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	tok = strtok_r(buf, " ", &save);
	if (!tok || ip_parse(tok, 0, &ip, why) < 0) {
		*why = "must start with an IPv4 or IPv6 address";
		return 0;
	}
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		if (!valid_dns_name(tok)) {
			*why = "a name is not a host name (letters, digits, '-', dots)";
			return 0;
		}
		names++;
	}
	*why = "needs at least one name after the address";
	return names > 0;
}

void spec_read_network(struct spec_ctx *c)
{
	struct spec *s = c->p->s;
	struct spec_strv v = { 0 };
	int line = 0;
	const char *why;
	s->net.set = 1;
	spec_get_bool(c, "required", &s->net.required);
	s->net.link_wait = SPEC_NET_LINK_WAIT_DEFAULT;
	spec_get_int(c, "link_wait_seconds", 0, SPEC_NET_LINK_WAIT_MAX, &s->net.link_wait, NULL);
	if (spec_get_strv(c, "dns_servers", &v, &line) == 1) {
		if (v.n > SPEC_NET_MAX_DNS)
			spec_key_error(c, line, "dns_servers", "%zu servers: at most %d", v.n, SPEC_NET_MAX_DNS);
		for (size_t i = 0; i < v.n && s->net.ndns < SPEC_NET_MAX_DNS; i++) {
			if (ip_parse(v.v[i], 0, &s->net.dns[s->net.ndns], &why) < 0)
				spec_key_error(c, line, "dns_servers", "\"%s\": %s", v.v[i], why);
			else
				s->net.ndns++;
		}
		spec_strv_free(&v);
	}
	if (spec_get_strv(c, "dns_search", &s->net.search, &line) == 1) {
		if (s->net.search.n > SPEC_NET_MAX_SEARCH)
			spec_key_error(c, line, "dns_search", "%zu domains: at most %d", s->net.search.n,
				       SPEC_NET_MAX_SEARCH);
		for (size_t i = 0; i < s->net.search.n; i++)
			if (!valid_dns_name(s->net.search.v[i]))
				spec_key_error(c, line, "dns_search", "\"%s\" is not a domain name", s->net.search.v[i]);
	}
	if (spec_get_strv(c, "hosts", &s->net.hosts, &line) == 1) {
		if (s->net.hosts.n > SPEC_NET_MAX_HOSTS)
			spec_key_error(c, line, "hosts", "%zu lines: at most %d", s->net.hosts.n, SPEC_NET_MAX_HOSTS);
		for (size_t i = 0; i < s->net.hosts.n; i++)
			if (!valid_hosts_line(s->net.hosts.v[i], &why))
				spec_key_error(c, line, "hosts", "\"%s\": %s", s->net.hosts.v[i], why);
	}
}

/* ---- [guest.network.interfaces.NAME] ---- */

static int valid_iface_label(const char *n)
{
	size_t len = strlen(n);
	if (len < 1 || len > 15 || !(islower((unsigned char)n[0]) || isdigit((unsigned char)n[0])))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)n[i]) && !isdigit((unsigned char)n[i]) && n[i] != '-' && n[i] != '_')
			return 0;
	return 1;
}

static int mac_parse(const char *s, unsigned char mac[6])
{
	for (int i = 0; i < 6; i++) {
		const char *p = s + i * 3;
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) || p[2] != (i < 5 ? ':' : '\0'))
			return -1;
		mac[i] = (unsigned char)strtoul((char[3]){ p[0], p[1], 0 }, NULL, 16);
	}
	return 0;
}

static void read_gateway(struct spec_ctx *c, struct spec_iface *f, const char *key, int family)
{
	char *v = NULL;
	int line = 0;
	struct spec_ip ip;
	const char *why;
	int has = 0;
	if (spec_get_str(c, key, &v, &line) != 1)
		return;
	if (ip_parse(v, 0, &ip, &why) < 0 || ip.family != family) {
		spec_key_error(c, line, key, "\"%s\" is not an %s address", v, family == AF_INET ? "IPv4" : "IPv6");
		free(v);
		return;
	}
	for (size_t i = 0; i < f->naddrs; i++)
		has |= f->addrs[i].family == family;
	if (!has && !ip_link_local6(&ip))
		spec_key_error(c, line, key, "\"%s\": the interface has no %s address to reach it from", v,
			       family == AF_INET ? "IPv4" : "IPv6");
	else
		*(family == AF_INET ? &f->gw4 : &f->gw6) = ip;
	free(v);
}

static void read_addresses(struct spec_ctx *c, struct spec_iface *f)
{
	struct spec_strv v = { 0 };
	int line = 0;
	const char *why;
	if (spec_get_strv(c, "addresses", &v, &line) != 1)
		return;
	if (v.n > SPEC_NET_MAX_ADDRS)
		spec_key_error(c, line, "addresses", "%zu addresses: at most %d", v.n, SPEC_NET_MAX_ADDRS);
	for (size_t i = 0; i < v.n && f->naddrs < SPEC_NET_MAX_ADDRS; i++) {
		struct spec_ip ip;
		int dup = 0;
		if (ip_parse(v.v[i], 1, &ip, &why) < 0) {
			spec_key_error(c, line, "addresses", "\"%s\": %s", v.v[i], why);
			continue;
		}
		for (size_t k = 0; k < f->naddrs; k++)
			dup |= ip_same(&f->addrs[k], &ip);
		if (dup)
			spec_key_error(c, line, "addresses", "\"%s\" is given twice", v.v[i]);
		else
			f->addrs[f->naddrs++] = ip;
	}
	spec_strv_free(&v);
}

void spec_read_iface(struct spec_ctx *c)
{
	struct spec *s = c->p->s;
	struct spec_iface *f;
	char *mac = NULL;
	int line = 0, mtu = 0;
	s->net.set = 1;
	if (!valid_iface_label(c->name)) {
		spec_error(c->p, c->sec->line, c->sec->name,
			   "the interface's name must be 1 to 15 of a-z, 0-9, '-', '_', starting with a letter or digit");
		return;
	}
	if (s->net.nifaces >= SPEC_NET_MAX_IFACES) {
		spec_error(c->p, c->sec->line, c->sec->name, "more than %d interfaces", SPEC_NET_MAX_IFACES);
		return;
	}
	f = &s->net.ifaces[s->net.nifaces++];
	f->name = spec_strdup(c->p, c->name);
	f->line = c->sec->line;
	if (spec_get_str(c, "mac", &mac, &line) == 1) {
		if (mac_parse(mac, f->mac) < 0)
			spec_key_error(c, line, "mac", "\"%s\" is not a MAC address (\"52:54:00:12:34:56\")", mac);
		else if (f->mac[0] & 1)
			spec_key_error(c, line, "mac", "\"%s\" is a multicast address", mac);
		else
			f->has_mac = 1;
		free(mac);
	}
	read_addresses(c, f);
	if (spec_get_int(c, "mtu", 68, 65535, &mtu, &line) == 1) {
		f->mtu = mtu;
		for (size_t i = 0; i < f->naddrs; i++)
			if (f->addrs[i].family == AF_INET6 && mtu < 1280) {
				spec_key_error(c, line, "mtu", "%d is below 1280, IPv6's minimum", mtu);
				break;
			}
	}
	read_gateway(c, f, "gateway4", AF_INET);
	read_gateway(c, f, "gateway6", AF_INET6);
}

/* Across interfaces: which link each is must be clear, and no address or
 * MAC is given twice. */
void spec_check_network(struct spec_parse *p)
{
	struct spec *s = p->s;
	for (size_t i = 0; i < s->net.nifaces; i++) {
		const struct spec_iface *f = &s->net.ifaces[i];
		char key[64];
		snprintf(key, sizeof(key), "guest.network.interfaces.%s", f->name ? f->name : "?");
		if (!f->has_mac && s->net.nifaces > 1)
			spec_error(p, f->line, key, "mac is required when more than one interface is given");
		for (size_t j = 0; j < i; j++) {
			const struct spec_iface *g = &s->net.ifaces[j];
			if (f->has_mac && g->has_mac && !memcmp(f->mac, g->mac, 6))
				spec_error(p, f->line, key, "the same mac as interface %s", g->name ? g->name : "?");
			for (size_t a = 0; a < f->naddrs; a++)
				for (size_t b = 0; b < g->naddrs; b++)
					if (ip_same(&f->addrs[a], &g->addrs[b])) {
						char t[64];
						spec_ip_print(&f->addrs[a], t, sizeof(t));
						spec_error(p, f->line, key, "address %s is also interface %s's", t,
							   g->name ? g->name : "?");
					}
		}
	}
}
