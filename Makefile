# fundwatch build. `make` builds build/fundwatch; `make check` runs every test (plain, then under
# AddressSanitizer + UndefinedBehaviorSanitizer); `make demo` sets up a fresh Debian 12 machine and opens
# the demo workspace; `make install PREFIX=... DESTDIR=...`; `make fuzz` runs the fuzzers for longer.
#
# Sources are found by wildcard so that adding a module never means editing this file:
#   audit/*.c audit/store/*.c gen/*.c export/*.c tui/*.c -> the engine and its store drivers, generator,
#                                   workbooks and screens (linked into tests too)
#   cli/*.c                       -> the command line front end (holds main)
#   tests/unit/test_*.c           -> one cmocka binary each
#   tests/fuzz/fuzz_*.c           -> one libFuzzer target each

PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0
BUILD   ?= build
CC      ?= cc
SAN     ?=

PKGS      := sqlite3 libpq ncursesw xlsxwriter nettle libzip expat opencc icu-i18n icu-uc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# iniparser and libcsv ship no pkg-config file in Debian 12.
DEP_CFLAGS := $(PKG_CFLAGS) -I/usr/include/iniparser
DEP_LIBS   := $(PKG_LIBS) -liniparser -lcsv -lm

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN) -I. -I$(BUILD)/gen $(DEP_CFLAGS) \
              -DFW_VERSION='"$(VERSION)"' -DFW_DATADIR='"$(PREFIX)/share/fundwatch"' \
              -DFW_LOCALEDIR='"$(PREFIX)/share/locale"'
ALL_LDFLAGS := $(SAN) $(LDFLAGS)

LIB_SRC  := $(sort $(wildcard audit/*.c audit/store/*.c gen/*.c export/*.c tui/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZERS  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
BIN      := $(BUILD)/fundwatch
LIBFW    := $(BUILD)/libfundwatch.a

.PHONY: all check check-plain check-asan test-unit test-e2e test-rules fuzz fuzz-smoke demo deps \
        install clean bench mo print-dep-cflags print-dep-libs

all: $(BIN) mo

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The PostgreSQL driver embeds its compatibility SQL (audit/store/pg_compat.sql) as a C string.
$(BUILD)/gen/audit/store/pg_compat.inc: audit/store/pg_compat.sql
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@
$(BUILD)/obj/audit/store/postgres.o: $(BUILD)/gen/audit/store/pg_compat.inc

# The name keys fold variant characters with a table generated from Debian's Unihan (unicode-data).
UNIHAN_VARIANTS ?= /usr/share/unicode/Unihan_Variants.txt.bz2
$(BUILD)/gen/audit/unihan_variants.inc: scripts/gen-unihan-variants.py $(UNIHAN_VARIANTS)
	@mkdir -p $(dir $@)
	/usr/bin/python3 scripts/gen-unihan-variants.py $(UNIHAN_VARIANTS) > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/audit/namekey.o: $(BUILD)/gen/audit/unihan_variants.inc

$(LIBFW): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIBFW)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBFW) $(DEP_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBFW) tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBFW) $(DEP_LIBS) $(shell pkg-config --libs cmocka)

# --- translations ---------------------------------------------------------------------------------
PO  := $(wildcard po/*.po)
MO  := $(PO:po/%.po=$(BUILD)/locale/%/LC_MESSAGES/fundwatch.mo)
mo: $(MO)
$(BUILD)/locale/%/LC_MESSAGES/fundwatch.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# --- tests ----------------------------------------------------------------------------------------
# check = every test on a plain build, then again with ASan+UBSan, then a bounded fuzz run.
check: deps
	$(MAKE) check-plain
	$(MAKE) check-asan
	$(MAKE) fuzz-smoke
	@echo "make check: all suites passed"

# The e2e scripts' second pass on PostgreSQL (tests/run.sh) runs in the plain build only: CI's time.
check-plain: all $(TESTS)
	FW_E2E_PG_PASS=$(if $(SAN),0,1) tests/run.sh $(BUILD)

# gcc's sanitizers, not clang's: clang links its ASan runtime into the program, and libfaketime
# (which the golden-screen tests preload) deadlocks in that runtime's start-up (libfaketime #365,
# not fixed in Debian 12's 0.9.10). gcc's runtime is a shared library the tests can preload first.
check-asan:
	$(MAKE) BUILD=build-asan CC=gcc CFLAGS='-O1 -g -fno-omit-frame-pointer' \
	  SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' check-plain

test-unit: $(TESTS)
	tests/run.sh $(BUILD) unit

FUZZ_SECONDS ?= 300
# fuzz-smoke (part of `make check`) runs each target about 30 s.
fuzz-smoke:
	$(MAKE) FUZZ_SECONDS=30 fuzz

fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# What tests/fuzz/run.sh compiles and links every target with, so a new dependency is named once.
print-dep-cflags:
	@echo $(DEP_CFLAGS)
print-dep-libs:
	@echo $(DEP_LIBS)

# --- set-up, demo, install ------------------------------------------------------------------------
deps:
	@scripts/install-deps.sh

demo: deps
	$(MAKE) all
	scripts/demo.sh $(BIN)

bench: all
	bench/import.sh && bench/rules.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/fundwatch/rules \
	  $(DESTDIR)$(PREFIX)/share/fundwatch/profiles $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/fundwatch
	install -m 0644 rules/*.ini $(DESTDIR)$(PREFIX)/share/fundwatch/rules/
	install -m 0644 profiles/*.ini $(DESTDIR)$(PREFIX)/share/fundwatch/profiles/
	install -m 0644 man/fundwatch.1 $(DESTDIR)$(PREFIX)/share/man/man1/fundwatch.1
	for mo in $(MO); do l=$${mo#$(BUILD)/locale/}; l=$${l%%/*}; \
	  install -d $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES; \
	  install -m 0644 $$mo $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES/fundwatch.mo; done

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
