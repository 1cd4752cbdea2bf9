/* test_apply.c - network/apply.c and place.c: which link an interface is
 * (by MAC, or the only one), the gate's answers, a file written in place;
 * then the whole apply against the real kernel in a network namespace of a
 * child's own, with a veth pair: a bad address and a missing link are
 * failures with their texts while the rest applies, the state is partial, the
 * settled hook runs once and the files are written. The wait for a missing
 * link ends by the clock (moved on by unit_clock_shift, not slept).
 */
#include "tests/unit/unit.h"
#include "base/loop.h"
#include "network/apply.h"
#include "network/place.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HEAD "schema_version = \"v1\"\n[processes.web]\ncommand = [\"/bin/app\"]\nresources.memory = \"64Mi\"\n"

static struct nlmsg_link link_of(int ifindex, const char *name, const uint8_t *mac)
{
	struct nlmsg_link l = { .ifindex = ifindex, .has_mac = mac != NULL, .mtu = 1500 };
	snprintf(l.name, sizeof(l.name), "%s", name);
	if (mac)
		memcpy(l.mac, mac, 6);
	return l;
}

static const uint8_t mac_a[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const uint8_t mac_b[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x57 };

Test(net_apply, a_link_is_found_by_its_mac)
{
	struct nlmsg_link l[3] = { link_of(2, "sit0", NULL), link_of(3, "eth0", mac_a), link_of(4, "eth1", mac_b) };
	struct spec_iface f = { .has_mac = 1 };
	char why[128] = "";
	memcpy(f.mac, mac_b, 6);
	cr_assert_eq(net_match(&f, l, 3, why, sizeof(why)), 2);
	f.mac[5] = 0x99;
	cr_assert_eq(net_match(&f, l, 3, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "no link with MAC 52:54:00:12:34:99");
}

Test(net_apply, without_a_mac_it_is_the_only_link_that_has_one)
{
	struct nlmsg_link l[3] = { link_of(2, "sit0", NULL), link_of(3, "eth0", mac_a), link_of(4, "eth1", mac_b) };
	struct spec_iface f = { 0 };
	char why[128] = "";
	cr_assert_eq(net_match(&f, l, 2, why, sizeof(why)), 1, "a link without a MAC is no NIC");
	cr_assert_eq(net_match(&f, l, 3, why, sizeof(why)), -2, "two NICs: it cannot be told, at once");
	cr_assert_str_eq(why, "2 links with a MAC, and no mac in the spec to tell which");
	cr_assert_eq(net_match(&f, l, 1, why, sizeof(why)), -1, "none yet: looked for again");
	cr_assert_str_eq(why, "0 links with a MAC, and no mac in the spec to tell which");
}

Test(net_apply, the_gate_waits_then_holds_only_when_required)
{
	struct spec *s = unit_spec(HEAD "[guest.network]\nrequired = true\n"
				   "[guest.network.interfaces.web]\naddresses = [\"192.0.2.10/24\"]\n");
	const struct net_paths p = { "/nonexistent", "/nonexistent" };
	const struct net_hooks h = { 0 };
	struct net *n = net_new(NULL, s, &p, &h);
	char why[256] = "";
	cr_assert_eq(s->nerrors, 0, "%s", unit_errors(s));
	cr_assert_eq(n->state, NET_APPLYING);
	cr_assert_eq(net_ready(n, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "network: applying");
	n->state = NET_PARTIAL;
	snprintf(n->first, sizeof(n->first), "no link with MAC 52:54:00:00:00:99");
	cr_assert_eq(net_ready(n, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "network: partial: no link with MAC 52:54:00:00:00:99");
	n->state = NET_APPLIED;
	cr_assert_eq(net_ready(n, why, sizeof(why)), 0);
	n->state = NET_FAILED;
	s->net.required = 0;
	cr_assert_eq(net_ready(n, why, sizeof(why)), 0, "not required: never held");
	cr_assert_eq(net_ready(NULL, why, sizeof(why)), 0, "no network (vminit run): never held");
	net_free(n);
	spec_free(s);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

Test(net_apply, a_file_goes_in_place_when_etc_is_writable)
{
	char dir[] = "/tmp/vminit-place-XXXXXX", where[256], err[256] = "", path[300];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hosts", dir);
	cr_assert_eq(net_place_file(dir, "/nonexistent", "hosts", "old\n", 4, where, sizeof(where), err, sizeof(err)), 0);
	cr_assert_eq(net_place_file(dir, "/nonexistent", "hosts", "new one\n", 8, where, sizeof(where), err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(where, path);
	cr_assert_str_eq(slurp(path), "new one\n");
	snprintf(path, sizeof(path), "%s/.hosts.vminit", dir);
	cr_assert_eq(access(path, F_OK), -1, "no temp file left");
	cr_assert_eq(net_place_file("/nonexistent", "/nonexistent", "hosts", "x", 1, where, sizeof(where), err,
				    sizeof(err)), -1);
	cr_assert_str_eq(err, "/nonexistent/hosts: No such file or directory");
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	cr_assert_eq(system(path), 0);
}

/* ---- live, in a child's own network namespace ---- */

#define LIVE(cond, ...)                                                                \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "apply_live: line %d: %s: ", __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                  \
			fprintf(stderr, "\n");                                         \
			_exit(1);                                                      \
		}                                                                      \
	} while (0)

struct seen {
	int settled;
	size_t n;
	char text[8][200];
};

static void on_failed(void *ctx, const struct net_failure *f)
{
	struct seen *s = ctx;
	if (s->n < 8)
		snprintf(s->text[s->n], sizeof(s->text[0]), "%s|%s|%s|%s|%s", f->iface ? f->iface : "-",
			 f->device ? f->device : "-", net_step_name(f->step), f->item ? f->item : "-", f->error);
	s->n++;
}

static void on_settled(void *ctx)
{
	((struct seen *)ctx)->settled++;
}

static void live(void)
{
	static const char spec_text[] =
		HEAD "[guest.network]\ndns_servers = [\"192.0.2.53\"]\n"
		"[guest.network.interfaces.web]\nmac = \"02:00:5e:00:53:01\"\nmtu = 1400\n"
		"addresses = [\"192.0.2.10/24\", \"2001:db8::10/64\", \"ff02::99/64\"]\n"
		"gateway4 = \"192.0.2.1\"\ngateway6 = \"2001:db8::9\"\n"
		"[guest.network.interfaces.ghost]\nmac = \"52:54:00:00:00:99\"\naddresses = [\"198.51.100.2/24\"]\n";
	char dir[] = "/tmp/vminit-apply-XXXXXX", path[300];
	struct seen seen = { 0 };
	struct spec *s;
	struct loop *l;
	struct net *n;
	uint64_t end;
	if (unshare(CLONE_NEWNET) < 0)
		_exit(77);
	LIVE(system("ip link add vm0 address 02:00:5e:00:53:01 type veth peer name vm0peer && "
		    "ip link set vm0peer up") == 0, "a veth pair");
	LIVE(mkdtemp(dir) != NULL, "mkdtemp");
	s = spec_load_buffer("t.ini", spec_text, strlen(spec_text));
	LIVE(s && s->nerrors == 0, "the spec");
	l = loop_new(64);
	n = net_new(l, s, &(struct net_paths){ dir, dir }, &(struct net_hooks){ on_failed, on_settled, &seen });
	LIVE(n && l, "net_new");
	net_start(n);
	/* vm0 is applied at once; ghost is looked for until the deadline. */
	LIVE(n->state == NET_APPLYING && seen.n == 1 && !seen.settled, "state %d, %zu failures", n->state, seen.n);
	LIVE(n->ifaces[0].found && n->ifaces[0].up && n->ifaces[0].link.mtu == 1400, "vm0 up with mtu 1400");
	LIVE(!strcmp(seen.text[0], "web|vm0|address|ff02::99/64|ff02::99/64: Address not available") ||
	     !strncmp(seen.text[0], "web|vm0|address|ff02::99/64|ff02::99/64: ", 41), "%s", seen.text[0]);
	unit_clock_shift(((uint64_t)SPEC_NET_LINK_WAIT_DEFAULT * 1000 + 100) * LOOP_NS_PER_MS);
	end = unit_clock_real_ns() + 30 * LOOP_NS_PER_SEC;
	while (!seen.settled && unit_clock_real_ns() < end)
		loop_run_once(l);
	LIVE(seen.settled == 1 && n->state == NET_PARTIAL, "settled %d, state %d", seen.settled, n->state);
	LIVE(seen.n == 2 && !strcmp(seen.text[1], "ghost|-|link|-|no link with MAC 52:54:00:00:00:99"), "%s",
	     seen.text[1]);
	for (int i = 0; i < 2; i++)
		LIVE(n->ifaces[0].addrs[i].done && !n->ifaces[0].addrs[i].error[0], "address %d", i);
	LIVE(n->ifaces[0].routes[0].done && !n->ifaces[0].routes[0].error[0], "%s", n->ifaces[0].routes[0].error);
	LIVE(n->ifaces[0].routes[1].done && !n->ifaces[0].routes[1].error[0], "%s", n->ifaces[0].routes[1].error);
	LIVE(!n->ifaces[1].addrs[0].done, "ghost's address is not tried");
	LIVE(!strcmp(slurp("/proc/sys/net/ipv6/conf/vm0/accept_ra"), "0\n"), "accept_ra off before up");
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	LIVE(!strcmp(n->resolv, path) && strstr(slurp(path), "nameserver 192.0.2.53\n"), "resolv.conf: %s", n->resolv);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	LIVE(system(path) == 0, "rm");
	_exit(0);
}

Test(net_apply, applies_a_spec_in_a_namespace, .timeout = 60)
{
	int st;
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		live();
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		cr_skip_test("no network namespace (unshare: not root?)");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child failed (status %#x): see its stderr", st);
}
