# slt dmft --gamma: the rich DMFT's columns, methods, formats, diagnostics and refusals.
source "$(dirname "$0")/lib.sh"

task="--alpha 1.5 --beta 0.5 --M 20 --N inf --P inf"

# Columns; gamma = 0 goes to the lazy solver (method lazy), gamma > 0 to auto = ode
run dmft $task --t 0,1,10,inf --gamma 0,0.5 --format csv
head -1 "$out_file" | grep -qx 'N,P,gamma,t,test,test_err,train,train_err,method,status' \
  && pass "--gamma csv header" || fail "--gamma header: $(head -1 "$out_file")"
[ "$rc" -eq 0 ] && [ "$(wc -l <"$out_file")" -eq 9 ] && pass "every gamma at every t (exit 0)" || fail "rows/exit $rc"
[ "$(awk -F, 'NR > 1 && $3 == 0 && $9 == "lazy"' "$out_file" | wc -l)" -eq 4 ] \
  && pass "gamma = 0 rows: method lazy" || fail "lazy rows"
[ "$(awk -F, 'NR > 1 && $3 == 0.5 && $9 == "ode"' "$out_file" | wc -l)" -eq 4 ] \
  && pass "gamma > 0 rows: auto resolved to ode" || fail "ode rows"
bad=$(awk -F, 'NR > 1 && $4 == 10 { L[$3] = $5 } END { if (!(L[0.5] < L[0])) print L[0], L[0.5] }' "$out_file")
[ -z "$bad" ] && pass "rich below lazy at t = 10" || fail "rich vs lazy: $bad"

# Without --gamma the output is today's (no gamma, no method column)
run dmft $task --t 1 --format csv
head -1 "$out_file" | grep -qx 'N,P,t,test,test_err,train,train_err,status' \
  && pass "no --gamma: the lazy columns" || fail "lazy header: $(head -1 "$out_file")"

# gamma = 0 through the rich solver (--method ode) equals the lazy row within the errors
run dmft $task --t 0.5,1,10,100 --gamma 0 --format csv
cp "$out_file" "$out_file.lazy"
run dmft $task --t 0.5,1,10,100 --gamma 0 --method ode --format csv
bad=$(awk -F, 'NR == FNR { if (FNR > 1) { v[FNR] = $5; e[FNR] = $6 } next }
               FNR > 1 { d = $5 - v[FNR]; if (d < 0) d = -d; if (d > $6 + e[FNR] || $9 != "ode" || $10 != "ok") print FNR, $5, v[FNR], d }' \
      "$out_file.lazy" "$out_file")
[ -z "$bad" ] && pass "gamma = 0 --method ode equals the lazy solver within errors" || fail "ode vs lazy: $bad"
rm -f "$out_file.lazy"

# lazy rows keep the lazy solver's 'ok (near edge)' (docs/cli.md, Errors)
run dmft --alpha 2 --beta 0.5 --N 100 --P 200 --t 0,14 --eta 1.4 --gamma 0 --format csv
awk -F, 'NR == 2 { z = $NF } NR == 3 { n = $NF } END { exit !(z == "ok" && n == "ok (near edge)") }' "$out_file" \
  && [ "$rc" -eq 0 ] && grep -q "warning: --N 100 --P 200 --gamma 0 --eta 1.4" "$err_file" \
  && pass "lazy rows near the edge: 'ok (near edge)', a warning, exit 0" || fail "near edge (exit $rc)"

# isotropic is labelled, and works at M = inf; unsorted times come back in the given order
run dmft --alpha 1.5 --beta 0.5 --N inf --P inf --t 100,1,10 --gamma 1 --method isotropic --format csv
awk -F, 'NR > 1 { if ($9 != "isotropic") exit 1; t = t " " $4 } END { exit t != " 100 1 10" }' "$out_file" \
  && pass "isotropic rows labelled, times in the given order" || fail "isotropic rows"
bin_help=$("$SLT" dmft --help)
grep -q 'isotropic is an approximation' <<<"$bin_help" && pass "--help: isotropic is an approximation" \
  || fail "help on isotropic"
for o in --gamma --method; do
  grep -q -- "^  $o " <<<"$bin_help" && pass "--help lists $o" || fail "--help lacks $o"
done

# Every format carries gamma and method
for f in table tsv markdown latex json; do
  run dmft $task --t 1 --gamma 0.5 --format $f
  [ "$rc" -eq 0 ] && grep -q gamma "$out_file" && grep -q method "$out_file" && grep -q ode "$out_file" \
    && pass "--format $f" || fail "--format $f (exit $rc)"
done

# --diagnose: columns; ratio 1 at gamma = 0; crossover per gamma; chi = 2 beta/(1 + beta)
run dmft --alpha 1.5 --beta 0.5 --N inf --P inf --t 1,10,1e4 --gamma 0,1 --method isotropic --diagnose --format csv
head -1 "$out_file" | grep -qx 'N,P,gamma,t,test,test_err,train,train_err,method,exponent,exponent_err,chi,q,q_err,tau,ratio_lazy,ratio_lazy_err,crossover,crossover_err,status' \
  && pass "--gamma --diagnose columns" || fail "diagnose header: $(head -1 "$out_file")"
bad=$(awk -F, 'NR > 1 && $3 == 0 { if ($16 != 1 || $18 != "nan" || $12 != 0.5) print }
               NR > 1 && $3 == 1 { c = $12 - 2/3; if (c < 0) c = -c; if (c > 1e-15 || !($16 < 1) || !($18 > 1 && $18 < 3) || $20 != "ok") print }' "$out_file")
[ -z "$bad" ] && pass "diagnose: ratio 1 and no crossover at gamma = 0; chi, ratio < 1 and t_x at gamma = 1" \
  || fail "diagnose rows: $bad"
# the crossover is where gamma q = 1: q at t = t_x from a second run
tx=$(awk -F, 'NR == 5 { print $18 }' "$out_file")
run dmft --alpha 1.5 --beta 0.5 --N inf --P inf --t "$tx" --gamma 1 --method isotropic --diagnose --format csv
awk -F, 'NR == 2 { d = $13 - 1; if (d < 0) d = -d; exit !(d < 1e-5) }' "$out_file" \
  && pass "q(t_x) = 1/gamma" || fail "q at the crossover"
# the exponent has one sign on lazy and rich rows: lazy (gamma = 0) equals ode at gamma = 0
run dmft $task --t 1,10 --gamma 0 --diagnose --format csv
cp "$out_file" "$out_file.lazy"
run dmft $task --t 1,10 --gamma 0 --method ode --diagnose --format csv
bad=$(awk -F, 'NR == FNR { if (FNR > 1) { v[FNR] = $10; e[FNR] = $11 } next }
               FNR > 1 { d = $10 - v[FNR]; if (d < 0) d = -d; if (!($10 > 0) || d > $11 + e[FNR]) print FNR, $10, v[FNR] }' \
      "$out_file.lazy" "$out_file")
[ -z "$bad" ] && pass "exponent: lazy row equals the ode row at gamma = 0 (positive)" || fail "exponent sign: $bad"
rm -f "$out_file.lazy"
# late isotropic exponent near chi = 2/3 (docs/theory/featlearn.md §4: 0.666680 at t = 1e6)
run dmft --alpha 1.5 --beta 0.5 --N inf --P inf --t 1e6 --gamma 1 --method isotropic --diagnose --format csv
awk -F, 'NR == 2 { d = $10 - $12; if (d < 0) d = -d; exit !(d < 1e-3) }' "$out_file" \
  && pass "isotropic exponent near chi at t = 1e6" || fail "exponent vs chi"
# a horizon that does not reach the crossover: null, a note on stderr, exit 0
run dmft --alpha 1.5 --beta 0.5 --N inf --P inf --t 1 --gamma 1e-3 --method isotropic --diagnose --format json
[ "$rc" -eq 0 ] && grep -q 'no crossover within the times' "$err_file" && expect_stdout "crossover null" 'null, null, "ok"\]' \
  || fail "crossover beyond the horizon (exit $rc)"

# Refusals: exit 2 naming the option and the value
expect_usage_error "--momentum refused with --gamma" '--momentum 2 is not implemented with --gamma' \
  dmft $task --t 1 --gamma 1 --momentum 2
expect_usage_error "--noise refused with --gamma" '--noise 0.1 is not implemented with --gamma' \
  dmft $task --t 1 --gamma 1 --noise 0.1
expect_usage_error "--ensemble refused with --gamma" '--ensemble 2 is not implemented with --gamma' \
  dmft $task --t 1 --gamma 1 --ensemble 2
expect_usage_error "--contour refused with --gamma" '--contour ellipse is not implemented with --gamma' \
  dmft $task --t 1 --gamma 1 --contour ellipse
expect_usage_error "--nodes refused with --gamma" '--nodes 20 is not implemented with --gamma' \
  dmft $task --t 1 --gamma 1 --nodes 20
# online SGD with --gamma is the DMFT limit form: the user must say so, and gamma = 0 rows
# (the lazy solver) then use the same form
expect_usage_error "--sgd with --gamma needs --sgd-form limit" 'add --sgd-form limit to accept it' \
  dmft $task --t 1 --gamma 1 --eta 0.1 --sgd --batch 4
expect_usage_error "--sgd-form gaussian refused with --gamma" '--sgd-form gaussian is not implemented with --gamma' \
  dmft $task --t 1 --gamma 1 --eta 0.1 --sgd --batch 4 --sgd-form gaussian
run dmft $task --t 0.5,1,2 --gamma 0 --eta 0.25 --sgd --batch 4 --sgd-form limit --N 64 --P inf --format csv
cp "$out_file" "$out_file.lazy"
run dmft $task --t 0.5,1,2 --gamma 0 --method march --eta 0.25 --sgd --batch 4 --sgd-form limit --N 64 --P inf --format csv
bad=$(awk -F, 'NR == FNR { v[FNR] = $5; e[FNR] = $6; next }
               FNR > 1 { d = $5 - v[FNR]; if (d < 0) d = -d; if (d > $6 + e[FNR] || $10 != "ok") print FNR, $5, v[FNR] }' \
        "$out_file.lazy" "$out_file")
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "SGD limit form: the march at gamma = 0 equals the lazy rows" \
  || fail "SGD limit form, march vs lazy: rc $rc, $bad"
rm -f "$out_file.lazy"
expect_usage_error "t = inf with a step refused" 'times\[1\] = inf with eta = 0.25' \
  dmft $task --t 1,inf --gamma 1 --eta 0.25 --N 64 --P inf
expect_usage_error "--method needs --gamma" '--method ode is for the rich DMFT' dmft $task --t 1 --method ode
expect_usage_error "--method: unknown name" '--method' dmft $task --t 1 --gamma 1 --method rk4
expect_usage_error "--gamma out of range" '--gamma: -1' dmft $task --t 1 --gamma -1
# a case the library does not solve: exit 2 with its message
expect_usage_error "isotropic with a step refused by the library" 'eta' \
  dmft --alpha 1.5 --beta 0.5 --N inf --P inf --t 1 --gamma 1 --method isotropic --eta 0.25
expect_usage_error "ode at finite P refused by the library" 'P = 128' \
  dmft --alpha 1.5 --beta 0.5 --N inf --P 128 --t 1 --gamma 1 --method ode

# A library failure: NaN (null in JSON), the status, exit 1
run dmft --alpha 1.5 --beta 0.5 --N inf --P inf --t 1,1e200 --gamma 1 --method isotropic --format json
[ "$rc" -eq 1 ] && pass "failed point: exit 1" || fail "failed point exit $rc"
expect_stdout "failed point: null values and its status" 'e199, null, null, null, null, "isotropic", "did not converge"\]'
expect_stdout "the other point is computed" '\[.*1\.0, 0\.7[0-9]*, .*"isotropic", "ok"\]'
grep -q -- '--gamma 1: did not converge' "$err_file" && pass "failure named on stderr" || fail "failure message"

# the march's work budget: refused before any row (exit 2, naming the budget)
expect_usage_error "march beyond --max-work" 'max_march_work = 1e\+08' \
  dmft --alpha 1.5 --beta 0.5 --M 200 --N 64 --P inf --eta 0.1 --gamma 1 --t 100 --max-work 1e8
expect_usage_error "--max-work without --gamma" '--max-work 1e\+08 is for the rich DMFT' \
  dmft --alpha 1.5 --beta 0.5 --N 64 --P inf --t 1 --max-work 1e8

finish
