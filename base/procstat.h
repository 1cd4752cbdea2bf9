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
/* The fields fields[0..n), in ascending order, in one pass: ret[k] is
 * fields[k]'s. 0, or -1 as procstat_field (ret then partly written), or
 * when fields are not ascending. */
int procstat_fields(const char *buf, size_t len, const unsigned *fields, size_t n, long long *ret);

#endif
