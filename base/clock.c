/* clock.c - the boot clock (clock.h). */
#include "clock.h"

#include <time.h>

uint64_t clock_boot_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
