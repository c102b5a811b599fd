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
got=$(LD_LIBRARY_PATH="$prefix/lib" "$work/tiny" 2>&1)
case "$got" in "$(pkg-config --modversion slt) 1.6449340668482"*" 1") true ;; *) false ;; esac && pass "tiny program computes pi^2/6 with the installed library" \
  || fail "tiny program printed '$got'"
ver=$("$prefix/bin/slt" --version)
[ "$ver" = "slt $(pkg-config --modversion slt)" ] && pass "installed CLI runs ($ver)" || fail "installed CLI: '$ver'"
finish
