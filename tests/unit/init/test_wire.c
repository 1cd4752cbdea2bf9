#include "tests/unit/unit.h"

/* test_wire.c - where PID 1's modules are put together (init/wire.c): the
 * host channel's addresses (options, else the kernel's command line as PID 1,
 * else the spec, else the defaults), and a whole `vminit run` wired from a
 * real spec: processes started, reaped, the work-done shutdown, the exit
 * code. */

#include <stdio.h>

#include "vm_fixture.h"
#include "control/ctl.h"
#include "supervisor/supervisor.h"

TestSuite(wire, .init = fx_watchdog);

#define SPEC_HEAD "schema_version = \"v1\"\n[processes.web]\ncommand = [\"/bin/app\"]\nresources.memory = \"64Mi\"\n"

static void addrs(const struct vminit_opts *o, int pid1, const char *cmdline, const char *spec_text,
		  struct wire_addrs *ret)
{
	struct spec *s = spec_text ? unit_spec(spec_text) : NULL;
	if (s)
		cr_assert_eq(s->nerrors, 0, "%s", unit_errors(s));
	memset(ret, 'Z', sizeof(*ret));
	wire_control_addrs(o, pid1, cmdline, s, ret);
	/* push may point into the spec: copy it before the spec goes. */
	if (ret->push && s && ret->push == s->guest.push) {
		snprintf(ret->push_buf, sizeof(ret->push_buf), "%s", ret->push);
		ret->push = ret->push_buf;
	}
	if (s)
		spec_free(s);
}

static const char cmdline[] = "console=ttyS0 vminit.control=vsock:7,unix:/run/k.sock vminit.push=unix:/run/kp.sock quiet";
static const char spec_addrs[] = SPEC_HEAD "[guest]\ncontrol = [\"vsock:1025\", \"unix:/run/s.sock\"]\n"
				 "push = \"unix:/run/sp.sock\"\n";

Test(wire, options_come_first)
{
	struct vminit_opts o = { .push = "unix:/run/op.sock" };
	struct wire_addrs a;
	snprintf(o.control, sizeof(o.control), "unix:/run/o.sock");
	addrs(&o, 1, cmdline, spec_addrs, &a);
	cr_assert_str_eq(a.control, "unix:/run/o.sock");
	cr_assert_str_eq(a.push, "unix:/run/op.sock");
}

Test(wire, then_the_kernel_command_line_as_pid1)
{
	struct vminit_opts o = { 0 };
	struct wire_addrs a;
	addrs(&o, 1, cmdline, spec_addrs, &a);
	cr_assert_str_eq(a.control, "vsock:7,unix:/run/k.sock");
	cr_assert_str_eq(a.push, "unix:/run/kp.sock");
}

Test(wire, then_the_spec)
{
	struct vminit_opts o = { 0 };
	struct wire_addrs a;
	addrs(&o, 1, "console=ttyS0", spec_addrs, &a);
	cr_assert_str_eq(a.control, "vsock:1025,unix:/run/s.sock");
	cr_assert_str_eq(a.push, "unix:/run/sp.sock");
	/* `vminit run` never reads the kernel's command line. */
	addrs(&o, 0, cmdline, spec_addrs, &a);
	cr_assert_str_eq(a.control, "vsock:1025,unix:/run/s.sock");
	cr_assert_str_eq(a.push, "unix:/run/sp.sock");
}

Test(wire, then_the_defaults_a_vms_only)
{
	struct vminit_opts o = { 0 };
	struct wire_addrs a;
	addrs(&o, 1, "console=ttyS0", SPEC_HEAD, &a);
	cr_assert_str_eq(a.control, CTL_DEFAULT_CONTROL);
	cr_assert_null(a.push);
	addrs(NULL, 1, "", NULL, &a);
	cr_assert_str_eq(a.control, CTL_DEFAULT_CONTROL, "no spec (out of memory) still listens");
	addrs(&o, 0, cmdline, SPEC_HEAD, &a);
	cr_assert_str_eq(a.control, "", "`vminit run` listens only where it is told to");
	cr_assert_null(a.push);
	/* The wrap form, as `vminit run`: nowhere unless told (docs/wrap.md). */
	{
		char *cmd[] = { "true", NULL };
		struct vminit_opts w = { .wrap = cmd };
		addrs(&w, 1, "console=ttyS0", SPEC_HEAD, &a);
		cr_assert_str_eq(a.control, "", "the wrap form listens only where it is told to");
		snprintf(w.control, sizeof(w.control), "unix:/run/w.sock");
		addrs(&w, 1, "", SPEC_HEAD, &a);
		cr_assert_str_eq(a.control, "unix:/run/w.sock", "--control still works");
	}
	/* An empty list in the spec is "nowhere", not "the defaults". */
	addrs(&o, 1, "", SPEC_HEAD "[guest]\ncontrol = []\n", &a);
	cr_assert_str_eq(a.control, "");
}

Test(wire, a_spec_list_over_the_buffer_keeps_only_whole_addresses)
{
	char text[4096], path[100], want[1024] = "";
	struct vminit_opts o = { 0 };
	struct wire_addrs a;
	size_t n = (size_t)snprintf(text, sizeof(text), SPEC_HEAD "[guest]\ncontrol = [\n");
	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	/* 11 addresses of 105 bytes: 9 fit in 1023 with their commas, 10 do not. */
	for (int i = 0; i < 11; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "  \"unix:/%s%02d\",\n", path + 2, i);
		if (i < 9)
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%sunix:/%s%02d",
				 i ? "," : "", path + 2, i);
	}
	snprintf(text + n, sizeof(text) - n, "  ]\n");
	addrs(&o, 1, "", text, &a);
	cr_assert_eq(strlen(want), 9 * 105 + 8);
	cr_assert_str_eq(a.control, want);
}

/* ---- a whole run ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
}

/* `vminit run` on text, wired by wire_setup as vminit_run does (the
 * signals, here, as the fixture makes them), and started. */
static void start_spec(struct vm *vm, const char *text)
{
	static struct vminit_opts o;
	char path[] = "/tmp/vminit-wire-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	write_file(path, text);
	memset(vm, 0, sizeof(*vm));
	vm->opts = &o;
	signals_block(vm);
	cr_assert_eq(wire_setup(vm, path), 0);
	unlink(path);
	cr_assert_not_null(vm->spec);
	wire_start(vm);
}

/* The loop until the shutdown is done. */
static void run_to_done(struct vm *vm)
{
	uint64_t end = unit_clock_real_ns() + FX_WAIT_MS * LOOP_NS_PER_MS;
	while (vm->sd != SD_DONE && unit_clock_real_ns() < end)
		fx_turn(vm, end);
	cr_assert_eq(vm->sd, SD_DONE, "not done: %s", shutdown_phase(vm) ? shutdown_phase(vm) : "running");
}

static void run_spec(struct vm *vm, const char *text)
{
	start_spec(vm, text);
	run_to_done(vm);
}

Test(wire, processes_run_to_the_work_done_shutdown_and_its_exit_code)
{
	struct vm vm;
	run_spec(&vm, "schema_version = \"v1\"\n"
		 "[processes.a]\ncommand = [\"/bin/sh\", \"-c\", \"exit 0\"]\nrestart.policy = \"never\"\n"
		 "resources.memory = \"64Mi\"\n"
		 "[processes.b]\ncommand = [\"/bin/sh\", \"-c\", \"exit 3\"]\nrestart.policy = \"never\"\n"
		 "resources.memory = \"64Mi\"\n");
	cr_assert_not_null(vm.sup);
	cr_assert(vm.started);
	cr_assert_eq(vm.exit_code, 3, "the failed process's status");
	cr_assert_eq(vm.reaped, 2);
	cr_assert_eq(vm.orphans, 0, "each child belonged to its process");
	cr_assert(vm.ctl, "the host channel is up, listening nowhere");
}

/* The shutdown's signals go out, then PID 1 sleeps once before a word of
 * them: the process's "stopping" and "shutting down" wait for the loop's next
 * wake-up (init/shutdown.c), which the process's exit makes here. */
Test(wire, a_shutdown_says_its_stops_only_after_the_next_wake_up)
{
	static struct vm vm;   /* what it holds stays reachable (no free) */
	const struct svc *v;
	uint64_t end = unit_clock_real_ns() + FX_WAIT_MS * LOOP_NS_PER_MS;
	start_spec(&vm, "schema_version = \"v1\"\n"
		   "[processes.a]\ncommand = [\"/bin/sleep\", \"60\"]\nrestart.policy = \"never\"\n"
		   "resources.memory = \"64Mi\"\n");
	v = sup_svc(vm.sup, 0);
	cr_assert_eq(v->state, SVC_RUNNING);
	shutdown_request(&vm, "test", 0);
	cr_assert_eq(v->sub, SVC_SUB_STOP_TERM, "no SIGTERM sent");
	cr_assert_eq(sup_unsaid(vm.sup), 1, "its stopping was said before PID 1 slept");
	cr_assert_str_eq(vm.sd_why, "test", "'shutting down' was said before PID 1 slept");
	cr_assert(loop_timer_armed(&vm.sd_say), "nothing makes the words come if nothing wakes PID 1");
	while (vm.sd_why && unit_clock_real_ns() < end)
		fx_turn(&vm, end);
	cr_assert_eq(sup_unsaid(vm.sup), 0);
	cr_assert_null(vm.sd_why);
	cr_assert_not(loop_timer_armed(&vm.sd_say));
	run_to_done(&vm);
	cr_assert_eq(vm.reaped, 1);
	cr_assert_eq(v->last_signal, SIGTERM);
}

Test(wire, a_spec_with_errors_starts_nothing)
{
	static struct vminit_opts o;
	char path[] = "/tmp/vminit-wire-XXXXXX";
	struct vm vm;
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	write_file(path, "schema_version = \"v1\"\n[processes.a]\nnot_a_key = 1\n");
	memset(&vm, 0, sizeof(vm));
	vm.opts = &o;
	signals_block(&vm);
	cr_assert_eq(wire_setup(&vm, path), 0);
	unlink(path);
	cr_assert_not_null(vm.spec);
	cr_assert_gt(vm.spec->nerrors, 0);
	cr_assert_null(vm.sup);
	wire_start(&vm);
	cr_assert_not(vm.started);
	cr_assert_null(shutdown_phase(&vm), "no work is not work done: PID 1 waits to be shut down");
}

Test(wire, no_signalfd_no_loop)
{
	struct vm vm;
	memset(&vm, 0, sizeof(vm));
	vm.sigfd = -1;
	cr_assert_eq(wire_setup(&vm, "/nonexistent"), -1);
	loop_free(vm.loop);   /* PID 1 powers off here */
}
