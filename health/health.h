/* health.h - every process's health checks, run from PID 1's loop
 * (docs/health.md): the schema's readiness check, the x-liveness extension
 * and x-startup_timeout_seconds. Results go out through hooks; what to do
 * about them (restart, events, dependencies) is the caller's.
 */
#ifndef VMINIT_HEALTH_H
#define VMINIT_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "track.h"

struct loop;
struct spec;
struct hc_set;

enum hc_role { HC_READINESS, HC_LIVENESS };

struct hc_hooks {
	/* A check of process i reached a new state (healthy or unhealthy, or
	 * back); reason is the last failure's, or NULL. */
	void (*changed)(void *ctx, size_t i, enum hc_role role, enum hc_state to, const char *reason);
	/* Give up on process i's run: its liveness check went unhealthy, or it
	 * was not healthy within x-startup_timeout_seconds. */
	void (*give_up)(void *ctx, size_t i, const char *why);
	void *ctx;
};

/* What status shows of one check. */
struct hc_view {
	const char *type;            /* "tcp" "http" "process" */
	enum hc_state state;
	uint64_t since_ns;           /* loop time of the last change (0: none) */
	int last_pass;               /* -1: no result yet */
	uint64_t last_at_ns;
	const char *last_failure;    /* the last failure's reason, or NULL */
	unsigned passes, failures;   /* in a row */
	uint64_t checks, failed_checks;
	uint64_t skipped;            /* rounds skipped while the last attempt ran */
};

/* NULL when out of memory. The spec must stay valid and unchanged. */
struct hc_set *hc_new(struct loop *l, const struct spec *spec, const struct hc_hooks *hooks);
void hc_free(struct hc_set *s);

/* Process i's main command started / ended: its checks begin / stop. */
void hc_process_started(struct hc_set *s, size_t i);
void hc_process_stopped(struct hc_set *s, size_t i);

/* 0 and *ret filled, or -1 when process i has no such check. */
int hc_get(const struct hc_set *s, size_t i, enum hc_role role, struct hc_view *ret);
/* Healthy by its readiness check, else by its liveness check; 0 without one. */
int hc_healthy(const struct hc_set *s, size_t i);
/* The VM was restored from a snapshot: in-flight attempts abandoned
 * uncounted, failures in a row reset, the next rounds spread over one
 * interval (health.c). */
void hc_resumed(struct hc_set *s);

#endif
