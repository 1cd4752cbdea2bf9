# vminit - see README.md. `make` builds build/vminit; `make check` runs every test.

BUILD   := build
empty   :=
space   := $(empty) $(empty)
comma   := ,
MUSLCC  ?= musl-gcc
CC      ?= cc
LIBDIR  := /usr/lib/x86_64-linux-gnu

WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror
# The shipped binary: static musl, small. Only the headers linked into
# $(BUILD)/include are visible besides musl's own: never /usr/include.
MUSL_CFLAGS  := $(WARN) -Os -flto=auto -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
                -DVMINIT_EXPORT_FORTIFY -isystem $(BUILD)/include
# noseparate-code: code and read-only data share their pages (no padding to
# a page between them: 4 KB less on disk). -flto (above and here): the whole
# program optimised for size at the link, 8 KB less than per file.
MUSL_LDFLAGS := -static -Os -flto=auto -Wl,--gc-sections -Wl,-z,noseparate-code
# The same sources against glibc, with sanitizers, for the unit tests.
TEST_CFLAGS  := $(WARN) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer
TEST_LDFLAGS := -fsanitize=address,undefined

# The layers, bottom to top (docs/architecture.md): what each folder may
# include besides its own files. A folder is compiled seeing only these
# ($(BUILD)/view/FOLDER), and `make layers` checks every include against them.
# An entry with a file name (channel/addr.h) shows only that file.
LAYER_base       :=
LAYER_channel    := base
LAYER_spec       := base channel/addr.h
LAYER_supervisor := base spec
LAYER_health     := base spec
LAYER_kmod       := base
LAYER_storage    := base spec
LAYER_secrets    := base spec
LAYER_resources  := base spec
LAYER_network    := base spec
LAYER_control    := base channel spec supervisor health kmod storage secrets resources network
LAYER_init       := base spec supervisor health kmod storage secrets resources network control
LAYER_host       := base channel
FOLDERS := base channel spec supervisor health kmod storage secrets resources network control init host
# PID 1 is every folder but the host side (client library, vminitctl).
PID1_FOLDERS := $(filter-out host,$(FOLDERS))
WIRE_SRC := $(wildcard base/*.c channel/*.c)
HOST_SRC := $(wildcard host/*.c)
SRC := $(foreach d,$(PID1_FOLDERS),$(wildcard $(d)/*.c))
LIB_SRC := $(filter-out init/main.c,$(SRC))
HDR := $(foreach d,$(FOLDERS),$(wildcard $(d)/*.h))
# The folder of a source file, and the view it is compiled with.
folder = $(firstword $(subst /, ,$(1)))
VIEW = -iquote $(BUILD)/view/$(call folder,$<)
VIEWS := $(FOLDERS:%=$(BUILD)/view/%/.stamp)

MUSL_OBJ := $(SRC:%.c=$(BUILD)/musl/%.o)
# host/envfile.c too: its unit test (tests/unit/host/test_envfile.c).
TEST_OBJ := $(LIB_SRC:%.c=$(BUILD)/glibc/%.o) $(BUILD)/glibc/host/envfile.o
UNIT_SRC := $(wildcard tests/unit/*.c tests/unit/*/*.c)
HELPERS  := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(wildcard tests/helpers/*.c))

.PHONY: all check deps layers docs-check docs-table unit manifest pid1 channel helpers clean size demo qemu e2e mutants fuzz fuzz-short bench bench-peers
all: $(BUILD)/vminit $(BUILD)/vminitctl

# Headers of the static libraries and the kernel, without the rest of /usr/include.
$(BUILD)/include/.stamp:
	mkdir -p $(BUILD)/include/sys
	ln -sfn /usr/include/ini.h $(BUILD)/include/ini.h
	ln -sfn /usr/include/jsmn.h $(BUILD)/include/jsmn.h
	ln -sfn /usr/include/sys/capability.h $(BUILD)/include/sys/capability.h
	ln -sfn /usr/include/linux $(BUILD)/include/linux
	ln -sfn /usr/include/asm-generic $(BUILD)/include/asm-generic
	ln -sfn /usr/include/x86_64-linux-gnu/asm $(BUILD)/include/asm
	touch $@

# A folder's view: links to the folders (or files) it may include, nothing else.
# Objects need their view to exist, not to be newer (order-only): a rule
# changed here is caught by `make layers` at once, and by a clean build.
$(BUILD)/view/%/.stamp: Makefile
	@rm -rf $(BUILD)/view/$* && mkdir -p $(BUILD)/view/$*
	@for a in $(LAYER_$*); do mkdir -p $(BUILD)/view/$*/$$(dirname $$a); \
		ln -sfn $(CURDIR)/$$a $(BUILD)/view/$*/$$a; done
	@touch $@

$(BUILD)/musl/%.o: %.c $(HDR) $(BUILD)/include/.stamp | $(VIEWS)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(MUSL_CFLAGS) $(VIEW) -c $< -o $@

$(BUILD)/vminit.debug: $(MUSL_OBJ)
	$(MUSLCC) $(MUSL_LDFLAGS) -o $@ $(MUSL_OBJ) $(LIBDIR)/libinih.a $(LIBDIR)/libcap.a

$(BUILD)/vminit: $(BUILD)/vminit.debug
	strip -o $@ $<

# vminitctl: static musl too, so it runs on any host (and inside a guest).
$(BUILD)/vminitctl: $(WIRE_SRC:%.c=$(BUILD)/musl/%.o) $(HOST_SRC:%.c=$(BUILD)/musl/%.o)
	$(MUSLCC) $(MUSL_LDFLAGS) -s -o $@ $^

$(BUILD)/glibc/%.o: %.c $(HDR) | $(VIEWS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(VIEW) -c $< -o $@

$(BUILD)/unit-tests: $(TEST_OBJ) $(UNIT_SRC) $(wildcard tests/unit/*.h tests/unit/*/*.h)
	$(CC) $(TEST_CFLAGS) -iquote . -o $@ $(UNIT_SRC) $(TEST_OBJ) \
		$(TEST_LDFLAGS) -Wl,--wrap=clock_gettime -lcriterion -linih -lcap

$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -o $@ $<

helpers: $(HELPERS)

# Guest-side helpers of the QEMU tests: static musl, like vminit.
$(BUILD)/qemu/vsock-sink: tests/qemu/vsock-sink.c $(BUILD)/include/.stamp
	@mkdir -p $(dir $@)
	$(MUSLCC) $(MUSL_CFLAGS) $(MUSL_LDFLAGS) -s -o $@ $<

$(BUILD)/qemu/memhog: tests/qemu/memhog.c $(BUILD)/include/.stamp
	@mkdir -p $(dir $@)
	$(MUSLCC) $(MUSL_CFLAGS) $(MUSL_LDFLAGS) -s -o $@ $<

deps:
	tests/deps.sh

# The house's rules: includes only downward, no cycles, files and functions
# of a readable size (tests/house/layers.py).
layers: $(VIEWS)
	tests/house/t-layers.sh
	python3 tests/house/layers.py $(foreach d,$(FOLDERS),$(d)=$(subst $(space),$(comma),$(strip $(LAYER_$(d)))))

# docs/supervisor.md's table of a process's life is the code's own
# (supervisor/svc.c): docs-check fails when they differ, docs-table rewrites
# the doc's copy (tests/house/svc_table.c).
$(BUILD)/svc-table: tests/house/svc_table.c supervisor/svc.c supervisor/svc_doc.c supervisor/svc.h spec/spec.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O1 -iquote . -o $@ tests/house/svc_table.c supervisor/svc.c supervisor/svc_doc.c

docs-check: $(BUILD)/svc-table
	$(BUILD)/svc-table --check docs/supervisor.md

docs-table: $(BUILD)/svc-table
	$(BUILD)/svc-table --write docs/supervisor.md

# Then the suites on the loop's clock again with CLOCK_MONOTONIC at 0.7 s, as
# in a VM that just booted (tests/unit/unit_clock.c).
unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests --jobs 2
	VMINIT_UNIT_CLOCK_MS=700 $(BUILD)/unit-tests --jobs 2 --filter '@(loop|probe|health_deps|shutdown|signals)/*'

# qemu/manifest-to-spec with vminit check: the manifests the schema accepts, and not.
manifest: $(BUILD)/vminit
	tests/manifest/run.sh

pid1: $(BUILD)/vminit $(BUILD)/vminitctl helpers
	tests/pid1/run.sh

# vminitctl and the client library against a scripted server (no vminit).
channel: $(BUILD)/vminitctl helpers
	tests/channel/t-client.sh

# The shipped binary must be static (it runs where there is no libc) and small.
MAX_SIZE := 262144
size: $(BUILD)/vminit
	@file $(BUILD)/vminit
	@file $(BUILD)/vminit | grep -q 'statically linked' || { echo "FAIL: build/vminit is not static"; exit 1; }
	@size=$$(stat -c %s $(BUILD)/vminit); echo "build/vminit: $$size bytes stripped (limit $(MAX_SIZE))"; \
		[ $$size -le $(MAX_SIZE) ] || { echo "FAIL: build/vminit is over $(MAX_SIZE) bytes"; exit 1; }

check: deps
	$(MAKE) layers
	$(MAKE) docs-check
	$(MAKE) all
	$(MAKE) size
	$(MAKE) unit
	$(MAKE) manifest
	$(MAKE) channel
	$(MAKE) fuzz-short
	$(MAKE) pid1
	$(MAKE) e2e

clean:
	rm -rf $(BUILD)

demo: deps all
	qemu/demo-namespace.sh

# End to end: vminit as PID 1 of a real kernel in QEMU (tests/qemu/).
e2e: deps all $(BUILD)/qemu/vsock-sink $(BUILD)/qemu/memhog
	qemu/setup.sh
	QEMU_KERNEL_FLAVOUR=6.12-cloud-amd64 qemu/setup.sh   # t-resume: vmgenid (docs/resume.md)
	tests/qemu/run.sh

# The main job: the example workload in QEMU, queried from the host.
qemu: deps all
	qemu/setup.sh
	qemu/demo.sh

# Each behaviour test must fail with its feature switched off (tests/mutants.sh).
mutants: all helpers
	tests/mutants.sh

# libFuzzer on the request decoder and the JSON codec (tests/fuzz/fuzz_request.c),
# built from the same channel/*.c as vminit. The seeds are copied into
# $(BUILD)/fuzz/corpus, which keeps what the fuzzer finds between runs; crashes
# are written to $(BUILD)/fuzz/. `make fuzz` runs each target FUZZ_SECONDS;
# `make fuzz-short` is the 20 s run of each for `check`.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -iquote .
FUZZ_FLAGS   := -max_len=17000 -timeout=10 -print_final_stats=1 -dict=tests/fuzz/request.dict \
                -artifact_prefix=$(BUILD)/fuzz/

$(BUILD)/fuzz/fuzz_request: tests/fuzz/fuzz_request.c $(WIRE_SRC) $(wildcard base/*.h channel/*.h) $(VIEWS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_request.c $(WIRE_SRC)

# The spec reader (tests/fuzz/fuzz_spec.c): bytes -> the path of `vminit
# check`, the canonical form's round trip checked inside. Same layout, its own
# corpus ($(BUILD)/fuzz/spec-corpus) and crashes ($(BUILD)/fuzz/spec-*).
SPEC_SRC        := $(wildcard spec/*.c) channel/addr.c base/names.c
FUZZ_SPEC_FLAGS := -max_len=8192 -timeout=10 -print_final_stats=1 -dict=tests/fuzz/spec.dict \
                   -artifact_prefix=$(BUILD)/fuzz/spec-

$(BUILD)/fuzz/fuzz_spec: tests/fuzz/fuzz_spec.c $(SPEC_SRC) $(wildcard spec/*.h) channel/addr.h $(VIEWS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_spec.c $(SPEC_SRC) -linih

# The superblock reader (tests/fuzz/fuzz_probe.c): a device's first 4 KiB ->
# storage/probe.c's probe_bytes, its invariants checked inside. Seeds: the
# first 4 KiB of real ext4, squashfs and erofs images. Its own corpus
# ($(BUILD)/fuzz/probe-corpus) and crashes ($(BUILD)/fuzz/probe-*).
FUZZ_PROBE_FLAGS := -max_len=4096 -timeout=10 -print_final_stats=1 \
                    -artifact_prefix=$(BUILD)/fuzz/probe-

$(BUILD)/fuzz/fuzz_probe: tests/fuzz/fuzz_probe.c storage/probe.c storage/probe.h spec/spec.h $(VIEWS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_probe.c storage/probe.c

# The secret bundle's writer and the env-file reader (tests/fuzz/fuzz_secrets.c):
# "KEY=VALUE" strings split on 0xff -> secrets_render -> envfile_parse, which
# must give them back; and the bytes read as an env file. Its own corpus
# ($(BUILD)/fuzz/secrets-corpus) and crashes ($(BUILD)/fuzz/secrets-*).
SECRETS_FUZZ_SRC   := secrets/bundle.c host/envfile.c spec/value.c
FUZZ_SECRETS_FLAGS := -max_len=16384 -timeout=10 -print_final_stats=1 \
                      -artifact_prefix=$(BUILD)/fuzz/secrets-

$(BUILD)/fuzz/fuzz_secrets: tests/fuzz/fuzz_secrets.c $(SECRETS_FUZZ_SRC) secrets/bundle.h host/envfile.h spec/value.h $(VIEWS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_secrets.c $(SECRETS_FUZZ_SRC) -lm

# The readers of the kernel's cgroup files (tests/fuzz/fuzz_resources.c):
# the same bytes to all five parsers of resources/parse.c, their invariants
# checked inside. Its own corpus ($(BUILD)/fuzz/resources-corpus) and
# crashes ($(BUILD)/fuzz/resources-*).
FUZZ_RESOURCES_FLAGS := -max_len=4096 -timeout=10 -print_final_stats=1 \
                        -artifact_prefix=$(BUILD)/fuzz/resources-

$(BUILD)/fuzz/fuzz_resources: tests/fuzz/fuzz_resources.c resources/parse.c resources/resources.h $(VIEWS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_resources.c resources/parse.c

# The rtnetlink reply parsers and the address and MAC text forms
# (tests/fuzz/fuzz_netlink.c): the bytes as a kernel reply buffer through
# every parser of network/nlmsg.c, and their first line as text, the
# invariants checked inside. Its own corpus ($(BUILD)/fuzz/netlink-corpus)
# and crashes ($(BUILD)/fuzz/netlink-*).
FUZZ_NETLINK_FLAGS := -max_len=8192 -timeout=10 -print_final_stats=1 \
                      -artifact_prefix=$(BUILD)/fuzz/netlink-

$(BUILD)/fuzz/fuzz_netlink: tests/fuzz/fuzz_netlink.c network/nlmsg.c network/nlmsg.h $(VIEWS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_netlink.c network/nlmsg.c

# The line splitter and the log item (tests/fuzz/fuzz_output.c): a process's
# bytes in chunks -> supervisor/output.c's output_feed_max under random line
# limits, every line's "plain" flag checked against its bytes and its item
# against the escaping path's.
# Its own corpus ($(BUILD)/fuzz/output-corpus) and crashes ($(BUILD)/fuzz/output-*).
FUZZ_OUTPUT_FLAGS := -max_len=32768 -timeout=10 -print_final_stats=1 \
                     -artifact_prefix=$(BUILD)/fuzz/output-

$(BUILD)/fuzz/fuzz_output: tests/fuzz/fuzz_output.c tests/plain_ref.h supervisor/output.c supervisor/output.h $(WIRE_SRC) \
                           $(wildcard base/*.h channel/*.h) $(VIEWS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_output.c supervisor/output.c $(WIRE_SRC)

# An image's /etc/passwd and /etc/group (tests/fuzz/fuzz_user.c): the bytes
# split on 0xff into the two files of a root of its own -> supervisor/user.c's
# user_resolve and user_home, their invariants checked inside. Its own corpus
# ($(BUILD)/fuzz/user-corpus) and crashes ($(BUILD)/fuzz/user-*).
FUZZ_USER_FLAGS := -max_len=8192 -timeout=10 -print_final_stats=1 \
                   -artifact_prefix=$(BUILD)/fuzz/user-

$(BUILD)/fuzz/fuzz_user: tests/fuzz/fuzz_user.c supervisor/user.c supervisor/user.h $(VIEWS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_user.c supervisor/user.c

fuzz: $(BUILD)/fuzz/fuzz_request $(BUILD)/fuzz/fuzz_spec $(BUILD)/fuzz/fuzz_probe $(BUILD)/fuzz/fuzz_secrets \
      $(BUILD)/fuzz/fuzz_resources $(BUILD)/fuzz/fuzz_netlink $(BUILD)/fuzz/fuzz_output $(BUILD)/fuzz/fuzz_user
	mkdir -p $(BUILD)/fuzz/corpus $(BUILD)/fuzz/spec-corpus $(BUILD)/fuzz/probe-corpus $(BUILD)/fuzz/secrets-corpus \
		$(BUILD)/fuzz/resources-corpus $(BUILD)/fuzz/netlink-corpus $(BUILD)/fuzz/output-corpus \
		$(BUILD)/fuzz/user-corpus
	cp tests/fuzz/corpus/request/* $(BUILD)/fuzz/corpus/
	$(BUILD)/fuzz/fuzz_request $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus
	cp tests/fuzz/corpus/spec/* $(BUILD)/fuzz/spec-corpus/
	$(BUILD)/fuzz/fuzz_spec $(FUZZ_SPEC_FLAGS) -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/spec-corpus
	cp tests/fuzz/corpus/probe/* $(BUILD)/fuzz/probe-corpus/
	$(BUILD)/fuzz/fuzz_probe $(FUZZ_PROBE_FLAGS) -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/probe-corpus
	cp tests/fuzz/corpus/secrets/* $(BUILD)/fuzz/secrets-corpus/
	$(BUILD)/fuzz/fuzz_secrets $(FUZZ_SECRETS_FLAGS) -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/secrets-corpus
	cp tests/fuzz/corpus/resources/* $(BUILD)/fuzz/resources-corpus/
	$(BUILD)/fuzz/fuzz_resources $(FUZZ_RESOURCES_FLAGS) -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/resources-corpus
	cp tests/fuzz/corpus/netlink/* $(BUILD)/fuzz/netlink-corpus/
	$(BUILD)/fuzz/fuzz_netlink $(FUZZ_NETLINK_FLAGS) -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/netlink-corpus
	cp tests/fuzz/corpus/output/* $(BUILD)/fuzz/output-corpus/
	$(BUILD)/fuzz/fuzz_output $(FUZZ_OUTPUT_FLAGS) -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/output-corpus
	cp tests/fuzz/corpus/user/* $(BUILD)/fuzz/user-corpus/
	$(BUILD)/fuzz/fuzz_user $(FUZZ_USER_FLAGS) -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/user-corpus

fuzz-short:
	$(MAKE) fuzz FUZZ_SECONDS=20

# The host channel's round trip and requests per second, `status` beside
# `ping` (bench/README.md). Needs root; not part of `check`.
# BENCH_ARGS: -m run (subreaper, not PID 1), -t SECONDS, -p PROCESSES, -P same|split.
bench: $(BUILD)/bench/health-bench
	bench/ctl.sh $(BENCH_ARGS)
	bench/health.sh

# The check engine as PID 1 runs it (static musl, -Os), without the rest of PID 1.
$(BUILD)/bench/health-bench: bench/health-bench.c base/loop.c $(wildcard health/*.c) $(HDR) $(BUILD)/include/.stamp $(VIEWS)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(MUSL_CFLAGS) -iquote . $(MUSL_LDFLAGS) -o $@ bench/health-bench.c base/loop.c $(wildcard health/*.c)

# vminit beside tini-static, catatonit, dumb-init, s6 and supervisord, each as
# PID 1 of fresh namespaces, interleaved (bench/README.md, "bench-peers").
# Installs the peers from Debian when missing; needs root; not part of `check`.
# PEERS_ARGS: -r RUNS (20), -R FLOOD_RUNS (5), -f SETS (e.g. flood,bulk), -i IDLE_MS
# (1000), -o TSV. Ends with issue 16's targets table (met / missed).
bench-peers: $(BUILD)/vminit $(BUILD)/vminitctl $(BUILD)/bench/peerbench
	bench/peers/install.sh
	bench/peers.sh $(PEERS_ARGS)

# The stamps of bench/peers.sh: static musl, so its own start costs the same
# under every init.
$(BUILD)/bench/peerbench: bench/peers/peerbench.c $(BUILD)/include/.stamp
	@mkdir -p $(dir $@)
	$(MUSLCC) $(MUSL_CFLAGS) -O2 $(MUSL_LDFLAGS) -s -o $@ $<
