/* procstat.c - one field of a /proc/PID/stat line (procstat.h).
 *
 * Invariants: never reads past buf[len); a number that overflows long long
 * is refused, not wrapped.
 */
#include "procstat.h"

#include <limits.h>
#include <string.h>

int procstat_field(const char *buf, size_t len, unsigned field, long long *ret)
{
	size_t i = len, k;
	unsigned at = 2;
	unsigned long long v = 0;
	int neg = 0;
	if (field < 3)
		return -1;
	while (i > 0 && buf[i - 1] != ')')
		i--;
	if (i == 0)
		return -1;
	/* buf[i..] is " S ppid ...": each space starts the next field. */
	for (; i < len && at < field; i++)
		if (buf[i] == ' ')
			at++;
	if (at != field || i >= len)
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
	*ret = neg ? -(long long)v : (long long)v;
	return 0;
}
