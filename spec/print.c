/* spec/print.c - the canonical form of a spec (`vminit check`).
 *
 * Owns: output order and formatting only. Every field is written with its
 * default applied, sections and keys in a fixed order, vars sorted by name,
 * derived port names filled in. The output is itself a valid spec, and
 * printing it again gives the same bytes (tests/unit/spec/test_print.c checks it).
 */
#include "spec_int.h"
#include "base/names.h"

#include <string.h>

static void kv_str(FILE *f, const char *key, const char *v)
{
	struct val_out o = { f, 0 };
	if (!v)
		return;
	val_out_key(&o, key);
	val_out_string(&o, v);
	val_out_end(&o);
}

static void kv_strv(FILE *f, const char *key, const struct spec_strv *v)
{
	struct val_out o = { f, 0 };
	if (!v->set)
		return;
	val_out_key(&o, key);
	val_out_strv(&o, v->v, v->n);
	val_out_end(&o);
}

static void kv_int(FILE *f, const char *key, long long v)
{
	fprintf(f, "%s = %lld\n", key, v);
}

static void kv_bool(FILE *f, const char *key, int v)
{
	fprintf(f, "%s = %s\n", key, v ? "true" : "false");
}

/* [guest.scratch] and [guest.volumes.NAME]: device, then wait_seconds. */
static void print_device(FILE *f, const struct spec_device *d)
{
	kv_str(f, "device", d->text);
	kv_int(f, "wait_seconds", d->wait);
}

static void print_check(FILE *f, const char *table, const struct spec_health *h)
{
	static const char *const types[] = { "tcp", "http", "process" };
	char k[64];
#define K(field) (snprintf(k, sizeof(k), "%s.%s", table, field), k)
	if (!h->present)
		return;
	kv_str(f, K("type"), types[h->type]);
	if (h->port_name)
		kv_str(f, K("port"), h->port_name);
	else if (h->type != SPEC_HEALTH_PROCESS)
		kv_int(f, K("port"), h->port);
	kv_str(f, K("path"), h->path);
	kv_int(f, K("interval_seconds"), h->interval);
	kv_int(f, K("timeout_seconds"), h->timeout);
	kv_int(f, K("grace_period_seconds"), h->grace);
	kv_int(f, K("success_threshold"), h->success_threshold);
	kv_int(f, K("failure_threshold"), h->failure_threshold);
#undef K
}

/* x-secrets_reload, always: "signal:HUP" with the name without its SIG. */
static void print_reload(FILE *f, const struct spec_process *p)
{
	char v[32];
	if (p->secrets_reload == SPEC_RELOAD_SIGNAL)
		snprintf(v, sizeof(v), "signal:%s", names_signal(p->secrets_reload_signal) + 3);
	else
		snprintf(v, sizeof(v), "%s", p->secrets_reload == SPEC_RELOAD_RESTART ? "restart" : "none");
	kv_str(f, "x-secrets_reload", v);
}

/* x-capabilities.add / .drop when not empty: names in number order, or
 * "ALL" for every one. */
static void print_caps(FILE *f, const char *key, uint64_t mask)
{
	static char all[] = "ALL";
	char *v[65], names[64][24];
	struct spec_strv sv = { v, 0, 1 };
	if (!mask)
		return;
	if (mask == SPEC_CAPS_ALL)
		v[sv.n++] = all;
	for (int cap = 0; cap < 64 && mask != SPEC_CAPS_ALL; cap++)
		if (mask >> cap & 1) {
			spec_cap_name(cap, names[sv.n], sizeof(names[sv.n]));
			v[sv.n] = names[sv.n];
			sv.n++;
		}
	v[sv.n] = NULL;
	kv_strv(f, key, &sv);
}

/* An array of addresses, as inet_ntop spells them. */
static void kv_ips(FILE *f, const char *key, const struct spec_ip *ips, size_t n)
{
	char buf[SPEC_NET_MAX_ADDRS][64];
	char *v[SPEC_NET_MAX_ADDRS + 1] = { 0 };
	struct spec_strv sv = { v, 0, 1 };
	for (size_t i = 0; i < n && i < SPEC_NET_MAX_ADDRS; i++)
		if (spec_ip_print(&ips[i], buf[sv.n], sizeof(buf[0])) == 0)
			v[sv.n] = buf[sv.n], sv.n++;
	if (sv.n)
		kv_strv(f, key, &sv);
}

static void kv_ip(FILE *f, const char *key, const struct spec_ip *ip)
{
	char buf[64];
	if (ip->family && spec_ip_print(ip, buf, sizeof(buf)) == 0)
		kv_str(f, key, buf);
}

/* [guest.network], then each interface in the order given. */
static void print_network(FILE *f, const struct spec *s)
{
	if (!s->net.set)
		return;
	fputs("\n[guest.network]\n", f);
	kv_bool(f, "required", s->net.required);
	kv_int(f, "link_wait_seconds", s->net.link_wait);
	kv_ips(f, "dns_servers", s->net.dns, s->net.ndns);
	kv_strv(f, "dns_search", &s->net.search);
	kv_strv(f, "hosts", &s->net.hosts);
	for (size_t i = 0; i < s->net.nifaces; i++) {
		const struct spec_iface *it = &s->net.ifaces[i];
		fprintf(f, "\n[guest.network.interfaces.%s]\n", it->name);
		if (it->has_mac)
			fprintf(f, "mac = \"%02x:%02x:%02x:%02x:%02x:%02x\"\n", it->mac[0], it->mac[1], it->mac[2],
				it->mac[3], it->mac[4], it->mac[5]);
		if (it->mtu)
			kv_int(f, "mtu", it->mtu);
		kv_ips(f, "addresses", it->addrs, it->naddrs);
		kv_ip(f, "gateway4", &it->gw4);
		kv_ip(f, "gateway6", &it->gw6);
	}
}

static void print_process(FILE *f, const struct spec_process *p)
{
	char k[64], num[32];

	fprintf(f, "\n[processes.%s]\n", p->name);
	kv_strv(f, "command", &p->command);
	kv_str(f, "workdir", p->workdir);
	kv_str(f, "user", p->user);
	kv_strv(f, "vars", &p->vars);
	kv_strv(f, "prestart", &p->prestart);
	kv_int(f, "prestart_timeout_seconds", p->prestart_timeout);
	kv_str(f, "restart.policy", spec_restart_name(p->restart));
	if (p->restart == SPEC_RESTART_ON_FAILURE)
		kv_int(f, "restart.max_retries", p->max_retries);
	kv_int(f, "restart.backoff_seconds", p->backoff);
	kv_str(f, "resources.memory", p->memory);
	val_format_float(p->cpu, num, sizeof(num));
	fprintf(f, "resources.cpu = %s\n", num);
	kv_str(f, "resources.disk", p->disk);
	kv_int(f, "resources.x-pids_max", p->pids_max);
	kv_int(f, "scaling.min", p->scale_min);
	kv_int(f, "scaling.max", p->scale_max);
	for (size_t i = 0; i < p->nports; i++) {
		snprintf(k, sizeof(k), "ports.%zu.name", i);
		kv_str(f, k, p->ports[i].name);
		snprintf(k, sizeof(k), "ports.%zu.internal", i);
		kv_int(f, k, p->ports[i].internal);
		snprintf(k, sizeof(k), "ports.%zu.protocol", i);
		kv_str(f, k, p->ports[i].protocol);
	}
	print_check(f, "health", &p->health);
	print_check(f, "x-liveness", &p->liveness);
	if (p->startup_timeout)
		kv_int(f, "x-startup_timeout_seconds", p->startup_timeout);
	if (p->ndeps) {
		char *v[SPEC_MAX_PROCESSES + 1] = { 0 }, buf[SPEC_MAX_PROCESSES][48];
		struct spec_strv sv = { v, 0, 1 };
		for (size_t i = 0; i < p->ndeps && i < SPEC_MAX_PROCESSES; i++) {
			snprintf(buf[i], sizeof(buf[i]), "%s:%s", p->deps[i].name, spec_dep_cond_name(p->deps[i].cond));
			v[sv.n++] = buf[i];
		}
		kv_strv(f, "x-depends_on", &sv);
	}
	print_reload(f, p);
	print_caps(f, "x-capabilities.add", p->cap_add);
	print_caps(f, "x-capabilities.drop", p->cap_drop);
	for (size_t i = 0; i < p->nmounts; i++) {
		snprintf(k, sizeof(k), "mounts.%zu.volume", i);
		kv_str(f, k, p->mounts[i].volume);
		snprintf(k, sizeof(k), "mounts.%zu.path", i);
		kv_str(f, k, p->mounts[i].path);
		snprintf(k, sizeof(k), "mounts.%zu.read_only", i);
		kv_bool(f, k, p->mounts[i].read_only);
	}
	kv_bool(f, "secrets.required", p->secrets_required);
}

int spec_print(const struct spec *s, FILE *f)
{
	fputs("# vminit spec, canonical form\n", f);
	kv_str(f, "schema_version", "v1");
	if (s->app_name || s->app_description) {
		fputs("\n[app]\n", f);
		kv_str(f, "name", s->app_name);
		kv_str(f, "description", s->app_description);
	}
	fputs("\n[image]\n", f);
	kv_str(f, "ref", s->image_ref);
	kv_str(f, "pull_policy", s->pull_policy);

	fputs("\n[env]\n", f);
	kv_strv(f, "vars", &s->env.vars);
	kv_str(f, "workdir", s->env.workdir);
	kv_str(f, "user", s->env.user);
	kv_strv(f, "prestart", &s->env.prestart);
	kv_int(f, "prestart_timeout_seconds", s->env.prestart_timeout);

	for (size_t i = 0; i < s->nprocs; i++)
		print_process(f, &s->procs[i]);

	for (size_t i = 0; i < s->nvols; i++) {
		const struct spec_volume *v = &s->vols[i];
		fprintf(f, "\n[volumes.%zu]\n", i);
		kv_str(f, "name", v->name);
		kv_str(f, "size", v->size);
		kv_str(f, "filesystem", v->filesystem);
		kv_bool(f, "backup_enabled", v->backup_enabled);
	}

	fputs("\n[guest]\n", f);
	kv_str(f, "hostname", s->guest.hostname);
	kv_str(f, "halt", s->guest.halt == SPEC_HALT_REBOOT ? "reboot" : "poweroff");
	kv_int(f, "stop_timeout_seconds", s->guest.stop_timeout);
	kv_int(f, "restart_backoff_max_seconds", s->guest.backoff_max);
	kv_int(f, "restart_reset_seconds", s->guest.reset_after);
	kv_strv(f, "control", &s->guest.control);
	kv_str(f, "push", s->guest.push);

	if (s->image.entrypoint.set || s->image.cmd.set || s->image.env.set ||
	    s->image.workdir || s->image.user) {
		fputs("\n[guest.image]\n", f);
		kv_strv(f, "entrypoint", &s->image.entrypoint);
		kv_strv(f, "cmd", &s->image.cmd);
		kv_strv(f, "env", &s->image.env);
		kv_str(f, "workdir", s->image.workdir);
		kv_str(f, "user", s->image.user);
	}
	print_network(f, s);
	if (s->root.dev.kind != SPEC_LOC_NONE) {
		fputs("\n[guest.root]\n", f);
		kv_str(f, "device", s->root.dev.text);
		kv_str(f, "filesystem", spec_fs_name(s->root.fs));
		kv_int(f, "wait_seconds", s->root.dev.wait);
		kv_strv(f, "writable", &s->root.writable);
		kv_str(f, "tmpfs_size", s->root.tmpfs_size);
	}
	if (s->scratch.dev.kind != SPEC_LOC_NONE) {
		fputs("\n[guest.scratch]\n", f);
		print_device(f, &s->scratch.dev);
	}
	/* guest.volumes sorted by name, like processes */
	{
		const char *last = "";
		for (;;) {
			const struct spec_volume *next = NULL;
			for (size_t i = 0; i < s->nvols; i++)
				if (s->vols[i].dev.kind != SPEC_LOC_NONE && strcmp(s->vols[i].name, last) > 0 &&
				    (!next || strcmp(s->vols[i].name, next->name) < 0))
					next = &s->vols[i];
			if (!next)
				break;
			fprintf(f, "\n[guest.volumes.%s]\n", next->name);
			print_device(f, &next->dev);
			last = next->name;
		}
	}
	return ferror(f) ? -1 : 0;
}
