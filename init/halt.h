/* halt.h - the very end: sync, unmount, power off or reboot. */
#ifndef VMINIT_HALT_H
#define VMINIT_HALT_H

#include "spec/spec.h"

/* Sync and unmount (in a VM only: halt.c), then power off or reboot. Never
 * returns. Only for PID 1, after every other process is gone. */
_Noreturn void halt_system(enum spec_halt how);

#endif
