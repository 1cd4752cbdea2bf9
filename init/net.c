/* net.c - the guest's network wired in (docs/network.md): PID 1 applies the
 * spec's [guest.network] after the root switch and the cgroups and before
 * any process starts, so resolv.conf and hosts (bound over a read-only
 * root's in PID 1's mount namespace) are what every process's view is
 * copied from. `vminit run` never touches the host's network.
 *
 *   network --failed--> console, host channel (network.failed)
 *           --settled--> console, host channel (network.applied),
 *                        supervisor (a process with network.required waits)
 */
#include "vm.h"
#include "base/console.h"
#include "control/ctl.h"
#include "network/apply.h"
#include "storage/storage.h"
#include "supervisor/supervisor.h"

#include <stdio.h>

static void on_net_failed(void *ctx, const struct net_failure *f)
{
	struct vm *vm = ctx;
	log_warn("network: %s: %s failed: %s", f->iface ? f->iface : "files", net_step_name(f->step), f->error);
	if (vm->ctl)
		ctl_event_net_failed(vm->ctl, f);
}

static void on_net_settled(void *ctx)
{
	struct vm *vm = ctx;
	const struct net *n = vm->net;
	log_info("network: %s (%zu interfaces, %u failures)", net_state_name(n->state), n->n, n->failures);
	if (vm->ctl)
		ctl_event_net_applied(vm->ctl, net_state_name(n->state), (long)n->n, (long)n->failures);
	if (vm->sup && vm->sd == SD_NONE)
		sup_recheck(vm->sup);   /* a process may wait for the network */
}

void wire_net_setup(struct vm *vm)
{
	const struct net_paths paths = { "/etc", STORAGE_DIR "/net" };
	const struct net_hooks hooks = { .failed = on_net_failed, .settled = on_net_settled, .ctx = vm };
	if (!vm->pid1)
		return;
	vm->net = net_new(vm->loop, vm->spec, &paths, &hooks);
	if (!vm->net) {
		log_error("out of memory for the network: it is off");
		return;
	}
	if (vm->ctl)
		ctl_set_network(vm->ctl, vm->net);
	net_start(vm->net);
}
