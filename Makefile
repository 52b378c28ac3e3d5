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
LDLIBS    := -lboost_program_options -lssl -lcrypto -lsystemd -lunbound

B         := build
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
LIB_SRC   := $(sort $(wildcard lib/*/*.cpp))
LIB_OBJ   := $(LIB_SRC:%.cpp=$(B)/%.o)
PROGRAMS  := $(sort $(notdir $(wildcard cmd/*)))
BINS      := $(PROGRAMS:%=$(B)/bin/%)
UNIT_SRC  := $(sort $(wildcard tests/unit/*.cpp))
UNIT_OBJ  := $(UNIT_SRC:%.cpp=$(B)/%.o)
MANPAGES  := $(sort $(wildcard man/*.[0-9]))

.PHONY: all deps check unit demo install uninstall lint-man clean bench

all: $(BINS)

deps:
	@contrib/install-deps.sh

$(B)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(B)/liborouboros.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/bin/%: $(B)/cmd/%/main.o $(B)/liborouboros.a
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/unit-tests: $(UNIT_OBJ) $(B)/liborouboros.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^ -lgtest -lgtest_main -pthread $(LDLIBS)

unit: $(B)/unit-tests

check: deps
	$(MAKE) -j$(JOBS) all unit
	tests/run-all $(B)

demo: deps
	$(MAKE) -j$(JOBS) all
	contrib/demo.sh $(B)/bin

bench: deps
	$(MAKE) -j$(JOBS) all
	bench/run.sh $(B)/bin

lint-man:
	mandoc -Tlint -W warning $(MANPAGES)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR)
	for p in $(PROGRAMS); do \
	    case $$p in orouboros-mkcreds) d=$(BINDIR);; *) d=$(SBINDIR);; esac; \
	    install -m 0755 $(B)/bin/$$p $(DESTDIR)$$d/$$p; done
	for m in $(MANPAGES); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
	    install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall:
	for p in $(PROGRAMS); do rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(SBINDIR)/$$p; done
	for m in $(MANPAGES); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

clean:
	rm -rf $(B)

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(PROGRAMS:%=$(B)/cmd/%/main.d)
