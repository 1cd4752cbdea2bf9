/* encode_net.h - the guest network's status and events as the wire spells
 * them (docs/protocol.md, docs/network.md). Plain values in, members out,
 * as encode.h's encoders do: strings NULL are null, numbers -1 are null.
 */
#ifndef VMINIT_ENCODE_NET_H
#define VMINIT_ENCODE_NET_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

struct enc_net_iface {
	const char *name, *device, *mac, *error;
	int64_t mtu;
	int up;
};
struct enc_net_dns {
	const char *const *servers;
	size_t nservers;
	char *const *search;
	size_t nsearch;
	const char *resolv_conf, *hosts, *error;
};

/* "network":{"state":..,"required":..,"interfaces":[ then per interface:
 * enc_net_iface_begin, an enc_net_item per address, enc_net_routes, an
 * enc_net_item per route (family set), enc_net_iface_end; then
 * enc_net_end with the DNS part. */
void enc_net_begin(struct jw *w, const char *state, int required);
void enc_net_iface_begin(struct jw *w, const struct enc_net_iface *f);
/* {"address":TEXT,...} or, family given, {"family":..,"via":TEXT,...} */
void enc_net_item(struct jw *w, const char *family, const char *text, int applied, const char *error);
void enc_net_routes(struct jw *w);
void enc_net_iface_end(struct jw *w);
void enc_net_end(struct jw *w, const struct enc_net_dns *d);

/* network.applied {state, interfaces, failures} */
void enc_ev_net_applied(struct jw *w, const char *state, long interfaces, long failures);
/* network.failed {interface, device, step, item, error} */
void enc_ev_net_failed(struct jw *w, const char *iface, const char *device, const char *step,
		       const char *item, const char *error);

#endif
