/* apply.h - the spec's [guest.network] applied to the VM's kernel, and what
 * came of it (docs/network.md): per interface the link found, its MTU, up,
 * each address and default route applied or why not; resolv.conf and hosts
 * and where they went.
 *
 * Steps, per interface, once its link is found (by MAC, or the only link
 * with a MAC when the spec has one interface without): accept_ra=0 and
 * autoconf=0 when it has a static IPv6 address (before up: a router's
 * advertisement would add a route and an address of its own), MTU and up,
 * the addresses (IPv6 with IFA_F_NODAD: usable at once), the default routes.
 * A failure is kept with its text and the rest still goes on.
 *
 * A link that is not there yet (its driver still probing) is looked for
 * again from the loop every NET_RETRY_MS, up to link_wait_seconds (the
 * spec's, default SPEC_NET_LINK_WAIT_DEFAULT) after the
 * start; then it is failed. Each rtnetlink call blocks at most NL_WAIT_MS
 * (nl.h): the VM's own kernel answers within the call.
 */
#ifndef VMINIT_NET_APPLY_H
#define VMINIT_NET_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "nlmsg.h"
#include "base/loop.h"
#include "spec/spec.h"

#define NET_RETRY_MS 100
#define NET_ERR_MAX 160

enum net_state { NET_OFF, NET_APPLYING, NET_APPLIED, NET_PARTIAL, NET_FAILED };
enum net_step { NET_STEP_LINK, NET_STEP_MTU, NET_STEP_UP, NET_STEP_ADDRESS, NET_STEP_ROUTE,
		NET_STEP_DNS, NET_STEP_HOSTS };

/* An address or a route: tried (done), and why it failed ("" applied). */
struct net_item {
	int done;
	char error[NET_ERR_MAX];
};

struct net_iface {
	const struct spec_iface *sf;
	int pending;                        /* its link is still looked for */
	int found, up;
	struct nlmsg_link link;             /* when found */
	char error[NET_ERR_MAX];            /* link, MTU or up: the first failure */
	struct net_item addrs[SPEC_NET_MAX_ADDRS];
	struct net_item routes[2];          /* gateway4, gateway6 */
};

/* One failure, as the hooks and the network.failed event tell it. */
struct net_failure {
	const char *iface;                  /* the spec's label; NULL: dns, hosts */
	const char *device;                 /* the link's name, or NULL */
	enum net_step step;
	const char *item;                   /* the address, gateway, MTU or file */
	const char *error;
};

struct net_hooks {
	void (*failed)(void *ctx, const struct net_failure *f);
	/* Every interface found or given up on: the state is final. */
	void (*settled)(void *ctx);
	void *ctx;
};

/* Where the files go: etc ("/etc"), and run, a directory on a tmpfs for
 * them when etc is read-only (they are then bound over etc's files). */
struct net_paths {
	const char *etc, *run;
};

struct net {
	struct loop *loop;
	const struct spec *spec;
	struct net_hooks hooks;
	struct net_paths paths;
	enum net_state state;
	unsigned failures;
	uint64_t deadline;                  /* loop_now() when the wait for links ends */
	struct loop_timer retry;
	struct net_iface ifaces[SPEC_NET_MAX_IFACES];
	size_t n;
	char resolv[64], hosts[64];         /* where each was written, or "" */
	char dns_error[NET_ERR_MAX];        /* resolv.conf's or hosts' failure */
	char first[NET_ERR_MAX];            /* the first failure's text */
};

/* The state, NET_OFF when the spec has no network. NULL: no memory. */
struct net *net_new(struct loop *l, const struct spec *s, const struct net_paths *p,
		    const struct net_hooks *h);
void net_free(struct net *n);
/* Write the files, then apply what links there are; the rest from the loop.
 * May settle before it returns. */
void net_start(struct net *n);
/* May a process that needs the network start? 0: yes (or the spec does not
 * make it wait); 1: not yet, still applying; -1: not while this lasts, it
 * failed; why in why either way. */
int net_ready(const struct net *n, char *why, size_t len);

const char *net_state_name(enum net_state s);
const char *net_step_name(enum net_step s);

/* Pure, for the tests: the link of links[0..n) that interface f is: the
 * one with its MAC, or without a MAC in the spec (then it is the spec's only
 * interface) the only link that has one. Its index; -1: none yet; -2: it
 * cannot be told (several links): why in why, for either. */
int net_match(const struct spec_iface *f, const struct nlmsg_link *links, size_t n, char *why, size_t len);

#endif
