/* test_sections.c - the sections (spec/sections.c): schema_version, unknown
 * keys and sections, [volumes.N] and [guest.volumes.NAME], indexes without
 * gaps, [app], [image], [guest], and the empty table {}. */
#include "tests/unit/spec/spec_test.h"

/* ==== validation rules ==== */

/* -- schema_version -- */

Test(validate_top, schema_version_missing)
{
	expect_error("[processes.web]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\n",
		     "t.ini:1: schema_version: required");
}

Test(validate_top, schema_version_wrong)
{
	expect_error("schema_version = \"v2\"\n[processes.web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:1: schema_version: \"v2\" is not supported");
}

Test(validate_top, schema_version_not_a_string)
{
	expect_error("\n\nschema_version = 1\n[processes.web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:3: schema_version: must be a string, not an integer");
}

/* -- unknown keys and sections -- */

Test(validate_top, unknown_top_level_key)
{
	expect_error("schema_version = \"v1\"\nname = \"x\"\n[processes.web]\n"
		     "command = [\"/a\"]\nresources.memory = \"64Mi\"\n",
		     "t.ini:2: name: unknown key");
}

Test(validate_top, unknown_process_key)
{
	expect_error(BASE "restart.polcy = \"always\"\n",
		     "t.ini:5: processes.web.restart.polcy: unknown key");
}

Test(validate_top, unknown_keys_in_every_section)
{
	expect_error(BASE
		"[app]\n"                 /* 5 */
		"title = \"x\"\n"         /* 6 */
		"[image]\n"               /* 7 */
		"tag = \"x\"\n"           /* 8 */
		"[env]\n"                 /* 9 */
		"VAR = \"x\"\n"           /* 10 */
		"[volumes.0]\n"           /* 11 */
		"name = \"data\"\n"       /* 12 */
		"size = \"1Gi\"\n"        /* 13 */
		"type = \"ssd\"\n"        /* 14 */
		"[guest]\n"               /* 15 */
		"timezone = \"UTC\"\n"    /* 16 */
		"[guest.image]\n"         /* 17 */
		"args = [\"x\"]\n"        /* 18 */
		"[guest.volumes.data]\n"  /* 19 */
		"device = \"/dev/vdb\"\n" /* 20 */
		"fs = \"ext4\"\n",        /* 21 */
		"t.ini:6: app.title: unknown key",
		"t.ini:8: image.tag: unknown key",
		"t.ini:10: env.VAR: unknown key",
		"t.ini:14: volumes.0.type: unknown key",
		"t.ini:16: guest.timezone: unknown key",
		"t.ini:18: guest.image.args: unknown key",
		"t.ini:21: guest.volumes.data.fs: unknown key");
}

Test(validate_top, unknown_port_field)
{
	expect_error(BASE "ports.0.internal = 80\nports.0.host = 8080\n",
		     "t.ini:6: processes.web.ports.0.host: unknown key");
}

Test(validate_top, unknown_section)
{
	expect_error(BASE "[build]\n", "t.ini:5: build: unknown section");
}

Test(validate_top, health_subsection_style)
{
	expect_error(BASE "[processes.web.health]\nport = 80\n",
		     "t.ini:5: processes.web.health: unknown section: a process's fields are "
		     "dotted keys in [processes.web]");
}

Test(validate_top, resources_subsection_style)
{
	expect_error(BASE "[processes.web.resources]\ncpu = 1.0\n",
		     "t.ini:5: processes.web.resources: unknown section");
}

Test(validate_top, guest_unknown_subsection)
{
	expect_error(BASE "[guest.clock]\n", "t.ini:5: guest.clock: unknown section");
}

Test(validate_top, at_least_one_process)
{
	expect_error("schema_version = \"v1\"\n[app]\nname = \"x\"\n",
		     "t.ini:1: processes: at least one [processes.NAME] section is required");
}

/* -- volumes -- */

#define VOL(keys) BASE "[volumes.0]\n" keys   /* volume keys start at line 6 */

Test(validate_volumes, name_pattern)
{
	expect_error(VOL("name = \"Data\"\nsize = \"1Gi\"\n"),
		     "t.ini:6: volumes.0.name: \"Data\" must match [a-z][a-z0-9-]{0,31}");
	expect_error(VOL("name = \"my_data\"\nsize = \"1Gi\"\n"),
		     "t.ini:6: volumes.0.name: \"my_data\" must match");
}

Test(validate_volumes, name_required)
{
	expect_error(VOL("size = \"1Gi\"\n"), "t.ini:5: volumes.0.name: required");
}

Test(validate_volumes, unique_names)
{
	expect_error(BASE
		"[volumes.0]\n"       /* 5 */
		"name = \"data\"\n"   /* 6 */
		"size = \"1Gi\"\n"    /* 7 */
		"[volumes.1]\n"       /* 8 */
		"name = \"data\"\n"   /* 9 */
		"size = \"2Gi\"\n",   /* 10 */
		"t.ini:9: volumes.1.name: volume name \"data\" is used twice");
}

Test(validate_volumes, size_minimum)
{
	expect_error(VOL("name = \"data\"\nsize = \"1023Mi\"\n"),
		     "t.ini:7: volumes.0.size: \"1023Mi\" is less than the minimum 1Gi");
}

Test(validate_volumes, size_required)
{
	expect_error(VOL("name = \"data\"\n"), "t.ini:5: volumes.0.size: required");
}

Test(validate_volumes, size_units)
{
	expect_error(VOL("name = \"data\"\nsize = \"10GB\"\n"),
		     "t.ini:7: volumes.0.size: \"10GB\" is not a size");
}

Test(validate_volumes, filesystem_ext4_only)
{
	expect_error(VOL("name = \"data\"\nsize = \"1Gi\"\nfilesystem = \"xfs\"\n"),
		     "t.ini:8: volumes.0.filesystem: \"xfs\" is not allowed: use \"ext4\"");
}

Test(validate_volumes, bad_section_index)
{
	expect_error(BASE "[volumes.x]\nname = \"data\"\nsize = \"1Gi\"\n",
		     "t.ini:5: volumes.x: expected [volumes.N] with N from 0 to 999");
	expect_error(BASE "[volumes.01]\nname = \"data\"\nsize = \"1Gi\"\n",
		     "t.ini:5: volumes.01: expected [volumes.N]");
}

Test(validate_volumes, order_is_index_order)
{
	struct spec *s = load_ok(BASE
		"[volumes.1]\nname = \"logs\"\nsize = \"2Gi\"\n"
		"[volumes.0]\nname = \"data\"\nsize = \"1Gi\"\n");
	cr_assert_eq(s->nvols, 2);
	cr_assert_str_eq(s->vols[0].name, "data");
	cr_assert_str_eq(s->vols[1].name, "logs");
	spec_free(s);
}

Test(validate_volumes, guest_volume_must_be_declared)
{
	expect_error(BASE "[guest.volumes.cache]\ndevice = \"/dev/vdb\"\n",
		     "t.ini:5: guest.volumes.cache: \"cache\" is not a declared volume");
}

Test(validate_volumes, guest_volume_device_required)
{
	expect_error(BASE "[volumes.0]\nname = \"data\"\nsize = \"1Gi\"\n[guest.volumes.data]\n",
		     "t.ini:8: guest.volumes.data.device: required");
}

/* -- index gaps -- */

Test(validate_indexes, ports_gap)
{
	expect_error(BASE "ports.0.internal = 80\nports.2.internal = 82\n",
		     "t.ini:2: processes.web.ports: ports.1 is missing: indexes run 0, 1, 2, ... "
		     "without gaps");
}

Test(validate_indexes, ports_missing_zero)
{
	expect_error(BASE "ports.1.internal = 80\n",
		     "t.ini:2: processes.web.ports: ports.0 is missing");
}

Test(validate_indexes, mounts_gap)
{
	expect_error(MOUNT("mounts.1.volume = \"data\"\nmounts.1.path = \"/d\"\n"),
		     "t.ini:2: processes.web.mounts: mounts.0 is missing");
}

Test(validate_indexes, volumes_gap)
{
	/* no line exists for a missing section: reported at line 1 */
	expect_error(BASE "[volumes.0]\nname = \"a\"\nsize = \"1Gi\"\n"
		     "[volumes.2]\nname = \"c\"\nsize = \"1Gi\"\n",
		     "t.ini:1: volumes: [volumes.1] is missing: indexes run 0, 1, 2, ... without gaps");
}

/* -- app and image -- */

Test(validate_app, name_empty)
{
	expect_error(BASE "[app]\nname = \"\"\n",
		     "t.ini:6: app.name: length must be 1 to 64 characters, not 0");
}

Test(validate_app, name_64_ascii_ok_65_rejected)
{
	char *n64 = rep("a", 64), *n65 = rep("a", 65);
	char *ok = fmt(BASE "[app]\nname = \"%s\"\n", n64);
	char *bad = fmt(BASE "[app]\nname = \"%s\"\n", n65);
	struct spec *s = load_ok(ok);
	cr_assert_str_eq(s->app_name, n64);
	spec_free(s);
	expect_error(bad, "t.ini:6: app.name: length must be 1 to 64 characters, not 65");
	free(n64); free(n65); free(ok); free(bad);
}

Test(validate_app, name_counts_characters_not_bytes)
{
	/* 64 two-byte characters (128 bytes) are fine; 65 are not */
	char *n64 = rep("\xc3\xa9", 64), *n65 = rep("\xc3\xa9", 65);
	char *ok = fmt(BASE "[app]\nname = \"%s\"\n", n64);
	char *bad = fmt(BASE "[app]\nname = \"%s\"\n", n65);
	struct spec *s = load_ok(ok);
	cr_assert_eq(strlen(s->app_name), 128);
	spec_free(s);
	expect_error(bad, "t.ini:6: app.name: length must be 1 to 64 characters, not 65");
	free(n64); free(n65); free(ok); free(bad);
	/* 64 four-byte characters (256 bytes) over two lines are fine too */
	{
		char *e32 = rep("\xf0\x9f\x98\x80", 32);
		char *t = fmt(BASE "[app]\nname = \"%s\"\n  \"%s\"\n", e32, e32);
		s = load_ok(t);
		cr_assert_eq(strlen(s->app_name), 256);
		spec_free(s);
		free(e32);
		free(t);
	}
}

Test(validate_app, description_256_ok_257_rejected)
{
	/* split over continuation lines: 2 x 128 (+1) characters */
	char *half = rep("d", 128);
	char *ok = fmt(BASE "[app]\ndescription =\n  \"%s\"\n  \"%s\"\n", half, half);
	char *bad = fmt(BASE "[app]\ndescription = \"%s\"\n  \"%s\" \"x\"\n", half, half);
	struct spec *s = load_ok(ok);
	cr_assert_eq(strlen(s->app_description), 256);
	spec_free(s);
	expect_error(bad, "t.ini:6: app.description: length must be at most 256 characters, not 257");
	free(half); free(ok); free(bad);
}

Test(validate_app, description_counts_characters)
{
	/* 256 characters of two bytes each: 512 bytes, still fine */
	char *q = rep("\xc3\xbc", 64);
	char *t = fmt(BASE "[app]\ndescription = \"%s\"\n  \"%s\"\n  \"%s\"\n  \"%s\"\n", q, q, q, q);
	struct spec *s = load_ok(t);
	cr_assert_eq(strlen(s->app_description), 512);
	spec_free(s);
	free(q);
	free(t);
}

Test(validate_image, ref_tag_and_digest_ok)
{
	struct spec *s = load_ok(BASE "[image]\nref = \"ghcr.io/acme/app:latest\"\n");
	cr_assert_str_eq(s->image_ref, "ghcr.io/acme/app:latest");
	spec_free(s);
	s = load_ok(BASE "[image]\nref = \"ghcr.io/acme/app@sha256:" HEX64 "\"\n");
	cr_assert_str_eq(s->image_ref, "ghcr.io/acme/app@sha256:" HEX64);
	spec_free(s);
}

Test(validate_image, digest_not_sha256)
{
	expect_error(BASE "[image]\nref = \"ghcr.io/a/b@sha512:" HEX64 HEX64 "\"\n",
		     "t.ini:6: image.ref: a digest must be sha256:<64 lowercase hex digits>");
}

Test(validate_image, digest_uppercase_hex)
{
	expect_error(BASE "[image]\nref = \"ghcr.io/a/b@sha256:"
		     "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\"\n",
		     "t.ini:6: image.ref: a digest must be sha256");
}

Test(validate_image, digest_wrong_length)
{
	expect_error(BASE "[image]\nref = \"ghcr.io/a/b@sha256:" HEX64 "0\"\n",
		     "t.ini:6: image.ref: a digest must be sha256");
	expect_error(BASE "[image]\nref = \"ghcr.io/a/b@sha256:0123\"\n",
		     "t.ini:6: image.ref: a digest must be sha256");
	expect_error(BASE "[image]\nref = \"ghcr.io/a/b@sha256:\"\n",
		     "t.ini:6: image.ref: a digest must be sha256");
}

Test(validate_image, pull_policy_values)
{
	struct spec *s = load_ok(BASE "[image]\npull_policy = \"if_not_present\"\n");
	cr_assert_str_eq(s->pull_policy, "if_not_present");
	spec_free(s);
	expect_error(BASE "[image]\npull_policy = \"never\"\n",
		     "t.ini:6: image.pull_policy: \"never\" is not allowed: use \"if_not_present\" "
		     "or \"always\"");
	expect_error(BASE "[image]\npull_policy = \"Always\"\n",
		     "t.ini:6: image.pull_policy: \"Always\" is not allowed");
}

/* -- guest -- */

Test(validate_guest, hostname)
{
	expect_error(BASE "[guest]\nhostname = \"bad host\"\n",
		     "t.ini:6: guest.hostname: \"bad host\" is not a hostname");
	expect_error(BASE "[guest]\nhostname = \"-lead\"\n", "t.ini:6: guest.hostname: ");
}

Test(validate_guest, halt_values)
{
	expect_error(BASE "[guest]\nhalt = \"suspend\"\n",
		     "t.ini:6: guest.halt: \"suspend\" is not allowed: use \"poweroff\" or \"reboot\"");
}

Test(validate_guest, timeouts_positive)
{
	expect_error(BASE "[guest]\nstop_timeout_seconds = 0\nrestart_backoff_max_seconds = 0\n"
		     "restart_reset_seconds = -5\n",
		     "t.ini:6: guest.stop_timeout_seconds: must be at least 1",
		     "t.ini:7: guest.restart_backoff_max_seconds: must be at least 1",
		     "t.ini:8: guest.restart_reset_seconds: must be at least 1");
}

/* -- the empty table {}: "this table exists and has no keys" -- */

Test(empty_table, accepted_where_nothing_is_required)
{
	struct spec *s = load_ok(BASE
		"restart = {}\n"            /* 5 */
		"resources = {}\n"          /* 6 */
		"scaling = {}\n"            /* 7 */
		"secrets = {}\n");          /* 8 */
	const struct spec_process *p = proc(s, "web");
	cr_assert_eq(p->restart, SPEC_RESTART_ALWAYS);
	cr_assert_eq(p->backoff, 2);
	cr_assert_float_eq(p->cpu, 1.0, 1e-12);
	cr_assert_str_eq(p->disk, "4Gi");
	cr_assert_eq(p->scale_min, 1);
	cr_assert_eq(p->scale_max, 1);
	cr_assert_eq(p->secrets_required, 0);
	cr_assert_eq(p->health.present, 0);
	cr_assert_eq(p->nports, 0);
	spec_free(s);
}

Test(empty_table, blanks_inside_and_continued)
{
	spec_free(load_ok(BASE "restart = { }\nscaling = {\t}\nsecrets = {\n  }\n"));
}

Test(empty_table, only_the_empty_table_is_a_value)
{
	expect_error(BASE "restart = { policy = \"never\" }\n",
		     "t.ini:5: processes.web.restart: only the empty table {} is a value");
	expect_error(BASE "restart = {\n",
		     "t.ini:5: processes.web.restart: only the empty table {} is a value");
	expect_error(BASE "restart = {} {}\n",
		     "t.ini:5: processes.web.restart: unexpected text after the value");
}

Test(empty_table, health_requires_port)
{
	expect_error(BASE "health = {}\n",
		     "t.ini:2: processes.web.health.port: required when health is set");
	expect_error(BASE "ports.0.internal = 80\nhealth = {}\n",
		     "t.ini:2: processes.web.health.port: required when health is set");
}

Test(empty_table, health_with_keys_beside_it)
{
	/* {} with the table's own keys: redundant, not a conflict */
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nhealth = {}\nhealth.port = 80\n");
	const struct spec_health *h = &proc(s, "web")->health;
	cr_assert_eq(h->present, 1);
	cr_assert_eq(h->type, SPEC_HEALTH_TCP);
	cr_assert_eq(h->port, 80);
	cr_assert_eq(h->interval, 10);
	spec_free(s);
	s = load_ok(BASE "restart = {}\nrestart.policy = \"never\"\n");
	cr_assert_eq(proc(s, "web")->restart, SPEC_RESTART_NEVER);
	spec_free(s);
}

Test(empty_table, autoscale_rejected)
{
	expect_error(BASE "scaling.autoscale = {}\n",
		     "t.ini:5: processes.web.scaling.autoscale: autoscaling is not supported in v1");
	expect_error(BASE "scaling = {}\nscaling.autoscale = {}\n",
		     "t.ini:6: processes.web.scaling.autoscale: autoscaling is not supported in v1");
}

Test(empty_table, unknown_tables)
{
	expect_error(BASE "foo = {}\n", "t.ini:5: processes.web.foo: unknown key");
	expect_error(BASE "restart.foo = {}\n", "t.ini:5: processes.web.restart.foo: unknown key");
	expect_error(BASE "ports = {}\n", "t.ini:5: processes.web.ports: unknown key");
	expect_error(BASE "[app]\nfoo = {}\n", "t.ini:6: app.foo: unknown key");
	expect_error(BASE "[volumes.0]\nname = \"d\"\nsize = \"1Gi\"\nfoo = {}\n",
		     "t.ini:8: volumes.0.foo: unknown key");
}

Test(empty_table, port_element_requires_internal)
{
	expect_error(BASE "ports.0 = {}\n",
		     "t.ini:2: processes.web.ports.0.internal: required");
	expect_error(BASE "ports.0.internal = 80\nports.1 = {}\n",
		     "t.ini:2: processes.web.ports.1.internal: required");
}

Test(empty_table, port_element_counts_as_an_index)
{
	struct spec *s;
	/* element 0 exists, so ports.1 leaves no gap */
	expect_error(BASE "ports.0 = {}\nports.1.internal = 81\n",
		     "t.ini:2: processes.web.ports.0.internal: required");
	expect_no_error(BASE "ports.0 = {}\nports.1.internal = 81\n", "is missing");
	expect_error(BASE "ports.1 = {}\n",
		     "t.ini:2: processes.web.ports: ports.0 is missing: indexes run 0, 1, 2");
	s = load_ok(BASE "ports.0 = {}\nports.0.internal = 80\n");
	cr_assert_eq(proc(s, "web")->nports, 1);
	cr_assert_str_eq(proc(s, "web")->ports[0].name, "p80");
	spec_free(s);
}

Test(empty_table, mount_element_requires_volume_and_path)
{
	expect_error(BASE "mounts.0 = {}\n",
		     "t.ini:2: processes.web.mounts.0.volume: required",
		     "t.ini:2: processes.web.mounts.0.path: required");
	expect_error(BASE "mounts.1 = {}\n",
		     "t.ini:2: processes.web.mounts: mounts.0 is missing");
}

Test(empty_table, type_error_where_a_value_is_wanted)
{
	expect_error(BASE "workdir = {}\n",
		     "t.ini:5: processes.web.workdir: must be a string, not a table");
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = {}\n"
		     "resources.memory = {}\n",
		     "t.ini:3: processes.web.command: must be an array, not a table",
		     "t.ini:4: processes.web.resources.memory: must be a string, not a table");
	expect_error(BASE "secrets.required = {}\n",
		     "t.ini:5: processes.web.secrets.required: must be a boolean, not a table");
	expect_error(BASE "ports.0.internal = {}\n",
		     "t.ini:5: processes.web.ports.0.internal: must be an integer, not a table");
	expect_error(BASE "resources.cpu = {}\n",
		     "t.ini:5: processes.web.resources.cpu: must be a float, not a table");
	expect_error(BASE "ports.0.internal = 80\nhealth.port = {}\n",
		     "t.ini:6: processes.web.health.port: must be a port name (a string) or number, "
		     "not a table");
	expect_error(BASE "vars = {}\n",
		     "t.ini:5: processes.web.vars: must be an array, not a table");
	expect_error("schema_version = {}\n[processes.web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:1: schema_version: must be a string, not a table");
	expect_error(BASE "[guest]\nhostname = {}\n",
		     "t.ini:6: guest.hostname: must be a string, not a table");
}

Test(empty_table, table_key_with_another_type)
{
	expect_error(BASE "restart = \"always\"\n",
		     "t.ini:5: processes.web.restart: must be a table, not a string");
	expect_error(BASE "health = true\n",
		     "t.ini:5: processes.web.health: must be a table, not a boolean");
	expect_error(BASE "mounts.0 = []\n",
		     "t.ini:5: processes.web.mounts.0: must be a table, not an array");
}

Test(empty_table, twice_is_an_error)
{
	expect_error(BASE "restart = {}\nrestart = {}\n",
		     "t.ini:6: processes.web.restart: defined twice (first at line 5)");
	expect_error(BASE "ports.0 = {}\nports.0.internal = 80\nports.0 = {}\n",
		     "t.ini:7: processes.web.ports.0: defined twice (first at line 5)");
}
