/* test_files.c - resolv.conf and hosts rendered from a spec (network/files.c):
 * byte for byte, the defaults, and never a cut file. */
#include "tests/unit/unit.h"
#include "network/files.h"

#include <errno.h>

static const char *NET_SPEC =
	"schema_version = \"v1\"\n[processes.web]\ncommand = [\"/bin/app\"]\nresources.memory = \"64Mi\"\n"
	"[guest]\nhostname = \"app-1\"\n"
	"[guest.network]\ndns_servers = [\"fdaa::3\", \"10.0.2.3\"]\ndns_search = [\"internal\", \"example.com\"]\n"
	"hosts = [\"10.0.0.5 db.internal db\", \"fdaa::5 cache\"]\n"
	"[guest.network.interfaces.eth0]\naddresses = [\"FDAA:0:1::2/64\", \"10.0.2.15/24\"]\n";

Test(net_files, resolv_conf)
{
	struct spec *s = unit_spec(NET_SPEC);
	char buf[NET_FILE_MAX];
	size_t len = 0;
	cr_assert_eq(s->nerrors, 0, "%s", unit_errors(s));
	cr_assert_eq(net_render_resolv(s, buf, sizeof(buf), &len), 0);
	cr_assert_str_eq(buf, "# written by vminit from the spec's [guest.network]\n"
			      "nameserver fdaa::3\nnameserver 10.0.2.3\nsearch internal example.com\n");
	cr_assert_eq(len, strlen(buf));
	spec_free(s);
}

Test(net_files, hosts)
{
	struct spec *s = unit_spec(NET_SPEC);
	char buf[NET_FILE_MAX];
	size_t len = 0;
	cr_assert_eq(net_render_hosts(s, buf, sizeof(buf), &len), 0);
	cr_assert_str_eq(buf, "# written by vminit from the spec's [guest.network]\n"
			      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			      "fdaa:0:1::2\tapp-1\n10.0.0.5 db.internal db\nfdaa::5 cache\n");
	cr_assert_eq(len, strlen(buf));
	spec_free(s);
}

Test(net_files, without_a_network)
{
	struct spec *s = unit_spec("schema_version = \"v1\"\n[processes.web]\ncommand = [\"/bin/app\"]\n"
				   "resources.memory = \"64Mi\"\n");
	char buf[512];
	size_t len = 0;
	cr_assert_eq(net_render_hosts(s, buf, sizeof(buf), &len), 0);
	cr_assert(strstr(buf, "127.0.1.1\tvminit\n"), "%s", buf);
	cr_assert_eq(net_render_resolv(s, buf, sizeof(buf), &len), 0);
	cr_assert_str_eq(buf, "# written by vminit from the spec's [guest.network]\n");
	spec_free(s);
}

/* Every buffer too small by even one byte refuses the whole file. */
Test(net_files, never_a_cut_file)
{
	struct spec *s = unit_spec(NET_SPEC);
	char full[NET_FILE_MAX], buf[NET_FILE_MAX];
	size_t n = 0, len;
	int (*render[2])(const struct spec *, char *, size_t, size_t *) = { net_render_resolv, net_render_hosts };
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(render[r](s, full, sizeof(full), &n), 0);
		for (size_t cap = 0; cap <= n; cap++) {
			len = 12345;
			errno = 0;
			cr_assert_eq(render[r](s, buf, cap, &len), -1, "cap %zu of %zu", cap, n);
			cr_assert_eq(errno, EMSGSIZE);
			cr_assert_eq(len, 12345u);
			cr_assert(cap == 0 || buf[0] == '\0');
		}
		cr_assert_eq(render[r](s, buf, n + 1, &len), 0);
		cr_assert_eq(len, n);
	}
	spec_free(s);
}
