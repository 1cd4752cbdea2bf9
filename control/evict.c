/* evict.c - the connection limit, and who gets in at it (docs/protocol.md §7).
 *
 * Connections are the host's (a vsock listener: only the host's CID gets
 * through one) or local (a unix socket: in a VM it lives inside the guest,
 * where any root process can open it). Local ones may hold at most
 * CTL_MAX_CONNS - CTL_HOST_RESERVED slots, so the guest can never take the
 * host's last ones; the virtio-serial port is outside the count altogether.
 *
 * At a limit, a connection that makes no progress is closed to make room
 * before one that is merely idle: first a half request or unread output,
 * then nothing asked and nothing to send, each the longest without progress
 * first, and among equals a local one before the host's. A quiet stream, a
 * running exec and a request being answered are never closed. A local
 * newcomer may close only local connections, so guest clients cannot push
 * the host's out.
 *
 * Each choice is one pass over at most CTL_MAX_CONNS connections, with no
 * state of its own beyond each connection's last_in and last_progress.
 */
#include "ctl_int.h"

#include <string.h>

enum conn_tier { TIER_STALLED, TIER_IDLE, TIER_KEEP };

static enum conn_tier conn_tier(const struct conn *c, uint64_t *ret_since)
{
	if (c->kind != CK_SOCKET || c->dead)
		return TIER_KEEP;
	if (c->mode == CM_REQ && c->inlen > 0 && !memchr(c->in, '\n', c->inlen)) {
		*ret_since = c->last_in;      /* half a request */
		return TIER_STALLED;
	}
	if (ctl_pending(c) > 0 && c->mode != CM_EXEC) {
		*ret_since = c->last_progress;   /* output the client does not read */
		return TIER_STALLED;
	}
	if (c->mode == CM_REQ && c->inlen == 0 && ctl_pending(c) == 0 && !c->closing) {
		*ret_since = c->last_progress;
		return TIER_IDLE;
	}
	return TIER_KEEP;
}

/* Close the worst connection, a local one unless any; 1 if one was closed. */
static int evict_one(struct ctl_server *ctl, int any)
{
	struct conn *victim = NULL;
	enum conn_tier vt = TIER_KEEP;
	uint64_t vsince = 0;
	for (struct conn *c = ctl->conns; c; c = c->next) {
		uint64_t since = 0;
		enum conn_tier t = conn_tier(c, &since);
		if (t == TIER_KEEP || (c->host && !any))
			continue;
		if (victim && (t > vt || (t == vt && (c->host > victim->host ||
						      (c->host == victim->host && since >= vsince)))))
			continue;
		victim = c;
		vt = t;
		vsince = since;
	}
	if (!victim)
		return 0;
	ctl->count[ENC_C_CONNECTIONS_EVICTED]++;
	ctl_conn_close(victim);
	return 1;
}

/* The output budget is spent and c needs some for a reply: close the
 * connection whose unsent output has waited longest for its reader (a local
 * one unless c is the host's). Never c itself, nor an exec's, whose result
 * is owed. 1 if one was closed. Only from the reply path: closing a
 * connection while ctl_after_batch() walks the list would cut its walk. */
int ctl_evict_for_output(const struct conn *c)
{
	struct conn *victim = NULL;
	for (struct conn *v = c->ctl->conns; v; v = v->next) {
		if (v == c || v->kind != CK_SOCKET || v->dead || v->mode == CM_EXEC || !v->outcap ||
		    ctl_pending(v) == 0 || (v->host && !c->host))
			continue;
		if (!victim || v->host < victim->host ||
		    (v->host == victim->host && v->last_progress < victim->last_progress))
			victim = v;
	}
	if (!victim)
		return 0;
	c->ctl->count[ENC_C_CONNECTIONS_EVICTED]++;
	ctl_conn_close(victim);
	return 1;
}

int ctl_admit(struct ctl_server *ctl, int host)
{
	if (host)
		return ctl->nconns < CTL_MAX_CONNS || evict_one(ctl, 1);
	if (ctl->nconns < CTL_MAX_CONNS && ctl->nlocal < CTL_MAX_CONNS - CTL_HOST_RESERVED)
		return 1;
	return evict_one(ctl, 0);
}
