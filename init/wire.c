/* wire.c - the one place where PID 1's modules are created and hooked
 * together.
 *
 * Owns: the order of set-up (loop, console, signals, host channel, spec,
 * health checks, supervisor), the hooks that carry the supervisor's and the
 * health checks' news to each other, to the host channel and to the
 * shutdown, and the choice of the channel's addresses.
 *
 *   supervisor --settled--> shutdown (all work done)
 *              --event/log--> host channel, health checks (started/stopped)
 *   health     --changed--> console, host channel, supervisor (dependencies)
 *              --give_up--> supervisor (liveness, startup timeout)
 *
 * Invariants: every hook gets the vm as its ctx. Set-up runs before the loop:
 * a failure is logged and leaves its part off; only a missing loop stops it.
 */
#include "vm.h"
#include "boot.h"
#include "base/console.h"
#include "control/ctl.h"
#include "health/health.h"
#include "network/apply.h"
#include "resources/resources.h"
#include "secrets/store.h"
#include "storage/storage.h"
#include "supervisor/spawn.h"
#include "supervisor/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_TIMERS 4096
/* PID 1's own start-up (wire_start): FIRST_EXEC_SETTLE_US after the first
 * processes' exec, at most FIRST_EXEC_WAIT_MS after their fork. */
#define FIRST_EXEC_SETTLE_US 1000
#define FIRST_EXEC_WAIT_MS 50

/* ---- supervisor and health checks: their news to the rest ---- */

static void on_svc_event(void *ctx, size_t i, const struct svc *s, enum svc_event ev, long arg)
{
	struct vm *vm = ctx;
	struct rsc_oom o;
	/* OOM kills are counted per hook and per run of the main process; one
	 * that ended it is known before the exit's event is written. */
	if (vm->rs && ev == SVC_EV_SPAWNED)
		rsc_run_started(vm->rs, i);
	else if (vm->rs && (ev == SVC_EV_EXITED || ev == SVC_EV_PRESTART_FAILED))
		rsc_run_ended(vm->rs, i, &o);
	if (vm->ctl)
		ctl_on_svc(vm->ctl, i, s, ev, arg);
	if (ev == SVC_EV_SPAWNED && arg == SVC_PHASE_MAIN)
		hc_process_started(vm->hc, i);
	else if (ev == SVC_EV_EXITED)   /* only a main process's exit */
		hc_process_stopped(vm->hc, i);
}

static void on_svc_log(void *ctx, size_t i, int stream, const char *line, size_t len, int plain)
{
	struct vm *vm = ctx;
	if (vm->ctl)
		ctl_on_log(vm->ctl, i, stream, line, len, plain);
}

static size_t on_svc_log_room(void *ctx, size_t *lines)
{
	return ctl_log_room(((struct vm *)ctx)->ctl, lines);
}

static void on_health(void *ctx, size_t i, enum hc_role role, enum hc_state to, const char *reason)
{
	struct vm *vm = ctx;
	const char *name = vm->spec->procs[i].name;
	const char *check = role == HC_READINESS ? "health" : "liveness";
	if (to == HC_UNHEALTHY)
		log_warn("%s: %s: unhealthy (%s)", name, check, reason ? reason : "failed");
	else
		log_info("%s: %s: %s", name, check, hc_state_name(to));
	if (vm->ctl)
		ctl_event_health(vm->ctl, i, role, to, reason);
	if (vm->sup)
		sup_recheck(vm->sup);   /* a dependent may wait for "healthy" */
}

static void on_give_up(void *ctx, size_t i, const char *why)
{
	struct vm *vm = ctx;
	if (!vm->sup || vm->sd != SD_NONE)
		return;
	if (sup_fail(vm->sup, i, why) == 0 && vm->ctl)
		ctl_event_give_up(vm->ctl, i, why);
}

/* ---- resources: a process's cgroup, and its OOM kills ---- */

static const char *proc_cgroup(void *ctx, size_t i)
{
	struct vm *vm = ctx;
	return vm->rs ? rsc_proc_dir(vm->rs, i) : NULL;
}

static int proc_cg_signal(void *ctx, size_t i, int sig, pid_t skip_pgrp)
{
	struct vm *vm = ctx;
	return vm->rs ? rsc_signal(vm->rs, i, sig, skip_pgrp) : -1;
}

static void mib(char *buf, size_t len, int64_t bytes)
{
	if (bytes < 0)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
}

static void on_oom(void *ctx, size_t i, const struct rsc_oom *o)
{
	struct vm *vm = ctx;
	char limit[32], peak[32];
	mib(limit, sizeof(limit), o->limit);
	mib(peak, sizeof(peak), o->peak);
	if (o->kind == RSC_OOM_LIMIT)
		log_warn("%s: out of memory: %llu task%s killed at its limit of %s (peak %s)",
			 vm->spec->procs[i].name, (unsigned long long)o->kills, o->kills == 1 ? "" : "s",
			 limit, peak);
	else
		log_warn("%s: the VM ran out of memory: %llu task%s of it killed (its limit %s, peak %s)",
			 vm->spec->procs[i].name, (unsigned long long)o->kills, o->kills == 1 ? "" : "s",
			 limit, peak);
	if (vm->ctl)
		ctl_event_oom(vm->ctl, i, o);
}

/* ---- storage: the volumes' news, and whether a process may start ---- */

/* Its volumes, the network (network.required: applied, nothing failed),
 * then its secrets (secrets.required: a bundle, even an empty one, must
 * have come). */
static int process_ready(void *ctx, size_t i, char *why, size_t len)
{
	struct vm *vm = ctx;
	struct secrets_info si = { 0 };
	int r = vm->st ? storage_ready(vm->st, &vm->spec->procs[i], why, len) : 0;
	if (r == 0)
		r = net_ready(vm->net, why, len);   /* network.required */
	if (r != 0 || !vm->spec->procs[i].secrets_required)
		return r;
	if (vm->sec)
		secrets_store_info(vm->sec, &si);
	if (si.delivered)
		return 0;
	snprintf(why, len, "secrets: no bundle delivered yet");
	return 1;
}

/* /run/secrets, its tmpfs and the store, once: at the first need of it, or
 * once the first processes have started (wire_start). */
static void make_secrets(struct vm *vm)
{
	if (!vm->sec_later)
		return;
	vm->sec_later = 0;
	vm->sec = secrets_store_new(SECRETS_DIR);
	if (vm->ctl)
		ctl_set_secrets(vm->ctl, vm->sec);
}

static int secrets_dir(void *ctx, uid_t uid, gid_t gid, char *ret, size_t len)
{
	struct vm *vm = ctx;
	make_secrets(vm);
	return vm->sec ? secrets_store_user(vm->sec, uid, gid, ret, len) : -1;
}

/* A new bundle: what waits for one may start; a process that asked for it
 * is restarted or signalled (x-secrets_reload). */
static void on_secrets(void *ctx)
{
	struct vm *vm = ctx;
	if (!vm->sup || vm->sd != SD_NONE)
		return;
	for (size_t i = 0; i < vm->spec->nprocs; i++) {
		const struct spec_process *sp = &vm->spec->procs[i];
		const struct svc *v = sup_svc(vm->sup, i);
		if (v->state != SVC_RUNNING || sp->secrets_reload == SPEC_RELOAD_NONE)
			continue;
		log_info("%s: new secrets: %s", sp->name,
			 sp->secrets_reload == SPEC_RELOAD_RESTART ? "restarting it" : "signalling it");
		if (sp->secrets_reload == SPEC_RELOAD_RESTART)
			sup_restart(vm->sup, i);
		else
			sup_signal(vm->sup, i, sp->secrets_reload_signal);
	}
	sup_recheck(vm->sup);
}

static void on_storage(void *ctx, int i)
{
	struct vm *vm = ctx;
	if (vm->ctl)
		ctl_event_storage(vm->ctl, i);
	if (vm->sup && vm->sd == SD_NONE)
		sup_recheck(vm->sup);   /* a process may wait for this volume */
}

static int is_healthy(void *ctx, size_t i)
{
	struct vm *vm = ctx;
	return hc_healthy(vm->hc, i);
}

static void on_settled(void *ctx)
{
	struct vm *vm = ctx;
	if (vm->sd != SD_NONE) {
		shutdown_progress(vm);
		return;
	}
	/* A process the host stopped, or one its volume holds back, is not
	 * "work done": the host decides. */
	if (vm->started && sup_all_settled(vm->sup) && !sup_any_held(vm->sup) && !sup_any_blocked(vm->sup))
		shutdown_begin(vm, "every process has exited and none will restart");
}

/* ---- the host channel ---- */

static const char *ctl_hook_phase(void *ctx)
{
	return shutdown_phase(ctx);
}

static void ctl_hook_shutdown(void *ctx, const char *why, int reboot)
{
	shutdown_request(ctx, why, reboot);
}

static void ctl_hook_counters(void *ctx, struct ctl_vm_counters *c)
{
	const struct vm *vm = ctx;
	c->reaped = vm->reaped;
	c->orphans = vm->orphans;
}

/* The spec's control list, comma-separated: the addresses that fit whole. */
static void join_spec_control(const struct spec *spec, struct wire_addrs *ret)
{
	char *list = ret->control;
	list[0] = '\0';
	for (size_t i = 0; i < spec->guest.control.n; i++) {
		size_t n = strlen(list);
		int w = snprintf(list + n, sizeof(ret->control) - n, "%s%s", n ? "," : "", spec->guest.control.v[i]);
		if (w < 0 || (size_t)w >= sizeof(ret->control) - n) {
			/* Never a cut address: it could name another path. */
			list[n] = '\0';
			log_error("control: the list is over %zu bytes: %s and later ones skipped",
				  sizeof(ret->control) - 1, spec->guest.control.v[i]);
			break;
		}
	}
}

void wire_control_addrs(const struct vminit_opts *o, int pid1, const char *cmdline,
			const struct spec *spec, struct wire_addrs *ret)
{
	if (o && o->control[0]) {
		snprintf(ret->control, sizeof(ret->control), "%s", o->control);
	} else if (pid1 && boot_cmdline_get(cmdline, "vminit.control", ret->control, sizeof(ret->control)) == 0) {
		/* as given */
	} else if (spec && spec->guest.control.set) {
		join_spec_control(spec, ret);
	} else {
		/* The defaults are a VM's; `vminit run` on a host and the wrap
		 * form listen only where they are told to. */
		snprintf(ret->control, sizeof(ret->control), "%s",
			 pid1 && !(o && o->wrap) ? CTL_DEFAULT_CONTROL : "");
	}
	ret->push = NULL;
	if (o && o->push)
		ret->push = o->push;
	else if (pid1 && boot_cmdline_get(cmdline, "vminit.push", ret->push_buf, sizeof(ret->push_buf)) == 0)
		ret->push = ret->push_buf;
	else if (spec && spec->guest.push)
		ret->push = spec->guest.push;
}

/* A container's kernel and its command line are the host's, not ours: the
 * wrap form there reads neither. */
static int vm_own_kernel(const struct vm *vm)
{
	return vm->pid1 && !(vm->wrap && vm->contained);
}

/* What the server must know before a process starts: the spec, its
 * supervisor (the start's events name them) and the root's state. */
static void setup_ctl(struct vm *vm)
{
	ctl_set_spec(vm->ctl, vm->spec, vm->sup);
	if (vm->st && storage_root(vm->st)->state != STORAGE_NONE)
		ctl_event_storage(vm->ctl, -1);
}

/* Where the host reaches us, and the kernel's vmgenid notices: once the
 * first processes have started (wire_start), since none needs them. A client that
 * connects earlier is refused as it was while PID 1 booted; the events
 * since boot wait in the ring, so it misses none. */
static void listen_ctl(struct vm *vm)
{
	struct wire_addrs a;
	wire_control_addrs(vm->opts, vm_own_kernel(vm), NULL, vm->spec, &a);
	ctl_listen(vm->ctl, a.control);
	ctl_push(vm->ctl, a.push);
	/* The kernel's vmgenid notices: PID 1's kernel is the VM's own. */
	if (vm_own_kernel(vm))
		resume_watch(vm);
}

/* The wrap form told to listen nowhere and push nowhere has no channel at
 * all: nobody could ever read its rings (2 MiB of them). */
static int channel_wanted(const struct vm *vm)
{
	struct wire_addrs a;
	if (!vm->wrap)
		return 1;
	wire_control_addrs(vm->opts, vm_own_kernel(vm), NULL, NULL, &a);
	return a.control[0] || a.push;
}

/* Rings and state first: every later step may emit an event. */
static void setup_channel_state(struct vm *vm)
{
	struct ctl_vm c = {
		.loop = vm->loop, .pid1 = vm->pid1, .started_ms = vm->started_ms,
		.shutdown_phase = ctl_hook_phase, .shutdown = ctl_hook_shutdown,
		.counters = ctl_hook_counters, .secrets_changed = on_secrets,
		.resumed = resume_hook_signal, .resume_info = resume_hook_info, .ctx = vm,
	};
	vm->ctl = ctl_new(&c);
	if (!vm->ctl)
		log_error("no memory for the host channel: it is off");
	else
		ctl_set_modules(vm->ctl, &vm->modules);
}

/* ---- set-up ---- */

static void report_spec_errors(const struct vm *vm)
{
	const struct spec *s = vm->spec;
	for (size_t i = 0; i < s->nerrors; i++)
		log_error("spec: %s", s->errors[i]);
	if (s->errors_dropped)
		log_error("spec: %zu more errors not shown", s->errors_dropped);
	log_error("spec %s has %zu errors: no process started%s",
		  s->path, s->nerrors + s->errors_dropped, vm->pid1 ? "; waiting to be shut down" : "");
}

/* A valid spec: its guest settings, health checks and processes. */
static void setup_processes(struct vm *vm)
{
	/* A mount namespace per process only where there is something to
	 * see or hide: volumes, or the root's own mounts. */
	int views = vm->st && (vm->spec->nvols || storage_root(vm->st)->state == STORAGE_MOUNTED);
	const struct sup_hooks hooks = {
		.settled = on_settled, .event = on_svc_event, .log = on_svc_log,
		.log_room = vm->ctl ? on_svc_log_room : NULL, .healthy = is_healthy, .ready = process_ready,
		.vol_dir = views ? STORAGE_VOLUMES_DIR : NULL, .hide = views ? STORAGE_DIR : NULL,
		.secrets_dir = vm->sec || vm->sec_later ? secrets_dir : NULL,
		.cgroup = vm->rs ? proc_cgroup : NULL, .cg_signal = vm->rs ? proc_cg_signal : NULL,
		.nofile = vm->nofile, .ctx = vm,
	};
	const struct hc_hooks hh = { .changed = on_health, .give_up = on_give_up, .ctx = vm };

	/* /run/secrets before the first fork only if a first process may
	 * need it then: one that runs as a user other than root gets its copy
	 * bound there (made then, by secrets_dir), and one in a namespace of
	 * its own (views) sees only what PID 1 mounted before. Otherwise it
	 * comes once they have started (wire_start), before the host can
	 * connect: no bundle can come before, so a process sees the same
	 * (docs/secrets.md). */
	if (views || vm->spec->env.user || vm->spec->image.user)
		make_secrets(vm);
	for (size_t i = 0; i < vm->spec->nprocs; i++)
		if (vm->spec->procs[i].user)
			make_secrets(vm);
	vm->halt = vm->spec->guest.halt;
	vm->stop_timeout_ns = (uint64_t)vm->spec->guest.stop_timeout * LOOP_NS_PER_SEC;
	if (vm->pid1 && !vm->wrap && boot_set_hostname(vm->spec->guest.hostname) < 0)
		log_warn("sethostname %s: %s", vm->spec->guest.hostname, strerror(errno));
	vm->hc = hc_new(vm->loop, vm->spec, &hh);
	if (!vm->hc)
		log_error("out of memory setting up health checks: they are off");
	else if (vm->ctl)
		ctl_set_health(vm->ctl, vm->hc);
	vm->sup = sup_new(vm->loop, vm->spec, &hooks);
	if (!vm->sup)
		log_error("out of memory setting up processes");
}

/* PID 1 only: the spec's root, then the volumes' state. A root that cannot
 * be mounted is reported as a bad spec is: nothing starts. -1 then. */
static int setup_storage(struct vm *vm)
{
	const struct storage_hooks hooks = { .changed = on_storage, .ctx = vm };
	struct storage_root root;
	int rc;
	if (!vm->pid1 || vm->wrap)
		return 0;
	rc = storage_root_switch(vm->spec, &root);
	vm->st = storage_new(vm->loop, vm->spec, &root, &hooks);
	/* After the switch: /run/secrets is in the root the processes see.
	 * Made now, or after the first start (setup_processes). */
	vm->sec_later = rc == 0;
	if (!vm->st)
		log_error("out of memory for the volumes: they are off");
	if (vm->ctl)
		ctl_set_storage(vm->ctl, vm->st);   /* its event once the server has the spec */
	if (rc < 0)
		log_error("no root file system: no process started; waiting to be shut down");
	return rc;
}

/* PID 1 only: the fd limit its children get back (spawn.h) once PID 1 has
 * raised its own (protect_pid1). */
static void note_nofile(struct vm *vm)
{
	struct rlimit rl;
	if (vm->pid1 && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
		vm->nofile = (unsigned long)rl.rlim_cur;
}

/* PID 1 only, whatever the spec: never the OOM killer's choice, the CPU
 * before the processes when both want it (nice, docs/resources.md), and room
 * for every process's cgroup files, the health probes and the host's
 * connections. Once the first processes have started (wire_start): the
 * first child has nothing of it to undo, and none of it is a process's
 * need. */
static void protect_pid1(struct vm *vm)
{
	struct rlimit rl;
	char err[256];
	int before, oom;
	/* A wrapped command in a container: the runtime's business. */
	if (!vm->pid1 || (vm->wrap && vm->contained))
		return;
	errno = 0;
	before = getpriority(PRIO_PROCESS, 0);
	if (errno == 0)
		spawn_note_niced(before);
	if (rsc_protect_self(&oom, err, sizeof(err)) < 0)
		log_warn("protecting PID 1: %s", err);
	spawn_note_oom(oom);
	if (vm->nofile && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn("raising the fd limit: %s", strerror(errno));
	}
}

/* PID 1 only, after the root switch (the cgroup2 mount moved with /sys):
 * the tree, a cgroup per process. Without a tree (not delegated, no
 * cgroup2), every process runs as before, and status says why. */
static void setup_resources(struct vm *vm)
{
	const struct rsc_hooks hooks = { .oom = on_oom, .ctx = vm };
	if (!vm->pid1 || vm->wrap)
		return;
	vm->rs = rsc_new(vm->loop, vm->spec, &hooks, NULL);
	if (!vm->rs) {
		log_error("out of memory for the cgroups: they are off");
		return;
	}
	if (vm->ctl)
		ctl_set_resources(vm->ctl, vm->rs);
}

int wire_setup(struct vm *vm, const char *spec_path)
{
	vm->halt = SPEC_HALT_POWEROFF;
	vm->stop_timeout_ns = 10 * LOOP_NS_PER_SEC;
	resume_init(&vm->resume);
	if (vm->sigfd < 0) {   /* signals_block() could not make one */
		log_error("no signalfd: vminit cannot take signals or reap");
		return -1;
	}
	vm->loop = loop_new(MAX_TIMERS);
	if (!vm->loop) {
		log_error("cannot create the event loop: %s", strerror(errno));
		return -1;
	}
	console_attach(vm->loop);
	if (signals_watch(vm) < 0) {
		log_error("cannot watch signals: %s", strerror(errno));
		return -1;
	}
	shutdown_init(vm);
	reap_init(vm);
	if (channel_wanted(vm))
		setup_channel_state(vm);
	note_nofile(vm);

	if (vm->wrap) {
		vm->spec = spec_wrap_new(vm->opts->wrap, environ);
	} else {
		log_info("reading spec %s", spec_path);
		vm->spec = spec_load_file(spec_path);
	}
	if (vm->ctl)
		ctl_mark(vm->ctl, CTL_MARK_SPEC);
	if (!vm->spec) {
		log_error("out of memory reading the spec");
		if (vm->ctl)
			setup_ctl(vm);
		return 0;
	}
	if (vm->spec->nerrors) {
		report_spec_errors(vm);
		if (vm->ctl)
			setup_ctl(vm);
		return 0;
	}
	if (setup_storage(vm) < 0) {
		if (vm->ctl)
			setup_ctl(vm);
		return 0;
	}
	setup_resources(vm);
	if (!vm->wrap)   /* a wrapped command has no network section */
		wire_net_setup(vm);
	setup_processes(vm);
	if (vm->ctl)
		setup_ctl(vm);
	return 0;
}

/* PID 1's own start-up that no process needs: the secrets' tmpfs when no
 * first process needed it, the cgroups' news, PID 1's protection, the host's
 * listener and push, and (settled) whether all is already over. */
static void after_start(struct vm *vm, int settled)
{
	make_secrets(vm);
	if (vm->rs && !rsc_tree(vm->rs)->on)
		log_info("cgroups: off: %s", rsc_tree(vm->rs)->error);
	else if (vm->rs && rsc_tree(vm->rs)->error[0])
		log_warn("cgroups: %s", rsc_tree(vm->rs)->error);
	protect_pid1(vm);
	if (vm->ctl)
		listen_ctl(vm);
	if (vm->sup && settled)
		on_settled(vm);
}

static void first_exec_unwatch(struct vm *vm)
{
	int fd = vm->first_exec.fd;
	if (fd < 0)
		return;
	loop_io_del(vm->loop, &vm->first_exec);
	close(fd);
}

/* A stop that comes while PID 1's own start-up still waits (shutdown.c):
 * it comes first, so that the host's listener and push are there for the
 * final events. */
void wire_start_done(struct vm *vm)
{
	if (!loop_timer_armed(&vm->first_exec_late))
		return;
	loop_timer_cancel(vm->loop, &vm->first_exec_late);
	first_exec_unwatch(vm);
	after_start(vm, 0);
}

/* The exec pipe's end of file: every first child has exec'd or exited.
 * PID 1 leaves them FIRST_EXEC_SETTLE_US more, for their own start (a
 * wake-up here would take the CPU from them). */
static void on_first_exec(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct vm *vm = io->ctx;
	char b;
	(void)events;
	if (read(io->fd, &b, 1) < 0 && errno == EAGAIN)
		return;
	first_exec_unwatch(vm);
	if (loop_timer_in(l, &vm->first_exec_late, (uint64_t)FIRST_EXEC_SETTLE_US * 1000) < 0) {
		loop_timer_cancel(l, &vm->first_exec_late);
		after_start(vm, 1);
	}
}

/* The settle time is over, or a child's set-up hangs (a root on a stuck
 * disk): PID 1's own start-up waits no longer. */
static void on_first_exec_late(struct loop *l, struct loop_timer *t)
{
	struct vm *vm = t->ctx;
	(void)l;
	first_exec_unwatch(vm);
	after_start(vm, 1);
}

/* The processes first: what PID 1 does next, none of them needs. Before
 * them, the kernel's knobs read-only in PID 1's namespace, which they
 * share (spawn.h): a VM's or a container's PID 1 with a spec; the wrap
 * form's command keeps PID 1's privileges anyway.
 * Then PID 1 sleeps until the first children have exec'd (docs/
 * architecture.md, "PID 1's duties"): each holds a copy of the exec pipe's
 * write end until its exec closes it (spawn.c closes PID 1's fds at the exec,
 * not before), so the pipe's end of file says all of them have; at most
 * FIRST_EXEC_WAIT_MS. Meanwhile a child has the CPU to itself, not PID 1's
 * ~0.4 ms of after_start() at a higher priority. */
void wire_start(struct vm *vm)
{
	int ep[2] = { -1, -1 };
	vm->first_exec.fd = -1;
	if (vm->pid1 && !vm->wrap && vm->sup && spawn_guard_pid1() < 0)
		log_info("kernel files: each process makes them read-only in a namespace of its own: %s",
			 strerror(errno));
	if (vm->st && vm->sup)
		storage_start(vm->st);   /* what is there is mounted before a start */
	if (vm->sup) {
		if (pipe2(ep, O_CLOEXEC | O_NONBLOCK) < 0)
			ep[0] = ep[1] = -1;
		sup_start_all(vm->sup);
		vm->started = 1;
		if (ep[1] >= 0)
			close(ep[1]);
	}
	loop_timer_init(&vm->first_exec_late, on_first_exec_late, vm);
	if (ep[0] >= 0 && loop_io_add(vm->loop, &vm->first_exec, ep[0], EPOLLIN, on_first_exec, vm) == 0) {
		if (loop_timer_in(vm->loop, &vm->first_exec_late,
				  (uint64_t)FIRST_EXEC_WAIT_MS * LOOP_NS_PER_MS) == 0)
			return;
		loop_io_del(vm->loop, &vm->first_exec);
	}
	if (ep[0] >= 0)
		close(ep[0]);
	after_start(vm, 1);
}

/* ---- the loop ---- */

void wire_run_once(struct vm *vm)
{
	if (loop_run_once(vm->loop) < 0 && errno != EINTR) {
		log_error("epoll_wait: %s", strerror(errno));
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (vm->ctl) {
		ctl_after_batch(vm->ctl);
		/* Followers moved: the pipes held for them are read again. */
		if (ctl_log_resume(vm->ctl) && vm->sup)
			sup_output_resume(vm->sup);
	}
}

void wire_flush_channel(struct vm *vm)
{
	uint64_t deadline = loop_now() + (uint64_t)CTL_FLUSH_MS * LOOP_NS_PER_MS;
	if (!vm->ctl)
		return;
	ctl_after_batch(vm->ctl);
	while (!ctl_flushed(vm->ctl) && loop_now() < deadline) {
		loop_timer_at(vm->loop, &vm->sd_timer, deadline);
		wire_run_once(vm);
	}
	if (!ctl_flushed(vm->ctl))
		log_warn("the host did not take the last events within %d ms", CTL_FLUSH_MS);
}
