/* test_events.c - supervisor/events.c: the one map from a supervisor event
 * to its console line and its protocol event. The expected bytes are written
 * out here (docs/supervisor.md, docs/protocol.md §5), not derived from the
 * map, so a change of either side's words fails here. The protocol side is
 * written the way the control server writes it (control/ctl_ops.c,
 * ctl_on_svc): "type", "process", then the entry's fields. */
#include "tests/unit/unit.h"
#include "supervisor/events.h"
#include "channel/json.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static struct spec_dep deps[] = { { .name = "db", .cond = SPEC_DEP_HEALTHY } };
static struct spec_process sp = { .deps = deps, .ndeps = 1 };

static struct svc web(void)
{
	struct svc s = {
		.name = "web", .pid = 100, .restarts = 2, .failures = 1, .deferrals = 2,
		.defer_errno = EAGAIN, .phase = SVC_PHASE_MAIN, .state = SVC_EXITED,
		.pol = { .restart = SPEC_RESTART_ALWAYS, .max_retries = 2,
			 .stop_timeout_ns = 10000000000ull,
			 .hook_timeout_ns = { 30000000000ull, 45000000000ull } },
	};
	return s;
}

/* The console line and the protocol event's members of ev on s. */
static void words(const struct svc *s, enum svc_event ev, long arg, char *line, char *json)
{
	const struct sup_event e = { .svc = s, .sp = &sp, .ev = ev, .arg = arg };
	const struct sup_event_map *m = sup_event_map(&e);
	static char jbuf[4096];
	struct jw w;
	char buf[64];
	cr_assert_lt(sup_event_text(&e, line, 512), 511);
	jw_init(&w, jbuf, sizeof(jbuf));
	jw_kstr(&w, "type", m->type);
	jw_kstr(&w, "process", s->name);
	for (size_t k = 0; k < SUP_EVENT_FIELDS && m->fields[k]; k++) {
		struct sup_value v = sup_event_value(&e, m->fields[k], buf, sizeof(buf));
		if (v.s || v.is_null)
			jw_kstr(&w, sup_field_key(m->fields[k]), v.s);
		else
			jw_kint(&w, sup_field_key(m->fields[k]), v.i);
	}
	cr_assert_not(w.overflow);
	memcpy(json, jbuf, w.len);
	json[w.len] = '\0';
}

static void expect(const struct svc *s, enum svc_event ev, long arg, const char *want_line,
		   const char *want_json)
{
	char line[512], json[4096];
	words(s, ev, arg, line, json);
	cr_expect_str_eq(line, want_line, "event %d: console", ev);
	cr_expect_str_eq(json, want_json, "event %d: protocol", ev);
}

Test(events, every_event_in_both_words)
{
	struct svc s = web();
	char want[512];
	expect(&s, SVC_EV_SPAWNED, SVC_PHASE_MAIN, "web: running, pid 100 (restarted)",
	       "\"type\":\"process.started\",\"process\":\"web\",\"pid\":100,\"restarts\":2");
	s.restarts = 0;
	expect(&s, SVC_EV_SPAWNED, SVC_PHASE_MAIN, "web: running, pid 100",
	       "\"type\":\"process.started\",\"process\":\"web\",\"pid\":100,\"restarts\":0");
	expect(&s, SVC_EV_SPAWNED, SVC_PHASE_ENV_PRESTART, "web: env prestart running, pid 100",
	       "\"type\":\"prestart.started\",\"process\":\"web\",\"hook\":\"env\",\"pid\":100");
	s.phase = SVC_PHASE_PRESTART;
	snprintf(want, sizeof(want), "web: cannot start prestart: %s", strerror(ENOENT));
	{
		char wj[256];
		snprintf(wj, sizeof(wj), "\"type\":\"process.spawn_failed\",\"process\":\"web\","
			 "\"error\":\"%s\"", strerror(ENOENT));
		expect(&s, SVC_EV_SPAWN_FAILED, ENOENT, want, wj);
	}
	expect(&s, SVC_EV_PRESTART_OK, SVC_PHASE_PRESTART, "web: prestart succeeded",
	       "\"type\":\"prestart.ok\",\"process\":\"web\",\"hook\":\"process\"");
	s.phase = SVC_PHASE_ENV_PRESTART;
	expect(&s, SVC_EV_PRESTART_FAILED, 3, "web: env prestart failed: exited with code 3",
	       "\"type\":\"prestart.failed\",\"process\":\"web\",\"hook\":\"env\",\"status\":3");
	expect(&s, SVC_EV_PRESTART_TIMEOUT, SVC_PHASE_PRESTART,
	       "web: prestart timed out after 45s: killing it",
	       "\"type\":\"prestart.timeout\",\"process\":\"web\",\"hook\":\"process\"");
	s.phase = SVC_PHASE_MAIN;
	expect(&s, SVC_EV_EXITED, 1, "web: exited with code 1",
	       "\"type\":\"process.exited\",\"process\":\"web\",\"status\":1,\"code\":1,\"signal\":null");
	s.exit_sig = SIGKILL;
	expect(&s, SVC_EV_EXITED, 137, "web: killed by SIGKILL (status 137)",
	       "\"type\":\"process.exited\",\"process\":\"web\",\"status\":137,\"code\":null,"
	       "\"signal\":\"SIGKILL\"");
	s.exit_sig = 40;
	expect(&s, SVC_EV_EXITED, 168, "web: killed by signal 40 (status 168)",
	       "\"type\":\"process.exited\",\"process\":\"web\",\"status\":168,\"code\":null,"
	       "\"signal\":40");
	s.exit_sig = 0;
	expect(&s, SVC_EV_BACKOFF, 2000, "web: restarting in 2000 ms (restart policy always, failure 1)",
	       "\"type\":\"process.restarting\",\"process\":\"web\",\"delay_ms\":2000,\"failures\":1");
	expect(&s, SVC_EV_GAVE_UP, 3, "web: giving up after 3 failed runs (restart.max_retries = 2)",
	       "\"type\":\"process.failed\",\"process\":\"web\",\"failures\":3");
	expect(&s, SVC_EV_STOPPING, 0, "web: stopping (SIGTERM to its process group)",
	       "\"type\":\"process.stopping\",\"process\":\"web\"");
	expect(&s, SVC_EV_STOP_TIMEOUT, 0, "web: still running 10s after SIGTERM: SIGKILL",
	       "\"type\":\"process.stop_timeout\",\"process\":\"web\"");
	expect(&s, SVC_EV_SETTLED, SVC_EXITED, "web: exited",
	       "\"type\":\"process.settled\",\"process\":\"web\",\"state\":\"exited\"");
	expect(&s, SVC_EV_WAITING, 0, "web: waiting for db to be healthy",
	       "\"type\":\"process.waiting\",\"process\":\"web\",\"for\":\"db\","
	       "\"condition\":\"healthy\"");
	snprintf(want, sizeof(want), "web: start deferred for lack of resources (%s): trying again "
		 "in 1000 ms, not counted as a failure", strerror(EAGAIN));
	{
		char wj[256];
		snprintf(wj, sizeof(wj), "\"type\":\"process.deferred\",\"process\":\"web\","
			 "\"error\":\"%s\",\"delay_ms\":1000,\"deferrals\":2", strerror(EAGAIN));
		expect(&s, SVC_EV_DEFERRED, 1000, want, wj);
	}
	expect(&s, SVC_EV_JOB_STOPPED, SIGSTOP, "web: stopped by SIGSTOP",
	       "\"type\":\"process.stopped\",\"process\":\"web\",\"pid\":100,\"signal\":\"SIGSTOP\"");
	expect(&s, SVC_EV_JOB_STOPPED, 40, "web: stopped by a signal",
	       "\"type\":\"process.stopped\",\"process\":\"web\",\"pid\":100,\"signal\":40");
	expect(&s, SVC_EV_JOB_CONTINUED, 0, "web: continued",
	       "\"type\":\"process.continued\",\"process\":\"web\",\"pid\":100");
}

/* The map's own rules: every event has an entry; a protocol member has a
 * key; a console text is the name's "%s" then one per arg, nothing else. */
Test(events, every_entry_is_well_formed)
{
	struct svc s = web();
	for (int ev = 0; ev <= SVC_EV_N; ev++) {
		/* SVC_EV_N stands for the hook's SPAWNED */
		const struct sup_event e = { .svc = &s, .sp = &sp,
			.ev = ev == SVC_EV_N ? SVC_EV_SPAWNED : (enum svc_event)ev,
			.arg = ev == SVC_EV_N ? SVC_PHASE_PRESTART : SVC_PHASE_MAIN };
		const struct sup_event_map *m = sup_event_map(&e);
		size_t nargs = 0, convs = 0;
		cr_assert_not_null(m->type, "event %d has no type", ev);
		cr_assert_not_null(m->text, "event %d has no text", ev);
		for (size_t k = 0; k < SUP_EVENT_FIELDS && m->fields[k]; k++)
			cr_assert_not_null(sup_field_key(m->fields[k]), "%s: field %zu has no key",
					   m->type, k);
		while (nargs < SUP_EVENT_ARGS && m->args[nargs])
			nargs++;
		for (const char *p = m->text; (p = strchr(p, '%')); p += 2) {
			cr_assert_eq(p[1], 's', "%s: a conversion other than %%s", m->type);
			convs++;
		}
		cr_assert_eq(convs, 1 + nargs, "%s: %zu conversions for the name and %zu args",
			     m->type, convs, nargs);
		cr_assert_eq(strncmp(m->text, "%s: ", 4), 0, "%s: the line starts with the name",
			     m->type);
	}
	for (int f = SUP_F_RESTARTED; f < SUP_F_N; f++)
		cr_assert_null(sup_field_key(f), "console-only field %d has a key", f);
	for (int f = SUP_F_END + 1; f < SUP_F_RESTARTED; f++)
		cr_assert_not_null(sup_field_key(f), "protocol field %d has no key", f);
}

Test(events, a_long_name_is_cut_not_overrun)
{
	static char name[2000];
	struct svc s = web();
	char line[64];
	memset(name, 'x', sizeof(name) - 1);
	s.name = name;
	{
		const struct sup_event e = { .svc = &s, .sp = &sp, .ev = SVC_EV_STOPPING };
		size_t n = sup_event_text(&e, line, sizeof(line));
		cr_assert_eq(n, sizeof(line) - 1);
		cr_assert_eq(strlen(line), sizeof(line) - 1);
	}
}
