/* secrets.c - the secret bundle as status shows it (docs/secrets.md): its
 * version, how many keys, when it came; never a value or a value's length. */
#include "ctl_int.h"
#include "secrets/store.h"

void ctl_set_secrets(struct ctl_server *ctl, struct secrets_store *sec)
{
	ctl->sec = sec;
}

void ctl_secrets_of(const struct ctl_server *ctl, struct enc_secrets *ret)
{
	struct secrets_info si = { 0 };
	if (ctl->sec)
		secrets_store_info(ctl->sec, &si);
	*ret = (struct enc_secrets){
		.version = si.version, .keys = si.keys, .at_ms = si.delivered ? si.at_ms : -1,
		.deliveries = si.deliveries, .refused = si.refused,
	};
}

void ctl_write_secrets(const struct ctl_server *ctl, struct jw *w)
{
	struct enc_secrets si;
	if (!ctl->sec) {
		enc_secrets(w, NULL);
		return;
	}
	ctl_secrets_of(ctl, &si);
	enc_secrets(w, &si);
}
