/* addr.c - see addr.h. Pure parsing: no sockets here. */
#include "addr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_u32(const char *s, size_t n, uint32_t *ret)
{
	unsigned long long v = 0;
	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 0xffffffffull)
		return -1;
	*ret = (uint32_t)v;
	return 0;
}

static int set_path(struct addr *a, const char *p, size_t n)
{
	if (n == 0 || n >= sizeof(a->path))
		return -1;
	memcpy(a->path, p, n);
	a->path[n] = '\0';
	return 0;
}

int addr_parse(const char *s, struct addr *ret, const char **ret_err)
{
	struct addr a;
	const char *c;
	memset(&a, 0, sizeof(a));
	if (!strncmp(s, "vsock:", 6)) {
		s += 6;
		a.kind = ADDR_VSOCK;
		a.cid = ADDR_CID_ANY;
		c = strchr(s, ':');
		if (c && parse_u32(s, (size_t)(c - s), &a.cid) < 0) {
			*ret_err = "vsock: the CID is not a number";
			return -1;
		}
		if (c)
			s = c + 1;
		if (parse_u32(s, strlen(s), &a.port) < 0) {
			*ret_err = "vsock: the port is not a number";
			return -1;
		}
	} else if (!strncmp(s, "unix:", 5)) {
		a.kind = ADDR_UNIX;
		if (set_path(&a, s + 5, strlen(s + 5)) < 0) {
			*ret_err = "unix: the path is empty or over 107 bytes";
			return -1;
		}
	} else if (!strncmp(s, "fc:", 3)) {
		s += 3;
		a.kind = ADDR_FC;
		c = strrchr(s, ':');
		if (!c || set_path(&a, s, (size_t)(c - s)) < 0) {
			*ret_err = "fc: want fc:UDS_PATH:PORT";
			return -1;
		}
		if (parse_u32(c + 1, strlen(c + 1), &a.port) < 0) {
			*ret_err = "fc: the port is not a number";
			return -1;
		}
	} else if (!strncmp(s, "serial:", 7)) {
		a.kind = ADDR_SERIAL;
		if (set_path(&a, s + 7, strlen(s + 7)) < 0) {
			*ret_err = "serial: the name is empty or over 107 bytes";
			return -1;
		}
	} else {
		*ret_err = "want vsock:[CID:]PORT, unix:PATH, fc:UDS_PATH:PORT or serial:NAME";
		return -1;
	}
	*ret = a;
	return 0;
}

void addr_format(const struct addr *a, char *buf, size_t len)
{
	switch (a->kind) {
	case ADDR_VSOCK:
		if (a->cid == ADDR_CID_ANY)
			snprintf(buf, len, "vsock:%u", a->port);
		else
			snprintf(buf, len, "vsock:%u:%u", a->cid, a->port);
		break;
	case ADDR_UNIX:
		snprintf(buf, len, "unix:%s", a->path);
		break;
	case ADDR_FC:
		snprintf(buf, len, "fc:%s:%u", a->path, a->port);
		break;
	case ADDR_SERIAL:
		snprintf(buf, len, "serial:%s", a->path);
		break;
	}
}
