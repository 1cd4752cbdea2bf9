/* apply.c - the spec's network applied, and its state (apply.h).
 *
 *   net_start: resolv.conf and hosts (place.c), then an attempt
 *   attempt:   dump the links; each interface still pending whose link is
 *              there: no RAs (IPv6), MTU + up, addresses, default routes;
 *              links still missing: again in NET_RETRY_MS, until the
 *              deadline; then settled (the state is final)
 *
 * Invariants: every step of a found interface is tried once, whatever
 * failed before it (an address refused does not keep a route out); every
 * failure is told to the hooks once and kept with its text; the state is
 * NET_APPLYING exactly while an interface is pending, and the settled hook
 * runs once. Bounded: SPEC_NET_MAX_* items, NET_MAX_LINKS links looked at,
 * NL_WAIT_MS per rtnetlink call.
 */
#include "apply.h"
#include "files.h"
#include "nl.h"
#include "place.h"
#include "base/console.h"
#include "base/path.h"
#include "base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Links a dump is looked through for: a VM has a few. */
#define NET_MAX_LINKS 32

const char *net_state_name(enum net_state s)
{
	static const char *const names[] = { "off", "applying", "applied", "partial", "failed" };
	return names[s];
}

const char *net_step_name(enum net_step s)
{
	static const char *const names[] = { "link", "mtu", "up", "address", "route", "dns", "hosts" };
	return names[s];
}

/* Keep the failure's text in dst (formatted), and tell it. */
static void failed(struct net *n, const struct net_iface *f, enum net_step step, const char *item, char *dst,
		   size_t len, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void failed(struct net *n, const struct net_iface *f, enum net_step step, const char *item, char *dst,
		   size_t len, const char *fmt, ...)
{
	struct net_failure e = { f ? f->sf->name : NULL, f && f->found ? f->link.name : NULL, step, item, dst };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
	if (!n->failures++)
		snprintf(n->first, sizeof(n->first), "%s", dst);
	if (n->hooks.failed)
		n->hooks.failed(n->hooks.ctx, &e);
}

int net_match(const struct spec_iface *f, const struct nlmsg_link *links, size_t n, char *why, size_t len)
{
	char mac[NLMSG_MAC_TEXT];
	size_t macs = 0;
	int only = -1;
	for (size_t i = 0; i < n; i++) {
		if (!links[i].has_mac)
			continue;   /* loopback, tunnels: not a NIC */
		if (f->has_mac && !memcmp(links[i].mac, f->mac, NLMSG_MAC_LEN))
			return (int)i;
		macs++;
		only = (int)i;
	}
	if (f->has_mac) {
		nlmsg_format_mac(f->mac, mac);
		snprintf(why, len, "no link with MAC %s", mac);
		return -1;
	}
	if (macs == 1)
		return only;
	snprintf(why, len, "%zu links with a MAC, and no mac in the spec to tell which", macs);
	return macs ? -2 : -1;
}

static struct nlmsg_addr nl_addr_of(const struct spec_ip *ip)
{
	struct nlmsg_addr a = { .family = ip->family, .prefix = ip->prefix > 0 ? (unsigned)ip->prefix : 0 };
	memcpy(a.bytes, ip->addr, sizeof(a.bytes));
	return a;
}

/* A statically configured IPv6 interface takes no router's word: slirp's
 * advertisements would add an address and a default route of their own,
 * and the spec's default route would then clash (EEXIST). Without the
 * files (IPv6 off in the kernel) there is nothing to turn off. */
static void no_ra(const char *dev)
{
	static const char *const keys[] = { "accept_ra", "autoconf" };
	for (size_t k = 0; k < 2; k++) {
		char path[96];
		int fd;
		char kpath[128];
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", dev, keys[k]);
		/* Beneath PID 1's read-only /proc/sys (path.h): a link may come late. */
		fd = open(path_kernel(path, kpath, sizeof(kpath)), O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write(fd, "0", 1) < 0)
			log_warn("network: %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
}

/* Long: the steps in their order, each failure with its own text. */
static void apply_iface(struct net *n, struct nl *nl, struct net_iface *f)
{
	const struct spec_iface *sf = f->sf;
	const struct spec_ip *gw[2] = { &sf->gw4, &sf->gw6 };
	int ix = f->link.ifindex, v6 = 0, rc;
	char item[64];
	for (size_t i = 0; i < sf->naddrs; i++)
		v6 |= sf->addrs[i].family == AF_INET6;
	if (v6)
		no_ra(f->link.name);
	rc = nl_set_link(nl, ix, 1, (uint32_t)sf->mtu);
	if (rc == 0 && sf->mtu > 0)
		f->link.mtu = (uint32_t)sf->mtu;
	if (rc < 0 && sf->mtu > 0) {
		snprintf(item, sizeof(item), "%d", sf->mtu);
		failed(n, f, NET_STEP_MTU, item, f->error, sizeof(f->error), "mtu %d: %s", sf->mtu, strerror(errno));
		rc = nl_set_link(nl, ix, 1, 0);
	}
	if (rc < 0) {
		char e[NET_ERR_MAX];
		failed(n, f, NET_STEP_UP, NULL, f->error[0] ? e : f->error, sizeof(e), "up: %s", strerror(errno));
	}
	f->up = rc == 0;
	/* The addresses, then the default routes (the gateways). */
	for (size_t k = 0; k < sf->naddrs + 2; k++) {
		size_t route = k >= sf->naddrs;
		const struct spec_ip *ip = route ? gw[k - sf->naddrs] : &sf->addrs[k];
		struct net_item *it = route ? &f->routes[k - sf->naddrs] : &f->addrs[k];
		struct nlmsg_addr a = nl_addr_of(ip);
		if (!ip->family)
			continue;
		spec_ip_print(ip, item, sizeof(item));
		it->done = 1;
		/* IPv6 without duplicate-address detection: a process binds it
		 * at once. */
		rc = route ? nl_default_route(nl, a.family, &a, ix)
			   : nl_add_addr(nl, ix, &a, a.family == AF_INET6 ? IFA_F_NODAD : 0);
		if (rc < 0)
			failed(n, f, route ? NET_STEP_ROUTE : NET_STEP_ADDRESS, item, it->error, sizeof(it->error),
			       route ? "default via %s: %s" : "%s: %s", item, strerror(errno));
	}
}

/* Partial when something failed and something was applied: a file
 * written, or a link brought up (its addresses and routes come with it). */
static void settle(struct net *n)
{
	int some = n->resolv[0] || n->hosts[0];
	for (size_t i = 0; i < n->n; i++)
		some |= n->ifaces[i].up;
	n->state = !n->failures ? NET_APPLIED : some ? NET_PARTIAL : NET_FAILED;
	if (n->hooks.settled)
		n->hooks.settled(n->hooks.ctx);
}

static void attempt(struct net *n)
{
	struct nlmsg_link links[NET_MAX_LINKS];
	struct nl *nl = malloc(sizeof(*nl));
	char why[NET_ERR_MAX];
	size_t nlinks = 0;
	int pending = 0, last = loop_now() >= n->deadline, ok = 0;
	if (!nl)
		snprintf(why, sizeof(why), "netlink: %s", strerror(ENOMEM));
	else if (nl_open(nl) < 0 || nl_links(nl, links, NET_MAX_LINKS, &nlinks) < 0)
		snprintf(why, sizeof(why), "netlink: %s", strerror(errno));
	else
		ok = 1;
	if (nlinks > NET_MAX_LINKS)
		nlinks = NET_MAX_LINKS;
	for (size_t i = 0; i < n->n; i++) {
		struct net_iface *f = &n->ifaces[i];
		int k;
		if (!f->pending)
			continue;
		k = ok ? net_match(f->sf, links, nlinks, why, sizeof(why)) : -1;
		if (k >= 0) {
			f->pending = 0;
			f->found = 1;
			f->link = links[k];
			apply_iface(n, nl, f);
		} else if (k == -2 || last) {
			f->pending = 0;
			failed(n, f, NET_STEP_LINK, NULL, f->error, sizeof(f->error), "%s", why);
		} else {
			pending++;
		}
	}
	if (nl) {
		nl_close(nl);
		free(nl);
	}
	/* The loop's timer heap is sized for every module's few: arming
	 * cannot fail here. */
	if (pending)
		loop_timer_in(n->loop, &n->retry, NET_RETRY_MS * LOOP_NS_PER_MS);
	else
		settle(n);
}

static void on_retry(struct loop *l, struct loop_timer *t)
{
	(void)l;
	attempt(t->ctx);
}

/* resolv.conf only when the spec gives DNS; hosts always. */
static void write_files(struct net *n)
{
	const struct spec *s = n->spec;
	char *buf = malloc(NET_FILE_MAX), err[NET_ERR_MAX], other[NET_ERR_MAX];
	size_t len;
	for (int k = 0; k < 2; k++) {
		const char *name = k ? "hosts" : "resolv.conf";
		char *where = k ? n->hosts : n->resolv;
		int r;
		if (!k && !s->net.ndns && !s->net.search.n)
			continue;
		r = buf ? (k ? net_render_hosts : net_render_resolv)(s, buf, NET_FILE_MAX, &len) : -1;
		if (r < 0)
			snprintf(err, sizeof(err), "%s: %s", name, strerror(buf ? errno : ENOMEM));
		else
			r = net_place_file(n->paths.etc, n->paths.run, name, buf, len, where, sizeof(n->resolv), err,
					   sizeof(err));
		if (r < 0)
			failed(n, NULL, k ? NET_STEP_HOSTS : NET_STEP_DNS, name,
			       n->dns_error[0] ? other : n->dns_error, sizeof(err), "%s", err);
	}
	free(buf);
}

struct net *net_new(struct loop *l, const struct spec *s, const struct net_paths *p, const struct net_hooks *h)
{
	/* Its own pages (base/mem.h): ~26 KB, mostly interfaces a spec
	 * seldom has; calloc would write all of them. */
	struct net *n = mem_pages(sizeof(*n));
	if (!n)
		return NULL;
	n->loop = l;
	n->spec = s;
	n->paths = *p;
	n->hooks = *h;
	n->state = s->net.set ? NET_APPLYING : NET_OFF;
	loop_timer_init(&n->retry, on_retry, n);
	n->n = s->net.nifaces;
	for (size_t i = 0; i < n->n; i++) {
		n->ifaces[i].sf = &s->net.ifaces[i];
		n->ifaces[i].pending = 1;
	}
	return n;
}

void net_free(struct net *n)
{
	if (!n)
		return;
	loop_timer_cancel(n->loop, &n->retry);
	mem_pages_free(n, sizeof(*n));
}

void net_start(struct net *n)
{
	if (n->state != NET_APPLYING)
		return;
	write_files(n);
	n->deadline = loop_now() + (uint64_t)n->spec->net.link_wait * LOOP_NS_PER_SEC;
	attempt(n);
}

int net_ready(const struct net *n, char *why, size_t len)
{
	if (!n || !n->spec->net.required || n->state == NET_OFF || n->state == NET_APPLIED)
		return 0;
	if (n->state == NET_APPLYING) {
		snprintf(why, len, "network: applying");
		return 1;
	}
	snprintf(why, len, "network: %s: %s", net_state_name(n->state), n->first);
	return -1;
}
