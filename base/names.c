/* names.c - signal names and exit statuses in words (names.h). */
#include "names.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static const struct { int sig; const char *name; } signals[] = {
	{ SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGQUIT, "SIGQUIT" }, { SIGILL, "SIGILL" },
	{ SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" }, { SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" },
	{ SIGKILL, "SIGKILL" }, { SIGUSR1, "SIGUSR1" }, { SIGSEGV, "SIGSEGV" }, { SIGUSR2, "SIGUSR2" },
	{ SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" }, { SIGCHLD, "SIGCHLD" },
	{ SIGCONT, "SIGCONT" }, { SIGSTOP, "SIGSTOP" }, { SIGTSTP, "SIGTSTP" }, { SIGTTIN, "SIGTTIN" },
	{ SIGTTOU, "SIGTTOU" }, { SIGURG, "SIGURG" }, { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
	{ SIGVTALRM, "SIGVTALRM" }, { SIGPROF, "SIGPROF" }, { SIGWINCH, "SIGWINCH" }, { SIGIO, "SIGIO" },
	{ SIGPWR, "SIGPWR" }, { SIGSYS, "SIGSYS" },
};
#define NSIGNALS (sizeof(signals) / sizeof(signals[0]))

const char *names_signal(int sig)
{
	for (size_t i = 0; i < NSIGNALS; i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}

int names_signal_parse(const char *s)
{
	char *end;
	long v;
	if (!s || !*s)
		return -1;
	if (*s >= '0' && *s <= '9') {
		v = strtol(s, &end, 10);
		return *end || v < 1 || v > 64 ? -1 : (int)v;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < NSIGNALS; i++)
		if (!strcasecmp(s, signals[i].name + 3))
			return signals[i].sig;
	return -1;
}

void names_status(int status, int sig, char *buf, size_t len)
{
	if (status < 0) {
		snprintf(buf, len, "did not start");
	} else if (sig > 0) {
		const char *n = names_signal(sig);
		if (n)
			snprintf(buf, len, "killed by %s (status %d)", n, status);
		else
			snprintf(buf, len, "killed by signal %d (status %d)", sig, status);
	} else {
		snprintf(buf, len, "exited with code %d", status);
	}
}
