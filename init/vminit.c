/* vminit.c - PID 1's life, and `vminit run`'s: set-up, the loop, the end.
 *
 *   boot -> load spec -> start processes -> loop ... -> shutdown -> halt
 *
 * The wrap form (`-- CMD`, docs/wrap.md) takes the same steps with a spec
 * made in memory; as PID 1 of a container it skips the machine's set-up
 * and ends by exiting with CMD's status instead of the halt.
 *
 * Owns: the order of the two modes' steps. What each step does lives beside
 * it: boot.c (the machine), signals.c, wire.c (the modules, hooked together),
 * reap.c, shutdown.c, halt.c. The one struct vm of a run is made here and
 * passed to them.
 *
 * Invariants: every signal PID 1 handles arrives through the signalfd (they
 * are blocked), except the fatal ones (SIGSEGV ...), whose handler logs and
 * powers off without returning. Nothing blocks after the loop starts.
 *
 * Before the loop: set-up errors are logged and boot goes on. After: PID 1
 * must not die; failures are logged and counted.
 */
#include "vminit.h"
#include "vm.h"
#include "boot.h"
#include "halt.h"
#include "base/clock.h"
#include "base/console.h"
#include "base/version.h"
#include "control/ctl.h"
#include "supervisor/supervisor.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <unistd.h>

static const char *pick_spec(const char *arg, char *buf, size_t len)
{
	if (arg)
		return arg;
	if (boot_cmdline_get(NULL, "vminit.spec", buf, len) == 0)
		return buf;
	return VMINIT_DEFAULT_SPEC;
}

/* The wrap form's end: its command's status, 128+N for a signal (svc.h),
 * 1 if it never ran (no fork). */
static int wrap_status(const struct vm *vm)
{
	int st = vm->sup ? sup_svc(vm->sup, 0)->last_status : -1;
	return st < 0 ? 1 : st;
}

/* The loop until the shutdown is done, then the last events to the host. */
static void run_to_end(struct vm *vm)
{
	wire_start(vm);
	while (vm->sd != SD_DONE)
		wire_run_once(vm);
	wire_flush_channel(vm);
}

_Noreturn void vminit_pid1(const struct vminit_opts *o)
{
	static struct vm vm;
	char specbuf[512];
	const char *spec_path;

	vm.started_ms = (int64_t)clock_boot_ms();
	vm.pid1 = 1;
	vm.opts = o;
	vm.wrap = o->wrap != NULL;
	/* It will hold secrets: no core dump, no ptrace by a process's user. */
	prctl(PR_SET_DUMPABLE, 0);
	vm.contained = boot_disable_cad();
	/* /dev and /proc first: the console's fds and its private non-blocking
	 * copy need them, and every fd made later (signalfd, epoll) must not
	 * land on 0-2 because the kernel left them closed. A wrapped command
	 * in a container gets the container as its runtime made it: no mount,
	 * no lo, no modules (docs/wrap.md). */
	int closed = boot_std_fds();
	if (!(vm.wrap && vm.contained)) {
		boot_mounts();
		/* Again only if one had nothing to open before /dev was there:
		 * three calls a boot otherwise. */
		if (closed)
			boot_std_fds();
	}
	/* The wrap form keeps stdout for its command alone. */
	console_init(vm.wrap ? 2 : 1);
	signals_catch_fatal(&vm);
	signals_block(&vm);
	log_info("vminit %s starting as PID 1", VMINIT_VERSION);
	if (!(vm.wrap && vm.contained)) {
		if (boot_loopback_up() < 0)
			log_warn("cannot bring up lo: %s", strerror(errno));
		/* Before the channel: its vsock and virtio-serial may be modules. */
		modules_boot(&vm.modules);
	}
	spec_path = vm.wrap ? NULL : pick_spec(o->spec, specbuf, sizeof(specbuf));
	if (wire_setup(&vm, spec_path) < 0) {
		/* No loop: nothing can be supervised. End cleanly, not by panic. */
		halt_system(SPEC_HALT_POWEROFF);
	}
	/* From here on PID 1 must not die: everything is logged and retried. */
	run_to_end(&vm);
	if (vm.wrap && vm.contained) {
		/* A container's init may exit: with its command's status, as
		 * tini does. A VM's powers off (the host reads the status in
		 * the final event). */
		if (vm.ctl)
			ctl_close_listeners(vm.ctl);
		console_drain(2000);
		_exit(wrap_status(&vm));
	}
	halt_system(vm.halt);
}

int vminit_run(const char *spec_path, const struct vminit_opts *o)
{
	static struct vm vm;

	vm.started_ms = (int64_t)clock_boot_ms();
	vm.opts = o;
	vm.wrap = o->wrap != NULL;
	console_init(vm.wrap ? 2 : 1);
	signals_catch_fatal(&vm);
	signals_block(&vm);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn("cannot become a child subreaper: %s", strerror(errno));
	if (wire_setup(&vm, spec_path) < 0)
		return 1;
	if (vm.spec && vm.spec->nerrors)
		return 1;   /* a subreaper may exit: nothing to keep up */
	run_to_end(&vm);
	if (vm.ctl)
		ctl_close_listeners(vm.ctl);
	console_drain(2000);
	return vm.wrap ? wrap_status(&vm) : vm.exit_code;
}
