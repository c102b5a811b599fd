#!/usr/bin/env bash
# Shell tests of `slt fit`: bad input (exit 2, one stderr line naming line and column),
# every output format, --skip-bad, --residuals, recovery of a noise-free power law,
# bootstrap output identical at 1 and 2 threads, help.
# usage: bash tests/cli/fit.sh path/to/slt
source "$(dirname "$0")/lib.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir" "$out_file" "$err_file"' EXIT

# noise-free power law L = 0.5 + 3 x^-0.6 on 12 sizes
awk 'BEGIN { print "x,loss,seed"; for (i = 0; i < 12; i++) { x = 10^(1 + i/3);
       printf "%.17g,%.17g,s%d\n", x, 0.5 + 3 * x^-0.6, i % 4 } }' >"$dir/pow.csv"
printf 'x,loss\n' >"$dir/header.csv"
printf 'x,loss\n1,2\n2,abc\n' >"$dir/text.csv"
printf 'x,loss\n1,2\n2,nan\n' >"$dir/nan.csv"
printf 'x,loss\n1,2\n2,-0.5\n' >"$dir/neg.csv"
printf 'x,loss\n1,2\n' >"$dir/one.csv"
printf 'x,loss\n5,2\n5,1.5\n5,1.2\n5,1.1\n' >"$dir/const.csv"
: >"$dir/empty.csv"

# ---- Bad input: exit 2, one stderr line (the --quiet run), nothing on stdout ---------
expect_usage_error "empty file" "empty.csv: empty" fit --quiet "$dir/empty.csv" --x x --y loss
expect_usage_error "header only" "header.csv: no data rows" fit --quiet "$dir/header.csv" --x x --y loss
expect_usage_error "missing column" "pow.csv:1: no column 'L' in the header \(columns: 'x', 'loss', 'seed'\)" \
  fit --quiet "$dir/pow.csv" --x x --y L
expect_usage_error "non-numeric cell" "text.csv:3: column 'loss': 'abc' is not a number" \
  fit --quiet "$dir/text.csv" --x x --y loss
expect_usage_error "NaN" "nan.csv:3: column 'loss': 'nan' is not a finite number" \
  fit --quiet "$dir/nan.csv" --x x --y loss
expect_usage_error "negative loss" "neg.csv:3: column 'loss': -0.5 is not positive" \
  fit --quiet "$dir/neg.csv" --x x --y loss
expect_usage_error "one row" "one.csv: 1 data row \(line 2\): law power has 3 parameters" \
  fit --quiet "$dir/one.csv" --x x --y loss
expect_usage_error "constant column" "const.csv: column 'x' is constant \(5 on every row, lines 2-5\)" \
  fit --quiet "$dir/const.csv" --x x --y loss
printf 'x,loss\n1,2\0\n2,1.5\n' >"$dir/nul.csv"
expect_usage_error "NUL byte" "nul.csv:2: a NUL byte" fit --quiet "$dir/nul.csv" --x x --y loss
expect_usage_error "no file" "no input: give FILE or '-'" fit --x x --y loss
expect_usage_error "chinchilla needs two x" "--x x: law chinchilla takes 2 columns" \
  fit --quiet "$dir/pow.csv" --law chinchilla --x x --y loss
expect_usage_error "C with power" "--C: compute budgets need --law chinchilla" \
  fit --quiet "$dir/pow.csv" --x x --y loss --C 1e20
expect_usage_error "bad objective" "--objective: 'l1' is not one of huber\|ls\|ls-log" \
  fit --quiet "$dir/pow.csv" --x x --y loss --objective l1
expect_usage_error "huber delta 0" "--huber-delta: 0 is out of range" \
  fit --quiet "$dir/pow.csv" --x x --y loss --huber-delta 0

printf 'x,loss,w,g\n1,2,1,a\n2,1.5,1,a\n4,1.2,2,a\n8,1.1,1,a\n16,1.05,1,a\n' >"$dir/g.csv"
expect_usage_error "bootstrap over one group" "column 'g' has one group only" \
  fit --quiet "$dir/g.csv" --x x --y loss --group g --bootstrap 10
expect_usage_error "bad weight column" "no column 'ww'" fit --quiet "$dir/g.csv" --x x --y loss --weight ww

# ---- no start converged: nan values, status, exit 1 -------------------------------------
run fit --quiet "$dir/pow.csv" --x x --y loss --max-iter 1 --format csv
if [ "$rc" -eq 1 ] && grep -q '^E,nan,nan,nan,nan,0,nan,max iterations$' "$out_file" &&
   grep -q "did not meet the gradient test" "$err_file"; then pass "max iterations: nan, exit 1"
else fail "max iterations"; fi
run fit --quiet "$dir/g.csv" --x x --y loss --weight w --format csv
[ "$rc" -eq 0 ] && pass "--weight" || fail "--weight"

# ---- --skip-bad keeps the good rows and names the first skipped --------------------------
{ cat "$dir/pow.csv"; echo "20,oops,s0"; } >"$dir/bad_row.csv"
run fit --quiet "$dir/bad_row.csv" --x x --y loss --skip-bad --format json
if [ "$rc" -eq 0 ] && grep -q '"skipped": 1' "$out_file" &&
   grep -q "first: line 14: column 'loss': 'oops'" "$err_file"; then pass "--skip-bad"
else fail "--skip-bad"; fi

# ---- recovery and formats --------------------------------------------------------------------
run fit --quiet "$dir/pow.csv" --x x --y loss --format csv
expect_stdout "csv header" "^parameter,estimate,se,ci_lo,ci_hi,at_bound,alt_estimate,status$"
ok=$(awk -F, 'NR > 1 { t = ($1 == "E") ? 0.5 : ($1 == "A") ? 3 : 0.6;
       d = ($2 - t) / t; if (d < 0) d = -d; if (d > 1e-8 || $8 != "ok") bad = 1 }
     END { print bad ? "no" : "yes" }' "$out_file")
[ "$ok" = yes ] && pass "noise-free recovery to 1e-8" || fail "noise-free recovery"
for f in table csv tsv json markdown latex; do
  expect_exit 0 "format $f" fit --quiet "$dir/pow.csv" --x x --y loss --format "$f"
done
run fit --quiet "$dir/pow.csv" --x x --y loss --format json
expect_stdout "json params" '"fit_status": "ok"'
run fit --quiet "$dir/pow.csv" --x x --y loss --residuals --format csv
expect_stdout "residuals header" "^line,x,loss,prediction,residual,status$"
run fit --quiet - --x x --y loss --format csv <"$dir/pow.csv"
expect_stdout "standard input" "^a,0.59999999"

# ---- bootstrap bit-identical at any thread count ---------------------------------------------
OMP_NUM_THREADS=1 "$SLT" fit --quiet "$dir/pow.csv" --x x --y loss --bootstrap 200 --group seed \
  --format csv >"$dir/t1.csv" 2>/dev/null
OMP_NUM_THREADS=2 "$SLT" fit --quiet "$dir/pow.csv" --x x --y loss --bootstrap 200 --group seed \
  --format csv >"$dir/t2.csv" 2>/dev/null
if [ -s "$dir/t1.csv" ] && cmp -s "$dir/t1.csv" "$dir/t2.csv"; then pass "bootstrap: 1 and 2 threads identical"
else fail "bootstrap differs between thread counts"; fi

awk 'BEGIN { print "N,D,loss"; for (i = 0; i < 20; i++) { N = 10^(7 + i*0.15); D = 20*N; printf "%.6g,%.6g,%.6g\n", N, D, 1.7 + 400*N^-0.34 + 410*D^-0.28 } }' >"$dir/col.csv"
expect_usage_error "collinear N and D" "columns 'N' and 'D' are collinear" \
  fit --quiet "$dir/col.csv" --law chinchilla --x N,D --y loss

# ---- the rows rule: only computed values with an error estimate say ok; else nan, exit 1 --
awk 'BEGIN { print "x,loss"; for (i = 0; i < 10; i++) { x = 10^(1 + i*0.3); printf "%.17g,%.17g\n", x, 1 + 0.1*log(x) } }' >"$dir/rise.csv"
run fit --quiet "$dir/rise.csv" --x x --y loss --format csv
if [ "$rc" -eq 1 ] && grep -q '^a,nan,nan,nan,nan,0,nan,law does not fit$' "$out_file" &&
   grep -q "law power does not describe the data: its x-term grows" "$err_file" &&
   grep -q "column 'x'" "$err_file"; then pass "rising data: law does not fit, nan, exit 1"
else fail "rising data"; fi
awk 'BEGIN { print "x,loss"; for (i = 0; i < 12; i++) { x = 10^(1 + i/3); printf "%.17g,%.17g\n", x, 3 * x^-0.6 } }' >"$dir/nofloor.csv"
run fit --quiet "$dir/nofloor.csv" --x x --y loss --format csv
if [ "$rc" -eq 1 ] && grep -q '^E,nan,nan,nan,nan,1,nan,at bound$' "$out_file" &&
   grep -q '^a,0.59999.*,0,nan,ok$' "$out_file" && grep -q "E: nan, at bound" "$err_file"
then pass "no floor: E at bound is nan, a ok, exit 1"; else fail "no floor at bound"; fi
for s in 1e-4 1e4; do
  awk -v s=$s 'BEGIN { print "x,y"; for (i = 0; i < 12; i++) { x = 10^(1 + i*0.3); printf "%.17g,%.17g\n", x, s*(1 + 2*x^-0.5) } }' >"$dir/sc.csv"
  run fit --quiet "$dir/sc.csv" --x x --y y --objective ls --format csv
  ok=$(awk -F, '$1 == "a" { d = $2 - 0.5; if (d < 0) d = -d; print (d < 1e-6 && $8 == "ok") ? "yes" : "no" }' "$out_file")
  [ "$rc" -eq 0 ] && [ "$ok" = yes ] && pass "ls at y ~ $s: a = 0.5" || fail "ls at y ~ $s"
done
awk 'BEGIN { print "N,D,loss"; for (i = 0; i < 6; i++) for (j = 0; j < 6; j++) { N = 10^(1+i); D = 10^(1+j+0.5*(i%2)); y = 1.5+40*N^-0.8+3*D^-0.2; printf "%.17g,%.17g,%.17g\n%.17g,%.17g,%.17g\n", N, D, y, D, N, y } }' >"$dir/sym.csv"
run fit --quiet "$dir/sym.csv" --law chinchilla --x N,D --y loss --starts 200 --format csv
if [ "$rc" -eq 1 ] && grep -q '^alpha,nan,nan,nan,nan,0,0\.[0-9]*,multiple optima$' "$out_file" &&
   grep -q "two distinct optima .*(E = .*) and (E = .*)" "$err_file"; then pass "multiple optima: both named, nan, exit 1"
else fail "multiple optima"; fi

# ---- help ------------------------------------------------------------------------------------
run fit --help
for o in law x y weight group objective huber-delta starts bootstrap seed level max-iter gtol C \
         residuals skip-bad format; do
  grep -q -- "--$o" "$out_file" || fail "help lacks --$o"
done
expect_stdout "help" "Not yet: bnsl"
finish
