/* procstat.h - numbers out of a /proc/PID/stat line (proc(5)), without
 * scanf: the line's comm (field 2) may hold spaces and parentheses, so
 * fields are counted from after its last ')'. Pure; no I/O.
 */
#ifndef VMINIT_PROCSTAT_H
#define VMINIT_PROCSTAT_H

#include <stddef.h>

/* Field `field` (proc(5)'s numbering: 3 is the state, 4 the ppid, 14 utime)
 * of the line buf[0..len) as a decimal number (a leading '-' allowed) into
 * *ret. 0, or -1 when the line has no such field or it is not a number. */
int procstat_field(const char *buf, size_t len, unsigned field, long long *ret);

#endif
