/* events.c - the map from a supervisor event to its console line and its
 * protocol event (events.h).
 *
 * Owns: the map (one entry per event, plus one for a hook's start) and the
 * value of each field. Invariants (tests/unit/supervisor/test_events.c): a
 * protocol member is a field with a key; a console text has one "%s" per
 * arg and no other '%'.
 * Never: writes JSON (the control server does, from fields and values), or
 * keeps state.
 */
#include "events.h"
#include "base/console.h"
#include "base/names.h"

#include <stdio.h>
#include <string.h>

/* The entry after the events: SPAWNED of a hook, not of the main process. */
#define SUP_EV_HOOK_SPAWNED SVC_EV_N

/* Each entry: the protocol event's type and its members after "process",
 * the console line's level, its text (its first "%s" is the process's name)
 * and the values of its other "%s". */
#define F(x) SUP_F_##x
#define INFO .level = SUP_LOG_INFO
#define WARN .level = SUP_LOG_WARN
#define ERROR .level = SUP_LOG_ERROR
static const struct sup_event_map map[SVC_EV_N + 1] = {
	[SVC_EV_SPAWNED] = { .type = "process.started", .fields = { F(PID), F(RESTARTS) },
		INFO, .text = "%s: running, pid %s%s", .args = { F(PID), F(RESTARTED) } },
	[SUP_EV_HOOK_SPAWNED] = { .type = "prestart.started", .fields = { F(HOOK), F(PID) },
		INFO, .text = "%s: %s running, pid %s", .args = { F(PHASE), F(PID) } },
	[SVC_EV_SPAWN_FAILED] = { .type = "process.spawn_failed", .fields = { F(ERROR) },
		ERROR, .text = "%s: cannot start %s: %s", .args = { F(PHASE_NOW), F(ERROR) } },
	[SVC_EV_PRESTART_OK] = { .type = "prestart.ok", .fields = { F(HOOK) },
		INFO, .text = "%s: %s succeeded", .args = { F(PHASE) } },
	[SVC_EV_PRESTART_FAILED] = { .type = "prestart.failed", .fields = { F(HOOK_NOW), F(STATUS) },
		ERROR, .text = "%s: %s failed: %s", .args = { F(PHASE_NOW), F(STATUS_TEXT) } },
	[SVC_EV_PRESTART_TIMEOUT] = { .type = "prestart.timeout", .fields = { F(HOOK) },
		ERROR, .text = "%s: %s timed out after %ss: killing it",
		.args = { F(PHASE), F(HOOK_TIMEOUT) } },
	[SVC_EV_EXITED] = { .type = "process.exited",
		.fields = { F(STATUS), F(CODE), F(END_SIGNAL) },
		INFO, .text = "%s: %s", .args = { F(STATUS_TEXT) } },
	[SVC_EV_BACKOFF] = { .type = "process.restarting", .fields = { F(DELAY_MS), F(FAILURES) },
		INFO, .text = "%s: restarting in %s ms (restart policy %s, failure %s)",
		.args = { F(DELAY_MS), F(POLICY), F(FAILURES) } },
	[SVC_EV_GAVE_UP] = { .type = "process.failed", .fields = { F(FAILED_RUNS) },
		ERROR, .text = "%s: giving up after %s failed runs (restart.max_retries = %s)",
		.args = { F(FAILED_RUNS), F(MAX_RETRIES) } },
	[SVC_EV_STOPPING] = { .type = "process.stopping",
		INFO, .text = "%s: stopping (SIGTERM to its process group)" },
	[SVC_EV_STOP_TIMEOUT] = { .type = "process.stop_timeout",
		WARN, .text = "%s: still running %ss after SIGTERM: SIGKILL",
		.args = { F(STOP_TIMEOUT) } },
	[SVC_EV_SETTLED] = { .type = "process.settled", .fields = { F(STATE) },
		INFO, .text = "%s: %s", .args = { F(STATE) } },
	[SVC_EV_WAITING] = { .type = "process.waiting", .fields = { F(FOR), F(CONDITION) },
		INFO, .text = "%s: waiting for %s to be %s", .args = { F(FOR), F(CONDITION) } },
	[SVC_EV_DEFERRED] = { .type = "process.deferred",
		.fields = { F(DEFER_ERROR), F(DELAY_MS), F(DEFERRALS) },
		WARN, .text = "%s: start deferred for lack of resources (%s): trying again in %s ms, "
			      "not counted as a failure", .args = { F(DEFER_ERROR), F(DELAY_MS) } },
	[SVC_EV_JOB_STOPPED] = { .type = "process.stopped", .fields = { F(PID), F(STOP_SIGNAL) },
		INFO, .text = "%s: stopped by %s", .args = { F(STOPPED_BY) } },
	[SVC_EV_JOB_CONTINUED] = { .type = "process.continued", .fields = { F(PID) },
		INFO, .text = "%s: continued" },
	[SVC_EV_BLOCKED] = { .type = "process.blocked", .fields = { F(WHY) },
		WARN, .text = "%s: not started: %s", .args = { F(WHY) } },
};
#undef ERROR
#undef WARN
#undef INFO
#undef F

static const char *const keys[SUP_F_WHY + 1] = {
	[SUP_F_PID] = "pid",              [SUP_F_RESTARTS] = "restarts",
	[SUP_F_HOOK] = "hook",            [SUP_F_HOOK_NOW] = "hook",
	[SUP_F_ERROR] = "error",          [SUP_F_DEFER_ERROR] = "error",
	[SUP_F_STATUS] = "status",        [SUP_F_CODE] = "code",
	[SUP_F_END_SIGNAL] = "signal",    [SUP_F_DELAY_MS] = "delay_ms",
	[SUP_F_FAILURES] = "failures",    [SUP_F_FAILED_RUNS] = "failures",
	[SUP_F_DEFERRALS] = "deferrals",  [SUP_F_STOP_SIGNAL] = "signal",
	[SUP_F_STATE] = "state",          [SUP_F_FOR] = "for",
	[SUP_F_CONDITION] = "condition",  [SUP_F_WHY] = "reason",
};

static const char *const hook_names[] = { "env", "process", "main" };
static const char *const phase_names[] = { "env prestart", "prestart", "process" };

const struct sup_event_map *sup_event_map(const struct sup_event *e)
{
	if (e->ev == SVC_EV_SPAWNED && e->arg != SVC_PHASE_MAIN)
		return &map[SUP_EV_HOOK_SPAWNED];
	return &map[e->ev];
}

const char *sup_field_key(enum sup_field f)
{
	return f <= SUP_F_WHY ? keys[f] : NULL;
}

static struct sup_value str(const char *s)
{
	return (struct sup_value){ .s = s };
}

static struct sup_value num(long long i)
{
	return (struct sup_value){ .i = i };
}

/* A signal by its name, else its number. */
static struct sup_value signal_value(int sig)
{
	const char *n = names_signal(sig);
	return n ? str(n) : num(sig);
}

static const struct spec_dep *waited_dep(const struct sup_event *e)
{
	return e->sp && e->arg >= 0 && (size_t)e->arg < e->sp->ndeps ? &e->sp->deps[e->arg] : NULL;
}

/* The value of each field: one case per field, both sides' values in one
 * place. */
struct sup_value sup_event_value(const struct sup_event *e, enum sup_field f,
				 char *buf, size_t len)
{
	const struct svc *s = e->svc;
	const struct spec_dep *d;
	switch (f) {
	case SUP_F_PID:          return num(s->pid);
	case SUP_F_RESTARTS:     return num(s->restarts);
	case SUP_F_HOOK:         return str(hook_names[e->arg]);
	case SUP_F_HOOK_NOW:     return str(hook_names[s->phase]);
	case SUP_F_ERROR:        return str(strerror((int)e->arg));
	case SUP_F_DEFER_ERROR:  return str(strerror(s->defer_errno));
	case SUP_F_STATUS:       return num(e->arg);
	case SUP_F_CODE:
		return s->exit_sig > 0 ? (struct sup_value){ .is_null = 1 } : num(e->arg);
	case SUP_F_END_SIGNAL:
		return s->exit_sig > 0 ? signal_value(s->exit_sig) : (struct sup_value){ .is_null = 1 };
	case SUP_F_DELAY_MS:     return num(e->arg);
	case SUP_F_FAILURES:     return num(s->failures);
	case SUP_F_FAILED_RUNS:  return num(e->arg);
	case SUP_F_DEFERRALS:    return num(s->deferrals);
	case SUP_F_STOP_SIGNAL:  return signal_value((int)e->arg);
	case SUP_F_STATE:        return str(svc_state_name(s->state));
	case SUP_F_FOR:
		d = waited_dep(e);
		return str(d ? d->name : "?");
	case SUP_F_CONDITION:
		d = waited_dep(e);
		return str(d ? spec_dep_cond_name(d->cond) : "?");
	case SUP_F_WHY:          return str(e->why ? e->why : "?");
	case SUP_F_RESTARTED:    return str(s->restarts ? " (restarted)" : "");
	case SUP_F_PHASE:        return str(phase_names[e->arg]);
	case SUP_F_PHASE_NOW:    return str(phase_names[s->phase]);
	case SUP_F_STATUS_TEXT:
		names_status((int)e->arg, s->exit_sig, buf, len);
		return str(buf);
	case SUP_F_POLICY:       return str(spec_restart_name(s->pol.restart));
	case SUP_F_MAX_RETRIES:  return num(s->pol.max_retries);
	case SUP_F_HOOK_TIMEOUT: return num((long long)(s->pol.hook_timeout_ns[e->arg] / 1000000000ull));
	case SUP_F_STOP_TIMEOUT: return num((long long)(s->pol.stop_timeout_ns / 1000000000ull));
	case SUP_F_STOPPED_BY: {
		const char *n = names_signal((int)e->arg);
		return str(n ? n : "a signal");
	}
	case SUP_F_END:
	case SUP_F_N:
		break;
	}
	return (struct sup_value){ .is_null = 1 };
}

size_t sup_event_text(const struct sup_event *e, char *buf, size_t len)
{
	const struct sup_event_map *m = sup_event_map(e);
	char vb[SUP_EVENT_ARGS][64];
	const char *a[SUP_EVENT_ARGS];
	int n;
	for (size_t k = 0; k < SUP_EVENT_ARGS; k++) {
		struct sup_value v = sup_event_value(e, m->args[k], vb[k], sizeof(vb[k]));
		a[k] = v.s;
		if (v.is_null) {
			a[k] = "";   /* past the last arg: printf ignores it */
		} else if (!v.s) {
			snprintf(vb[k], sizeof(vb[k]), "%lld", v.i);
			a[k] = vb[k];
		}
	}
	/* The format is the map's, never data: a "%s" for the name, then one
	 * per arg, and no other conversion (test_events.c checks). */
	n = snprintf(buf, len, m->text, e->svc->name, a[0], a[1], a[2]);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
}

void sup_event_log(const struct sup_event *e)
{
	char line[CONSOLE_LINE_MAX];
	sup_event_text(e, line, sizeof(line));
	switch (sup_event_map(e)->level) {
	case SUP_LOG_ERROR:
		log_error("%s", line);
		break;
	case SUP_LOG_WARN:
		log_warn("%s", line);
		break;
	default:
		log_info("%s", line);
		break;
	}
}
