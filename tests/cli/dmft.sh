# slt dmft: values against slt loss, divergence reporting, diagnostics, input errors.
source "$(dirname "$0")/lib.sh"

# N = P = inf is the slt loss curve (to 1e-9 relative; docs/theory/dmft.md §5)
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
grep -q '^200,200,inf,inf,nan,0,0,divergent$' "$out_file" && pass "N = P at t = inf reported as divergent" \
  || fail "divergence row: $(grep '^200,200,inf' "$out_file")"
[ "$rc" -eq 0 ] && pass "a divergent limit is a result, not a failure (exit 0)" || fail "exit $rc"
run dmft --alpha 2 --beta 0.5 --N 200 --P 200 --t inf --format json
expect_stdout "json: infinities are strings, missing errors null" '\[200\.0, 200\.0, "inf", "inf", null, 0\.0, 0\.0, "divergent"\]'

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

# Online SGD: huge batches are full-batch GD; header; plateau identity; stability
run dmft --alpha 2 --beta 0.5 --N 100,inf --P inf --t 3.5,70 --eta 0.7 --format csv
cp "$out_file" "$out_file.gd"
run dmft --alpha 2 --beta 0.5 --N 100,inf --P inf --t 3.5,70 --eta 0.7 --sgd --batch 1e12 --format csv
head -1 "$out_file" | grep -qx 'N,P,t,test,test_err,train,train_err,sgd_gain,sgd_gain_err,status' \
  && pass "--sgd csv header" || fail "--sgd header: $(head -1 "$out_file")"
bad=$(awk -F, 'NR == FNR { if (FNR > 1) ref[FNR] = $4; next }
               FNR > 1 { rel = ($4 - ref[FNR]) / ref[FNR]; if (rel < 0) rel = -rel; if (rel > 1e-8 || $10 != "ok") print FNR, rel }' \
      "$out_file.gd" "$out_file")
[ -z "$bad" ] && pass "SGD with B = 1e12 equals full-batch GD" || fail "SGD vs GD: $bad"
rm -f "$out_file.gd"
run dmft --alpha 2 --beta 0.5 --N 100 --P inf --t inf --format csv
floor=$(awk -F, 'NR == 2 { print $4 }' "$out_file")
run dmft --alpha 2 --beta 0.5 --N 100 --P inf --t inf --eta 0.5 --sgd --batch 4 --noise 0.2 --format csv
awk -F, -v f="$floor" 'NR == 2 { g = $8; lhs = $4 * (1 - g) - g * 0.2; rel = (lhs - f) / f; if (rel < 0) rel = -rel; exit !(rel < 1e-10) }' "$out_file" \
  && pass "SGD plateau: L_inf (1 - gain) = L_inf^GD + gain noise" || fail "plateau: $(cat "$out_file") vs $floor"
expect_exit 2 "unstable SGD step (exit 2)" dmft --alpha 2 --beta 0.5 --N inf --P inf --t 10 --eta 1.9 --sgd --batch 4
grep -q "unstable" "$err_file" && pass "unstable SGD explained" || fail "unstable SGD message"
expect_exit 2 "SGD noise gain >= 1 (exit 2)" dmft --alpha 1.2 --beta 0.5 --N inf --P inf --t 10 --eta 1 --sgd --batch 1 --sgd-form limit
grep -q "noise gain" "$err_file" && pass "noise gain explained" || fail "noise gain message"

# Momentum at N = P = inf: each mode a damped oscillator, L = sum_k t_k v_k(t)^2
run dmft --alpha 2 --beta 0.5 --N inf --P inf --t 0.5,10 --momentum 0.2 --format csv
bad=$(awk -F, 'NR > 1 { t = $3; mu = 0.2; ref = 0; for (k = 200000; k >= 1; k--) { l = 1 / (k * k); d = sqrt(1 - 4 * mu * l);
                        sp = -2 * l / (1 + d); sm = -(1 + d) / (2 * mu); v = (sp * exp(sm * t) - sm * exp(sp * t)) / (sp - sm); ref += l * v * v }
                        ref += 1 / 200000; rel = ($4 - ref) / ref; if (rel < 0) rel = -rel; if (rel > 1e-8) print t, rel }' "$out_file")
[ -z "$bad" ] && pass "momentum at N = P = inf equals the oscillator sum" || fail "momentum: $bad"
# Underdamped (4 mu lambda_1 = 1.2): the first mode rings; t = 1 is on the ellipse, 30 and
# 200 (> 82 mu) on the Talbot contour with the ringing part left out
run dmft --alpha 2 --beta 0.5 --N inf --P inf --t 1,30,200 --momentum 0.3 --format csv
bad=$(awk -F, 'NR > 1 { t = $3; mu = 0.3; ref = 0; for (k = 200000; k >= 1; k--) { l = 1 / (k * k); q = 1 - 4 * mu * l;
                        if (q < 0) { W = sqrt(-q) / (2 * mu); v = exp(-t / (2 * mu)) * (cos(W * t) + sin(W * t) / (2 * mu * W)) }
                        else { d = sqrt(q); sp = -2 * l / (1 + d); sm = -(1 + d) / (2 * mu); v = (sp * exp(sm * t) - sm * exp(sp * t)) / (sp - sm) }
                        ref += l * v * v }
                        ref += 1 / 200000; rel = ($4 - ref) / ref; if (rel < 0) rel = -rel; if (rel > 1e-8) print t, rel }' "$out_file")
[ -z "$bad" ] && pass "underdamped momentum at N = P = inf equals the oscillator sum" || fail "underdamped: $bad"

# GD with alternating modes (eta u_max = 1.67) at finite N and P, and underdamped momentum:
# the default contours against the ellipse everywhere (an independent inversion)
for args in "--eta 1.3" "--momentum 2"; do
  run dmft --alpha 1.5 --beta 0.7 --N 100 --P 200 --noise 0.1 --t 1.3,13,130,1300 $args --format csv
  mv "$out_file" "$out_file.auto"
  run dmft --alpha 1.5 --beta 0.7 --N 100 --P 200 --noise 0.1 --t 1.3,13,130,1300 $args --contour ellipse --format csv
  bad=$(paste -d, "$out_file.auto" "$out_file" | awk -F, 'NR > 1 { for (c = 4; c <= 6; c += 2) { d = $c - $(c + 8); if (d < 0) d = -d;
        if (d > $(c + 1) + $(c + 9) || d > 1e-9 * $c) print $3, c, d } }')
  [ -z "$bad" ] && pass "$args: Talbot and ellipse agree" || fail "$args: auto vs ellipse: $bad"
  rm -f "$out_file.auto"
done
# Discrete heavy ball at N = P = inf: x_{n+1} = (1 + b - eta l) x_n - b x_{n-1}, x_{-1} = x_0 = 1,
# L = sum_k t_k x_n(l_k)^2 (recurrence here; the solver uses the closed form). 20000 modes and
# the tail sum_{k > K} k^-2 = 1/K - 1/(2K^2) with x = 1 there (off by ~2e-7 at n = 400)
run dmft --alpha 2 --beta 0.5 --N inf --P inf --t 2,20,400 --eta 1 --momentum 0.7 --format csv
bad=$(awk -F, 'NR > 1 { n = $3; b = 0.7; K = 20000; ref = 1 / K - 0.5 / (K * K); for (k = K; k >= 1; k--) { l = 1 / (k * k); xm = 1; x = 1;
                        for (i = 0; i < n; i++) { xn = (1 + b - l) * x - b * xm; xm = x; x = xn } ref += l * x * x }
                        rel = ($4 - ref) / ref; if (rel < 0) rel = -rel; if (rel > 1e-6) print n, rel }' "$out_file")
[ -z "$bad" ] && pass "discrete heavy ball at N = P = inf equals the recurrence sum" || fail "discrete heavy ball: $bad"
expect_exit 2 "unstable heavy ball (exit 2)" dmft --alpha 2 --beta 0.5 --N inf --P inf --t 10 --eta 3.5 --momentum 0.7
grep -q "2(1 + momentum)" "$err_file" && pass "unstable heavy ball explained" || fail "unstable heavy ball message"
expect_exit 1 "ellipse at too late a time (exit 1, did not converge)" dmft --alpha 1.5 --beta 0.7 --N 100 --P 200 --t 1e7 --contour ellipse
grep -q "too late a time for contour = ellipse" "$err_file" && pass "late ellipse explained" || fail "late ellipse message"

# Issue 10 (1): a set-up that fails (here: an explicit task whose sums overflow a double)
# fails every row (NaN values, the real t, a status), names --N and --P, and exits 1;
# never `ok` rows from a zeroed buffer
task_big="$out_file.task"
printf '1 1e308\n1 1e308\n' >"$task_big"
run dmft --task "$task_big" --N 10 --P 30 --t 1,10,inf --format csv
bad=$(awk -F, 'NR > 1 && ($8 == "ok" || $8 == "divergent" || $4 != "nan" || $6 != "nan") { print }' "$out_file")
[ "$rc" -eq 1 ] && pass "failed set-up: exit 1" || fail "failed set-up: exit $rc"
[ -z "$bad" ] && [ "$(wc -l <"$out_file")" -eq 4 ] && pass "failed set-up: every row failed, NaN values" \
  || fail "failed set-up rows: $(cat "$out_file")"
[ "$(awk -F, 'NR > 1 { printf "%s ", $3 }' "$out_file")" = "1 10 inf " ] && pass "failed set-up: the t column is the asked-for t" \
  || fail "failed set-up t column: $(cat "$out_file")"
grep -q -- "--N 10 --P 30" "$err_file" && pass "failed set-up: the message names --N and --P" || fail "set-up message: $(cat "$err_file")"
rm -f "$task_big"

# Issue 10 (5): t -> 0 is L(0) = sum_k k^-2 = pi^2/6 (alpha = 2, beta = 1/2), not NaN
run dmft --alpha 2 --beta 0.5 --N 20 --P 1,inf --t 1e-300,1e-200 --format csv
bad=$(awk -F, 'NR > 1 { ref = 3.14159265358979324 ^ 2 / 6; rel = ($4 - ref) / ref; if (rel < 0) rel = -rel;
                        if (!(rel < 1e-14) || $8 != "ok") print }' "$out_file")  # the task layer's sum: 1e-15
[ -z "$bad" ] && [ "$rc" -eq 0 ] && pass "t = 1e-300 is L(0) = pi^2/6" || fail "small t: $bad"

# Issue 10 (8): t = inf at N = P: the test loss diverges, the interpolating train loss is 0
for nz in 0 0.1; do
  run dmft --alpha 2 --beta 0.5 --N 20 --P 20 --t inf --noise $nz --format csv
  grep -q '^20,20,inf,inf,nan,0,0,divergent$' "$out_file" && pass "N = P, noise $nz: train 0 at t = inf" \
    || fail "N = P train (noise $nz): $(cat "$out_file")"
done

# Issue 10 (13): a time that rounds to 0 steps is a usage error naming --t and --eta; an
# unstable step is refused whatever the time, naming --eta
expect_usage_error "t below half a step" "--t 1 with --eta 1000000 is less than half a step" \
  dmft --alpha 2 --beta 0.5 --N 20 --P 20 --eta 1e6 --t 1
expect_exit 2 "unstable huge step (exit 2)" dmft --alpha 2 --beta 0.5 --N 20 --P 20 --eta 1e6 --t 1e7
grep -q -- "--eta 1000000 is unstable" "$err_file" && pass "unstable step names --eta" || fail "unstable message: $(cat "$err_file")"

# Issue 10 (19): near the stability limit (eta u_max = 1.79 at N = 100, P = 200: margin 0.12,
# finite-size spread sqrt(2/N + 2/P) = 0.17) the rows say 'ok (near edge)' with a warning;
# far from it (eta u_max = 0.64) and at N = P = inf (no finite-size spread) they say ok
run dmft --alpha 2 --beta 0.5 --N 100 --P 200 --t 0,14 --eta 1.4 --diagnose --format csv
head -1 "$out_file" | grep -q ',u_max,edge_margin,edge_spread,status$' && pass "--diagnose with --eta: u_max, edge_margin, edge_spread" \
  || fail "edge columns: $(head -1 "$out_file")"
awk -F, 'NR == 2 { z = $NF } NR == 3 { n = $NF; m = $(NF - 2); s = $(NF - 1) } END { exit !(z == "ok" && n == "ok (near edge)" && m > 0 && m < 3 * s) }' "$out_file" \
  && pass "near the edge: 'ok (near edge)' (t > 0 only)" || fail "near edge: $(cat "$out_file")"
[ "$rc" -eq 0 ] && grep -q "warning: --N 100 --P 200 --eta 1.4" "$err_file" && pass "near the edge: a warning, exit 0" \
  || fail "near-edge warning: exit $rc, $(cat "$err_file")"
for args in "--N 100 --P 200 --eta 0.5" "--N inf --P inf --eta 1.9"; do
  run dmft --alpha 2 --beta 0.5 $args --t 10 --format csv
  awk -F, 'NR == 2 { exit !($NF == "ok") }' "$out_file" && [ ! -s "$err_file" ] && pass "$args: plain ok, no warning" \
    || fail "$args: $(cat "$out_file" "$err_file")"
done

# A loss that has all but vanished: rounding left it at about -3e-14 within an error of
# 1.7e-13 (fuzz case); a loss is never printed below 0 under ok
run dmft --alpha-K 94 --N 46 --P inf --t 575 --momentum 1 --format csv
awk -F, 'NR == 2 { exit !($NF == "ok" && $4 >= 0 && $6 >= 0 && $5 < 1e-12) }' "$out_file" \
  && pass "vanished loss: not negative under ok" || fail "vanished loss printed below 0"

# Input errors
expect_usage_error "N below 1" "--N: 0.5 is out of range \(expected LIST >= 1, or inf\)" dmft --alpha 2 --beta 1 --N 0.5 --P 10 --t 1
expect_usage_error "negative time" "--t: -1 is out of range" dmft --alpha 2 --beta 1 --N 10 --P 10 --t -1
expect_usage_error "missing lists" "--N, --P and --t \(or --t-file, --steps, --steps-file\) are required" dmft --alpha 2 --beta 1 --N 10
expect_usage_error "fractional ensemble" "--ensemble: 2.5 is not a whole number" dmft --alpha 2 --beta 1 --N 10 --P 10 --t 1 --ensemble 2.5
expect_usage_error "share without ensemble" "--share needs --ensemble" dmft --alpha 2 --beta 1 --N 10 --P 10 --t 1 --share none
expect_usage_error "bad share" "--share: 'both' is not one of data\|projection\|none" dmft --alpha 2 --beta 1 --N 10 --P 10 --t 1 --ensemble 2 --share both
expect_usage_error "nodes out of range" "--nodes: 40 is out of range \(expected 10 <= M <= 32\)" dmft --alpha 2 --beta 1 --N 10 --P 10 --t 1 --nodes 40
expect_usage_error "no task" "no task given" dmft --N 10 --P 10 --t 1
expect_usage_error "sgd without batch" "--sgd needs --batch" dmft --alpha 2 --beta 1 --N 10 --P inf --t 1 --eta 0.5 --sgd
expect_usage_error "batch without sgd" "--batch is for online SGD" dmft --alpha 2 --beta 1 --N 10 --P inf --t 1 --eta 0.5 --batch 8
expect_usage_error "sgd with finite P" "--sgd needs --P inf" dmft --alpha 2 --beta 1 --N 10 --P 100 --t 1 --eta 0.5 --sgd --batch 8
expect_usage_error "sgd without eta" "--sgd needs a step --eta" dmft --alpha 2 --beta 1 --N 10 --P inf --t 1 --sgd --batch 8
expect_usage_error "sgd with ensemble" "--sgd with --ensemble" dmft --alpha 2 --beta 1 --N 10 --P inf --t 1 --eta 0.5 --sgd --batch 8 --ensemble 2
expect_usage_error "sgd with momentum" "--sgd with --momentum" dmft --alpha 2 --beta 1 --N 10 --P inf --t 1 --eta 0.5 --sgd --batch 8 --momentum 0.1
expect_usage_error "momentum 1 with eta" "--momentum: 1 is out of range with --eta" dmft --alpha 2 --beta 1 --N 10 --P inf --t 1 --eta 0.5 --momentum 1
expect_usage_error "batch zero" "--batch: 0 is out of range" dmft --alpha 2 --beta 1 --N 10 --P inf --t 1 --eta 0.5 --sgd --batch 0
expect_usage_error "ellipse with sgd" "--contour ellipse is not for --sgd" dmft --alpha 2 --beta 1 --N 10 --P inf --t 1 --eta 0.5 --sgd --batch 8 --contour ellipse
expect_usage_error "bad contour" "--contour: 'circle' is not one of auto\|ellipse" dmft --alpha 2 --beta 1 --N 10 --P 10 --t 1 --contour circle
expect_usage_error "negative momentum" "--momentum: -1 is out of range" dmft --alpha 2 --beta 1 --N 10 --P 10 --t 1 --momentum -1
expect_exit 0 "--help" dmft --help
for o in N P t noise ensemble share nodes diagnose format task alpha beta sgd batch sgd-form momentum contour; do
  grep -q -- "--$o" "$out_file" || fail "--help does not list --$o"
done

# Out of memory after the lists are parsed frees everything (one cleanup path in
# cmd_dmft.c; the early returns used to leak the --N/--P/--t lists). Only the sanitized
# build (make check-asan) can make the allocation fail on demand: the 3000 times fit under
# 1 MB, the 5 x 3000 points of the solve (1.4 MB) do not; LeakSanitizer fails the run on a leak.
if [[ "${SANFLAGS:-}" == *address* ]]; then
  ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1:allocator_may_return_null=1:max_allocation_size_mb=1" \
    run dmft --alpha 2 --beta 0.5 --N 10 --P 10 --t 1:1e3:3000 --format csv
  if [ "$rc" -ne 0 ] && grep -q 'slt dmft: out of memory' "$err_file" &&
     ! grep -q 'LeakSanitizer' "$err_file"; then
    pass "out of memory after parsing: an error, nothing leaked"
  else
    fail "out of memory after parsing: exit $rc"
  fi
fi
# L(0) = sum_k t_k carries the sum's bound (it printed +- 0 while off by 2e-15): at
# alpha 1.5, beta 0.7 the exact value is zeta(2.05) = 1.6004242041536389 (50-digit
# reference, mpmath); flow and SGD both
for extra in "" "--sgd --batch 1 --eta 0.1"; do
  run dmft --alpha 1.5 --beta 0.7 --N inf --P inf $extra --t 0 --format csv
  if [ "$rc" -eq 0 ] && awk -F, 'NR == 2 { d = $4 - 1.6004242041536389; if (d < 0) d = -d; exit !($5 > 0 && d <= $5) }' "$out_file"; then
    pass "L(0) ${extra:-flow}: zeta(2.05) within its nonzero bound"
  else fail "L(0) ${extra:-flow}: $(sed -n 2p "$out_file")"; fi
done

finish
