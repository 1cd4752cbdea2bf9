/* network.c - the guest's network as status and events show it
 * (docs/network.md, docs/protocol.md).
 *
 * Gathers network/'s state into plain values (channel/encode_net.h). Reads
 * memory only: what was applied and why not is kept by network/ as it
 * happened, never asked of the kernel again here.
 */
#include "ctl_int.h"
#include "channel/encode_net.h"
#include "network/apply.h"

#include <stdio.h>
#include <sys/socket.h>

static const char *or_null(const char *s)
{
	return s && s[0] ? s : NULL;
}

void ctl_set_network(struct ctl_server *ctl, const struct net *net)
{
	ctl->net = net;
}

static void write_iface(struct jw *w, const struct net_iface *f)
{
	const struct spec_iface *sf = f->sf;
	const struct spec_ip *gw[2] = { &sf->gw4, &sf->gw6 };
	/* The spec's MAC (the link's, once found), else the found link's
	 * (only a link with a MAC is ever matched). */
	const uint8_t *m = sf->has_mac ? sf->mac : f->found ? f->link.mac : NULL;
	char mac[NLMSG_MAC_TEXT], text[64];
	struct enc_net_iface e = {
		.name = sf->name, .device = f->found ? f->link.name : NULL, .mac = m ? mac : NULL,
		.error = or_null(f->error), .mtu = f->found && f->link.mtu ? (int64_t)f->link.mtu : -1, .up = f->up,
	};
	if (m)
		nlmsg_format_mac(m, mac);
	enc_net_iface_begin(w, &e);
	for (size_t i = 0; i < sf->naddrs; i++) {
		spec_ip_print(&sf->addrs[i], text, sizeof(text));
		enc_net_item(w, NULL, text, f->addrs[i].done && !f->addrs[i].error[0], or_null(f->addrs[i].error));
	}
	enc_net_routes(w);
	for (size_t k = 0; k < 2; k++) {
		if (!gw[k]->family)
			continue;
		spec_ip_print(gw[k], text, sizeof(text));
		enc_net_item(w, k ? "inet6" : "inet", text, f->routes[k].done && !f->routes[k].error[0],
			     or_null(f->routes[k].error));
	}
	enc_net_iface_end(w);
}

void ctl_write_network(const struct ctl_server *ctl, struct jw *w)
{
	const struct spec *s = ctl->spec;
	const struct net *n = ctl->net;
	char servers[SPEC_NET_MAX_DNS][64];
	const char *sv[SPEC_NET_MAX_DNS];
	struct enc_net_dns d = { .servers = sv };
	int on = n && n->state != NET_OFF;
	enc_net_begin(w, net_state_name(on ? n->state : NET_OFF), s && s->net.required);
	for (size_t i = 0; on && i < n->n; i++)
		write_iface(w, &n->ifaces[i]);
	if (on) {
		for (size_t i = 0; i < s->net.ndns; i++) {
			spec_ip_print(&s->net.dns[i], servers[i], sizeof(servers[i]));
			sv[d.nservers++] = servers[i];
		}
		d.search = s->net.search.v;
		d.nsearch = s->net.search.n;
		d.resolv_conf = or_null(n->resolv);
		d.hosts = or_null(n->hosts);
		d.error = or_null(n->dns_error);
	}
	enc_net_end(w, &d);
}
