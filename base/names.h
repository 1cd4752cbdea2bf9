/* names.h - the names every layer prints: signals and exit statuses.
 *
 * One table, used by the console, the protocol's replies and events, and
 * vminitctl, so "SIGTERM" is spelled the same everywhere. The names of a
 * process's states stay with the state table they name (supervisor/svc.c),
 * and a health check's with its threshold machine (health/track.c): the base
 * does not know the layers above it.
 */
#ifndef VMINIT_NAMES_H
#define VMINIT_NAMES_H

#include <stddef.h>

/* 15 -> "SIGTERM"; NULL for a number without a name. */
const char *names_signal(int sig);
/* "TERM", "SIGTERM", "term" or "15" -> 15; -1 if none (1..64 for numbers). */
int names_signal_parse(const char *s);
/* An ended process's status in words: "exited with code 3", "killed by
 * SIGKILL (status 137)", "did not start" (status < 0). sig is the signal that
 * ended it, or 0 (an exit code of 137 is not a SIGKILL). */
void names_status(int status, int sig, char *buf, size_t len);

#endif
