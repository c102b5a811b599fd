# slt — build, test, demo, install. See README.md for the two set-up commands.
#
# `make check` also compiles every library, CLI, test and bench source once more with
# -Werror (target check-werror, objects in build/werror, rebuilt only when a source or
# header changes), so a new warning fails the check.
#
# Every target that compiles first makes sure the Debian build dependencies are present
# (scripts/install-deps, once per checkout, remembered in build/.deps-ok), so `make demo`
# and `make check` work as the first command on a fresh machine.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
CC        ?= cc
OPTFLAGS  ?= -O2
SANFLAGS  ?=
BUILD     ?= build

WARN      := -Wall -Wextra
CSTD      := -std=c11 -D_XOPEN_SOURCE=700
CPPFLAGS  += -Iinclude -DSLT_VERSION='"$(VERSION)"' -DSLT_DATADIR='"$(CURDIR)/data"'
ALL_CFLAGS = $(CSTD) $(WARN) $(OPTFLAGS) $(SANFLAGS) -fopenmp -fPIC $(CFLAGS)
# OpenBLAS provides CBLAS for GSL too, so gslcblas is not linked.
DEP_LIBS  := -lgsl -lopenblas -llapacke -lfftw3 -lsundials_cvode -lsundials_nvecserial \
             -ljansson -lm
LINK_LIBS  = $(SANFLAGS) -fopenmp $(LDFLAGS) $(DEP_LIBS)

LIB_SRC   := $(sort $(wildcard solvers/*/*.c))
CLI_SRC   := $(sort $(wildcard cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/test_*.c tests/cross_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
HDRS      := $(wildcard include/slt/*.h) $(wildcard solvers/*/*.h) $(wildcard cli/*.h) \
             $(wildcard tests/*.h)

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
WERROR_LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/werror/%.o)
WERROR_OBJ     := $(WERROR_LIB_OBJ) \
                  $(patsubst %.c,$(BUILD)/werror/%.o,$(CLI_SRC) $(TEST_SRC) $(BENCH_SRC))
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
LIB_A     := $(BUILD)/lib/libslt.a
LIB_SO    := $(BUILD)/lib/libslt.so
SLT       := bin/slt
DEPS_OK   := $(BUILD)/.deps-ok

.PHONY: all deps check check-build check-werror check-asan demo bench install uninstall clean \
        crosscheck fuzz fuzz-short

all: $(DEPS_OK)
	@$(MAKE) --no-print-directory build-all

build-all: $(LIB_A) $(LIB_SO) $(SLT)

$(DEPS_OK): scripts/install-deps
	scripts/install-deps
	@mkdir -p $(BUILD) && touch $@

deps:
	scripts/install-deps
	@mkdir -p $(BUILD) && touch $(DEPS_OK)

# The library exports only its public interface, the declarations marked SLT_API in
# include/slt/*.h (include/slt/export.h); tests/cli/symbols.sh checks libslt.so.
$(LIB_OBJ) $(WERROR_LIB_OBJ): VISFLAGS := -fvisibility=hidden

$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(VISFLAGS) -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIB_SO): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libslt.so.0 -Wl,-z,nodelete -o $@ $^ $(LINK_LIBS)

$(SLT): $(CLI_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $(CLI_OBJ) $(LIB_A) $(LINK_LIBS)

$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(ALL_CFLAGS) -o $@ $< $(LIB_A) -lcmocka $(LINK_LIBS)

$(BUILD)/bench/%: bench/%.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(LINK_LIBS)

check: $(DEPS_OK)
	@$(MAKE) --no-print-directory check-build
	@SANFLAGS="$(SANFLAGS)" SLT_FUZZ_COUNT=$(FUZZ_SHORT_COUNT) tests/run-all $(BUILD) $(SLT)

check-build: $(LIB_A) $(LIB_SO) $(SLT) $(TEST_BIN) $(if $(SANFLAGS),,check-werror)

# The -Werror build: the same flags as the real build plus -Werror, compiled only (the
# objects are not linked; they record that the source compiled without a warning). Part
# of `make check`; `make check-asan` leaves it to the normal build.
check-werror: $(WERROR_OBJ)

$(BUILD)/werror/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(ALL_CFLAGS) $(VISFLAGS) -Werror -c $< -o $@

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (with
# float-cast-overflow) + LeakSanitizer, in its own build tree so the normal objects are
# not mixed with instrumented ones. Every report is fatal.
ASAN_OPTFLAGS := -O1 -g -fno-omit-frame-pointer
ASAN_SANFLAGS := -fsanitize=address,undefined,float-cast-overflow,leak -fno-sanitize-recover=all
ASAN_MAKE      = $(MAKE) --no-print-directory BUILD=build-asan SLT=build-asan/bin/slt \
                 OPTFLAGS="$(ASAN_OPTFLAGS)" SANFLAGS="$(ASAN_SANFLAGS)"

check-asan: $(DEPS_OK)
	@+ASAN_OPTIONS="detect_leaks=1:$${ASAN_OPTIONS:-}" $(ASAN_MAKE) check

# The command-line fuzzer (tests/fuzz/fuzz.sh, docs/testing.md). `make fuzz` runs
# FUZZ_COUNT generated command lines (seed FUZZ_SEED) against the normal and the
# sanitized build; `make fuzz-short` (part of `make check`, through tests/run-all) runs
# FUZZ_SHORT_COUNT against the normal build only, about a minute on 2 cores.
FUZZ_COUNT       ?= 5000
FUZZ_SEED        ?= 1
FUZZ_SHORT_COUNT ?= 500
FUZZ_OUT         ?= $(BUILD)/fuzz

fuzz: $(DEPS_OK)
	@$(MAKE) --no-print-directory build-all
	@+$(ASAN_MAKE) build-asan/bin/slt
	tests/fuzz/fuzz.sh --slt $(SLT) --slt build-asan/bin/slt --count $(FUZZ_COUNT) \
	    --seed $(FUZZ_SEED) --out $(FUZZ_OUT)

fuzz-short: $(DEPS_OK)
	@$(MAKE) --no-print-directory build-all
	tests/fuzz/fuzz.sh --slt $(SLT) --count $(FUZZ_SHORT_COUNT) --seed 1 --quiet \
	    --out $(BUILD)/fuzz-short

demo: $(DEPS_OK)
	@$(MAKE) --no-print-directory build-all
	@scripts/demo $(SLT)

bench: $(DEPS_OK)
	@$(MAKE) --no-print-directory $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

# The long tier of the theory-vs-simulation battery (data/crosscheck.txt).
crosscheck: $(DEPS_OK)
	@$(MAKE) --no-print-directory build-all
	$(SLT) crosscheck --full

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/slt \
	    $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/libslt.a
	install -m 755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/libslt.so.0
	ln -sf libslt.so.0 $(DESTDIR)$(PREFIX)/lib/libslt.so
	install -m 644 include/slt/*.h $(DESTDIR)$(PREFIX)/include/slt/
	install -m 755 $(SLT) $(DESTDIR)$(PREFIX)/bin/slt
	install -d $(DESTDIR)$(PREFIX)/share/slt
	install -m 644 data/crosscheck.txt $(DESTDIR)$(PREFIX)/share/slt/crosscheck.txt
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' slt.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/slt.pc

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/include/slt
	rm -f $(DESTDIR)$(PREFIX)/lib/libslt.a $(DESTDIR)$(PREFIX)/lib/libslt.so \
	    $(DESTDIR)$(PREFIX)/lib/libslt.so.0 $(DESTDIR)$(PREFIX)/bin/slt \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/slt.pc $(DESTDIR)$(PREFIX)/share/slt/crosscheck.txt

clean:
	rm -rf build build-asan bin
