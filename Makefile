# Orouboros: build, check, install, demo.
# Every lib/<area>/*.cpp goes into one static library; every cmd/<program>/
# becomes build/bin/<program>; every tests/unit/*.cpp goes into one GoogleTest
# binary.  New files need no edit here.

PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/bin
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man

CXX       ?= g++
CXXFLAGS  ?= -O2 -g
CXXFLAGS  += -std=c++20 -Wall -Wextra -Wshadow -pedantic
CPPFLAGS  += -Ilib -D_GNU_SOURCE
# Every program links the libraries in LDLIBS and its own LDLIBS_<program>,
# --as-needed: a library a program makes no call into is not loaded at
# each of its starts (libunbound and libcurl are the stages' that look
# things up, libopendkim, libspf2 and libopendmarc the filters').
# The C++ runtime and Boost.Program_options are linked in: loading their
# shared objects (and relocating against them) cost a program started per
# connection 50 page faults of its start (bench/RESULTS.md, "Starting one
# smtpd").  OpenSSL, libseccomp, libc and the stages' libraries stay shared,
# so their security updates reach every program at its next start.
STATIC_CXX ?= -static-libstdc++ -static-libgcc
LDLIBS    := -Wl,-Bstatic -lboost_program_options -Wl,-Bdynamic -lssl -lcrypto -lseccomp
LDLIBS_orouboros-forward   := -lunbound -lcurl
LDLIBS_orouboros-dkim-sign := -lopendkim
LDLIBS_orouboros-verify    := -lunbound -lspf2 -lopendkim -lopendmarc
ALL_LIBS  := $(LDLIBS) -lunbound -lcurl -lspf2 -lopendkim -lopendmarc

B         := build
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
LIB_SRC   := $(sort $(wildcard lib/*/*.cpp))
LIB_OBJ   := $(LIB_SRC:%.cpp=$(B)/%.o)
PROGRAMS  := $(sort $(notdir $(wildcard cmd/*)))
BINS      := $(PROGRAMS:%=$(B)/bin/%)
UNIT_SRC  := $(sort $(wildcard tests/unit/*.cpp))
UNIT_OBJ  := $(UNIT_SRC:%.cpp=$(B)/%.o)
MANPAGES  := $(sort $(wildcard man/*.[0-9]))

.PHONY: all deps deps-demo check unit demo install uninstall lint-man format clean bench

all: $(BINS)

# deps: what make check, check-asan and bench use; deps-demo: only what
# builds the programs and runs the demo (no test tools on a server).
deps:
	@contrib/install-deps.sh --test

deps-demo:
	@contrib/install-deps.sh --demo

$(B)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(B)/liborouboros.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# Kept: bench/run.sh links smtpd's other ways from it.
.SECONDARY: $(PROGRAMS:%=$(B)/cmd/%/main.o)

# -z now: every symbol is bound at the program's start, so a session forked
# from a ready smtpd neither looks symbols up nor writes (copies) the pages
# of the binding table again; -z relro then makes them read-only.
$(B)/bin/%: $(B)/cmd/%/main.o $(B)/liborouboros.a
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $(STATIC_CXX) -Wl,--as-needed -Wl,-z,now -Wl,-z,relro -o $@ $^ $(LDLIBS) $(LDLIBS_$*)

$(B)/unit-tests: $(UNIT_OBJ) $(B)/liborouboros.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^ -lgtest -lgtest_main -pthread $(ALL_LIBS)

unit: $(B)/unit-tests

check: deps
	$(MAKE) -j$(JOBS) all unit
	tests/run-all $(B)
	$(MAKE) -j$(JOBS) fuzz-smoke

demo: deps-demo
	$(MAKE) -j$(JOBS) all
	contrib/demo.sh $(B)/bin

bench: deps
	$(MAKE) -j$(JOBS) all
	bench/run.sh $(B)/bin

lint-man:
	mandoc -Tlint -W warning $(MANPAGES)

# Lays out every C++ file as .clang-format says (make check checks it).
format:
	find cmd lib tests bench \( -name '*.cpp' -o -name '*.hpp' \) -exec clang-format -i {} +

# make install: the programs, man pages, systemd units (their paths made
# PREFIX's), the sysusers.d file, the examples; and, when they are not there
# yet, /etc/orouboros/orouboros.conf (the VPS example), an empty credentials
# file, empty upstream password files and an empty sender block list.  The
# programs read /etc/orouboros/orouboros.conf: CONFDIR is not to be moved.
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
EXAMPLEDIR  ?= $(PREFIX)/share/doc/orouboros/examples
CONFDIR     := /etc/orouboros
UNITS       := $(sort $(wildcard units/*.socket units/*.service units/*.timer))
EXAMPLES    := contrib/README.md $(sort $(wildcard contrib/vps/* contrib/home/* contrib/postfix/* contrib/certbot/* \
                 contrib/logrotate/* contrib/fail2ban/*/*))
SUBST        = sed 's|@SBINDIR@|$(SBINDIR)|g'

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR)
	for p in $(PROGRAMS); do \
	    case $$p in orouboros-mkcreds) d=$(BINDIR);; *) d=$(SBINDIR);; esac; \
	    install -m 0755 $(B)/bin/$$p $(DESTDIR)$$d/$$p; done
	for m in $(MANPAGES); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
	    install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	for u in $(UNITS); do f=$(DESTDIR)$(UNITDIR)/$${u##*/}; $(SUBST) $$u >$$f && chmod 0644 $$f; done
	install -m 0644 units/orouboros.sysusers $(DESTDIR)$(SYSUSERSDIR)/orouboros.conf
	for e in $(EXAMPLES); do f=$(DESTDIR)$(EXAMPLEDIR)/$${e#contrib/}; install -d $${f%/*}; \
	    $(SUBST) $$e >$$f && chmod 0644 $$f; done
	install -d -m 0755 $(DESTDIR)$(CONFDIR) $(DESTDIR)$(CONFDIR)/tls
	install -d -m 0700 $(DESTDIR)$(CONFDIR)/dkim  # the DKIM keys, credentials of orouboros-dkim-sign.service
	test -e $(DESTDIR)$(CONFDIR)/orouboros.conf || \
	    install -m 0644 contrib/vps/orouboros.conf $(DESTDIR)$(CONFDIR)/orouboros.conf
	test -e $(DESTDIR)$(CONFDIR)/blocked-domains || \
	    install -m 0644 contrib/vps/blocked-domains $(DESTDIR)$(CONFDIR)/blocked-domains
	test -e $(DESTDIR)$(CONFDIR)/creds.json || (umask 077 && echo '{}' >$(DESTDIR)$(CONFDIR)/creds.json)
	for s in forward-password relay-password; do \
	    test -e $(DESTDIR)$(CONFDIR)/$$s || install -m 0600 /dev/null $(DESTDIR)$(CONFDIR)/$$s; done

# Leaves in /etc/orouboros whatever is not as make install left it: your
# settings, users and passwords.
uninstall:
	for p in $(PROGRAMS); do rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(SBINDIR)/$$p; done
	for m in $(MANPAGES); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	rm -f $(DESTDIR)$(SYSUSERSDIR)/orouboros.conf
	for e in $(EXAMPLES); do rm -f $(DESTDIR)$(EXAMPLEDIR)/$${e#contrib/}; done
	for d in $(EXAMPLEDIR)/vps $(EXAMPLEDIR)/home $(EXAMPLEDIR)/postfix $(EXAMPLEDIR)/certbot \
	    $(EXAMPLEDIR)/fail2ban/filter.d $(EXAMPLEDIR)/fail2ban/jail.d $(EXAMPLEDIR)/fail2ban \
	    $(EXAMPLEDIR) $(dir $(EXAMPLEDIR)); do \
	    rmdir $(DESTDIR)$$d 2>/dev/null || true; done
	for f in orouboros.conf blocked-domains; do \
	    ! cmp -s contrib/vps/$$f $(DESTDIR)$(CONFDIR)/$$f || rm -f $(DESTDIR)$(CONFDIR)/$$f; done
	! echo '{}' | cmp -s - $(DESTDIR)$(CONFDIR)/creds.json || rm -f $(DESTDIR)$(CONFDIR)/creds.json
	for s in forward-password relay-password; do \
	    test -s $(DESTDIR)$(CONFDIR)/$$s || rm -f $(DESTDIR)$(CONFDIR)/$$s; done
	rmdir $(DESTDIR)$(CONFDIR)/tls $(DESTDIR)$(CONFDIR)/dkim $(DESTDIR)$(CONFDIR) 2>/dev/null || true

clean:
	rm -rf $(B)

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(PROGRAMS:%=$(B)/cmd/%/main.d)

# Hardening (issue 5): sanitizers and fuzzing.  One clang build, with
# AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's coverage
# hooks, serves both: check-asan runs the whole suite on its programs (any
# sanitizer report, from any process, fails it: they go to SAN_LOGS), and
# the fuzzers in tests/fuzz/ link its library.  check runs each fuzzer for
# FUZZ_SMOKE_SECONDS over its seed corpus; fuzz runs each FUZZ_SECONDS.
SAN_B        ?= build-asan
SAN_CXX      ?= clang++
SAN_CXXFLAGS ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fsanitize=fuzzer-no-link
SAN_LDFLAGS  ?= -fsanitize=address,undefined
SAN_LOGS      = $(CURDIR)/$(SAN_B)/sanitizer-logs
SAN_ENV       = ASAN_OPTIONS=log_path=$(SAN_LOGS)/asan:detect_leaks=1:detect_stack_use_after_return=1 \
                UBSAN_OPTIONS=log_path=$(SAN_LOGS)/ubsan:print_stacktrace=1:halt_on_error=1
SAN_MAKE      = CXXFLAGS="$(SAN_CXXFLAGS)" LDFLAGS="$(SAN_LDFLAGS)" $(MAKE) -j$(JOBS) B=$(SAN_B) CXX=$(SAN_CXX) STATIC_CXX=
FUZZ_NAMES   := $(sort $(patsubst tests/fuzz/%_fuzz.cpp,%,$(wildcard tests/fuzz/*_fuzz.cpp)))
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 4

.PHONY: check-asan fuzz fuzz-smoke fuzz-build fuzz-bins

check-asan: deps
	+$(SAN_MAKE) all unit
	rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	$(SAN_ENV) tests/run-all $(SAN_B); s=$$?; \
	if [ -n "$$(ls -A $(SAN_LOGS))" ]; then cat $(SAN_LOGS)/*; \
	    echo "check-asan: the sanitizers reported errors (above)" >&2; s=1; fi; exit $$s

fuzz-build:
	+$(SAN_MAKE) fuzz-bins

fuzz-bins: $(FUZZ_NAMES:%=$(B)/fuzz/%)

$(B)/fuzz/%: tests/fuzz/%_fuzz.cpp tests/fuzz/fuzz_input.hpp tests/unit/fake_stream.hpp $(B)/liborouboros.a
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -Itests/unit $(CXXFLAGS) -fsanitize=fuzzer -o $@ $< $(B)/liborouboros.a $(ALL_LIBS)

fuzz-smoke: fuzz-build
	tests/fuzz/run $(SAN_B) $(FUZZ_SMOKE_SECONDS) fresh

fuzz: deps fuzz-build
	tests/fuzz/run $(SAN_B) $(FUZZ_SECONDS) keep
