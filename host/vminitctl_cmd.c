/* vminitctl_cmd.c - vminitctl's commands: each reads its arguments, builds
 * its request, calls vminit and prints the result (vminitctl_fmt.c).
 *
 * One command a run; a usage error is found before anything is sent.
 */
#include "vminitctl.h"
#include "channel/json.h"
#include "channel/proto.h"
#include "base/names.h"

#include <stdio.h>
#include <string.h>

#define CTL_EXEC_GRACE_MS 5000        /* exec: its timeout, plus this for the reply */

static int no_more_args(char **argv, int i)
{
	return argv[i] ? vctl_usage_error("unexpected argument %s", argv[i]) : 0;
}

static int cmd_ping(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc;
	long long up;
	const char *v;
	if (vctl_opt_next(argv, &i, opts, &v) == -2 || (rc = no_more_args(argv, i)))
		return EXIT_USAGE;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "ping");
	if ((rc = vctl_call(x, &w, vctl_reply_ms(x), &res)) || x->json)
		return rc;
	if (vctl_get_int(&x->r, res, "uptime_ms", &up) == 0) {
		char d[32];
		vctl_fmt_duration(d, sizeof(d), up);
		printf("pong (up %s)\n", d);
	} else {
		printf("pong\n");
	}
	return 0;
}

static int cmd_hello(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX], s[128], proto[24] = "?";
	struct jw w;
	int i = 1, res, rc, k;
	long long v;
	const char *val;
	if (vctl_opt_next(argv, &i, opts, &val) == -2 || (rc = no_more_args(argv, i)))
		return EXIT_USAGE;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "hello");
	jw_kint(&w, "protocol", PROTO_VERSION);
	if ((rc = vctl_call(x, &w, vctl_reply_ms(x), &res)) || x->json)
		return rc;
	if (vctl_get_int(&x->r, res, "protocol", &v) == 0)
		snprintf(proto, sizeof(proto), "%lld", v);
	printf("vminit %s, protocol %s, %s\n", vctl_get_str(&x->r, res, "vminit", s, sizeof(s), "?"), proto,
	       vctl_get_bool(&x->r, res, "pid1", 0) ? "PID 1" : "not PID 1");
	if (jr_type(&x->r, k = jr_get(&x->r, res, "features")) == JR_ARRAY) {
		printf("features:");
		for (int j = 0, t = k + 1; j < x->r.tok[k].size; j++, t = jr_next(&x->r, t)) {
			putchar(' ');
			vctl_print_value(&x->r, t);
		}
		putchar('\n');
	}
	if (jr_type(&x->r, k = jr_get(&x->r, res, "boot")) == JR_OBJECT) {
		printf("boot (ms):");
		vctl_print_fields(&x->r, k, NULL);
		putchar('\n');
	}
	if (jr_type(&x->r, k = jr_get(&x->r, res, "limits")) == JR_OBJECT) {
		printf("limits:");
		vctl_print_fields(&x->r, k, NULL);
		putchar('\n');
	}
	return 0;
}

static int cmd_status(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc;
	const char *v;
	if (vctl_opt_next(argv, &i, opts, &v) == -2)
		return EXIT_USAGE;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "status");
	if (argv[i])
		jw_kstr(&w, "process", argv[i++]);
	if ((rc = no_more_args(argv, i)))
		return rc;
	if ((rc = vctl_call(x, &w, vctl_reply_ms(x), &res)) || x->json)
		return rc;
	vctl_print_status(x, res);
	return 0;
}

static int cmd_events(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { "since", 0, 1 }, { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc, k;
	long long since = -1;
	const char *v;
	while ((k = vctl_opt_next(argv, &i, opts, &v)) >= 0)
		if (vctl_parse_count(v, 0x7fffffffffffffffLL, &since) < 0)
			return vctl_usage_error("--since: want an event seq (an integer >= 0), not %s", v);
	if (k == -2 || (rc = no_more_args(argv, i)))
		return EXIT_USAGE;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "events");
	if (since >= 0)
		jw_kint(&w, "since", since);
	if ((rc = vctl_call(x, &w, vctl_reply_ms(x), &res)))
		return rc;
	return vctl_stream(x, "events", 0);
}

static int cmd_logs(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { "follow", 'f', 0 }, { "lines", 'n', 1 }, { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc, k, follow = 0;
	long long lines = -1;
	const char *v, *proc = NULL;
	while ((k = vctl_opt_next(argv, &i, opts, &v)) >= 0) {
		if (k == 0)
			follow = 1;
		else if (vctl_parse_count(v, PROTO_LOG_LINES_MAX, &lines) < 0)
			return vctl_usage_error("-n: want a number of lines from 0 to %d, not %s", PROTO_LOG_LINES_MAX, v);
	}
	if (k == -2)
		return EXIT_USAGE;
	if (argv[i])
		proc = argv[i++];
	if ((rc = no_more_args(argv, i)))
		return rc;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "logs");
	if (proc)
		jw_kstr(&w, "process", proc);
	if (lines >= 0)
		jw_kint(&w, "lines", lines);
	jw_kbool(&w, "follow", follow);
	if ((rc = vctl_call(x, &w, vctl_reply_ms(x), &res)))
		return rc;
	return vctl_stream(x, "log lines", !follow);
}

/* exec's options: at most PROTO_EXEC_ARGS_MAX --env, checked here so that a
 * usage error never reaches vminit. */
struct exec_opts {
	const char *user, *workdir;
	const char *env[PROTO_EXEC_ARGS_MAX];
	int envc;
	long long timeout;       /* ms, or -1 */
	const char *process;     /* run in its context, or NULL */
};

/* 0 with argv[*i] the command, or an exit code. */
static int exec_parse(char **argv, int *i, struct exec_opts *o)
{
	static const struct opt opts[] = { { "user", 'u', 1 }, { "workdir", 'w', 1 }, { "env", 'e', 1 },
					   { "timeout", 't', 1 }, { "process", 'p', 1 }, { NULL, 0, 0 } };
	const char *v;
	int k;

	while ((k = vctl_opt_next(argv, i, opts, &v)) >= 0) {
		switch (k) {
		case 0:
			o->user = v;
			break;
		case 1:
			if (v[0] != '/')
				return vctl_usage_error("--workdir: want an absolute path, not %s", v);
			o->workdir = v;
			break;
		case 2:
			if (!strchr(v, '=') || v[0] == '=')
				return vctl_usage_error("--env: want KEY=VALUE, not %s", v);
			if (o->envc == PROTO_EXEC_ARGS_MAX)
				return vctl_usage_error("--env: at most %d", PROTO_EXEC_ARGS_MAX);
			o->env[o->envc++] = v;
			break;
		case 3:
			if (vctl_parse_seconds(v, &o->timeout) < 0)
				return vctl_usage_error("--timeout: want seconds (over 0, up to 86400), not %s", v);
			break;
		case 4:
			o->process = v;
			break;
		}
	}
	if (k == -2)
		return EXIT_USAGE;
	if (!argv[*i])
		return vctl_usage_error("exec: no command");
	if (!argv[*i][0])
		return vctl_usage_error("exec: the command is an empty string");
	return 0;
}

/* The command's output as it wrote it, then what vminit says about it. */
static void exec_print(struct vctl *x, int res, int timed_out)
{
	long long bytes;
	char *out;
	long n;

	fflush(stdout);
	if ((n = vctl_str_bytes(x, jr_get(&x->r, res, "stdout"), &out)) > 0)
		fwrite(out, 1, (size_t)n, stdout);
	fflush(stdout);
	if ((n = vctl_str_bytes(x, jr_get(&x->r, res, "stderr"), &out)) > 0)
		fwrite(out, 1, (size_t)n, stderr);
	if (vctl_get_bool(&x->r, res, "stdout_truncated", 0))
		fprintf(stderr, "vminitctl: exec: stdout truncated: the command wrote %lld bytes\n",
			vctl_get_int(&x->r, res, "stdout_bytes", &bytes) == 0 ? bytes : -1LL);
	if (vctl_get_bool(&x->r, res, "stderr_truncated", 0))
		fprintf(stderr, "vminitctl: exec: stderr truncated: the command wrote %lld bytes\n",
			vctl_get_int(&x->r, res, "stderr_bytes", &bytes) == 0 ? bytes : -1LL);
	if (timed_out)
		fprintf(stderr, "vminitctl: exec: timed out, killed\n");
}

static int cmd_exec(struct vctl *x, char **argv)
{
	struct exec_opts o = { .timeout = -1 };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc, timed_out;
	long long status;

	if ((rc = exec_parse(argv, &i, &o)))
		return rc;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "exec");
	jw_key(&w, "argv");
	jw_arr(&w);
	for (; argv[i]; i++)
		jw_str(&w, argv[i]);
	jw_end_arr(&w);
	if (o.envc) {
		jw_key(&w, "env");
		jw_arr(&w);
		for (int j = 0; j < o.envc; j++)
			jw_str(&w, o.env[j]);
		jw_end_arr(&w);
	}
	if (o.user)
		jw_kstr(&w, "user", o.user);
	if (o.workdir)
		jw_kstr(&w, "workdir", o.workdir);
	if (o.process)
		jw_kstr(&w, "process", o.process);
	if (o.timeout > 0)
		jw_kint(&w, "timeout_ms", o.timeout);
	rc = vctl_call(x, &w, x->timeout_ms > 0 ? x->timeout_ms
		  : (o.timeout > 0 ? o.timeout : PROTO_EXEC_TIMEOUT_DEFAULT_MS) + CTL_EXEC_GRACE_MS, &res);
	if (rc)
		return rc;
	if (vctl_get_int(&x->r, res, "status", &status) < 0 || status < 0 || status > 255)
		return vctl_transport_error("malformed exec reply (no status from 0 to 255): %.100s", x->line);
	timed_out = vctl_get_bool(&x->r, res, "timed_out", 0);
	if (!x->json)
		exec_print(x, res, timed_out);
	return timed_out ? EXIT_TIMED_OUT : (int)status;
}

static int cmd_signal(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX], sig[32];
	struct jw w;
	int i = 1, res, rc;
	long long pid;
	const char *v;
	if (vctl_opt_next(argv, &i, opts, &v) == -2)
		return EXIT_USAGE;
	if (!argv[i] || !argv[i + 1])
		return vctl_usage_error("signal: want PROC SIG");
	if (names_signal_parse(argv[i + 1]) < 0)
		return vctl_usage_error("signal: %s is not a signal (HUP, SIGHUP or a number from 1 to 64)", argv[i + 1]);
	if ((rc = no_more_args(argv, i + 2)))
		return rc;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "signal");
	jw_kstr(&w, "process", argv[i]);
	if (argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9')
		jw_kint(&w, "signal", names_signal_parse(argv[i + 1]));
	else
		jw_kstr(&w, "signal", argv[i + 1]);
	if ((rc = vctl_call(x, &w, vctl_reply_ms(x), &res)) || x->json)
		return rc;
	printf("%s: %s sent", argv[i], vctl_get_str(&x->r, res, "signal", sig, sizeof(sig), argv[i + 1]));
	if (vctl_get_int(&x->r, res, "pid", &pid) == 0)
		printf(" to pid %lld", pid);
	putchar('\n');
	return 0;
}

/* stop, start, restart */
static int cmd_want(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX], state[64];
	struct jw w;
	int i = 1, res, rc;
	const char *v;
	if (vctl_opt_next(argv, &i, opts, &v) == -2)
		return EXIT_USAGE;
	if (!argv[i])
		return vctl_usage_error("%s: want PROC", argv[0]);
	if ((rc = no_more_args(argv, i + 1)))
		return rc;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, argv[0]);
	jw_kstr(&w, "process", argv[i]);
	if ((rc = vctl_call(x, &w, vctl_reply_ms(x), &res)) || x->json)
		return rc;
	printf("%s: %s\n", argv[i], vctl_get_str(&x->r, res, "state", state, sizeof(state), "ok"));
	return 0;
}

static int cmd_shutdown(struct vctl *x, char **argv)
{
	static const struct opt opts[] = { { "reboot", 'r', 0 }, { NULL, 0, 0 } };
	char buf[PROTO_REQUEST_MAX];
	struct jw w;
	int i = 1, res, rc, k, reboot = 0;
	const char *v;
	while ((k = vctl_opt_next(argv, &i, opts, &v)) >= 0)
		reboot = 1;
	if (k == -2 || (rc = no_more_args(argv, i)))
		return EXIT_USAGE;
	vctl_req_begin(x, &w, buf, sizeof(buf) - 1, "shutdown");
	jw_kbool(&w, "reboot", reboot);
	if ((rc = vctl_call(x, &w, vctl_reply_ms(x), &res)) || x->json)
		return rc;
	printf("%s started\n", reboot ? "reboot" : "shutdown");
	return 0;
}

static const struct cmd {
	const char *name;
	int (*run)(struct vctl *x, char **argv);
} cmds[] = {
	{ "status", cmd_status }, { "events", cmd_events }, { "logs", cmd_logs }, { "exec", cmd_exec },
	{ "signal", cmd_signal }, { "stop", cmd_want }, { "start", cmd_want }, { "restart", cmd_want },
	{ "shutdown", cmd_shutdown }, { "ping", cmd_ping }, { "hello", cmd_hello }, { "secrets", vctl_cmd_secrets },
	{ "clock", vctl_cmd_clock }, { "entropy", vctl_cmd_clock }, { "resume", vctl_cmd_clock },
	{ "resumed", vctl_cmd_clock },
};

int vctl_run(struct vctl *x, char **argv)
{
	int rc = -1;
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		if (!strcmp(argv[0], cmds[c].name))
			rc = cmds[c].run(x, argv);
	return rc;
}
