/* vminit.c - PID 1's life, and `vminit run`'s: set-up, the loop, the end.
 *
 *   boot -> load spec -> start processes -> loop ... -> shutdown -> halt
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

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>

static const char *pick_spec(const char *arg, char *buf, size_t len)
{
	if (arg)
		return arg;
	if (boot_cmdline_get(NULL, "vminit.spec", buf, len) == 0)
		return buf;
	return VMINIT_DEFAULT_SPEC;
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
	/* It will hold secrets: no core dump, no ptrace by a process's user. */
	prctl(PR_SET_DUMPABLE, 0);
	/* Ctrl-Alt-Del becomes SIGINT to us instead of an instant reboot. */
	reboot(RB_DISABLE_CAD);
	/* /dev and /proc first: the console's fds and its private non-blocking
	 * copy need them, and every fd made later (signalfd, epoll) must not
	 * land on 0-2 because the kernel left them closed. */
	boot_std_fds();
	boot_mounts();
	boot_std_fds();
	console_init(1);
	signals_catch_fatal(&vm);
	signals_block(&vm);
	log_info("vminit %s starting as PID 1", VMINIT_VERSION);
	if (boot_loopback_up() < 0)
		log_warn("cannot bring up lo: %s", strerror(errno));
	/* Before the channel: its vsock and virtio-serial may be modules. */
	modules_boot(&vm.modules);
	spec_path = pick_spec(o->spec, specbuf, sizeof(specbuf));
	if (wire_setup(&vm, spec_path) < 0) {
		/* No loop: nothing can be supervised. End cleanly, not by panic. */
		halt_system(SPEC_HALT_POWEROFF);
	}
	/* From here on PID 1 must not die: everything is logged and retried. */
	run_to_end(&vm);
	halt_system(vm.halt);
}

int vminit_run(const char *spec_path, const struct vminit_opts *o)
{
	static struct vm vm;

	vm.started_ms = (int64_t)clock_boot_ms();
	vm.opts = o;
	console_init(1);
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
	return vm.exit_code;
}
