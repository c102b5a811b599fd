# make install PREFIX=... installs library, headers, CLI and slt.pc; a tiny program
# compiles against the installed copy through pkg-config and computes a known number.
source "$(dirname "$0")/lib.sh"
build=${SLT_BUILD:-build}
prefix=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$prefix" "$work" "$out_file" "$err_file"' EXIT

if make -s --no-print-directory install PREFIX="$prefix" BUILD="$build" SLT="$SLT" \
     SANFLAGS="${SANFLAGS:-}" >"$work/install.log" 2>&1; then
  pass "make install PREFIX=$prefix"
else
  fail "make install: $(tail -5 "$work/install.log")"; finish; exit 1
fi
for f in lib/libslt.a lib/libslt.so lib/libslt.so.0 lib/pkgconfig/slt.pc bin/slt \
         include/slt/slt.h include/slt/status.h include/slt/task.h include/slt/table.h; do
  [ -e "$prefix/$f" ] && pass "installed $f" || fail "missing $prefix/$f"
done

cat >"$work/tiny.c" <<'C'
#include <math.h>
#include <stdio.h>
#include <slt/slt.h>
int main(void)
{
    slt_power_law_params p = slt_power_law_params_default(); /* alpha 2, beta 1/2 */
    slt_task *task = NULL;
    slt_sum total;
    if (slt_task_alloc_power_law(&p, &task) || slt_sum_target(task, &total)) {
        fprintf(stderr, "%s\n", slt_last_error());
        return 1;
    }
    /* sum_k k^-2 = pi^2/6 */
    printf("%s %.15f %d\n", slt_version(), total.value, fabs(total.value - M_PI * M_PI / 6) < 1e-14);
    slt_task_free(task);
    return 0;
}
C
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs slt) && pass "pkg-config --cflags --libs slt: $flags" || fail "pkg-config slt"
# shellcheck disable=SC2086
if cc -std=c11 -D_XOPEN_SOURCE=700 ${SANFLAGS:-} "$work/tiny.c" -o "$work/tiny" $flags -lm 2>"$work/cc.log"; then
  pass "tiny program compiles against the installed copy"
else
  fail "compile: $(cat "$work/cc.log")"
fi
# no LD_LIBRARY_PATH: slt.pc's rpath lets the program find the installed libslt.so
got=$(env -u LD_LIBRARY_PATH "$work/tiny" 2>&1)
case "$got" in "$(pkg-config --modversion slt) 1.6449340668482"*" 1") true ;; *) false ;; esac && pass "tiny program computes pi^2/6 with the installed library, without LD_LIBRARY_PATH" \
  || fail "tiny program printed '$got'"
if ldd "$work/tiny" 2>/dev/null | grep -q "libslt.so.0 => $prefix/lib/libslt.so.0"; then
  pass "tiny program loads libslt.so.0 from $prefix/lib"
else
  fail "tiny program does not load the installed libslt.so.0: $(ldd "$work/tiny" 2>&1 | grep slt)"
fi

# C++ programs include the public headers (slt_complex is std::complex<double> there) and
# call the library, complex sums included: sum_k lambda_k/(lambda_k + z) for lambda = 1, 1/2
cat >"$work/tiny.cpp" <<'CXX'
#include <cmath>
#include <complex>
#include <cstdio>
#include <slt/slt.h>
static slt_complex ratio(double lambda, double, void *) { return slt_complex(lambda, 0.0); }
int main()
{
    const double lambda[2] = {1.0, 0.5}, target[2] = {1.0, 1.0};
    slt_task *task = NULL;
    slt_csum df, plain;
    const slt_complex z(1.0, 1.0);
    if (slt_task_alloc_explicit(2, lambda, target, 0.0, &task) || slt_csum_df(task, z, &df) ||
        slt_task_csum(task, ratio, NULL, NULL, &plain)) {
        std::fprintf(stderr, "%s\n", slt_last_error());
        return 1;
    }
    const slt_complex exact = 1.0 / (1.0 + z) + 0.5 / (0.5 + z);
    /* a handful of double operations: 1e-15 is a few ulps of values of order 1 */
    const bool ok = std::abs(df.value - exact) < 1e-15 && plain.value == slt_complex(1.5, 0.0);
    std::printf("%.17g %.17g %d\n", df.value.real(), df.value.imag(), ok);
    slt_task_free(task);
    return ok ? 0 : 1;
}
CXX
if ! command -v g++ >/dev/null; then
  fail "g++ not found (scripts/install-deps installs it)"
# shellcheck disable=SC2086
elif g++ -std=c++11 -Wall -Wextra -pedantic -Werror ${SANFLAGS:-} "$work/tiny.cpp" -o "$work/tinyxx" \
     $flags 2>"$work/cxx.log"; then
  pass "a C++ program including slt/slt.h compiles with g++ -pedantic -Werror"
  got=$(env -u LD_LIBRARY_PATH "$work/tinyxx" 2>&1) && pass "the C++ program's complex sum is exact ($got)" \
    || fail "the C++ program printed '$got'"
else
  fail "g++: $(head -20 "$work/cxx.log")"
fi
ver=$("$prefix/bin/slt" --version)
[ "$ver" = "slt $(pkg-config --modversion slt)" ] && pass "installed CLI runs ($ver)" || fail "installed CLI: '$ver'"
finish
