#!/usr/bin/env bash
# Every default that `slt CMD --help` shows is the library's (*_params_default): a small
# program prints the library's values, and each is compared with the value in the help
# line of the option that sets it (numbers compared as doubles: "1e6", "1/3" and "16"
# read back exactly). The ranges in the help are the library's (slt_*_param_range).
# usage: bash tests/cli/defaults.sh path/to/slt   (the library is $SLT_BUILD/lib/libslt.so)
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${SLT_BUILD:-$root/build}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work" "$out_file" "$err_file"' EXIT

cat >"$work/d.c" <<'C'
#include <stdio.h>
#include "slt/dmft.h"
#include "slt/kernels.h"
#include "slt/statics.h"
int main(void)
{
    slt_dmft_params d = slt_dmft_params_default();
    slt_statics_params s = slt_statics_params_default();
    slt_statics_scale_time_params t = slt_statics_scale_time_params_default();
    slt_kernels_params k = slt_kernels_params_default();
    printf("dmft eta %.17g\ndmft momentum %.17g\ndmft nodes %d\ndmft ensemble %.17g\n", d.eta,
           d.momentum, d.nodes, d.ensemble);
    printf("dmft share %s\ndmft sgd-form %s\ndmft contour %s\n", slt_share_to_string(d.share),
           slt_dmft_sgd_form_to_string(d.sgd_form), slt_dmft_contour_to_string(d.contour));
    printf("static N %.17g\nstatic ridge %.17g\nstatic rel-tol %.17g\nstatic max-iter %d\n", s.N,
           s.ridge, s.rel_tol, s.max_iter);
    printf("static count-small %.17g\nstatic count-large %.17g\nstatic scale-exponent %.17g\n"
           "static time-const %.17g\n", t.count_small, t.count_large, t.scale_exponent,
           t.time_const);
    printf("spectrum dim %d\nspectrum depth %d\nspectrum width %.17g\nspectrum offset %.17g\n"
           "spectrum poly-degree %d\nspectrum rel-tol %.17g\n", k.dim, k.depth, k.width, k.offset,
           k.poly_degree, k.rel_tol);
    /* ranges: name lo hi as the help prints them (%.10g) */
    const slt_param_range *n = slt_dmft_param_range("nodes"), *m = slt_statics_param_range("max_iter");
    printf("range dmft nodes %.10g <= M <= %.10g\n", n->lo, n->hi);
    printf("range static max-iter %.10g <= K <= %.10g\n", m->lo, m->hi);
    return 0;
}
C
# the build's libslt.so has the soname libslt.so.0: a copy under that name in $work
cp "$build/lib/libslt.so" "$work/libslt.so.0" && ln -s libslt.so.0 "$work/libslt.so"
# shellcheck disable=SC2086
if ! cc -std=c11 -I"$root/include" "$work/d.c" -o "$work/d" -L"$work" -lslt \
     -Wl,-rpath,"$work" -lm ${SANFLAGS:-} 2>"$work/cc.log"; then
  fail "compile the defaults program: $(head -c 400 "$work/cc.log")"; finish; exit 1
fi
"$work/d" >"$work/lib.txt" || fail "the defaults program failed"

# the value after "(default " in the help line of --OPT
help_default() {
  "$SLT" "$1" --help | awk -v o="  --$2 " 'index($0, o) == 1 {
      if (match($0, /\(default [^;:) ]*/)) print substr($0, RSTART + 9, RLENGTH - 9) }'
}
# as a double: "1/3" divides, "inf" stays
as_number() { awk -v x="$1" 'BEGIN { if (x ~ /^inf$/) print "inf"; else if (split(x, p, "/") == 2) printf "%.17g\n", p[1] / p[2]; else if (x ~ /^[-+0-9.eE]+$/) printf "%.17g\n", x + 0; else print x }'; }

while read -r cmd opt value; do
  [ "$cmd" = range ] && continue
  shown=$(help_default "$cmd" "$opt")
  a=$(as_number "$shown"); b=$(as_number "$value")
  [ "$a" = "$b" ] && pass "slt $cmd --help: --$opt default $shown is the library's ($value)" \
    || fail "slt $cmd --help: --$opt default '$shown' is not the library's '$value'"
done <"$work/lib.txt"

while read -r _ cmd opt range; do
  "$SLT" "$cmd" --help | grep -q -- "--$opt .*\[$range\]" \
    && pass "slt $cmd --help: --$opt range [$range] is the library's" \
    || fail "slt $cmd --help: --$opt does not show the library's range [$range]"
done < <(grep '^range ' "$work/lib.txt")
finish
