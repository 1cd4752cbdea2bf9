/* vminit.c - PID 1's life: set-up, the loop, reaping, signals, shutdown.
 *
 * Owns: the one struct vm, the signalfd, the shutdown sequence.
 *
 *   boot -> load spec -> start processes -> loop ... -> shutdown -> halt
 *
 * Shutdown (SIGTERM, SIGINT from Ctrl-Alt-Del, SIGPWR, or all work done):
 *   1. every process's want goes down: SIGTERM to its group, SIGKILL after
 *      guest.stop_timeout_seconds (svc.c); a safety net kills everything if
 *      they have not all settled KILL_GRACE after that;
 *   2. once all processes have settled, SIGTERM to everything left, and
 *      stop_timeout for it to go;
 *   3. then SIGKILL to everything left, and up to KILL_GRACE for the kernel
 *      to deliver it;
 *   4. when no child is left: final statuses, sync, unmount, reboot(2).
 * A second shutdown request during 1-2, a second or more after the first,
 * skips to 3.
 *
 * Invariants: every signal PID 1 handles arrives through the signalfd (they
 * are blocked), except the fatal ones (SIGSEGV ...), whose handler logs and
 * powers off without returning. Every child is reaped by reap_children(), the
 * only waitpid() caller. Nothing here blocks after the loop starts.
 *
 * Before loop_run: set-up errors are logged and boot goes on. After: PID 1
 * must not die; failures are logged and counted.
 */
#include "vminit.h"
#include "boot.h"
#include "base/children.h"
#include "base/console.h"
#include "control/ctl.h"
#include "halt.h"
#include "base/loop.h"
#include "kmod/modules.h"
#include "health/health.h"
#include "supervisor/exec.h"
#include "spec/spec.h"
#include "supervisor/supervisor.h"
#include "base/clock.h"
#include "base/version.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TIMERS 4096
#define REAP_BATCH 4096
#define KILL_GRACE_NS (5 * LOOP_NS_PER_SEC)
#define ESCALATE_AFTER_NS LOOP_NS_PER_SEC
#define SIGNAL_READ_BATCH 4          /* signalfd reads per wake-up */

enum sd_phase { SD_NONE, SD_STOPPING, SD_TERM_REST, SD_KILLED, SD_DONE };

struct vm {
	int pid1;
	struct loop *loop;
	struct spec *spec;
	struct sup *sup;
	int started;
	int sigfd;
	struct loop_io sigio;
	struct loop_timer reap_more;
	enum sd_phase sd;
	uint64_t sd_started;
	enum spec_halt halt;
	uint64_t stop_timeout_ns;
	struct loop_timer sd_timer;
	uint64_t reaped, orphans;
	int exit_code;
	int ctl_ok;
	int64_t started_ms;
	const struct vminit_opts *opts;
	struct modules_report modules;
	struct hc_set *hc;
};

static struct vm vm;

static const int handled_signals[] = {
	SIGCHLD, SIGTERM, SIGINT, SIGPWR, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
};
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP };

/* ---- fatal signals: the one place outside the loop ---- */

static void write_str(const char *s)
{
	/* The console's non-blocking fd: a stuck console must not stop the
	 * power-off. */
	if (write(console_fd(), s, strlen(s)) < 0) {
		/* nothing more to do */
	}
}

static void on_fatal(int sig)
{
	static volatile sig_atomic_t in_fatal;
	char num[8] = "";
	int n = sig, i = 6;
	if (in_fatal++) {
		/* A fault inside this handler: no more words, just end. */
		if (!vm.pid1)
			_exit(128 + sig);
		kill(-1, SIGKILL);
		sync();
		reboot(vm.halt == SPEC_HALT_REBOOT ? RB_AUTOBOOT : RB_POWER_OFF);
		for (;;)
			pause();
	}
	num[7] = '\0';
	do {
		num[i--] = (char)('0' + n % 10);
		n /= 10;
	} while (n && i >= 0);
	write_str("\nvminit: fatal signal ");
	write_str(num + i + 1);
	write_str(" in vminit itself; stopping everything\n");
	if (!vm.pid1)
		_exit(128 + sig);
	/* PID 1 returning or dying panics the kernel. Do the minimum that is
	 * safe with a possibly corrupt heap: TERM, a second, KILL, sync, off. */
	kill(-1, SIGTERM);
	{
		struct timespec ts = { 1, 0 };
		nanosleep(&ts, NULL);
	}
	kill(-1, SIGKILL);
	sync();
	write_str("vminit: powering off after a fatal error\n");
	reboot(vm.halt == SPEC_HALT_REBOOT ? RB_AUTOBOOT : RB_POWER_OFF);
	for (;;)
		pause();
}

static void install_signals(void)
{
	static char altstack[16384];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;
	sigset_t set;

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	/* NODEFER: a fault inside the handler re-enters it (and its guard)
	 * instead of being forced on a blocked signal, which kills PID 1. */
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGTTIN, &sa, NULL);
	sigaction(SIGTTOU, &sa, NULL);

	/* Whoever started us may have left some of these ignored. POSIX leaves
	 * open whether a blocked, ignored signal stays pending (Linux keeps it);
	 * with the default disposition the signalfd sees it everywhere. */
	sa.sa_handler = SIG_DFL;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(handled_signals) / sizeof(handled_signals[0]); i++) {
		sigaction(handled_signals[i], &sa, NULL);
		sigaddset(&set, handled_signals[i]);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
	vm.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* ---- killing what is left ---- */

/* Signal every process left: in PID 1, kill(-1) (all but ourselves); as a
 * subreaper, each of our children (orphans re-parented to us included). */
static int kill_rest(int sig)
{
	DIR *d;
	struct dirent *de;
	int count = 0;
	pid_t self = getpid();

	if (vm.pid1)
		return kill(-1, sig) == 0 ? 1 : 0;
	d = opendir("/proc");
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[64], buf[512], *rp;
		FILE *f;
		int ppid = 0, pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')))
			sscanf(rp + 2, "%*c %d", &ppid);
		fclose(f);
		if (ppid == self && kill(pid, sig) == 0)
			count++;
	}
	closedir(d);
	return count;
}

static int have_children(void)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* ---- shutdown ---- */

static void shutdown_request(const char *why, int reboot);

/* SIGKILL to everything left. Called again as children are reaped: a
 * subreaper finds grandchildren re-parented to it after their parent died. */
static void kill_everything_left(void)
{
	kill_rest(SIGKILL);
}

static void shutdown_finish(void)
{
	if (vm.sd == SD_DONE)
		return;
	vm.sd = SD_DONE;
	loop_timer_cancel(vm.loop, &vm.sd_timer);
	if (vm.sup) {
		sup_log_final(vm.sup);
		vm.exit_code = sup_exit_code(vm.sup);
	}
	log_info("reaped %llu children, %llu of them orphans",
		 (unsigned long long)vm.reaped, (unsigned long long)vm.orphans);
	if (vm.ctl_ok)
		ctl_event_final();
}

static void shutdown_kill(const char *why)
{
	vm.sd = SD_KILLED;
	log_warn("%s: SIGKILL to all", why);
	kill_everything_left();
	loop_timer_in(vm.loop, &vm.sd_timer, KILL_GRACE_NS);
}

static void shutdown_progress(void)
{
	if (vm.sd == SD_STOPPING && (!vm.sup || sup_all_settled(vm.sup))) {
		/* Every process has stopped; what is left (orphans, daemons that
		 * left their group) gets its own SIGTERM and a full stop timeout. */
		vm.sd = SD_TERM_REST;
		if (have_children()) {
			log_info("stopping the remaining processes (SIGTERM)");
			kill_rest(SIGTERM);
			kill_rest(SIGCONT);   /* a stopped one wakes to act on it */
			loop_timer_in(vm.loop, &vm.sd_timer, vm.stop_timeout_ns);
		}
	}
	if (vm.sd == SD_KILLED && have_children())
		kill_everything_left();
	if ((vm.sd == SD_TERM_REST || vm.sd == SD_KILLED) && !have_children())
		shutdown_finish();
}

static void on_sd_timer(struct loop *l, struct loop_timer *t)
{
	(void)l; (void)t;
	switch (vm.sd) {
	case SD_STOPPING:
		/* Each process has its own TERM -> KILL; this is the safety net
		 * for one that does not die even then. */
		shutdown_kill("processes did not stop, even after their SIGKILL");
		break;
	case SD_TERM_REST:
		shutdown_kill("processes still running after SIGTERM and the stop timeout");
		break;
	case SD_KILLED:
		log_error("processes survived SIGKILL for %llus (stuck in the kernel?): going on",
			  (unsigned long long)(KILL_GRACE_NS / LOOP_NS_PER_SEC));
		shutdown_finish();
		break;
	default:
		break;
	}
	shutdown_progress();
}

static void shutdown_begin(const char *why)
{
	shutdown_request(why, 0);
}

static void shutdown_request(const char *why, int reboot)
{
	/* A reboot asked for while a power-off is under way still counts. */
	if (reboot)
		vm.halt = SPEC_HALT_REBOOT;
	if (vm.sd == SD_STOPPING || vm.sd == SD_TERM_REST) {
		/* One signal is often delivered twice (to us and to our process
		 * group, as timeout(1) does): only a request a second later means
		 * "hurry up". */
		if (loop_now() - vm.sd_started < ESCALATE_AFTER_NS) {
			log_info("%s: already shutting down", why);
			return;
		}
		shutdown_kill(why);
		shutdown_progress();
		return;
	}
	if (vm.sd != SD_NONE)
		return;
	log_info("shutting down: %s", why);
	if (vm.ctl_ok)
		ctl_event_shutdown(why, vm.halt == SPEC_HALT_REBOOT);
	vm.sd = SD_STOPPING;
	vm.sd_started = loop_now();
	loop_timer_in(vm.loop, &vm.sd_timer, vm.stop_timeout_ns + KILL_GRACE_NS);
	if (vm.sup)
		sup_stop_all(vm.sup);
	shutdown_progress();
}

/* ---- glue: supervisor events -> health checks and the host channel ---- */

static void on_svc_event(void *ctx, size_t i, const struct svc *s, enum svc_event ev, long arg)
{
	if (vm.ctl_ok)
		ctl_on_svc(ctx, i, s, ev, arg);
	if (ev == SVC_EV_SPAWNED && arg == SVC_PHASE_MAIN)
		hc_process_started(vm.hc, i);
	else if (ev == SVC_EV_EXITED)   /* only a main process's exit */
		hc_process_stopped(vm.hc, i);
}

static void on_svc_log(void *ctx, size_t i, int stream, const char *line, size_t len)
{
	if (vm.ctl_ok)
		ctl_on_log(ctx, i, stream, line, len);
}

static void on_svc_log_dropped(void *ctx, size_t i, uint64_t n)
{
	if (vm.ctl_ok)
		ctl_on_log_dropped(ctx, i, n);
}

static void on_health(void *ctx, size_t i, enum hc_role role, enum hc_state to, const char *reason)
{
	const char *name = vm.spec->procs[i].name;
	const char *check = role == HC_READINESS ? "health" : "liveness";
	(void)ctx;
	if (to == HC_UNHEALTHY)
		log_warn("%s: %s: unhealthy (%s)", name, check, reason ? reason : "failed");
	else
		log_info("%s: %s: %s", name, check, hc_state_name(to));
	if (vm.ctl_ok)
		ctl_event_health(i, role, to, reason);
	if (vm.sup)
		sup_recheck(vm.sup);   /* a dependent may wait for "healthy" */
}

static void on_give_up(void *ctx, size_t i, const char *why)
{
	(void)ctx;
	if (!vm.sup || vm.sd != SD_NONE)
		return;
	if (sup_fail(vm.sup, i, why) == 0 && vm.ctl_ok)
		ctl_event_give_up(i, why);
}

static int is_healthy(void *ctx, size_t i)
{
	(void)ctx;
	return hc_healthy(vm.hc, i);
}

static void on_settled(void *ctx)
{
	(void)ctx;
	if (vm.sd != SD_NONE) {
		shutdown_progress();
		return;
	}
	/* A process the host stopped is not "work done": the host decides. */
	if (vm.started && sup_all_settled(vm.sup) && !sup_any_held(vm.sup))
		shutdown_begin("every process has exited and none will restart");
}

/* ---- reaping and signals ---- */

static void reap_children(void)
{
	int n;
	for (n = 0; n < REAP_BATCH; n++) {
		int st;
		siginfo_t si;
		pid_t pid;
		const struct child *owned;
		/* Look before reaping: while the child is a zombie its pid (and so
		 * its process group id) cannot be reused, so its group can be
		 * signalled safely. */
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == 0)
			break;
		owned = children_find(si.si_pid);   /* its owner, or an orphan */
		if (si.si_code == CLD_STOPPED || si.si_code == CLD_TRAPPED ||
		    si.si_code == CLD_CONTINUED) {
			/* Job control, not an exit: take the notice (WNOWAIT left it)
			 * and tell the owner, which only reports it. */
			siginfo_t jc;
			memset(&jc, 0, sizeof(jc));
			if (waitid(P_PID, (id_t)si.si_pid, &jc, WSTOPPED | WCONTINUED | WNOHANG) < 0 ||
			    jc.si_pid == 0)
				continue;
			if (owned && owned->owner->job_control)
				owned->owner->job_control(owned->ctx, jc.si_pid,
							  jc.si_code == CLD_CONTINUED ? 0 : jc.si_status);
			continue;
		}
		if (owned && owned->owner->before_reap)
			owned->owner->before_reap(owned->ctx, si.si_pid);
		pid = waitpid(si.si_pid, &st, WNOHANG);
		if (pid <= 0)
			break;
		vm.reaped++;
		if (owned)
			children_reaped(owned, st);
		else
			vm.orphans++;
	}
	/* More may be waiting: continue on the next turn rather than starve
	 * the other fds (SIGCHLD does not queue, so do not wait for one). */
	if (n == REAP_BATCH)
		loop_timer_in(vm.loop, &vm.reap_more, 0);
	if (vm.sd != SD_NONE)
		shutdown_progress();
}

static void on_reap_more(struct loop *l, struct loop_timer *t)
{
	(void)l; (void)t;
	reap_children();
}

/* At most one line a second about ignored signals, with a count of the rest:
 * a process sending them in a loop must not flood the console. */
static void note_ignored(int sig, uint32_t from)
{
	static uint64_t last_ns, unlogged;
	uint64_t now = loop_now();
	if (last_ns && now - last_ns < LOOP_NS_PER_SEC) {
		unlogged++;
		return;
	}
	if (unlogged)
		log_info("ignoring signal %d from pid %u (and %llu more since the last notice)",
			 sig, from, (unsigned long long)unlogged);
	else
		log_info("ignoring signal %d from pid %u", sig, from);
	last_ns = now;
	unlogged = 0;
}

static void on_signal(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct signalfd_siginfo si[16];
	ssize_t n;
	int chld = 0, reads = 0;
	(void)l; (void)events;

	/* Bounded per wake-up: a process sending signals in a loop cannot hold
	 * the loop (epoll is level-triggered: the rest comes next turn). */
	while (reads++ < SIGNAL_READ_BATCH && (n = read(io->fd, si, sizeof(si))) > 0) {
		for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++) {
			int sig = (int)si[i].ssi_signo;
			switch (sig) {
			case SIGCHLD:
				chld = 1;
				break;
			case SIGTERM:
				shutdown_begin("SIGTERM");
				break;
			case SIGINT:
				shutdown_begin(vm.pid1 ? "SIGINT (Ctrl-Alt-Del)" : "SIGINT");
				break;
			case SIGPWR:
				shutdown_begin("SIGPWR");
				break;
			case SIGQUIT:
				shutdown_begin("SIGQUIT");
				break;
			default:
				note_ignored(sig, si[i].ssi_pid);
				break;
			}
		}
	}
	if (chld)
		reap_children();
}

/* ---- set-up shared by both modes (before the loop: may not fail) ---- */

static void report_spec_errors(const struct spec *s)
{
	for (size_t i = 0; i < s->nerrors; i++)
		log_error("spec: %s", s->errors[i]);
	if (s->errors_dropped)
		log_error("spec: %zu more errors not shown", s->errors_dropped);
	log_error("spec %s has %zu errors: no process started%s",
		  s->path, s->nerrors + s->errors_dropped, vm.pid1 ? "; waiting to be shut down" : "");
}

static const char *shutdown_phase(void)
{
	static const char *const names[] = {
		[SD_NONE] = NULL, [SD_STOPPING] = "stopping", [SD_TERM_REST] = "terminating",
		[SD_KILLED] = "killing", [SD_DONE] = "done",
	};
	return names[vm.sd];
}

static void vm_counters(struct ctl_vm_counters *c)
{
	c->reaped = vm.reaped;
	c->orphans = vm.orphans;
}

/* The host channel: addresses from vminit's options, else the kernel's
 * command line, else the spec, else the defaults (PID 1 only). */
static void setup_ctl(void)
{
	char list[1024], push[256];
	const struct vminit_opts *o = vm.opts;
	const char *pushaddr = NULL;

	if (o && o->control[0]) {
		snprintf(list, sizeof(list), "%s", o->control);
	} else if (vm.pid1 && boot_cmdline_get(NULL, "vminit.control", list, sizeof(list)) == 0) {
		/* as given */
	} else if (vm.spec && vm.spec->guest.control.set) {
		list[0] = '\0';
		for (size_t i = 0; i < vm.spec->guest.control.n; i++) {
			size_t n = strlen(list);
			int w = snprintf(list + n, sizeof(list) - n, "%s%s", n ? "," : "", vm.spec->guest.control.v[i]);
			if (w < 0 || (size_t)w >= sizeof(list) - n) {
				/* Never a cut address: it could name another path. */
				list[n] = '\0';
				log_error("control: the list is over %zu bytes: %s and later ones skipped",
					  sizeof(list) - 1, vm.spec->guest.control.v[i]);
				break;
			}
		}
	} else {
		/* The defaults are a VM's; `vminit run` on a host listens only
		 * where it is told to. */
		snprintf(list, sizeof(list), "%s", vm.pid1 ? CTL_DEFAULT_CONTROL : "");
	}
	if (o && o->push)
		pushaddr = o->push;
	else if (vm.pid1 && boot_cmdline_get(NULL, "vminit.push", push, sizeof(push)) == 0)
		pushaddr = push;
	else if (vm.spec && vm.spec->guest.push)
		pushaddr = vm.spec->guest.push;
	ctl_set_spec(vm.spec, vm.sup);
	ctl_listen(list);
	ctl_push(pushaddr);
}

static int setup(const char *spec_path)
{
	static const struct sup_hooks hooks = {
		.settled = on_settled, .event = on_svc_event, .log = on_svc_log, .log_dropped = on_svc_log_dropped, .healthy = is_healthy,
	};
	const struct ctl_vm cv = {
		.pid1 = vm.pid1, .shutdown_phase = shutdown_phase,
		.shutdown = shutdown_request, .counters = vm_counters,
	};

	vm.halt = SPEC_HALT_POWEROFF;
	vm.stop_timeout_ns = 10 * LOOP_NS_PER_SEC;
	vm.loop = loop_new(MAX_TIMERS);
	if (!vm.loop || vm.sigfd < 0) {
		log_error("cannot create the event loop: %s", strerror(errno));
		return -1;
	}
	console_attach(vm.loop);
	vm.sigio.fd = -1;
	if (loop_io_add(vm.loop, &vm.sigio, vm.sigfd, EPOLLIN, on_signal, NULL) < 0) {
		log_error("cannot watch signals: %s", strerror(errno));
		return -1;
	}
	loop_timer_init(&vm.sd_timer, on_sd_timer, NULL);
	loop_timer_init(&vm.reap_more, on_reap_more, NULL);
	{
		struct ctl_vm c = cv;
		c.loop = vm.loop;
		c.started_ms = vm.started_ms;
		if (ctl_init(&c) < 0) {
			log_error("no memory for the host channel: it is off");
		} else {
			vm.ctl_ok = 1;
			ctl_set_modules(&vm.modules);
		}
	}

	log_info("reading spec %s", spec_path);
	vm.spec = spec_load_file(spec_path);
	if (vm.ctl_ok)
		ctl_mark(CTL_MARK_SPEC);
	if (!vm.spec) {
		log_error("out of memory reading the spec");
		if (vm.ctl_ok)
			setup_ctl();
		return 0;
	}
	if (vm.spec->nerrors) {
		report_spec_errors(vm.spec);
		if (vm.ctl_ok)
			setup_ctl();
		return 0;
	}
	vm.halt = vm.spec->guest.halt;
	vm.stop_timeout_ns = (uint64_t)vm.spec->guest.stop_timeout * LOOP_NS_PER_SEC;
	if (vm.pid1 && boot_set_hostname(vm.spec->guest.hostname) < 0)
		log_warn("sethostname %s: %s", vm.spec->guest.hostname, strerror(errno));
	{
		static const struct hc_hooks hh = { .changed = on_health, .give_up = on_give_up };
		vm.hc = hc_new(vm.loop, vm.spec, &hh);
		if (!vm.hc)
			log_error("out of memory setting up health checks: they are off");
		else if (vm.ctl_ok)
			ctl_set_health(vm.hc);
	}
	vm.sup = sup_new(vm.loop, vm.spec, &hooks);
	if (!vm.sup)
		log_error("out of memory setting up processes");
	if (vm.ctl_ok)
		setup_ctl();
	return 0;
}

/* One turn of the loop, and what the host channel does after each. */
static void run_once(void)
{
	if (loop_run_once(vm.loop) < 0 && errno != EINTR) {
		log_error("epoll_wait: %s", strerror(errno));
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (vm.ctl_ok)
		ctl_after_batch();
}

/* After the final event: a bounded wait for the host to take the last
 * events and replies (the push above all). */
static void flush_channel(void)
{
	uint64_t deadline = loop_now() + (uint64_t)CTL_FLUSH_MS * LOOP_NS_PER_MS;
	if (!vm.ctl_ok)
		return;
	ctl_after_batch();
	while (!ctl_flushed() && loop_now() < deadline) {
		loop_timer_at(vm.loop, &vm.sd_timer, deadline);
		run_once();
	}
	if (!ctl_flushed())
		log_warn("the host did not take the last events within %d ms", CTL_FLUSH_MS);
}

static void start(void)
{
	if (vm.sup) {
		sup_start_all(vm.sup);
		vm.started = 1;
		on_settled(NULL);
	}
}

/* ---- the two modes ---- */

static const char *pick_spec(const char *arg, char *buf, size_t len)
{
	if (arg)
		return arg;
	if (boot_cmdline_get(NULL, "vminit.spec", buf, len) == 0)
		return buf;
	return VMINIT_DEFAULT_SPEC;
}

_Noreturn void vminit_pid1(const struct vminit_opts *o)
{
	char specbuf[512];
	const char *spec_path;

	vm.started_ms = (int64_t)clock_boot_ms();
	vm.pid1 = 1;
	vm.opts = o;
	/* Ctrl-Alt-Del becomes SIGINT to us instead of an instant reboot. */
	reboot(RB_DISABLE_CAD);
	/* /dev and /proc first: the console's fds and its private non-blocking
	 * copy need them, and every fd made later (signalfd, epoll) must not
	 * land on 0-2 because the kernel left them closed. */
	boot_std_fds();
	boot_mounts();
	boot_std_fds();
	console_init(1);
	install_signals();
	log_info("vminit %s starting as PID 1", VMINIT_VERSION);
	if (boot_loopback_up() < 0)
		log_warn("cannot bring up lo: %s", strerror(errno));
	/* Before the channel: its vsock and virtio-serial may be modules. */
	modules_boot(&vm.modules);
	spec_path = pick_spec(o->spec, specbuf, sizeof(specbuf));
	if (setup(spec_path) < 0) {
		/* No loop: nothing can be supervised. End cleanly, not by panic. */
		halt_system(SPEC_HALT_POWEROFF);
	}
	start();
	/* From here on PID 1 must not die: everything is logged and retried. */
	while (vm.sd != SD_DONE)
		run_once();
	flush_channel();
	halt_system(vm.halt);
}

int vminit_run(const char *spec_path, const struct vminit_opts *o)
{
	vm.started_ms = (int64_t)clock_boot_ms();
	vm.opts = o;
	console_init(1);
	install_signals();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn("cannot become a child subreaper: %s", strerror(errno));
	if (setup(spec_path) < 0)
		return 1;
	if (vm.spec && vm.spec->nerrors)
		return 1;   /* a subreaper may exit: nothing to keep up */
	start();
	while (vm.sd != SD_DONE)
		run_once();
	flush_channel();
	if (vm.ctl_ok)
		ctl_close_listeners();
	console_drain(2000);
	return vm.exit_code;
}
