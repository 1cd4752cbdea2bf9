/* events.h - one map from a supervisor event to its words: the console line
 * PID 1 prints and the protocol event the host channel sends
 * (docs/protocol.md §5). supervisor.c prints the line, the control server
 * writes the event; both read the same entry, so they cannot drift apart.
 *
 * An entry names its values as fields (enum sup_field); one function gives a
 * field's value, so "the hook", "the status" or "the signal" is worked out
 * in one place for both.
 */
#ifndef VMINIT_EVENTS_H
#define VMINIT_EVENTS_H

#include <stddef.h>

#include "spec/spec.h"
#include "svc.h"

/* One event as it happened. */
struct sup_event {
	const struct svc *svc;
	const struct spec_process *sp;   /* its spec (the deps a WAITING names) */
	enum svc_event ev;
	long arg;
	const char *why;                 /* BLOCKED: why (sup_why) */
};

enum sup_field {
	SUP_F_END,           /* no more fields */
	/* members of protocol events (a key each), after "process" */
	SUP_F_PID,           /* "pid" */
	SUP_F_RESTARTS,      /* "restarts" */
	SUP_F_HOOK,          /* "hook" of arg: env, process, main */
	SUP_F_HOOK_NOW,      /* "hook" of the phase that runs */
	SUP_F_ERROR,         /* "error": strerror(arg) */
	SUP_F_DEFER_ERROR,   /* "error": the deferred start's errno */
	SUP_F_STATUS,        /* "status": arg */
	SUP_F_CODE,          /* "code": arg, or null when a signal ended it */
	SUP_F_END_SIGNAL,    /* "signal" that ended it (name, else number), or null */
	SUP_F_DELAY_MS,      /* "delay_ms": arg */
	SUP_F_FAILURES,      /* "failures": the consecutive failures */
	SUP_F_FAILED_RUNS,   /* "failures": arg */
	SUP_F_DEFERRALS,     /* "deferrals" */
	SUP_F_STOP_SIGNAL,   /* "signal": arg (name, else number) */
	SUP_F_STATE,         /* "state" */
	SUP_F_FOR,           /* "for": the dependency waited for */
	SUP_F_CONDITION,     /* "condition": started, healthy, succeeded */
	SUP_F_WHY,           /* "reason": the event's why */
	/* console only (no key) */
	SUP_F_RESTARTED,     /* " (restarted)" or nothing */
	SUP_F_PHASE,         /* arg's phase in words: env prestart, prestart, process */
	SUP_F_PHASE_NOW,     /* the running phase in words */
	SUP_F_STATUS_TEXT,   /* "exited with code 3", "killed by SIGKILL (status 137)" */
	SUP_F_POLICY,        /* restart.policy */
	SUP_F_MAX_RETRIES,   /* restart.max_retries */
	SUP_F_HOOK_TIMEOUT,  /* arg's hook timeout, in seconds */
	SUP_F_STOP_TIMEOUT,  /* the stop timeout, in seconds */
	SUP_F_STOPPED_BY,    /* arg's signal name, or "a signal" */
	SUP_F_N
};

#define SUP_EVENT_FIELDS 3   /* protocol members after "type" and "process" */
#define SUP_EVENT_ARGS 3     /* values in a console line after the name */

enum sup_level { SUP_LOG_INFO, SUP_LOG_WARN, SUP_LOG_ERROR };

/* Every event is about one process: its protocol event has "process" (the
 * name) right after "type", and its console line starts with the name. */
struct sup_event_map {
	const char *type;                        /* "process.started" */
	const char *text;                        /* "%s: running, pid %s%s" */
	unsigned char fields[SUP_EVENT_FIELDS];  /* members after "process" */
	unsigned char args[SUP_EVENT_ARGS];      /* the "%s" after the name */
	unsigned char level;                     /* enum sup_level */
};

/* A field's value: a string (s), a number (s NULL, is_null 0), or null. */
struct sup_value {
	const char *s;
	long long i;
	int is_null;
};

/* The entry of an event (SPAWNED of a hook has its own). */
const struct sup_event_map *sup_event_map(const struct sup_event *e);
/* A field's protocol key, or NULL for a console-only field. */
const char *sup_field_key(enum sup_field f);
/* A field's value; buf (len bytes) holds the text when one is made. */
struct sup_value sup_event_value(const struct sup_event *e, enum sup_field f,
				 char *buf, size_t len);
/* The console line of e, in buf: its length. */
size_t sup_event_text(const struct sup_event *e, char *buf, size_t len);
/* Print the console line of e at its level. */
void sup_event_log(const struct sup_event *e);

#endif
