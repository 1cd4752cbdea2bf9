#include "tests/unit/unit.h"

/* test_addr.c - the host channel's addresses (channel/addr.c): every kind,
 * the bad ones, the length limits, and addr_format back to text. */

#include "channel/addr.h"

static struct addr parse_ok(const char *s)
{
	struct addr a;
	const char *err = NULL;
	memset(&a, 0x5a, sizeof(a));
	cr_assert_eq(addr_parse(s, &a, &err), 0, "addr_parse(%s): %s", s, err);
	return a;
}

/* Fails with a reason containing needle, and leaves ret untouched. */
static void parse_err(const char *s, const char *needle)
{
	struct addr a, before;
	const char *err = NULL;
	memset(&a, 0x5a, sizeof(a));
	before = a;
	cr_assert_eq(addr_parse(s, &a, &err), -1, "addr_parse accepted [%s]", s);
	cr_assert_not_null(err, "no reason for [%s]", s);
	if (needle)
		cr_assert(strstr(err, needle), "reason for [%s] is \"%s\", want \"%s\"", s, err, needle);
	cr_assert_eq(memcmp(&a, &before, sizeof(a)), 0, "ret changed on failure for [%s]", s);
}

/* "PREFIX" + n times c + "SUFFIX" */
static const char *long_addr(const char *prefix, size_t n, const char *suffix)
{
	static char buf[512];
	size_t l = strlen(prefix);
	cr_assert_lt(l + n + strlen(suffix), sizeof(buf));
	memcpy(buf, prefix, l);
	memset(buf + l, 'p', n);
	strcpy(buf + l + n, suffix);
	return buf;
}

/* ---- vsock ---- */

Test(addr, vsock_port)
{
	struct addr a = parse_ok("vsock:1024");
	cr_assert_eq(a.kind, ADDR_VSOCK);
	cr_assert_eq(a.cid, ADDR_CID_ANY);
	cr_assert_eq(a.port, 1024);
	a = parse_ok("vsock:0");
	cr_assert_eq(a.port, 0);
	a = parse_ok("vsock:4294967295");
	cr_assert_eq(a.port, 4294967295u);
	a = parse_ok("vsock:0001024");
	cr_assert_eq(a.port, 1024);
}

Test(addr, vsock_cid_port)
{
	struct addr a = parse_ok("vsock:2:1024");
	cr_assert_eq(a.kind, ADDR_VSOCK);
	cr_assert_eq(a.cid, 2);
	cr_assert_eq(a.port, 1024);
	a = parse_ok("vsock:0:0");
	cr_assert_eq(a.cid, 0);
	cr_assert_eq(a.port, 0);
	a = parse_ok("vsock:4294967294:4294967295");
	cr_assert_eq(a.cid, 4294967294u);
	cr_assert_eq(a.port, 4294967295u);
}

Test(addr, vsock_bad)
{
	parse_err("vsock:", "port");
	parse_err("vsock:x", "port");
	parse_err("vsock:-1", "port");
	parse_err("vsock:+1", "port");
	parse_err("vsock: 1", "port");
	parse_err("vsock:1 ", "port");
	parse_err("vsock:1k", "port");
	parse_err("vsock:0x10", "port");
	parse_err("vsock:4294967296", "port");
	parse_err("vsock:99999999999", "port");
	parse_err("vsock:18446744073709551617", "port");
	parse_err("vsock:2:", "port");
	parse_err("vsock:2:x", "port");
	parse_err("vsock:2:4294967296", "port");
	parse_err("vsock:1:2:3", "port");
	parse_err("vsock::1024", "CID");
	parse_err("vsock:x:1024", "CID");
	parse_err("vsock:-2:1024", "CID");
	parse_err("vsock:4294967296:1", "CID");
	parse_err("vsock:99999999999:1", "CID");
}

/* ---- unix, serial ---- */

Test(addr, unix)
{
	struct addr a = parse_ok("unix:/run/vminit.sock");
	cr_assert_eq(a.kind, ADDR_UNIX);
	cr_assert_str_eq(a.path, "/run/vminit.sock");
	a = parse_ok("unix:rel:with:colons");
	cr_assert_str_eq(a.path, "rel:with:colons");
	a = parse_ok(long_addr("unix:", ADDR_PATH_MAX - 1, ""));
	cr_assert_eq(strlen(a.path), ADDR_PATH_MAX - 1);
	parse_err("unix:", "unix:");
	parse_err(long_addr("unix:", ADDR_PATH_MAX, ""), "107");
	parse_err(long_addr("unix:", 400, ""), "107");
}

Test(addr, serial)
{
	struct addr a = parse_ok("serial:vminit.ctl");
	cr_assert_eq(a.kind, ADDR_SERIAL);
	cr_assert_str_eq(a.path, "vminit.ctl");
	a = parse_ok("serial:/tmp/qemu-ctl.sock");
	cr_assert_str_eq(a.path, "/tmp/qemu-ctl.sock");
	a = parse_ok(long_addr("serial:", ADDR_PATH_MAX - 1, ""));
	cr_assert_eq(strlen(a.path), ADDR_PATH_MAX - 1);
	parse_err("serial:", "serial:");
	parse_err(long_addr("serial:", ADDR_PATH_MAX, ""), "107");
}

/* ---- fc ---- */

Test(addr, fc)
{
	struct addr a = parse_ok("fc:/tmp/v.sock:1024");
	cr_assert_eq(a.kind, ADDR_FC);
	cr_assert_str_eq(a.path, "/tmp/v.sock");
	cr_assert_eq(a.port, 1024);
	/* the last colon separates the port: the path may hold colons */
	a = parse_ok("fc:/tmp/a:b:52");
	cr_assert_str_eq(a.path, "/tmp/a:b");
	cr_assert_eq(a.port, 52);
	a = parse_ok("fc:x:4294967295");
	cr_assert_eq(a.port, 4294967295u);
	a = parse_ok(long_addr("fc:", ADDR_PATH_MAX - 1, ":5"));
	cr_assert_eq(strlen(a.path), ADDR_PATH_MAX - 1);
}

Test(addr, fc_bad)
{
	parse_err("fc:", "fc:UDS_PATH:PORT");
	parse_err("fc:/tmp/v.sock", "fc:UDS_PATH:PORT");
	parse_err("fc::1024", "fc:UDS_PATH:PORT");
	parse_err("fc:/tmp/v.sock:", "port");
	parse_err("fc:/tmp/v.sock:x", "port");
	parse_err("fc:/tmp/v.sock:-1", "port");
	parse_err("fc:/tmp/v.sock:4294967296", "port");
	parse_err("fc:/tmp/a:1:", "port");
	parse_err(long_addr("fc:", ADDR_PATH_MAX, ":5"), "fc:");
}

/* ---- the rest ---- */

Test(addr, unknown_kind)
{
	static const char *const bad[] = {
		"", "vsock", "unix", "fc", "serial", "VSOCK:1", "Unix:/x", "tcp:127.0.0.1:80",
		"1024", "/run/vminit.sock", " vsock:1", "vsock-1", "unix/x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_err(bad[i], "want vsock:");
}

Test(addr, format_round_trip)
{
	static const char *const canon[] = {
		"vsock:1024", "vsock:0", "vsock:4294967295", "vsock:2:1024", "vsock:1:5000",
		"vsock:0:0", "vsock:4294967294:7", "unix:/run/vminit.sock", "unix:x", "fc:/tmp/v.sock:1024",
		"fc:/a:b:52", "serial:vminit.ctl", "serial:/tmp/q.sock",
	};
	for (size_t i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		struct addr a = parse_ok(canon[i]), b;
		char buf[256];
		addr_format(&a, buf, sizeof(buf));
		cr_assert_str_eq(buf, canon[i]);
		b = parse_ok(buf);
		cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0, "%s", canon[i]);
	}
}

Test(addr, format_round_trip_long_paths)
{
	static const char *const kinds[][2] = { { "unix:", "" }, { "serial:", "" }, { "fc:", ":9" } };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char in[256], out[256];
		strcpy(in, long_addr(kinds[i][0], ADDR_PATH_MAX - 1, kinds[i][1]));
		struct addr a = parse_ok(in);
		addr_format(&a, out, sizeof(out));
		cr_assert_str_eq(out, in);
	}
}

Test(addr, format_non_canonical_input)
{
	/* Text that is not canonical formats to text meaning the same. */
	static const char *const cases[][2] = {
		{ "vsock:01024", "vsock:1024" },
		{ "vsock:002:00", "vsock:2:0" },
		{ "vsock:4294967295:7", "vsock:7" },   /* CID "any" */
		{ "fc:/x:0042", "fc:/x:42" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct addr a = parse_ok(cases[i][0]), b;
		char buf[64];
		addr_format(&a, buf, sizeof(buf));
		cr_assert_str_eq(buf, cases[i][1]);
		b = parse_ok(buf);
		cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0, "%s", cases[i][0]);
	}
}

Test(addr, format_small_buffer)
{
	struct addr a = parse_ok("unix:/run/vminit.sock");
	char buf[8];
	memset(buf, 'Z', sizeof(buf));
	addr_format(&a, buf, 6);
	cr_assert_str_eq(buf, "unix:");
	cr_assert_eq(buf[6], 'Z');
	a = parse_ok("vsock:2:1024");
	addr_format(&a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "vsock:2");
}
