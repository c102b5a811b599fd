#!/usr/bin/env bash
# Shell tests of `slt optimal`: bad input (exit 2, one stderr line naming option, value and
# range), every output format (with the fast fitted-law provider), the columns, an optimum
# at a bound of --N-range, help.
# usage: bash tests/cli/optimal.sh path/to/slt
source "$(dirname "$0")/lib.sh"

law="E=1.69,A=406.4,a=0.34,B=410.7,b=0.28"

# ---- Bad input ------------------------------------------------------------------------
expect_usage_error "C = 0" "--C: 0 is out of range" optimal --law "$law" --C 0
expect_usage_error "C negative" "--C: -1 is out of range" optimal --law "$law" --C -1
expect_usage_error "no C" "--C LIST is required" optimal --alpha 2 --beta 0.5
expect_usage_error "empty N range" "--N-range 1000:10: .*empty" \
  optimal --alpha 2 --beta 0.5 --C 1e6 --N-range 1000:10
expect_usage_error "N range not LO:HI" "--N-range: '100' is not LO:HI" \
  optimal --law "$law" --C 1e6 --N-range 100
expect_usage_error "budget too small for one step" \
  "--C 10 is too small: at the smallest width 100 .*less than one step \(t >= 0.5\)" \
  optimal --alpha 2 --beta 0.5 --C 10 --eta 0.5 --N-range 100:1000
expect_usage_error "SGD budget too small" "--C 2 is too small.*\(D >= 4\)" \
  optimal --alpha 2 --beta 0.5 --C 2 --eta 0.1 --sgd --batch 4
expect_usage_error "bad cost" "--cost nq: cost 'nq' is not a cost model" \
  optimal --law "$law" --C 1e6 --cost nq
expect_usage_error "bad power" "--cost power:0: .*out of range" \
  optimal --law "$law" --C 1e6 --cost power:0
expect_usage_error "gamma not yet" "--gamma: the rich .* not implemented yet" \
  optimal --alpha 2 --beta 0.5 --C 1e6 --gamma 1
expect_usage_error "ensemble not yet" "--ensemble: .*not implemented yet" \
  optimal --alpha 2 --beta 0.5 --C 1e6 --ensemble 4
expect_usage_error "law with noise" "--noise is for a task" optimal --law "$law" --noise 0.1 --C 1e6
expect_usage_error "law key" "--law: unknown key 'c'" optimal --law c=1 --C 1e6
expect_usage_error "law value" "--law a=0: .*a = 0 is out of range" optimal --law a=0 --C 1e6
expect_usage_error "law with a task" "--law replaces the task" \
  optimal --law "$law" --alpha 2 --beta 0.5 --C 1e6
expect_usage_error "sgd without batch" "--sgd needs --batch" \
  optimal --alpha 2 --beta 0.5 --C 1e6 --eta 0.1 --sgd
expect_usage_error "sgd finite P" "--sgd needs --P inf" \
  optimal --alpha 2 --beta 0.5 --C 1e6 --eta 0.1 --sgd --batch 4 --P 100
expect_usage_error "no task" "no task given" optimal --C 1e6

# ---- Every format ----------------------------------------------------------------------
for fmt in table csv tsv json markdown latex; do
  expect_exit 0 "format $fmt" optimal --law "$law" --cost 6nd --C 1e18:1e24:4 --format "$fmt"
  if [ -s "$out_file" ] && [ ! -s "$err_file" ]; then pass "format $fmt: output, no stderr"
  else fail "format $fmt: empty stdout or something on stderr"; fi
done
run optimal --law "$law" --cost 6nd --C 1e18:1e24:4 --format csv
expect_stdout "csv header" '^C,N_opt,N_opt_err,t_opt,t_opt_err,L_opt,L_opt_err,slope_N,slope_N_err,slope_t,slope_t_err,slope_L,slope_L_err,predicted_N,predicted_t,predicted_L,regime,evaluations,status$'
# the closed form: N* = (aA/(bB))^(1/(a+b)) (C/6)^(b/(a+b)) = 80581983.8... at C = 1e18
expect_stdout "law optimum at C = 1e18" '^1e\+18,80581983\.8[0-9]*,'
expect_stdout "law slope b/(a+b)" ',0\.451612903[0-9]*,[0-9.e-]*,0\.548387096'

# ---- An optimum at a bound: flagged, values null, exit 2 --------------------------------
expect_exit 2 "optimum at the upper bound" optimal --law "$law" --cost 6nd --C 1e20 \
  --N-range 1:1e6 --format csv
expect_stdout "bound row" ',nan,nan,.*,at-N-hi$'
if grep -q -- "--N-range 1:1e6: at --C 1e+20 the optimum lies at the upper bound" "$err_file"
then pass "bound message names --N-range"; else fail "bound message"; fi

# ---- The lazy DMFT, one quick budget ---------------------------------------------------
expect_exit 0 "lazy DMFT hard task" optimal --alpha 2 --beta 0.5 --C 1e4,1e5 --N-range 1:1e4 \
  --format csv --quiet
expect_stdout "hard regime and predictions" ',0\.33333333[0-9]*,0\.66666666[0-9]*,-0\.33333333[0-9]*,hard,'

# ---- The reviewer's cases ----------------------------------------------------------------
# the statics: the better branch below the pole N = P (slt static: N = 420, L = 0.0095387)
expect_exit 0 "statics: the branch below the pole" optimal --alpha 1.5 --beta 0.8 --noise 0.01 \
  --static --C 1e6 --format csv --quiet
expect_stdout "statics: N* = 420.9, L* = 0.0095387" '^1000000,420\.88[0-9]*,[0-9.e-]*,2375\.9[0-9]*,[0-9.e-]*,0\.0095386[0-9]*,'
# without noise the two branches are equally good: degenerate, null values, exit 2
expect_exit 2 "statics without noise: degenerate" optimal --alpha 2 --beta 0.5 --static \
  --C 1e3,1e4 --format csv --quiet
expect_stdout "degenerate row" '^1000,nan,nan,.*,degenerate$'
if grep -q "at --C 1000 the optimum is degenerate: N = 17.91.* and N = 55.81" "$err_file"
then pass "degenerate message names both N*"; else fail "degenerate message"; fi
# an optimum just inside N_lo = 1: no stencil outside the range, no false at-N-lo
expect_exit 0 "law near N_lo, --grid 40" optimal --law E=0,A=0.01,a=2,B=1,b=0.1 --C 2e7 \
  --grid 40 --format csv
expect_stdout "N* = 1.0347 (closed form)" '^20000000,1\.03472[0-9]*,'
expect_exit 0 "law near N_lo, inside" optimal --law E=0,A=0.01,a=2,B=1,b=0.1 --C 1e8 --format csv
expect_stdout "N* = 1.1171 (closed form)" '^100000000,1\.117144[0-9]*,'
# GD unstable at the small widths: excluded, named in a note
expect_exit 0 "GD eta = 1, default --N-range" optimal --alpha 2 --beta 0.5 --C 1e4 --eta 1 \
  --format csv --quiet
expect_stdout "GD N* = 62.66" '^10000,inf,62\.66[0-9]*,'
if grep -q "note: --eta 1: at --C 10000 the loss diverges (the step is unstable) .*N in \[1, " "$err_file"
then pass "unstable widths named"; else fail "unstable widths note"; fi

# the optimum next to the stability edge: the DMFT's caveat reaches the row
expect_exit 0 "GD eta = 1.5 near the edge" optimal --alpha 2 --beta 0.5 --C 1e3 --eta 1.5 \
  --N-range 1:1e3 --format csv --quiet
expect_stdout "near-edge row" ',ok \(near edge\)$'
# every width unstable: a failure naming --eta
expect_exit 1 "GD eta = 2: every width unstable" optimal --alpha 2 --beta 0.5 --C 1e3 --eta 2 \
  --N-range 1:1e3 --format csv --quiet
if grep -q "diverges at every width of --N-range 1:1e3 .*--eta 2 is unstable" "$err_file"
then pass "every-width message names --eta"; else fail "every-width message"; fi

# ---- Help ------------------------------------------------------------------------------
expect_exit 0 "--help" optimal --help
for opt in --alpha --beta --C --cost --P --eta --sgd --batch --static --law --N-range --grid \
           --noise --gamma --ensemble --format --help; do
  expect_stdout "--help lists $opt" "^ +(-h, )?$opt( |$)"
done
expect_stdout "--help explains the cost models" 'power:p +C = N\^p t'

finish
