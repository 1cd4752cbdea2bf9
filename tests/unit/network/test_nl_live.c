/* test_nl_live.c - network/nl.c against the real kernel, in a network
 * namespace of a child of its own: a veth pair is made (this host's kernel
 * has no dummy driver; veth is everywhere, and its peer gives the link a
 * carrier, so duplicate-address detection really runs), then through the
 * module's API the link is found by its MAC, set up with MTU 1400, given
 * 192.0.2.10/24 and 2001:db8::10/64 (no DAD) and default routes, and read
 * back with dumps: the IPv6 address must not be tentative, while one added
 * without IFA_F_NODAD is (the check bites). Refusals come back as the
 * kernel's errno. The child's exit status carries the result: 0 passed, 77
 * no namespace (not root), else the failing check's line on stderr.
 */
#include "nl_test.h"
#include "network/nl.h"

#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIVE(cond, ...)                                                              \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "nl_live: line %d: %s: ", __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                \
			fprintf(stderr, " (errno %s)\n", strerror(errno));           \
			_exit(1);                                                    \
		}                                                                    \
	} while (0)

static const uint8_t vm_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 };

static size_t nest_begin(struct nl_t_msg *e, uint16_t type)
{
	size_t at = e->len;
	((struct rtattr *)(e->b + at))->rta_type = type;
	e->len += RTA_LENGTH(0);
	return at;
}

static void nest_end(struct nl_t_msg *e, size_t at)
{
	((struct rtattr *)(e->b + at))->rta_len = (unsigned short)(e->len - at);
}

/* Test only: RTM_NEWLINK of a veth pair "vm0" (vm_mac) and "vm0peer". */
static void make_veth(struct nl *n)
{
	struct nl_t_msg e;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	size_t info, data, peer;
	nl_t_begin(&e, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0, &ifi,
		   sizeof(ifi));
	nl_t_attr(&e, IFLA_IFNAME, "vm0", 4);
	nl_t_attr(&e, IFLA_ADDRESS, vm_mac, 6);
	info = nest_begin(&e, IFLA_LINKINFO);
	nl_t_attr(&e, IFLA_INFO_KIND, "veth", 5);
	data = nest_begin(&e, IFLA_INFO_DATA);
	peer = nest_begin(&e, VETH_INFO_PEER);
	memcpy(e.b + e.len, &ifi, sizeof(ifi));
	e.len += sizeof(ifi);
	nl_t_attr(&e, IFLA_IFNAME, "vm0peer", 8);
	nest_end(&e, peer);
	nest_end(&e, data);
	nest_end(&e, info);
	nl_t_end(&e);
	LIVE(nl_call(n, e.b, e.len, NULL, NULL) == 0, "veth pair");
}

static const struct nlmsg_link *by_mac(const struct nlmsg_link *l, size_t n, const uint8_t *mac)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].has_mac && !memcmp(l[i].mac, mac, 6))
			return &l[i];
	return NULL;
}

/* What an address dump says of one address. */
struct seen_addr {
	struct nlmsg_addr want;
	int ifindex, found;
	uint32_t flags;
};

static int on_addr(void *ctx, const struct nlmsg_msg *m)
{
	struct seen_addr *s = ctx;
	struct nlmsg_attr a;
	size_t off = NLMSG_ALIGN(sizeof(struct ifaddrmsg));
	struct ifaddrmsg ifa;
	uint32_t flags;
	int match = 0;
	LIVE(m->type == RTM_NEWADDR && m->len >= sizeof(ifa), "an address entry");
	memcpy(&ifa, m->data, sizeof(ifa));
	flags = ifa.ifa_flags;
	while (nlmsg_attr_next(m->data, m->len, &off, &a) > 0) {
		if (a.type == IFA_ADDRESS && ifa.ifa_family == s->want.family &&
		    a.len == (s->want.family == AF_INET ? 4u : 16u))
			match = !memcmp(a.data, s->want.bytes, a.len);
		if (a.type == IFA_FLAGS && a.len == 4)
			memcpy(&flags, a.data, 4);
	}
	if (match && (int)ifa.ifa_index == s->ifindex && ifa.ifa_prefixlen == s->want.prefix) {
		s->found = 1;
		s->flags = flags;
	}
	return 0;
}

static struct seen_addr dump_addr(struct nl *n, const char *prefix, int ifindex)
{
	struct nl_t_msg e;
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
	struct seen_addr s = { .ifindex = ifindex };
	LIVE(nlmsg_parse_prefix(prefix, &s.want) == 0, "%s", prefix);
	nl_t_begin(&e, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 0, &ifa, sizeof(ifa));
	nl_t_end(&e);
	LIVE(nl_call(n, e.b, e.len, on_addr, &s) == 0, "address dump");
	LIVE(s.found, "%s is not on ifindex %d", prefix, ifindex);
	return s;
}

/* The default route of one family: its gateway and its link. */
struct seen_route {
	int family, found, oif;
	uint8_t gw[16];
};

static int on_route(void *ctx, const struct nlmsg_msg *m)
{
	struct seen_route *s = ctx;
	struct nlmsg_attr a;
	size_t off = NLMSG_ALIGN(sizeof(struct rtmsg));
	struct rtmsg rtm;
	LIVE(m->type == RTM_NEWROUTE && m->len >= sizeof(rtm), "a route entry");
	memcpy(&rtm, m->data, sizeof(rtm));
	if (rtm.rtm_family != s->family || rtm.rtm_dst_len || rtm.rtm_table != RT_TABLE_MAIN)
		return 0;
	while (nlmsg_attr_next(m->data, m->len, &off, &a) > 0) {
		if (a.type == RTA_GATEWAY && a.len <= sizeof(s->gw))
			memcpy(s->gw, a.data, a.len);
		if (a.type == RTA_OIF && a.len == 4)
			memcpy(&s->oif, a.data, 4);
	}
	s->found++;
	return 0;
}

static void check_route(struct nl *n, const char *gw, int ifindex)
{
	struct nl_t_msg e;
	struct nlmsg_addr want;
	LIVE(nlmsg_parse_addr(gw, &want) == 0, "%s", gw);
	struct rtmsg rtm = { .rtm_family = (unsigned char)want.family };
	struct seen_route s = { .family = want.family };
	nl_t_begin(&e, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 0, &rtm, sizeof(rtm));
	nl_t_end(&e);
	LIVE(nl_call(n, e.b, e.len, on_route, &s) == 0, "route dump");
	LIVE(s.found == 1, "%d default routes for %s", s.found, gw);
	LIVE(!memcmp(s.gw, want.bytes, want.family == AF_INET ? 4 : 16), "default route not via %s", gw);
	LIVE(s.oif == ifindex, "default route via %s on ifindex %d", gw, s.oif);
}

static void set_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	LIVE(fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value), "%s", path);
	close(fd);
}

/* The links: found by MAC, loopback left out, set up with MTU 1400. */
static int links_up(struct nl *n, int *ret_peer)
{
	struct nlmsg_link l[8];
	const struct nlmsg_link *vm, *peer = NULL;
	size_t count = 0;
	LIVE(nl_links(n, l, 8, &count) == 0, "links");
	LIVE(count == 2, "%zu links, not vm0 and its peer: loopback left in?", count);
	for (size_t i = 0; i < count; i++)
		LIVE(l[i].type != ARPHRD_LOOPBACK, "%s is loopback", l[i].name);
	vm = by_mac(l, count, vm_mac);
	LIVE(vm && !strcmp(vm->name, "vm0"), "vm0 not found by its MAC");
	peer = &l[vm == &l[0]];
	LIVE(!(vm->flags & IFF_UP) && vm->mtu == 1500, "vm0 before: flags %#x mtu %u", vm->flags, vm->mtu);
	*ret_peer = peer->ifindex;
	return vm->ifindex;
}

static void live(void)
{
	struct nl *n = malloc(sizeof(*n));
	struct nlmsg_link l[8];
	struct nlmsg_addr a4, a6, a6dad, gw, bad = { 0 };
	size_t count = 0;
	int vm, peer;
	if (unshare(CLONE_NEWNET) < 0)
		_exit(77);
	LIVE(n && nl_open(n) == 0, "nl_open");
	make_veth(n);
	vm = links_up(n, &peer);
	set_sysctl("/proc/sys/net/ipv6/conf/vm0/dad_transmits", "100");   /* DAD: 100 s */
	LIVE(nl_set_link(n, vm, 1, 1400) == 0, "vm0 up, mtu 1400");
	LIVE(nl_set_link(n, peer, 1, 0) == 0, "peer up");
	LIVE(nl_links(n, l, 8, &count) == 0 && by_mac(l, count, vm_mac), "links again");
	LIVE((by_mac(l, count, vm_mac)->flags & IFF_UP) && by_mac(l, count, vm_mac)->mtu == 1400,
	     "vm0 not up at 1400");

	errno = 0;
	LIVE(nlmsg_parse_prefix("192.0.2.10/33", &bad) == -1 && errno == EINVAL, "prefix 33 taken");
	LIVE(nlmsg_parse_prefix("192.0.2.10/24", &a4) == 0, "v4");
	LIVE(nlmsg_parse_prefix("2001:db8::10/64", &a6) == 0, "v6");
	LIVE(nlmsg_parse_prefix("2001:db8::11/64", &a6dad) == 0, "v6 with DAD");
	LIVE(nl_add_addr(n, vm, &a4, 0) == 0, "192.0.2.10/24");
	LIVE(nl_add_addr(n, vm, &a4, 0) == 0, "192.0.2.10/24 again: replaced, not EEXIST");
	LIVE(nl_add_addr(n, vm, &a6, IFA_F_NODAD) == 0, "2001:db8::10/64");
	LIVE(nl_add_addr(n, vm, &a6dad, 0) == 0, "2001:db8::11/64");
	LIVE(nl_add_addr(n, 9999, &a4, 0) == -1 && errno == ENODEV, "no such link: not ENODEV");
	LIVE(nl_set_link(n, 9999, 1, 0) == -1 && errno == ENODEV, "no such link: not ENODEV");

	LIVE(nlmsg_parse_addr("192.0.2.1", &gw) == 0 && nl_default_route(n, AF_INET, &gw, vm) == 0, "v4 route");
	LIVE(nlmsg_parse_addr("2001:db8::1", &gw) == 0 && nl_default_route(n, AF_INET6, &gw, vm) == 0, "v6 route");
	LIVE(nlmsg_parse_addr("198.51.100.1", &gw) == 0, "gw");
	errno = 0;
	LIVE(nl_default_route(n, AF_INET, &gw, vm) == -1 && errno == ENETUNREACH,
	     "a gateway on no subnet: not ENETUNREACH");

	struct seen_addr s4 = dump_addr(n, "192.0.2.10/24", vm), s6 = dump_addr(n, "2001:db8::10/64", vm);
	struct seen_addr s6dad = dump_addr(n, "2001:db8::11/64", vm);
	LIVE(!(s4.flags & IFA_F_TENTATIVE), "v4 flags %#x", s4.flags);
	LIVE((s6.flags & IFA_F_NODAD) && !(s6.flags & IFA_F_TENTATIVE), "2001:db8::10 flags %#x", s6.flags);
	LIVE(s6dad.flags & IFA_F_TENTATIVE, "2001:db8::11 (with DAD) not tentative: flags %#x", s6dad.flags);
	check_route(n, "192.0.2.1", vm);   /* the refused one replaced nothing */
	check_route(n, "2001:db8::1", vm);
	nl_close(n);
	free(n);
	_exit(0);
}

static void run_child(void (*fn)(void))
{
	int st;
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		fn();
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		cr_skip_test("no network namespace (unshare: not root?)");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child failed (status %#x): see its stderr", st);
}

Test(nl_live, configures_a_link_in_a_namespace, .timeout = 60)
{
	run_child(live);
}

/* A reply to an earlier request (another seq: one that timed out) is not
 * taken for the current one's, and a request the kernel never answers ends
 * in ETIMEDOUT within the bound. */
static void stale_and_silent(void)
{
	struct nl *n = malloc(sizeof(*n));
	_Alignas(4) uint8_t req[64];
	size_t len;
	if (unshare(CLONE_NEWNET) < 0)
		_exit(77);
	LIVE(n && nl_open(n) == 0, "nl_open");
	LIVE(nlmsg_setlink(req, sizeof(req), 1000, 9999, 1, 0, &len) == 0, "build");
	LIVE(send(n->fd, req, len, 0) == (ssize_t)len, "send the stale one");   /* ENODEV, unread */
	LIVE(nl_set_link(n, 1, 1, 0) == 0, "lo up: the stale ENODEV was taken for it");
	/* no NLM_F_ACK: the kernel does it and says nothing */
	LIVE(nlmsg_setlink(req, sizeof(req), 0, 1, 1, 0, &len) == 0, "build");
	((struct nlmsghdr *)req)->nlmsg_flags = NLM_F_REQUEST;
	errno = 0;
	LIVE(nl_call(n, req, len, NULL, NULL) == -1 && errno == ETIMEDOUT, "no answer: not ETIMEDOUT");
	LIVE(nl_set_link(n, 1, 1, 0) == 0, "the socket works after a timeout");
	nl_close(n);
	free(n);
	_exit(0);
}

Test(nl_live, skips_stale_replies_and_bounds_the_wait, .timeout = 60)
{
	run_child(stale_and_silent);
}
