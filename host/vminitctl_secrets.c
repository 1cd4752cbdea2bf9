/* vminitctl_secrets.c - `vminitctl secrets`: deliver a secret bundle
 * (docs/secrets.md) from an env file and/or KEY=VALUE arguments. The values
 * are wiped from this process's memory once sent; none is ever printed. */
#include "vminitctl.h"
#include "envfile.h"
#include "channel/json.h"
#include "channel/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ENVFILE_MAX (64 * 1024)

/* The file's entries after the n already in v. The new count, or -1. */
static int read_file(const char *path, char **v, int n)
{
	static char text[ENVFILE_MAX + 1];
	char err[256];
	ssize_t len = 0, k;
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return vctl_usage_error("--file %s: %s", path, strerror(errno)), -1;
	while (len < ENVFILE_MAX && (k = read(fd, text + len, (size_t)(ENVFILE_MAX - len))) > 0)
		len += k;
	if (fd)
		close(fd);
	if (len >= ENVFILE_MAX)
		return vctl_usage_error("--file %s: over %d bytes", path, ENVFILE_MAX), -1;
	k = envfile_parse(text, (size_t)len, v + n, (size_t)(PROTO_EXEC_ARGS_MAX - n), err, sizeof(err));
	explicit_bzero(text, (size_t)len);
	if (k < 0)
		return vctl_usage_error("--file %s: %s", path, err), -1;
	return n + (int)k;
}

int vctl_cmd_secrets(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { "version", 'V', 1 }, { "file", 'f', 1 }, { "none", 'n', 0 },
					   { NULL, 0, 0 } };
	static char buf[PROTO_REQUEST_MAX];
	static char *vars[PROTO_EXEC_ARGS_MAX + 1];
	const char *version = NULL, *v;
	int i = 1, k, n = 0, nfile = 0, none = 0, rc, res;
	long long keys;
	struct jw w;
	while ((k = vctl_opt_next(argv, &i, opts, &v)) >= 0) {
		if (k == 0)
			version = v;
		else if (k == 2)
			none = 1;
		else if ((n = read_file(v, vars, n)) < 0)
			return EXIT_USAGE;
	}
	nfile = n;
	if (k == -2)
		return EXIT_USAGE;
	if (!version)
		return vctl_usage_error("secrets: --version V is required (the host's name for this bundle)");
	for (; argv[i]; i++) {
		if (!strchr(argv[i], '=') || argv[i][0] == '=')
			return vctl_usage_error("secrets: argument %d is not KEY=VALUE", i);
		if (n == PROTO_EXEC_ARGS_MAX)
			return vctl_usage_error("secrets: at most %d variables", PROTO_EXEC_ARGS_MAX);
		vars[n++] = argv[i];
	}
	if (n == 0 && !none)
		return vctl_usage_error("secrets: no variables: give --file, KEY=VALUE or --none for an empty bundle");
	if (n > 0 && none)
		return vctl_usage_error("secrets: --none with variables");
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "secrets");
	jw_kstr(&w, "version", version);
	jw_key(&w, "vars");
	jw_arr(&w);
	for (int j = 0; j < n; j++)
		jw_str(&w, vars[j]);
	jw_end_arr(&w);
	envfile_free(vars, (size_t)nfile);
	for (int j = nfile; j < n; j++)
		explicit_bzero(vars[j], strlen(vars[j]));   /* our own argv, too */
	rc = vctl_call(x, &w, vctl_reply_ms(x), &res);
	explicit_bzero(buf, sizeof(buf));
	if (rc || x->json)
		return rc;
	if (vctl_get_int(&x->r, res, "keys", &keys) < 0)
		keys = -1;
	printf("secrets version %s delivered: %lld key%s\n", version, keys, keys == 1 ? "" : "s");
	return 0;
}
