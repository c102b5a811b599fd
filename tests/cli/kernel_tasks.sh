# --kernel K: a sphere kernel's level task with its tail beyond lmax, in-process, for
# slt static and slt dmft. References: the library-measured curve of the depth-3 ReLU NTK
# on S^9 with the kernel teacher (tests/test_kernel_curve.c checks it against the
# real-kernel Monte Carlo), the same curve at another lmax, static against dmft at t = inf.
source "$(dirname "$0")/lib.sh"

ntk=(--kernel relu-ntk --dim 10 --depth 3)

# rel A B: |A - B|/|B|
rel() { awk -v a="$1" -v b="$2" 'BEGIN { d = (a - b) / b; if (d < 0) d = -d; printf "%.3g", d }'; }
# col NAME ROW: the value of column NAME in data row ROW (1-based) of the csv in $out_file
col() { awk -F, -v n="$1" -v r="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
                                     NR == r + 1 { print $c[n] }' "$out_file"; }

# the curve at P = 100 and 1000 (library-measured, 10 digits; agreement to 1e-8 relative)
run static "${ntk[@]}" --P 100,1000 --format csv
if [ "$rc" -eq 0 ] && [ "$(col status 1)" = ok ] && [ "$(col status 2)" = ok ] &&
   awk -v a="$(rel "$(col test 1)" 0.007137090574)" -v b="$(rel "$(col test 2)" 0.0002060213534)" \
       'BEGIN { exit !(a < 1e-8 && b < 1e-8) }'; then
  pass "static --kernel relu-ntk S^9 depth 3: L(100) = 0.007137090574, L(1000) = 0.0002060213534"
else fail "static --kernel values: $(col test 1) $(col test 2)"; fi
# error bounds within the 1e-8 relative bar
bad=$(awk -F, 'NR > 1 && !($5 <= 1e-8 * $4) { print $2 }' "$out_file")
[ -z "$bad" ] && pass "static --kernel: test_err <= 1e-8 test" || fail "wide bounds at P = $bad"

# the params echo the kernel task: its convention, lmax (auto), the tail and modes = inf
run static "${ntk[@]}" --P 100 --format json
expect_stdout "json echoes the kernel task" '"convention": "kernel", "kernel": "relu-ntk", "dim": 10, "depth": 3, "target": "kernel", "lmax": [0-9]+, "lmax_from": "auto", "l_far": [0-9]+, "levels": [0-9]+, "lambda_sup": [0-9.e-]+, "trace_check": [-0-9.e]+, "trace_check_err": [0-9.e-]+, "modes": null'

# a 500-point curve: every row ok
run static "${ntk[@]}" --P 1:1e4:500 --format csv
n_ok=$(awk -F, 'NR > 1 && $NF == "ok"' "$out_file" | wc -l)
[ "$rc" -eq 0 ] && [ "$n_ok" -eq 500 ] && pass "500-point curve, every row ok" || fail "500 points: $n_ok ok"

# convergence in lmax: --lmax 13 and --lmax 29 agree within the reported errors
run static "${ntk[@]}" --lmax 13 --P 100,1000 --format csv
a1=$(col test 1); e1=$(col test_err 1); a2=$(col test 2); e2=$(col test_err 2); rc13=$rc
run static "${ntk[@]}" --lmax 29 --P 100,1000 --format csv
b1=$(col test 1); f1=$(col test_err 1); b2=$(col test 2); f2=$(col test_err 2)
if [ "$rc13" -eq 0 ] && [ "$rc" -eq 0 ] &&
   awk -v a1="$a1" -v e1="$e1" -v b1="$b1" -v f1="$f1" -v a2="$a2" -v e2="$e2" -v b2="$b2" -v f2="$f2" \
       'function abs(x) { return x < 0 ? -x : x }
        BEGIN { exit !(abs(a1 - b1) <= e1 + f1 + 1e-15 * a1 && abs(a2 - b2) <= e2 + f2 + 1e-15 * a2) }'; then
  pass "--lmax 13 and --lmax 29 agree within the errors"
else fail "lmax 13: $a1 +- $e1, $a2 +- $e2; lmax 29: $b1 +- $f1, $b2 +- $f2"; fi
run static "${ntk[@]}" --lmax 13 --P 100 --format json
expect_stdout "--lmax L is used as given" '"lmax": 13, "lmax_from": "given"'

# dmft at t = inf equals static (ridgeless, finite and infinite N)
run static "${ntk[@]}" --N 50,inf --P 100,1000 --format csv
s=(); se=(); for r in 1 2 3 4; do s+=("$(col test $r)"); se+=("$(col test_err $r)"); done
run dmft "${ntk[@]}" --N 50,inf --P 100,1000 --t inf --format csv
bad=""
for r in 1 2 3 4; do
  d=$(col test $r); de=$(col test_err $r)
  awk -v a="$d" -v ae="$de" -v b="${s[$((r - 1))]}" -v be="${se[$((r - 1))]}" \
      'function abs(x) { return x < 0 ? -x : x } BEGIN { exit !(abs(a - b) <= ae + be) }' || bad="$bad row$r"
done
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "dmft --kernel at t = inf equals static --kernel" || fail "dmft vs static:$bad"
run dmft "${ntk[@]}" --N inf --P 100 --t 1,100,1e4 --format csv
bad=$(awk -F, 'NR > 1 && $NF != "ok"' "$out_file")
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "dmft --kernel at finite times: ok rows" || fail "dmft finite t"

# the one-convention rule, the kernel's own options, their ranges and rules
expect_usage_error "--kernel with --alpha: both named" "conflicting conventions: --alpha, --kernel given" \
  static "${ntk[@]}" --alpha 1.5 --P 100
expect_usage_error "--kernel with --task: both named" "conflicting conventions: --task, --kernel given" \
  dmft "${ntk[@]}" --task /dev/null --N inf --P 100 --t 1
expect_usage_error "--dim out of range is named" "--dim: 1 is out of range" static --kernel relu-ntk --dim 1 --P 10
expect_usage_error "--depth out of range is named" "--depth: 0 is out of range" static --kernel relu-ntk --depth 0 --P 10
expect_usage_error "--depth on a kernel without depth" "--depth applies to relu-ntk and relu-nngp only \(got --kernel laplace\)" \
  static --kernel laplace --depth 3 --P 10
expect_usage_error "a torus kernel is refused" "--kernel: 'von-mises' is not one of" static --kernel von-mises --P 10
expect_usage_error "--dim without --kernel" "--dim goes with --kernel K only" static --alpha 2 --beta 0.5 --dim 3 --P 10
expect_usage_error "--lmax not a number" "--lmax: '5x' is not accepted" static --kernel relu-ntk --lmax 5x --P 10
expect_usage_error "--target power needs --beta" "--target power needs --beta" static --kernel relu-ntk --target power --P 10
expect_usage_error "--beta with the kernel target" "--beta with --kernel needs --target power" \
  static --kernel relu-ntk --beta 1 --P 10
expect_usage_error "--target-file needs a file target" "--target-file needs --target table or degrees" \
  static --kernel relu-ntk --target-file /dev/null --P 10
expect_usage_error "--preset takes no kernel" "--preset does not take --kernel" \
  static --kernel relu-ntk --preset bahri --P 10
expect_usage_error "--scale-time takes no kernel" "--scale-time does not take --kernel" \
  static --kernel relu-ntk --scale-time --t 10 --P 10
expect_usage_error "multiplicity beyond 2^53: lower --lmax or --dim" "give a smaller --lmax or --dim" \
  static --kernel relu-ntk --dim 1000 --lmax 20 --P 10
expect_usage_error "--modes beyond the listed levels" "--modes: 1000000 is out of range \(expected K <= 7007, the modes of the levels to --lmax 6" \
  static "${ntk[@]}" --lmax 6 --P 100 --modes 1000000
# --modes: the per-mode view of the levels (degree 1 of S^9: modes 2..11 share mu_1)
run static "${ntk[@]}" --P 100 --modes 12 --format csv
bad=$(awk -F, 'NR == 3 { l = $2 } NR >= 3 && NR <= 12 && $2 != l { print NR } NR == 13 && $2 == l { print "13" }' "$out_file")
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "--modes: the 10 modes of degree 1 share one eigenvalue" || fail "--modes: $bad"

# every target: ok rows, and --lmax 13 and --lmax 29 agree within the reported errors (the
# tail carries the target's power beyond lmax; without it the two differ by 10-35 %)
tdir=$(mktemp -d)
printf '0 0.5\n1 0.3\n2 0.1\n5 0.01\n40 1e-4\n' > "$tdir/degrees.txt"
# a zonal table whose linear interpolant the level-power quadrature resolves to 1e-9 (a
# line: g(t) = 0.2 + t; any kink of the interpolant leaves ~1e-7, which a task refuses)
printf -- '-1 -0.8\n0 0.2\n1 1.2\n' > "$tdir/zonal.txt"
for t in "--target isotropic" "--target power --beta 0.5" "--target gegenbauer --target-q 2" \
         "--target degrees --target-file $tdir/degrees.txt" "--target table --target-file $tdir/zonal.txt"; do
  run static "${ntk[@]}" $t --lmax 13 --P 100 --format csv
  a=$(col test 1); ea=$(col test_err 1); sa=$(col status 1); rca=$rc
  run static "${ntk[@]}" $t --lmax 29 --P 100 --format csv
  b=$(col test 1); eb=$(col test_err 1); sb=$(col status 1)
  if [ "$rca" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$sa" = ok ] && [ "$sb" = ok ] &&
     awk -v a="$a" -v ea="$ea" -v b="$b" -v eb="$eb" \
         'function abs(x) { return x < 0 ? -x : x } BEGIN { exit !(abs(a - b) <= ea + eb + 1e-15 * abs(a)) }'; then
    pass "${t%% --target-file*}: lmax 13 and 29 agree ($a)"
  else fail "$t: lmax 13 $a +- $ea ($sa, exit $rca), lmax 29 $b +- $eb ($sb, exit $rc)"; fi
done
rm -rf "$tdir"

# --levels on a kernel task: one row per degree (degree column), the tail and, for a target
# with power on structural zeros (gegenbauer on the one-layer NTK of S^2: odd l >= 3), the
# null row; the loss column sums to the test loss of the same point
run static --kernel relu-ntk --dim 3 --depth 1 --target gegenbauer --target-q 1 --P 30 --format csv
L=$(col test 1)
run static --kernel relu-ntk --dim 3 --depth 1 --target gegenbauer --target-q 1 --P 30 --levels --format csv
sum=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR > 1 { s += $c["loss"] } END { printf "%.17g", s }' "$out_file")
deg3=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR > 1 && $c["degree"] == 3' "$out_file" | wc -l)
if [ "$rc" -eq 0 ] && grep -q '^tail,' "$out_file" && grep -q '^null,' "$out_file" && [ "$deg3" -eq 0 ] &&
   awk -v a="$sum" -v b="$L" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-13 * b) }'; then
  pass "--levels on a kernel task: degrees, tail and null rows; the loss column sums to L"
else fail "--levels kernel: rc $rc, sum $sum vs L $L, rows with degree 3: $deg3"; fi

# bad --target-file lines are usage errors naming the file, the degree and the value (a
# negative power once crashed: the message read the freed table)
bdir=$(mktemp -d)
printf '0 1\n2 -0.5\n' > "$bdir/neg.txt"
printf '0 1\n2.5 0.5\n' > "$bdir/frac.txt"
printf '0 1\n200000 0.5\n' > "$bdir/big.txt"
expect_usage_error "--target-file: a negative power names the degree and the value" \
  "degree 2: power -0.5 is not accepted" \
  static --kernel relu-ntk --dim 5 --P 10 --target degrees --target-file "$bdir/neg.txt" --lmax 5
expect_usage_error "--target-file: a fractional degree" "degree 2.5 is not accepted" \
  static --kernel relu-ntk --dim 5 --P 10 --target degrees --target-file "$bdir/frac.txt" --lmax 5
expect_usage_error "--target-file: a degree beyond the spectrum's limit" \
  "degree 200000 is not accepted .expected a whole number 0 <= l <= 100000" \
  static --kernel relu-ntk --dim 5 --P 10 --target degrees --target-file "$bdir/big.txt" --lmax 5
run static --kernel relu-ntk --dim 5 --P 10 --target degrees --target-file "$bdir/none.txt"
[ "$rc" -ne 0 ] && grep -q -- "--target-file: cannot open" "$err_file" &&
  pass "--target-file: a missing file names the option" || fail "missing --target-file: exit $rc"
# spectrum --save on the sphere never writes a file without the tail: a target whose level
# powers cannot be resolved (a kinked table) fails with exit 1 and no file
printf -- '-1 0\n0 1\n1 0\n' > "$bdir/kink.txt"
run spectrum --kernel relu-ntk --dim 5 --lmax 10 --target table --target-file "$bdir/kink.txt" --save "$bdir/saved.txt"
if [ "$rc" -eq 1 ] && [ ! -e "$bdir/saved.txt" ] && grep -q "no file written" "$err_file"; then
  pass "spectrum --save: a tail that cannot be made is exit 1, no file"
else fail "spectrum --save without its tail: exit $rc, file $(ls "$bdir")"; fi
rm -rf "$bdir"

finish
