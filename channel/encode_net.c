/* encode_net.c - the guest network's wire shapes (encode_net.h).
 *
 * Only spelling: key names and their fixed order, null for what is not
 * known. What to say is control/network.c's.
 */
#include "encode_net.h"
#include "encode.h"

void enc_net_begin(struct jw *w, const char *state, int required)
{
	jw_key(w, "network");
	jw_obj(w);
	jw_kstr(w, "state", state);
	jw_kbool(w, "required", required);
	jw_key(w, "interfaces");
	jw_arr(w);
}

void enc_net_iface_begin(struct jw *w, const struct enc_net_iface *f)
{
	jw_obj(w);
	jw_kstr(w, "name", f->name);
	jw_kstr(w, "device", f->device);
	jw_kstr(w, "mac", f->mac);
	if (f->mtu < 0)
		jw_knull(w, "mtu");
	else
		jw_kint(w, "mtu", f->mtu);
	jw_kbool(w, "up", f->up);
	jw_kstr(w, "error", f->error);
	jw_key(w, "addresses");
	jw_arr(w);
}

void enc_net_item(struct jw *w, const char *family, const char *text, int applied, const char *error)
{
	jw_obj(w);
	if (family)
		jw_kstr(w, "family", family);
	jw_kstr(w, family ? "via" : "address", text);
	jw_kbool(w, "applied", applied);
	jw_kstr(w, "error", error);
	jw_end(w);
}

void enc_net_routes(struct jw *w)
{
	jw_end_arr(w);
	jw_key(w, "routes");
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
	jw_key(w, "dns");
	jw_obj(w);
	jw_key(w, "servers");
	jw_arr(w);
	for (size_t i = 0; i < d->nservers; i++)
		jw_str(w, d->servers[i]);
	jw_end_arr(w);
	jw_key(w, "search");
	jw_arr(w);
	for (size_t i = 0; i < d->nsearch; i++)
		jw_str(w, d->search[i]);
	jw_end_arr(w);
	jw_kstr(w, "resolv_conf", d->resolv_conf);
	jw_kstr(w, "hosts", d->hosts);
	jw_kstr(w, "error", d->error);
	jw_end(w);
	jw_end(w);
}

void enc_ev_net_applied(struct jw *w, const char *state, long interfaces, long failures)
{
	enc_ev_type(w, "network.applied");
	jw_kstr(w, "state", state);
	jw_kint(w, "interfaces", interfaces);
	jw_kint(w, "failures", failures);
}

void enc_ev_net_failed(struct jw *w, const char *iface, const char *device, const char *step,
		       const char *item, const char *error)
{
	enc_ev_type(w, "network.failed");
	jw_kstr(w, "interface", iface);
	jw_kstr(w, "device", device);
	jw_kstr(w, "step", step);
	jw_kstr(w, "item", item);
	jw_kstr(w, "error", error);
}
