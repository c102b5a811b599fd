# slt dmft: values against slt loss, divergence reporting, diagnostics, input errors.
source "$(dirname "$0")/lib.sh"

# N = P = inf is the slt loss curve (to 1e-9 relative; dmft.md §13.1)
run dmft --alpha 1.5 --beta 0.7 --N inf --P inf --t 1,100,1e4 --format csv
cp "$out_file" "$out_file.dmft"
run loss --alpha 1.5 --beta 0.7 --t 1,100,1e4 --format csv
bad=$(awk -F, 'NR == FNR { if (FNR > 1) ref[FNR] = $2; next }
               FNR > 1 { rel = ($4 - ref[FNR]) / ref[FNR]; if (rel < 0) rel = -rel; if (rel > 1e-9 || $8 != "ok") print FNR, rel }' \
      "$out_file" "$out_file.dmft")
[ -z "$bad" ] && pass "dmft at N = P = inf equals slt loss" || fail "dmft vs loss: $bad"
rm -f "$out_file.dmft"

# Header, grid order, divergence at N = P as t -> inf
run dmft --alpha 2 --beta 0.5 --N 100,200 --P 200 --t 10,inf --format csv
head -1 "$out_file" | grep -qx 'N,P,t,test,test_err,train,train_err,status' && pass "csv header" || fail "csv header"
[ "$(wc -l <"$out_file")" -eq 5 ] && pass "every N with every P at every t" || fail "row count"
grep -q '^200,200,inf,inf,nan,inf,nan,divergent$' "$out_file" && pass "N = P at t = inf reported as divergent" \
  || fail "divergence row: $(grep '^200,200,inf' "$out_file")"
[ "$rc" -eq 0 ] && pass "a divergent limit is a result, not a failure (exit 0)" || fail "exit $rc"
run dmft --alpha 2 --beta 0.5 --N 200 --P 200 --t inf --format json
expect_stdout "json: divergent value is null" '\[200\.0, 200\.0, null, null, null, null, null, "divergent"\]'

# Diagnostics: columns, slope -> -beta at N = P = inf, width gap null at N = inf
run dmft --alpha 2 --beta 0.5 --N 1000,inf --P inf --t 1e4 --diagnose --format csv
head -1 "$out_file" | grep -qx 'N,P,t,test,test_err,train,train_err,slope,slope_err,width_gap,width_gap_err,width_gap_slope,width_gap_slope_err,generalization_gap,generalization_gap_err,status' \
  && pass "--diagnose columns" || fail "--diagnose header: $(head -1 "$out_file")"
bad=$(awk -F, '$1 == "inf" { s = $8 + 0.5; if (s < 0) s = -s; if (s > 1e-3 || $10 != "nan") print }' "$out_file")
[ -z "$bad" ] && pass "N = P = inf: slope -beta, no width gap" || fail "diagnose inf row: $bad"
bad=$(awk -F, '$1 == "1000" { if (!($10 > 0) || !($12 < 0)) print }' "$out_file")
[ -z "$bad" ] && pass "finite N: positive width gap falling in N" || fail "diagnose N row: $bad"

# Ensembles
run dmft --alpha 2 --beta 1.2 --N 100 --P inf --t 100 --ensemble inf --format csv
e_inf=$(awk -F, 'NR == 2 { print $4 }' "$out_file")
run dmft --alpha 2 --beta 1.2 --N 100 --P inf --t 100 --format csv
e_one=$(awk -F, 'NR == 2 { print $4 }' "$out_file")
awk -v a="$e_inf" -v b="$e_one" 'BEGIN { exit !(a < b) }' && pass "the infinite ensemble beats one model" \
  || fail "ensemble: $e_inf vs $e_one"

# GD: at N = P = inf the loss is sum_k t_k (1 - eta lambda_k)^(2n); times round to steps
run dmft --alpha 2 --beta 0.5 --N inf --P inf --t 1.4,7 --eta 0.7 --format csv
bad=$(awk -F, 'NR > 1 { n = $3 / 0.7; ref = 0; for (k = 200000; k >= 1; k--) { l = 1 / (k * k); ref += l * (1 - 0.7 * l) ^ (2 * n) }
                        ref += 1 / 200000; rel = ($4 - ref) / ref; if (rel < 0) rel = -rel; if (rel > 1e-9) print n, rel }' "$out_file")
[ -z "$bad" ] && pass "GD at N = P = inf equals the mode sum" || fail "GD: $bad"
run dmft --alpha 2 --beta 0.5 --N inf --P inf --t 1 --eta 0.7 --format csv
awk -F, 'NR == 2 { exit !($3 == 0.7) }' "$out_file" && pass "t rounded to a whole step (t = eta n)" || fail "GD rounding: $(cat "$out_file")"
expect_exit 2 "unstable step is an input error (exit 2)" dmft --alpha 2 --beta 0.5 --N inf --P inf --t 10 --eta 2.5
grep -q "unstable" "$err_file" && pass "unstable step explained" || fail "unstable message"
grep -q ",nan,.*,invalid\|argument outside" "$out_file" && pass "unstable row marked" || fail "unstable row: $(cat "$out_file")"

# Input errors
expect_usage_error "N below 1" "--N: 0.5 is out of range \(expected LIST >= 1, or inf\)" dmft --alpha 2 --beta 1 --N 0.5 --P 10 --t 1
expect_usage_error "negative time" "--t: -1 is out of range" dmft --alpha 2 --beta 1 --N 10 --P 10 --t -1
expect_usage_error "missing lists" "--N, --P and --t are required" dmft --alpha 2 --beta 1 --N 10
expect_usage_error "fractional ensemble" "--ensemble: 2.5 is not a whole number" dmft --alpha 2 --beta 1 --N 10 --P 10 --t 1 --ensemble 2.5
expect_usage_error "share without ensemble" "--share needs --ensemble" dmft --alpha 2 --beta 1 --N 10 --P 10 --t 1 --share none
expect_usage_error "bad share" "--share: 'both' is not one of data\|projection\|none" dmft --alpha 2 --beta 1 --N 10 --P 10 --t 1 --ensemble 2 --share both
expect_usage_error "nodes out of range" "--nodes: 40 is out of range \(expected 10 <= M <= 32\)" dmft --alpha 2 --beta 1 --N 10 --P 10 --t 1 --nodes 40
expect_usage_error "no task" "no task given" dmft --N 10 --P 10 --t 1
expect_exit 0 "--help" dmft --help
for o in N P t noise ensemble share nodes diagnose format task alpha beta; do
  grep -q -- "--$o" "$out_file" || fail "--help does not list --$o"
done
finish
