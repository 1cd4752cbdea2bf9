/* status.c - status, the big reply (docs/protocol.md §4): the spec, the
 * kernel modules, every process with its health checks, and the counters.
 *
 * Gathers what each part knows into plain values (channel/encode.h) and has
 * them written in one reply of at most CTL_OUT_MAX bytes. Never blocks: a
 * running process's CPU time and memory come from /proc, which is memory.
 * Moments are told in the boot clock's ms, as every at_ms is.
 *
 * Owns the kept /proc/PID/stat fds (struct ctl_pstat): at most one per
 * process, only while its main process is an unreaped child; closed when the
 * supervisor reports any change of that process's pid (ctl_status_on_svc,
 * from every supervisor event), so none outlives its reap.
 */
#include "ctl_int.h"
#include "base/clock.h"
#include "base/console.h"
#include "base/procstat.h"
#include "health/health.h"
#include "kmod/modules.h"
#include "spec/spec.h"
#include "supervisor/exec.h"
#include "supervisor/supervisor.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A running main process's /proc/PID/stat, kept open from the first status
 * that reads it until the supervisor says that process is gone
 * (ctl_status_on_svc): each status then costs one pread, not an open, a read
 * and a close. The fd names the process it was opened for, not a pid that
 * could be reused: it is opened only while that pid is an unreaped child.
 * Its figures are reused for CTL_PSTAT_AGE_NS (docs/protocol.md §4): the CPU
 * times are in clock ticks (10 ms) anyway, and a host that polls status in a
 * loop then costs one read a process a tick, not one a request. */
#define CTL_PSTAT_AGE_NS (10 * LOOP_NS_PER_MS)

struct ctl_pstat {
	int fd;              /* -1: none open */
	pid_t pid;           /* the process fd names */
	uint64_t read_at;    /* loop time of the figures below; 0: none */
	int64_t user_ms, sys_ms, rss;
};

static void pstat_close(struct ctl_pstat *ps)
{
	if (ps->fd >= 0)
		close(ps->fd);
	*ps = (struct ctl_pstat){ .fd = -1 };
}

/* EXITED comes right after the reap, while s->pid still holds the old pid:
 * closing there, not only on a pid change, keeps a pid reused at once by
 * the next start from finding the dead process's fd. */
void ctl_status_on_svc(struct ctl_server *ctl, size_t i, const struct svc *s, enum svc_event ev)
{
	if (i < ctl->npstat && ctl->pstat[i].fd >= 0 &&
	    (ev == SVC_EV_EXITED || ctl->pstat[i].pid != s->pid))
		pstat_close(&ctl->pstat[i]);
}

void ctl_status_free(struct ctl_server *ctl)
{
	for (size_t i = 0; i < ctl->npstat; i++)
		pstat_close(&ctl->pstat[i]);
	free(ctl->pstat);
	ctl->pstat = NULL;
	ctl->npstat = 0;
}

/* Process i's kept entry, opened for pid if it is not yet; NULL when there
 * is no memory or /proc has no such process. */
static struct ctl_pstat *pstat_of(struct ctl_server *ctl, size_t i, pid_t pid)
{
	struct ctl_pstat *ps;
	char path[32];
	if (i >= ctl->npstat) {
		size_t n = sup_count(ctl->sup);
		struct ctl_pstat *np = realloc(ctl->pstat, n * sizeof(*np));
		if (!np || i >= n)
			return NULL;
		for (size_t k = ctl->npstat; k < n; k++)
			np[k] = (struct ctl_pstat){ .fd = -1 };
		ctl->pstat = np;
		ctl->npstat = n;
	}
	ps = &ctl->pstat[i];
	if (ps->fd >= 0 && ps->pid == pid)
		return ps;
	pstat_close(ps);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ps->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ps->fd < 0)
		return NULL;
	ps->pid = pid;
	return ps;
}

/* utime, stime (ms) and rss (bytes) of ps's process, read again when older
 * than CTL_PSTAT_AGE_NS; -1 when unknown. */
static void proc_usage(struct ctl_pstat *ps, uint64_t now, int64_t *ret_user, int64_t *ret_sys,
		       int64_t *ret_rss)
{
	static const unsigned fields[3] = { 14, 15, 24 };   /* utime, stime, rss */
	char buf[1024];
	long long f[3];
	long tck, page;
	ssize_t n;
	*ret_user = *ret_sys = *ret_rss = -1;
	if (!ps->read_at || now - ps->read_at >= CTL_PSTAT_AGE_NS) {
		ps->read_at = 0;
		tck = sysconf(_SC_CLK_TCK);
		page = sysconf(_SC_PAGESIZE);
		n = pread(ps->fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			return;
		if (procstat_fields(buf, (size_t)n, fields, 3, f) < 0 || f[0] < 0 || f[1] < 0)
			return;
		if (tck <= 0)
			tck = 100;
		ps->user_ms = (int64_t)(f[0] * 1000 / tck);
		ps->sys_ms = (int64_t)(f[1] * 1000 / tck);
		ps->rss = f[2] * (page > 0 ? page : 4096);
		ps->read_at = now | 1;
	}
	*ret_user = ps->user_ms;
	*ret_sys = ps->sys_ms;
	*ret_rss = ps->rss;
}

/* A loop time as the boot clock's ms (what every at_ms is). */
static int64_t boot_ms_of(uint64_t t, uint64_t now, uint64_t bnow)
{
	uint64_t ago = t <= now ? (now - t) / LOOP_NS_PER_MS : 0;
	return (int64_t)(bnow > ago ? bnow - ago : 0);
}

/* Process i's check in role, into ret: ret, or NULL when it has none. */
static const struct enc_check *check_of(const struct ctl_server *ctl, size_t i, enum hc_role role,
					uint64_t now, uint64_t bnow, struct enc_check *ret)
{
	struct hc_view v;
	if (hc_get(ctl->hc, i, role, &v) < 0)
		return NULL;
	*ret = (struct enc_check){
		.type = v.type,
		.state = hc_state_name(v.state),
		.since_ms = v.since_ns ? boot_ms_of(v.since_ns, now, bnow) : -1,
		.last_pass = v.last_pass < 0 ? -1 : v.last_pass != 0,
		.last_check_ms = v.last_pass < 0 ? -1 : boot_ms_of(v.last_at_ns, now, bnow),
		.last_failure = v.last_failure,
		.passes = v.passes,
		.failures = v.failures,
		.checks = v.checks,
		.failed_checks = v.failed_checks,
		.skipped_rounds = v.skipped,
	};
	return ret;
}

static void write_process(struct ctl_server *ctl, struct jw *w, size_t i, uint64_t now, uint64_t bnow)
{
	const struct svc *v = sup_svc(ctl->sup, i);
	struct ctl_pstat *ps;
	int running = v->pid > 0 && v->phase == SVC_PHASE_MAIN &&
		      (v->state == SVC_RUNNING || v->state == SVC_STOPPING);
	int d = sup_waiting(ctl->sup, i);
	struct enc_check ready, live;
	struct ctl_cg_bufs cg;
	struct enc_process p = {
		.name = v->name,
		.want = svc_want_name(v->want),
		.state = svc_state_name(v->state),
		.pid = v->pid,
		.starts = v->starts,
		.restarts = v->restarts,
		.failures = v->failures,
		.stopped_by = running ? v->stopped_sig : 0,
		.deferrals = v->deferrals,
		.blocked = sup_why(ctl->sup, i),
		.deferred = v->state == SVC_BACKOFF && v->deferred ? strerror(v->defer_errno) : NULL,
		.output_dropped_lines = sup_output_dropped(ctl->sup, i),
		.uptime_ms = running ? (int64_t)((now - v->started_at) / LOOP_NS_PER_MS) : -1,
		.has_last_exit = v->last_status >= 0 && v->last_exit_at,
		.last_status = v->last_status,
		.last_signal = v->last_signal,
		.rss_bytes = -1, .cpu_user_ms = -1, .cpu_system_ms = -1,
		.readiness = check_of(ctl, i, HC_READINESS, now, bnow, &ready),
		.liveness = check_of(ctl, i, HC_LIVENESS, now, bnow, &live),
	};
	/* The cgroup's figures when it has one (all its tasks, no /proc),
	 * else the main process's from /proc. */
	if (!ctl_process_cgroup(ctl, i, &p, &cg) && running && (ps = pstat_of(ctl, i, v->pid)))
		proc_usage(ps, now, &p.cpu_user_ms, &p.cpu_system_ms, &p.rss_bytes);
	if (p.has_last_exit) {
		uint64_t ago = (now - v->last_exit_at) / LOOP_NS_PER_MS;
		p.last_exit_ms = (int64_t)(bnow > ago ? bnow - ago : 0);
	}
	if (d >= 0) {
		const struct spec_dep *dep = &ctl->spec->procs[i].deps[d];
		p.waiting_for = dep->name;
		p.waiting_cond = spec_dep_cond_name(dep->cond);
	} else if (p.blocked && !strncmp(p.blocked, "secrets:", 8)) {
		/* A secrets.required process waits as a dependency does. */
		p.waiting_for = "secrets";
		p.blocked = NULL;
	} else if (p.blocked && !strcmp(p.blocked, "network: applying")) {
		/* network.required: waits until the network settles. */
		p.waiting_for = "network";
		p.blocked = NULL;
	}
	enc_process(w, &p);
}

static void write_modules(const struct ctl_server *ctl, struct jw *w)
{
	const struct modules_report *r = ctl->modules;
	struct enc_modules m;
	if (!r) {
		enc_modules_none(w);
		return;
	}
	m = (struct enc_modules){ r->loaded, r->already, r->builtin, r->failed };
	enc_modules_begin(w, &m);
	for (unsigned i = 0; i < r->nfail; i++)
		enc_module_error(w, r->fail[i].module, r->fail[i].error);
	enc_modules_end(w, r->ms);
}

static void write_counters(const struct ctl_server *ctl, struct jw *w)
{
	struct ctl_vm_counters vc = { 0 };
	struct console_stats cs;
	uint64_t v[ENC_C_COUNT];
	console_get_stats(&cs);
	if (ctl->vm.counters)
		ctl->vm.counters(ctl->vm.ctx, &vc);
	memcpy(v, ctl->count, sizeof(v));
	v[ENC_C_REAPED] = vc.reaped;
	v[ENC_C_ORPHANS] = vc.orphans;
	v[ENC_C_CONSOLE_DROPPED_LINES] = cs.dropped_lines;
	v[ENC_C_LOG_LINES] = ring_next(&ctl->logs) - 1;
	v[ENC_C_LOG_LINES_OVERWRITTEN] = ctl->logs.evicted;
	v[ENC_C_EVENTS] = ring_next(&ctl->events) - 1;
	v[ENC_C_EVENTS_OVERWRITTEN] = ctl->events.evicted;
	v[ENC_C_CONNECTIONS] = ctl->nconns;
	v[ENC_C_EXECS_RUNNING] = exec_running();
	enc_counters(w, v, ctl->vm.counters != NULL);
}

void ctl_op_status(struct conn *c, const struct ctl_req *q)
{
	struct ctl_server *ctl = c->ctl;
	const struct spec *spec = ctl->spec;
	const char *phase = ctl->vm.shutdown_phase ? ctl->vm.shutdown_phase(ctl->vm.ctx) : NULL;
	int only = -1;
	uint64_t now = loop_now(), bnow = clock_boot_ms();
	struct jw *w;
	if (q->has_process && (only = ctl_find_process(c, q)) < 0)
		return;
	w = ctl_reply_begin(c, q->id);
	enc_status_head(w, bnow, phase);
	enc_spec_summary(w, spec ? spec->path : NULL, spec && spec->nerrors == 0, spec ? spec->errors : NULL,
			 spec ? spec->nerrors : 0, spec ? spec->errors_dropped : 0);
	write_modules(ctl, w);
	ctl_write_storage(ctl, w);
	ctl_write_secrets(ctl, w);
	ctl_write_clock(ctl, w);
	ctl_write_resources(ctl, w);
	ctl_write_network(ctl, w);
	enc_processes_begin(w);
	for (size_t i = 0; ctl->sup && i < sup_count(ctl->sup); i++)
		if (only < 0 || (size_t)only == i)
			write_process(ctl, w, i, now, bnow);
	enc_processes_end(w);
	write_counters(ctl, w);
	ctl_reply_end(c, w, q->id);
}
