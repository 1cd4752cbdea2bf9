/* procstat.c - fields of a /proc/PID/stat line (procstat.h).
 *
 * Invariants: never reads past buf[len); a number that overflows long long
 * is refused, not wrapped.
 */
#include "procstat.h"

#include <limits.h>
#include <string.h>

int procstat_fields(const char *buf, size_t len, const unsigned *fields, size_t n, long long *ret)
{
	size_t i = len;
	unsigned at = 2;
	while (i > 0 && buf[i - 1] != ')')
		i--;
	if (i == 0)
		return -1;
	/* buf[i..] is " S ppid ...": each space starts the next field. One
	 * pass for all of them: status reads three of each process. */
	for (size_t f = 0; f < n; f++) {
		unsigned long long v = 0;
		int neg = 0;
		size_t k;
		if (fields[f] <= at)
			return -1;   /* not after the one before (nor comm or the pid) */
		for (; i < len && at < fields[f]; i++)
			if (buf[i] == ' ')
				at++;
		if (at != fields[f] || i >= len)
			return -1;
		if (buf[i] == '-')
			neg = 1, i++;
		for (k = i; k < len && buf[k] >= '0' && buf[k] <= '9'; k++) {
			if (v > ((unsigned long long)LLONG_MAX - 9) / 10)
				return -1;
			v = v * 10 + (unsigned)(buf[k] - '0');
		}
		if (k == i || (k < len && buf[k] != ' ' && buf[k] != '\n'))
			return -1;
		ret[f] = neg ? -(long long)v : (long long)v;
		i = k;
	}
	return 0;
}

int procstat_field(const char *buf, size_t len, unsigned field, long long *ret)
{
	long long v;
	if (procstat_fields(buf, len, &field, 1, &v) < 0)
		return -1;
	*ret = v;
	return 0;
}
