/* events.c - what happens in the VM, as events in the server's event ring
 * (docs/protocol.md §5): the supervisor's, the health checks', PID 1's own
 * (shutdown, final), the spec's errors and the kernel modules' failures. Log
 * lines go into the log ring beside it.
 *
 * An event is kept as the JSON text of its members after "seq" and "at_ms"
 * (at most CTL_EVENT_MAX bytes: a bigger one is dropped and counted), so
 * every stream and the push send it with one copy. The ring is bounded and
 * overwrites its oldest; nothing here waits for a reader.
 */
#include "ctl_int.h"
#include "base/clock.h"
#include "channel/encode_net.h"
#include "base/names.h"
#include "health/health.h"
#include "kmod/modules.h"
#include "network/apply.h"
#include "spec/spec.h"
#include "resources/resources.h"
#include "storage/storage.h"
#include "supervisor/events.h"
#include "supervisor/supervisor.h"

#include <stdio.h>
#include <string.h>

/* An event's members after seq and at_ms, as JSON text: "\"type\":..." */
static struct jw *ev_open(struct ctl_server *ctl)
{
	jw_init(&ctl->ev, ctl->work->evbuf, CTL_EVENT_MAX);
	return &ctl->ev;
}

static struct jw *ev_begin(struct ctl_server *ctl, const char *type)
{
	struct jw *w = ev_open(ctl);
	enc_ev_type(w, type);
	return w;
}

static void ev_commit(struct ctl_server *ctl)
{
	if (ctl->ev.overflow) {
		ctl->count[ENC_C_ITEMS_DROPPED]++;
		return;
	}
	ring_add(&ctl->events, 0, 0, clock_boot_ms(), ctl->work->evbuf, ctl->ev.len);
}

const char *ctl_proc_name(const struct ctl_server *ctl, size_t i)
{
	return ctl->spec && i < ctl->spec->nprocs ? ctl->spec->procs[i].name : "?";
}


/* A supervisor event: its type and members come from the one event map
 * (supervisor/events.c), which the console's line reads too. */
void ctl_on_svc(void *ctx, size_t i, const struct svc *s, enum svc_event ev, long arg)
{
	struct ctl_server *ctl = ctx;
	const struct sup_event e = {
		.svc = s, .ev = ev, .arg = arg,
		.sp = ctl->spec && i < ctl->spec->nprocs ? &ctl->spec->procs[i] : NULL,
		.why = ctl->sup && ev == SVC_EV_BLOCKED ? sup_why(ctl->sup, i) : NULL,
	};
	const struct sup_event_map *m = sup_event_map(&e);
	struct jw *w = ev_begin(ctl, m->type);
	char buf[64];
	ctl_status_on_svc(ctl, i, s, ev);
	if (ev == SVC_EV_SPAWNED && arg == SVC_PHASE_MAIN && ctl->boot.first_process_ms < 0)
		ctl->boot.first_process_ms = (int64_t)clock_boot_ms();
	jw_kstr(w, "process", s->name);
	for (size_t k = 0; k < SUP_EVENT_FIELDS && m->fields[k]; k++) {
		struct sup_value v = sup_event_value(&e, m->fields[k], buf, sizeof(buf));
		if (v.s || v.is_null)
			jw_kstr(w, sup_field_key(m->fields[k]), v.s);
		else
			jw_kint(w, sup_field_key(m->fields[k]), v.i);
	}
	/* How the run ended that the supervisor cannot see: an OOM kill. */
	if ((ev == SVC_EV_EXITED || ev == SVC_EV_PRESTART_FAILED) && ctl->rs) {
		const struct rsc_oom *o = rsc_last_oom(ctl->rs, i);
		struct enc_oom eo;
		if (o && o->kind != RSC_OOM_NONE) {
			ctl_oom_of(o, &eo);
			enc_koom(w, ENC_K(oom), &eo);
		}
	}
	ev_commit(ctl);
}

void ctl_event_oom(struct ctl_server *ctl, size_t i, const struct rsc_oom *o)
{
	struct enc_oom e;
	ctl_oom_of(o, &e);
	enc_ev_oom(ev_open(ctl), ctl_proc_name(ctl, i), &e);
	ev_commit(ctl);
}

void ctl_event_net_failed(struct ctl_server *ctl, const struct net_failure *f)
{
	enc_ev_net_failed(ev_open(ctl), f->iface, f->device, net_step_name(f->step), f->item, f->error);
	ev_commit(ctl);
}

void ctl_event_net_applied(struct ctl_server *ctl, const char *state, long interfaces, long failures)
{
	enc_ev_net_applied(ev_open(ctl), state, interfaces, failures);
	ev_commit(ctl);
}

void ctl_on_log(void *ctx, size_t i, int stream, const char *line, size_t len, int plain)
{
	struct ctl_server *ctl = ctx;
	uint8_t kind = (uint8_t)((stream & CTL_LOG_STREAM) | (plain ? CTL_LOG_PLAIN : 0));
	if (!ctl->log_at_ms)
		ctl->log_at_ms = clock_boot_ms();
	ring_add(&ctl->logs, (uint16_t)i, kind, ctl->log_at_ms, line, len);
}

void ctl_event_shutdown(struct ctl_server *ctl, const char *reason, int reboot)
{
	enc_ev_shutdown(ev_open(ctl), reason, reboot);
	ev_commit(ctl);
}

void ctl_event_final(struct ctl_server *ctl)
{
	struct jw *w = ev_open(ctl);
	enc_ev_final_begin(w);
	for (size_t i = 0; ctl->sup && i < sup_count(ctl->sup); i++) {
		const struct svc *v = sup_svc(ctl->sup, i);
		const struct rsc_oom *o = ctl->rs ? rsc_last_oom(ctl->rs, i) : NULL;
		struct enc_oom eo;
		if (o && o->kind != RSC_OOM_NONE)
			ctl_oom_of(o, &eo);
		enc_final_process(w, v->name, svc_state_name(v->state), v->last_status, v->last_signal,
				  v->restarts, o && o->kind != RSC_OOM_NONE ? &eo : NULL);
	}
	if (ctl->st) {
		/* How each volume ended: after the shutdown's unmount. */
		enc_ev_final_volumes(w);
		for (size_t i = 0; i < storage_count(ctl->st); i++) {
			const struct storage_volume *v = storage_volume(ctl->st, i);
			enc_final_volume(w, v->sv->name, storage_state_name(v->state), v->error[0] ? v->error : NULL);
		}
	}
	enc_ev_final_end(w);
	ev_commit(ctl);
	ctl->finalized = 1;
	ctl_push_hurry(ctl);
}

void ctl_set_spec(struct ctl_server *ctl, const struct spec *spec, struct sup *sup)
{
	ctl->spec = spec;
	ctl->sup = sup;
	if (!spec)
		return;
	for (size_t i = 0; i < spec->nerrors; i++) {
		enc_ev_spec_error(ev_open(ctl), spec->path, spec->errors[i]);
		ev_commit(ctl);
	}
}

void ctl_set_modules(struct ctl_server *ctl, const struct modules_report *r)
{
	if (!r->present)
		return;
	ctl->modules = r;
	for (unsigned i = 0; i < r->nfail; i++) {
		enc_ev_module_failed(ev_open(ctl), r->fail[i].module, r->fail[i].error);
		ev_commit(ctl);
	}
}

void ctl_event_health(struct ctl_server *ctl, size_t i, int role, int state, const char *reason)
{
	enc_ev_health(ev_open(ctl), ctl_proc_name(ctl, i), role != 0, hc_state_name((enum hc_state)state),
		      reason);
	ev_commit(ctl);
}

void ctl_event_give_up(struct ctl_server *ctl, size_t i, const char *why)
{
	enc_ev_give_up(ev_open(ctl), ctl_proc_name(ctl, i), why);
	ev_commit(ctl);
}

void ctl_event_storage(struct ctl_server *ctl, int i)
{
	if (!ctl->st || !ctl->spec)
		return;
	if (i < 0) {
		struct enc_root r;
		ctl_storage_root(ctl->st, ctl->spec, &r);
		enc_ev_root(ev_open(ctl), &r);
	} else {
		struct enc_volume v;
		ctl_storage_volume(ctl->st, (size_t)i, &v);
		enc_ev_volume(ev_open(ctl), &v);
	}
	ev_commit(ctl);
}

void ctl_event_secrets(struct ctl_server *ctl, const char *error)
{
	struct enc_secrets si;
	ctl_secrets_of(ctl, &si);
	enc_ev_secrets(ev_open(ctl), &si, error);
	ev_commit(ctl);
}

void ctl_event_clock_stepped(struct ctl_server *ctl, int64_t offset_ns, int64_t uncertainty_ns)
{
	enc_ev_clock_stepped(ev_open(ctl), offset_ns, uncertainty_ns);
	ev_commit(ctl);
}

void ctl_event_resumed(struct ctl_server *ctl, const char *source, uint64_t count)
{
	enc_ev_resumed(ev_open(ctl), source, count);
	ev_commit(ctl);
}
