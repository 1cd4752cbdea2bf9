/* clock.h - the clocks that are not the loop's.
 *
 * The loop's clock (CLOCK_MONOTONIC, loop_now()) drives every deadline. The
 * boot clock here (CLOCK_BOOTTIME) only stamps what the host is told: event
 * and log times and the boot timings, in ms since the kernel started, which
 * keeps counting across a suspend.
 */
#ifndef VMINIT_CLOCK_H
#define VMINIT_CLOCK_H

#include <stdint.h>

/* The boot clock in ms: the time since the kernel started. */
uint64_t clock_boot_ms(void);

#endif
