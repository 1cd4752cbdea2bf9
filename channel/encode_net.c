/* encode_net.c - the guest network's wire shapes (encode_net.h).
 *
 * Only spelling: key names and their fixed order, null for what is not
 * known. What to say is control/network.c's.
 */
#include "encode_net.h"
#include "encode.h"

void enc_net_begin(struct jw *w, const char *state, int required)
{
	jw_lkey(w, JW_LIT("network"));
	jw_obj(w);
	jw_lkstr(w, JW_LIT("state"), state);
	jw_lkbool(w, JW_LIT("required"), required);
	jw_lkey(w, JW_LIT("interfaces"));
	jw_arr(w);
}

void enc_net_iface_begin(struct jw *w, const struct enc_net_iface *f)
{
	jw_obj(w);
	jw_lkstr(w, JW_LIT("name"), f->name);
	jw_lkstr(w, JW_LIT("device"), f->device);
	jw_lkstr(w, JW_LIT("mac"), f->mac);
	if (f->mtu < 0)
		jw_lknull(w, JW_LIT("mtu"));
	else
		jw_lkint(w, JW_LIT("mtu"), f->mtu);
	jw_lkbool(w, JW_LIT("up"), f->up);
	jw_lkstr(w, JW_LIT("error"), f->error);
	jw_lkey(w, JW_LIT("addresses"));
	jw_arr(w);
}

void enc_net_item(struct jw *w, const char *family, const char *text, int applied, const char *error)
{
	jw_obj(w);
	if (family)
		jw_lkstr(w, JW_LIT("family"), family);
	jw_lkstr(w, family ? "via" : "address", family ? 3 : 7, text);
	jw_lkbool(w, JW_LIT("applied"), applied);
	jw_lkstr(w, JW_LIT("error"), error);
	jw_end(w);
}

void enc_net_routes(struct jw *w)
{
	jw_end_arr(w);
	jw_lkey(w, JW_LIT("routes"));
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
	jw_lkey(w, JW_LIT("dns"));
	jw_obj(w);
	jw_lkey(w, JW_LIT("servers"));
	jw_arr(w);
	for (size_t i = 0; i < d->nservers; i++)
		jw_str(w, d->servers[i]);
	jw_end_arr(w);
	jw_lkey(w, JW_LIT("search"));
	jw_arr(w);
	for (size_t i = 0; i < d->nsearch; i++)
		jw_str(w, d->search[i]);
	jw_end_arr(w);
	jw_lkstr(w, JW_LIT("resolv_conf"), d->resolv_conf);
	jw_lkstr(w, JW_LIT("hosts"), d->hosts);
	jw_lkstr(w, JW_LIT("error"), d->error);
	jw_end(w);
	jw_end(w);
}

void enc_ev_net_applied(struct jw *w, const char *state, long interfaces, long failures)
{
	enc_ev_type(w, "network.applied");
	jw_lkstr(w, JW_LIT("state"), state);
	jw_lkint(w, JW_LIT("interfaces"), interfaces);
	jw_lkint(w, JW_LIT("failures"), failures);
}

void enc_ev_net_failed(struct jw *w, const char *iface, const char *device, const char *step,
		       const char *item, const char *error)
{
	enc_ev_type(w, "network.failed");
	jw_lkstr(w, JW_LIT("interface"), iface);
	jw_lkstr(w, JW_LIT("device"), device);
	jw_lkstr(w, JW_LIT("step"), step);
	jw_lkstr(w, JW_LIT("item"), item);
	jw_lkstr(w, JW_LIT("error"), error);
}
