/* encode_net.c - the guest network's wire shapes (encode_net.h).
 *
 * Only spelling: key names and their fixed order, null for what is not
 * known. What to say is control/network.c's.
 */
#include "encode_net.h"
#include "encode.h"

void enc_net_begin(struct jw *w, const char *state, int required)
{
	enc_kkey(w, ENC_K(network));
	jw_obj(w);
	enc_kstr(w, ENC_K(state), state);
	enc_kbool(w, ENC_K(required), required);
	enc_kkey(w, ENC_K(interfaces));
	jw_arr(w);
}

void enc_net_iface_begin(struct jw *w, const struct enc_net_iface *f)
{
	jw_obj(w);
	enc_kstr(w, ENC_K(name), f->name);
	enc_kstr(w, ENC_K(device), f->device);
	enc_kstr(w, ENC_K(mac), f->mac);
	if (f->mtu < 0)
		enc_knull(w, ENC_K(mtu));
	else
		enc_kint(w, ENC_K(mtu), f->mtu);
	enc_kbool(w, ENC_K(up), f->up);
	enc_kstr(w, ENC_K(error), f->error);
	enc_kkey(w, ENC_K(addresses));
	jw_arr(w);
}

void enc_net_item(struct jw *w, const char *family, const char *text, int applied, const char *error)
{
	jw_obj(w);
	if (family)
		enc_kstr(w, ENC_K(family), family);
	enc_kstr(w, family ? ENC_K(via) : ENC_K(address), text);
	enc_kbool(w, ENC_K(applied), applied);
	enc_kstr(w, ENC_K(error), error);
	jw_end(w);
}

void enc_net_routes(struct jw *w)
{
	jw_end_arr(w);
	enc_kkey(w, ENC_K(routes));
	jw_arr(w);
}

void enc_net_iface_end(struct jw *w)
{
	jw_end_arr(w);
	jw_end(w);
}

void enc_net_end(struct jw *w, const struct enc_net_dns *d)
{
	jw_end_arr(w);
	enc_kkey(w, ENC_K(dns));
	jw_obj(w);
	enc_kkey(w, ENC_K(servers));
	jw_arr(w);
	for (size_t i = 0; i < d->nservers; i++)
		jw_str(w, d->servers[i]);
	jw_end_arr(w);
	enc_kkey(w, ENC_K(search));
	jw_arr(w);
	for (size_t i = 0; i < d->nsearch; i++)
		jw_str(w, d->search[i]);
	jw_end_arr(w);
	enc_kstr(w, ENC_K(resolv_conf), d->resolv_conf);
	enc_kstr(w, ENC_K(hosts), d->hosts);
	enc_kstr(w, ENC_K(error), d->error);
	jw_end(w);
	jw_end(w);
}

void enc_ev_net_applied(struct jw *w, const char *state, long interfaces, long failures)
{
	enc_ev_type(w, "network.applied");
	enc_kstr(w, ENC_K(state), state);
	enc_kint(w, ENC_K(interfaces), interfaces);
	enc_kint(w, ENC_K(failures), failures);
}

void enc_ev_net_failed(struct jw *w, const char *iface, const char *device, const char *step,
		       const char *item, const char *error)
{
	enc_ev_type(w, "network.failed");
	enc_kstr(w, ENC_K(interface), iface);
	enc_kstr(w, ENC_K(device), device);
	enc_kstr(w, ENC_K(step), step);
	enc_kstr(w, ENC_K(item), item);
	enc_kstr(w, ENC_K(error), error);
}
