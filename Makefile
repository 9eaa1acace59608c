# halls: plain make, driven by pkg-config. `make help` lists the targets.

PKGS    := libevent libevent_openssl libevent_pthreads lmdb libical openssl jansson
BUILD   ?= build
CC      ?= cc
SANITIZE ?=

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libcurl sends the outbox's mail (server/deliver.c): hallsd links it, and the harnesses
# that link hallsd's code; the core and halls never do.
CURL_CFLAGS = $(shell pkg-config --cflags libcurl 2>/dev/null)
CURL_LIBS   = $(shell pkg-config --libs libcurl 2>/dev/null)
# libsystemd tells systemd when hallsd is ready, reloading or stopping (server/service.c):
# hallsd alone links it.
SYSTEMD_CFLAGS = $(shell pkg-config --cflags libsystemd 2>/dev/null)
SYSTEMD_LIBS   = $(shell pkg-config --libs libsystemd 2>/dev/null)

# Optimisation and debug flags may be set on the command line (make CFLAGS=-O0); the
# flags halls needs are added with override so that they are never lost.
CFLAGS  ?= -O2 -g
override CFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	   -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Iserver/core $(PKG_CFLAGS) -MMD -MP
ifneq ($(SANITIZE),)
override CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=$(SANITIZE)
endif
LDLIBS  += $(PKG_LIBS) -lpthread

CORE_SRC  := $(wildcard server/core/*.c)
SERVER_SRC := $(wildcard server/*.c)
CLI_SRC   := $(wildcard cli/*.c)
UNIT_SRC  := $(wildcard tests/unit/*.c)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)

CORE_OBJ   := $(CORE_SRC:%.c=$(BUILD)/%.o)
# The pages, built by Node and embedded: one binary to deploy (docs/operations.md#pages).
WEB_OBJ    := $(BUILD)/web_assets.o
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o) $(WEB_OBJ)
CLI_OBJ    := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ   := $(UNIT_SRC:%.c=$(BUILD)/%.o)
FUZZ_OBJ   := $(FUZZ_SRC:%.c=$(BUILD)/%.o)
# A harness links the front end whose code it drives, less its main() (and service.c,
# which only main() calls): fuzz_cli_*
# harnesses the CLI's objects, those of the core alone (CORE_FUZZ) nothing more, the
# others hallsd's.
SERVER_PART := $(filter-out $(BUILD)/server/main.o $(BUILD)/server/service.o,$(SERVER_OBJ))
CLI_PART    := $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ))
FUZZ_NAMES  := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
REPLAY      := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay-%)
FUZZERS     := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz-%)

LIB    := $(BUILD)/libhalls.a
HALLSD := $(BUILD)/hallsd
HALLS  := $(BUILD)/halls
UNIT   := $(BUILD)/test-unit

DATA   ?= halls-data
LISTEN ?= 127.0.0.1:8080
# make run SMTP=smtp://127.0.0.1:8025: send the mail to that relay (docs/operations.md#email)
SMTP   ?=
HALLSD_MAIL = $(if $(SMTP), --smtp $(SMTP) --public-url http://$(LISTEN))

.PHONY: all deps build test asan run format clean help bench fuzz fuzz-build fuzz-merge fuzzers \
	install uninstall deb

all: deps
	@$(MAKE) --no-print-directory build

build: $(LIB) $(HALLSD) $(HALLS) $(UNIT) $(REPLAY)

deps:
	@sh .ci/deps

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(HALLSD): $(SERVER_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(SERVER_OBJ) $(LIB) $(LDLIBS) $(CURL_LIBS) $(SYSTEMD_LIBS)
$(BUILD)/server/deliver.o: override CFLAGS += $(CURL_CFLAGS)
$(BUILD)/server/service.o: override CFLAGS += $(SYSTEMD_CFLAGS)

$(HALLS): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

# The unit tests also take web_path.c's pure functions (page paths and headers).
$(UNIT): $(UNIT_OBJ) $(BUILD)/server/web_path.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/server/web_path.o $(LIB) $(LDLIBS)
$(BUILD)/tests/unit/test_web_path.o: override CFLAGS += -Iserver

# The pages (server/web/): npm ci when node_modules is missing or older than the
# lockfile; build.mjs writes $(BUILD)/web/; each file is gzipped there and then, and
# web-embed, a tool run here and never shipped, writes them all into web_assets.c.
WEB_DIR     := server/web
WEB_SRC     := $(wildcard $(WEB_DIR)/src/*) $(WEB_DIR)/build.mjs $(WEB_DIR)/package.json
WEB_MODULES := $(WEB_DIR)/node_modules/.package-lock.json
HOST_CFLAGS := -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
	       -Iserver $(shell pkg-config --cflags openssl 2>/dev/null)

$(WEB_MODULES): $(WEB_DIR)/package-lock.json
	cd $(WEB_DIR) && npm ci --no-audit --no-fund
	@touch $@

$(BUILD)/web.stamp: $(WEB_SRC) $(WEB_MODULES)
	node $(WEB_DIR)/build.mjs $(BUILD)/web
	@rm -rf $(BUILD)/web-gz && mkdir -p $(BUILD)/web-gz
	@for f in $(BUILD)/web/*; do gzip -9 -n -c "$$f" >"$(BUILD)/web-gz/$${f##*/}.gz" || exit 1; done
	@touch $@

$(BUILD)/web-embed: $(WEB_DIR)/embed.c server/web_path.c server/web.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(WEB_DIR)/embed.c server/web_path.c \
		$(shell pkg-config --libs openssl 2>/dev/null)

$(BUILD)/web_assets.c: $(BUILD)/web.stamp $(BUILD)/web-embed
	$(BUILD)/web-embed $@ $(BUILD)/web $(BUILD)/web-gz

$(BUILD)/web_assets.o: $(BUILD)/web_assets.c server/web.h
	$(CC) $(CFLAGS) -Iserver -c -o $@ $<

# The browser tests (tests/web/): npm ci when node_modules is missing or older than the
# lockfile. playwright-core drives Debian's chromium (make deps) and never downloads a
# browser.
WEB_TEST_DIR     := tests/web
WEB_TEST_MODULES := $(WEB_TEST_DIR)/node_modules/.package-lock.json

$(WEB_TEST_MODULES): $(WEB_TEST_DIR)/package-lock.json
	cd $(WEB_TEST_DIR) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	@touch $@

# Harnesses reach into hallsd's own headers as well as the core's.
$(FUZZ_OBJ) $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/store.o: override CFLAGS += -Iserver -Icli -Itests/fuzz

# Each harness twice: with a replay main() for `make test`, and with libFuzzer for
# `make fuzz` (clang only, in build-fuzz).
$(BUILD)/fuzz/replay-cli_%: $(BUILD)/tests/fuzz/fuzz_cli_%.o $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/store.o $(CLI_PART) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

CORE_FUZZ := ics_import mail flat_json date_set
$(CORE_FUZZ:%=$(BUILD)/fuzz/replay-%): $(BUILD)/fuzz/replay-%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/store.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(CORE_FUZZ:%=$(BUILD)/fuzz/fuzz-%): $(BUILD)/fuzz/fuzz-%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/store.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz/replay-%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/store.o $(SERVER_PART) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS)

$(BUILD)/fuzz/fuzz-cli_%: $(BUILD)/tests/fuzz/fuzz_cli_%.o $(BUILD)/tests/fuzz/store.o $(CLI_PART) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz/fuzz-%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/store.o $(SERVER_PART) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS) $(CURL_LIBS)

# fuzz_http drives the router without a socket: each reply passes through the harness on
# its way to http_send, and the store it starts from is `halls init --demo`.
$(BUILD)/fuzz/replay-http $(BUILD)/fuzz/fuzz-http: override LDFLAGS += -Wl,--wrap=http_send
$(BUILD)/fuzz/replay-http $(BUILD)/fuzz/fuzz-http: | $(HALLS)

$(BUILD)/bench-core: $(BUILD)/tests/bench/bench_core.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# The anchor of P3 in tests/bench/ratios.sh: durable LMDB commits per second.
$(BUILD)/lmdb-commits: $(BUILD)/tests/bench/lmdb_commits.o
	$(CC) $(LDFLAGS) -o $@ $< -llmdb

# Every test; the last line is "tests: N passed, M failed".
test: deps
	@$(MAKE) --no-print-directory build $(WEB_TEST_MODULES)
	@sh tests/run.sh $(BUILD)

# The same tests built with AddressSanitizer and UBSan.
asan: deps
	@$(MAKE) --no-print-directory build $(WEB_TEST_MODULES) BUILD=build-asan SANITIZE=address,undefined CFLAGS="-O1 -g"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		sh tests/run.sh build-asan

run: all
	@test -d $(DATA) || ./$(HALLS) --data $(DATA) init --demo
	@echo "open http://$(LISTEN)/ in a browser: Find a room"
	@echo "sign in at http://$(LISTEN)/sign-in with password demo-password as"
	@echo "     pat@knitters.example (a group's member), manager.hartley@halls.example"
	@echo "     (a venue manager) or admin@halls.example (an administrator)"
	@echo "try: curl http://$(LISTEN)/api/v1/venues"
	@echo "     curl http://$(LISTEN)/api/v1/rooms/1/availability"
	@echo "     curl http://$(LISTEN)/feeds/rooms/2.ics   (subscribe to it: docs/feeds.md)"
	@echo "./$(HALLSD) --data $(DATA) --listen $(LISTEN)$(HALLSD_MAIL)"
	@./$(HALLSD) --data $(DATA) --listen $(LISTEN)$(HALLSD_MAIL)

# libFuzzer harnesses (tests/fuzz/): every one for FUZZ_SECONDS (default 60), stopping
# at the first crash; FUZZ=NAME for one. clang and libFuzzer's runtime are developer
# tools, installed here rather than by `make deps`.
FUZZ_BUILD = $(MAKE) --no-print-directory BUILD=build-fuzz CC=clang SANITIZE=address,undefined \
	CFLAGS="-O1 -g -fsanitize=fuzzer-no-link"

fuzz-build: deps
	@dpkg-query -W -f='$${Status}\n' clang libclang-rt-14-dev 2>/dev/null | \
		grep -c 'install ok installed' | grep -qx 2 || \
		{ apt-get update -qq && apt-get install -y -qq clang libclang-rt-14-dev; }
	+@$(FUZZ_BUILD) fuzzers

fuzzers: $(LIB) $(HALLS) $(FUZZERS)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh build-fuzz

# Folds what the fuzzers found (build-fuzz/corpus/) into the repository's corpora,
# keeping only inputs that reach new code.
fuzz-merge: fuzz-build
	@for n in $(FUZZ_NAMES); do mkdir -p build-fuzz/corpus/$$n; \
		build-fuzz/fuzz/fuzz-$$n -merge=1 tests/fuzz/corpus/$$n build-fuzz/corpus/$$n || exit 1; done

bench: all
	@$(MAKE) --no-print-directory $(WEB_TEST_MODULES) $(BUILD)/bench-core $(BUILD)/lmdb-commits
	@sh tests/bench/run.sh $(BUILD)

# clang-format is a developer tool, so it is installed here rather than by `make deps`.
format:
	@command -v clang-format >/dev/null || apt-get install -y -qq clang-format
	clang-format -i server/core/*.[ch] server/*.[ch] server/web/*.c cli/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c

# Installing (docs/install.md): `make install` as root after `make`; PREFIX and DESTDIR
# as usual. hallsd goes to sbin, as a daemon only the system runs; halls to bin, since
# an administrator runs it (as the halls user). The unit, the sysusers and tmpfiles
# entries go under PREFIX/lib, which systemd searches for /usr and /usr/local alike, and
# the docs keep the repository's layout so that their links work. The options file in
# SYSCONFDIR/default is installed only when missing, and removed only when unchanged.
PREFIX     ?= /usr/local
DESTDIR    ?=
SYSCONFDIR ?= /etc
BINDIR      = $(PREFIX)/bin
SBINDIR     = $(PREFIX)/sbin
MANDIR      = $(PREFIX)/share/man
DOCDIR      = $(PREFIX)/share/doc/halls
UNITDIR     = $(PREFIX)/lib/systemd/system
SYSUSERSDIR = $(PREFIX)/lib/sysusers.d
TMPFILESDIR = $(PREFIX)/lib/tmpfiles.d
ENVFILE     = $(SYSCONFDIR)/default/halls
DIST        = server/dist
MAN5        = docs/man/halls-data.5
MAN8        = docs/man/halls.8 docs/man/hallsd.8
DOC_MD      = $(wildcard docs/*.md)
DOC_IMAGES  = $(wildcard docs/images/*.png)
DOC_SCHEMAS = schemas/db.md schemas/openapi.yaml
DOC_API     = $(wildcard schemas/api/*.json)
# The unit and the man pages name the paths of PREFIX=/usr, as the package installs
# them; another PREFIX or SYSCONFDIR is written into the installed copies.
INSTALL_SED = sed -e 's|/usr/sbin/hallsd|$(SBINDIR)/hallsd|g' -e 's|/usr/bin/halls |$(BINDIR)/halls |g' \
	-e 's|/usr/share/doc/halls|$(DOCDIR)|g' -e 's|/usr/lib/systemd/system|$(UNITDIR)|g' \
	-e 's|/etc/default/halls|$(ENVFILE)|g'

install: $(HALLSD) $(HALLS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(DOCDIR)/docs/images \
		$(DESTDIR)$(DOCDIR)/schemas/api $(DESTDIR)$(SYSCONFDIR)/default
	install -m 0755 $(HALLS) $(DESTDIR)$(BINDIR)/halls
	install -m 0755 $(HALLSD) $(DESTDIR)$(SBINDIR)/hallsd
	for f in $(MAN5); do $(INSTALL_SED) $$f >$(DESTDIR)$(MANDIR)/man5/$${f##*/} || exit 1; done
	for f in $(MAN8); do $(INSTALL_SED) $$f >$(DESTDIR)$(MANDIR)/man8/$${f##*/} || exit 1; done
	$(INSTALL_SED) $(DIST)/halls.service >$(DESTDIR)$(UNITDIR)/halls.service
	install -m 0644 $(DIST)/halls.sysusers $(DESTDIR)$(SYSUSERSDIR)/halls.conf
	install -m 0644 $(DIST)/halls.tmpfiles $(DESTDIR)$(TMPFILESDIR)/halls.conf
	chmod 0644 $(DESTDIR)$(MANDIR)/man5/halls-data.5 $(DESTDIR)$(MANDIR)/man8/halls.8 \
		$(DESTDIR)$(MANDIR)/man8/hallsd.8 $(DESTDIR)$(UNITDIR)/halls.service
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(DOC_MD) $(DESTDIR)$(DOCDIR)/docs/
	install -m 0644 $(DOC_IMAGES) $(DESTDIR)$(DOCDIR)/docs/images/
	install -m 0644 $(DOC_SCHEMAS) $(DESTDIR)$(DOCDIR)/schemas/
	install -m 0644 $(DOC_API) $(DESTDIR)$(DOCDIR)/schemas/api/
	@if [ -e $(DESTDIR)$(ENVFILE) ]; then echo "keeping $(DESTDIR)$(ENVFILE)"; \
	else echo "install -m 0644 $(DIST)/halls.default $(DESTDIR)$(ENVFILE)"; \
		install -m 0644 $(DIST)/halls.default $(DESTDIR)$(ENVFILE); fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/halls $(DESTDIR)$(SBINDIR)/hallsd \
		$(DESTDIR)$(MANDIR)/man5/halls-data.5 $(DESTDIR)$(MANDIR)/man8/halls.8 \
		$(DESTDIR)$(MANDIR)/man8/hallsd.8 $(DESTDIR)$(UNITDIR)/halls.service \
		$(DESTDIR)$(SYSUSERSDIR)/halls.conf $(DESTDIR)$(TMPFILESDIR)/halls.conf
	rm -rf $(DESTDIR)$(DOCDIR)
	@if cmp -s $(DIST)/halls.default $(DESTDIR)$(ENVFILE); then \
		echo "rm -f $(DESTDIR)$(ENVFILE)"; rm -f $(DESTDIR)$(ENVFILE); \
	elif [ -e $(DESTDIR)$(ENVFILE) ]; then echo "keeping $(DESTDIR)$(ENVFILE): changed since installed"; fi

# A Debian package of the build, from `make install PREFIX=/usr` into a staging tree, as
# $(BUILD)/halls_VERSION-1_ARCH.deb (server/dist/deb/build.sh says how).
deb: $(HALLSD) $(HALLS)
	@rm -rf $(BUILD)/deb
	@$(MAKE) --no-print-directory -o $(HALLSD) -o $(HALLS) install PREFIX=/usr SYSCONFDIR=/etc \
		DESTDIR=$(abspath $(BUILD))/deb/debian/halls >/dev/null
	@sh $(DIST)/deb/build.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz

help:
	@echo "make          make deps, then make build"
	@echo "make build    build $(BUILD)/hallsd, $(BUILD)/halls, $(BUILD)/libhalls.a and the tests"
	@echo "              (BUILD=DIR builds elsewhere)"
	@echo "make deps     install the Debian packages halls needs (.ci/deps; as root)"
	@echo "make run      create ./$(DATA) with demo data if missing and serve on $(LISTEN)"
	@echo "              (SMTP=smtp://HOST:PORT sends its mail to that relay)"
	@echo "make test     build and run every test"
	@echo "make asan     the tests under AddressSanitizer and UBSan"
	@echo "make bench    benchmarks: the core, hallsd under wrk, the pages in Chromium (print figures, assert nothing)"
	@echo "make fuzz     every libFuzzer harness for FUZZ_SECONDS (60) each; FUZZ=NAME for one"
	@echo "make fuzz-build  build the libFuzzer harnesses into build-fuzz/ (clang)"
	@echo "make fuzzers  the same, in the current BUILD with the current CC"
	@echo "make fuzz-merge  fold what the fuzzers found into tests/fuzz/corpus/"
	@echo "make install  install under PREFIX ($(PREFIX)) into DESTDIR: halls, hallsd, man pages,"
	@echo "              the systemd unit, sysusers and tmpfiles entries, docs, $(ENVFILE)"
	@echo "make uninstall  remove what make install installed (an edited $(ENVFILE) stays)"
	@echo "make deb      build $(BUILD)/halls_VERSION_ARCH.deb (apt install ./halls_*.deb)"
	@echo "make format   clang-format the sources"
	@echo "make clean    remove build/, build-asan/ and build-fuzz/"
	@echo "make help     this list"

-include $(CORE_OBJ:.o=.d) $(SERVER_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
