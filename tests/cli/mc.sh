#!/usr/bin/env bash
# Shell tests of `slt mc`: good runs in every model (csv shape, exact limits, determinism
# across threads and seeds), and each kind of bad input (exit 2, one stderr line naming
# the option, the value and what is accepted).
# usage: bash tests/cli/mc.sh path/to/slt
source "$(dirname "$0")/lib.sh"

header='^N,P,t,test,test_se,train,train_se,trials,M,tail_mass,status$'
task=$(mktemp)
printf '# lambda target\n1.0 0.5\n0.25 0.25\n0.01 0.125\n' >"$task"
trap 'rm -f "$out_file" "$err_file" "$task" "$task.a" "$task.b"' EXIT

# ---- good runs ------------------------------------------------------------------------
# N = P = inf: no randomness left, L(t) = sum_k t_k exp(-2 lambda_k t) over the file's
# three modes (by awk), train = test + sigma^2, SE 0 over identical trials.
run mc --task "$task" --N inf --P inf --t 0,0.5,3,inf --noise 0.1 --trials 3 --format csv
bad=$(awk -F, 'NR > 1 { t = $3; ref = (t == "inf") ? 0 : 0.5*exp(-2*t) + 0.25*exp(-0.5*t) + 0.125*exp(-0.02*t)
                        d = $4 - ref; if (d < 0) d = -d; e = $6 - ref - 0.1; if (e < 0) e = -e
                        if (d > 1e-14 || e > 1e-14 || $5 != 0 || $8 != 3 || $9 != 3 || $10 != 0 || $11 != "ok") print }' "$out_file")
if [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "$(wc -l <"$out_file")" -eq 5 ] && head -1 "$out_file" | grep -Eq "$header"; then
  pass "N = P = inf equals the mode sum; header $header"
else fail "N = P = inf: rc $rc, bad rows: $bad"; fi
[ -s "$err_file" ] && fail "a clean run wrote to stderr" || pass "clean run: stderr empty"

# rf on a power law: one row per (N, P, t), M = 10 max(N, P) (floor 1000), t = 0 is L(0)
run mc --alpha 1.5 --beta 0.5 --N 20,40 --P 30 --t 0,1,10 --trials 8 --format csv
bad=$(awk -F, 'NR > 1 && ($8 != 8 || $9 != 1000 || $11 != "ok" || ($3 == 0 && $5 > 1e-15)) { print }' "$out_file")
[ "$rc" -eq 0 ] && [ "$(wc -l <"$out_file")" -eq 7 ] && [ -z "$bad" ] && pass "rf grid: 2 x 1 x 3 rows" || fail "rf grid: $bad"
mass=$(awk -F, 'NR == 2 { printf "%.17g", $4 + $10 }' "$out_file")
run loss --alpha 1.5 --beta 0.5 --t 0 --format csv
zeta=$(awk -F, 'NR == 2 { print $2 }' "$out_file")
awk -v m="$mass" -v z="$zeta" 'BEGIN { d = m - z; exit !(d < 1e-12 && d > -1e-12) }' \
  && pass "L(0) + tail_mass = slt loss at t = 0 (zeta(1.75))" || fail "tail mass: $mass vs $zeta"

# threads and seeds: bit-identical output at 1 and 2 threads; a new seed changes it
run mc --alpha 1.3 --beta 0.8 --N 30 --P 20 --t 1,5 --trials 6 --threads 1 --format csv
cp "$out_file" "$task.a"
run mc --alpha 1.3 --beta 0.8 --N 30 --P 20 --t 1,5 --trials 6 --threads 2 --format csv
cmp -s "$out_file" "$task.a" && pass "1 and 2 threads give identical csv" || fail "thread count changed the output"
run mc --alpha 1.3 --beta 0.8 --N 30 --P 20 --t 1,5 --trials 6 --seed 2 --format csv
cmp -s "$out_file" "$task.a" && fail "another seed gave the same output" || pass "another seed changes the output"

# discrete GD: default times are eta n, n = 1 … 10^4 (13 distinct values)
run mc --alpha 2 --beta 1 --N 10 --P 15 --eta 0.5 --trials 3 --format csv
bad=$(awk -F, 'NR > 1 { n = $3 / 0.5; if (n != int(n)) print }' "$out_file")
[ "$rc" -eq 0 ] && [ "$(wc -l <"$out_file")" -eq 14 ] && [ -z "$bad" ] && pass "GD default times are multiples of eta" || fail "GD times: $bad"

# unstable GD is reported in the status column and on stderr, exit 1 (not an ok value)
run mc --alpha 2 --beta 1 --N 10 --P inf --eta 3 --t 3,30 --trials 2 --format csv
# and its values are nan: a diverged run's mean estimates nothing
vals=$(awk -F, 'NR > 1 { print $4 $5 $6 $7 }' "$out_file" | sort -u)
if [ "$rc" -eq 1 ] && grep -q ",unstable$" "$out_file" && grep -q "2 of 2 trials unstable" "$err_file" &&
   [ "$vals" = "nannannannan" ]; then
  pass "unstable GD flagged, values nan"; else fail "unstable GD: rc $rc, values $vals"; fi

# log-spaced N and P lists are rounded to whole numbers, repeats dropped (said in --help)
run mc --alpha 1.5 --beta 0.5 --N 10:1000:5 --P 20 --t 1 --M 1000 --trials 2 --format csv
ns=$(awk -F, 'NR > 1 { printf "%s ", $1 }' "$out_file")
[ "$rc" -eq 0 ] && [ "$ns" = "10 32 100 316 1000 " ] && pass "--N 10:1000:5 runs N = $ns" || fail "log-spaced N: rc $rc, N = $ns"
run mc --task "$task" --N 2 --P 1:3:20 --t 1 --trials 2 --format csv
ps=$(awk -F, 'NR > 1 { printf "%s ", $2 }' "$out_file")
[ "$rc" -eq 0 ] && [ "$ps" = "1 2 3 " ] && pass "--P 1:3:20 de-duplicates to P = $ps" || fail "log-spaced P: rc $rc, P = $ps"
run mc --help
grep -q "rounded to the nearest" "$out_file" && pass "--help says N/P ranges are rounded" || fail "--help: no rounding note"
grep -q "not a bound on the" "$out_file" && grep -q "crosscheck.md" "$out_file" \
  && pass "--help: tail_mass is not the truncation's effect" || fail "--help: tail_mass note"

# a steep spectrum (lambda_k = k^-8, t_k = k^-9, 1000 modes): the smallest of the N = 100
# directions (~1e-16 of the largest) are real modes; P = inf, t = inf against slt static
# on the same task within 4 SE (the Gram-matrix rule dropped them: 2.9e-14 vs 6.1e-16)
awk 'BEGIN { for (k = 1; k <= 1000; k++) printf "%.17g %.17g\n", k^-8, k^-9 }' >"$task.b"
run static --task "$task.b" --N 100 --P inf --format csv
th=$(awk -F, 'NR == 2 { print $4 }' "$out_file")
run mc --task "$task.b" --N 100 --P inf --t inf --trials 40 --format csv
awk -F, -v th="$th" 'NR == 2 { d = $4 - th; if (d < 0) d = -d; if ($11 == "ok" && d <= 4 * $5) ok = 1 } END { exit !ok }' "$out_file" \
  && pass "steep spectrum: mc $(awk -F, 'NR == 2 { print $4 " +- " $5 }' "$out_file") vs theory $th" \
  || fail "steep spectrum: theory $th"
# beyond double precision (lambda_k = 10^(-5(k-1)), 12 modes, N = 8): t = inf would learn
# directions below (12 eps)^2 of the largest eigenvalue: nan, status ill-conditioned,
# one stderr line, exit 1; the finite time is fine
awk 'BEGIN { for (k = 0; k < 12; k++) printf "%.17g %.17g\n", 10^(-5*k), 10^(-5*k) }' >"$task.b"
run mc --task "$task.b" --N 8 --P inf --t 1,inf --trials 3 --format csv
if [ "$rc" -eq 1 ] && grep -q '^8,inf,1,[0-9].*,ok$' "$out_file" && grep -q '^8,inf,inf,nan,nan,nan,nan,3,12,0,ill-conditioned$' "$out_file" \
   && [ "$(wc -l <"$err_file")" -eq 1 ] && grep -q "below double precision" "$err_file"; then
  pass "ill-conditioned point: nan, status, exit 1"; else fail "ill-conditioned: rc $rc"; fi

# ridge / krr: one row at t = inf; krr has N = inf; ridgeless interpolation trains to 0
run mc --model krr --task "$task" --P 2 --trials 5 --format csv
awk -F, 'NR == 2 && $1 == "inf" && $2 == 2 && $3 == "inf" && $6 < 1e-14 { ok = 1 } END { exit !ok }' "$out_file" \
  && [ "$(wc -l <"$out_file")" -eq 2 ] && pass "krr: N = inf, t = inf, train 0 below M" || fail "krr row"
run mc --model ridge --alpha 1.5 --beta 1 --N 20 --P 40 --ridge 1e-3 --noise 0.2 --trials 5 --format csv
[ "$rc" -eq 0 ] && [ "$(wc -l <"$out_file")" -eq 2 ] && pass "ridge run" || fail "ridge run"

# online SGD: P = inf by default, train = test + sigma^2
run mc --model sgd --alpha 1.5 --beta 1 --N 10 --eta 0.5 --batch 4 --t 0,0.5,5 --noise 0.3 --trials 4 --format csv
bad=$(awk -F, 'NR > 1 { d = $6 - $4 - 0.3; if (d < 0) d = -d; if ($2 != "inf" || d > 1e-12) print }' "$out_file")
[ "$rc" -eq 0 ] && [ "$(wc -l <"$out_file")" -eq 4 ] && [ -z "$bad" ] && pass "sgd run" || fail "sgd: $bad"

# ensembles: shared data, 4 members
run mc --alpha 1.5 --beta 0.5 --N 20 --P 30 --t 10 --ensemble 4 --share data --trials 4 --format csv
[ "$rc" -eq 0 ] && [ "$(wc -l <"$out_file")" -eq 2 ] && pass "ensemble run" || fail "ensemble run"

# first-trial: trials 2..3 of a run are a run of their own (N = inf, P = 3 is cheap)
run mc --task "$task" --N inf --P 3 --t 1 --trials 1 --first-trial 2 --format csv
a=$(awk -F, 'NR == 2 { print $4 }' "$out_file")
run mc --task "$task" --N inf --P 3 --t 1 --trials 1 --first-trial 3 --format csv
b=$(awk -F, 'NR == 2 { print $4 }' "$out_file")
run mc --task "$task" --N inf --P 3 --t 1 --trials 2 --first-trial 2 --format csv
c=$(awk -F, 'NR == 2 { print $4 }' "$out_file")
awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { d = (a + b) / 2 - c; exit !(d < 1e-15 && d > -1e-15) }' \
  && pass "--first-trial splits a run" || fail "first-trial: $a $b $c"

# --model kernel: KRR with a real kernel on sphere points. One row per P, N = t = inf,
# M = 0, tail_mass = 0; bit-identical at 1 and 2 threads.
kern="--model kernel --dim 3 --kernel gaussian --ridge 1e-3 --noise 0.1 --trials 4 --n-test 200"
run mc $kern --P 20,40 --threads 1 --format csv
bad=$(awk -F, 'NR > 1 && ($1 != "inf" || $3 != "inf" || $8 != 4 || $9 != 0 || $10 != 0 || $11 != "ok" || !($4 > 0) || !($6 > 0)) { print }' "$out_file")
if [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "$(wc -l <"$out_file")" -eq 3 ] && head -1 "$out_file" | grep -Eq "$header" && [ ! -s "$err_file" ]; then
  pass "kernel model: 2 rows, N = t = inf, M = 0"; else fail "kernel model rows: $bad"; fi
cp "$out_file" "$task.a"
run mc $kern --P 20,40 --threads 2 --format csv
cmp -s "$out_file" "$task.a" && pass "kernel model: 1 and 2 threads give identical csv" || fail "kernel model: thread count changed the output"
# ridgeless interpolation trains to zero (ReLU NTK, depth 2, explicit target)
run mc --model kernel --dim 4 --kernel relu-ntk --depth 2 --P 30 --target-power 0.1,0.2,0,0.3 --trials 3 --n-test 100 --format csv
awk -F, 'NR == 2 && $6 == 0 && $7 == 0 && $4 > 0 { ok = 1 } END { exit !ok }' "$out_file" \
  && pass "kernel model: ridgeless train = 0" || fail "kernel ridgeless train"
# z -> inf: test -> E f*^2 = 1 (default target), within 5 SE
run mc --model kernel --dim 3 --kernel laplace --width 2 --P 20 --ridge 1e8 --trials 50 --n-test 400 --format csv
awk -F, 'NR == 2 { d = $4 - 1; if (d < 0) d = -d; if (d <= 5 * $5) ok = 1 } END { exit !ok }' "$out_file" \
  && pass "kernel model: ridge 1e8 gives E f*^2" || fail "kernel large ridge"
run mc --model kernel --dim 5 --kernel relu-nngp --P 10 --trials 2 --n-test 50 --format json
expect_stdout "kernel json params" '"params": \{"model": "kernel", "kernel": "relu-nngp", "dim": 5, "depth": 1, "target_power": "0,0.5,0.5"'
# a Gram matrix below rounding: status column, one stderr line, exit 1 (numerical failure)
run mc --model kernel --dim 3 --kernel gaussian --P 300 --trials 2 --n-test 10 --format csv
if [ "$rc" -eq 1 ] && grep -q ',requested accuracy not reached$' "$out_file" && grep -q "use a larger ridge z" "$err_file"; then
  pass "kernel model: singular Gram matrix reported (exit 1)"; else fail "singular Gram: rc $rc"; fi

for f in table tsv json markdown latex; do
  expect_exit 0 "format $f" mc --task "$task" --N 2 --P 3 --t 1 --trials 2 --format "$f"
done
run mc --task "$task" --N 2 --P 3 --t 1 --trials 2 --format json
expect_stdout "json shape" '^\{"command": "mc", "version": "[0-9.]+", "params": \{"convention": "explicit"'
expect_exit 0 "--help" mc --help
for o in model N P t eta ridge noise batch ensemble share trials seed first-trial M threads format dim kernel width depth target-power n-test; do
  grep -q -- "--$o" "$out_file" || fail "--help does not list --$o"
done

# ---- bad input: exit 2, one stderr line, nothing on stdout -------------------------------
pl="--alpha 1.5 --beta 0.5"
expect_usage_error "unknown model" "--model: 'gp' is not one of rf\|ridge\|krr\|sgd\|kernel" mc --model gp $pl --N 10 --P 10
expect_usage_error "missing N" "--N LIST is missing" mc $pl --P 10
expect_usage_error "missing P" "--P LIST is missing" mc $pl --N 10
expect_usage_error "missing task" "no task given" mc --N 10 --P 10
expect_usage_error "N = 0" "--N: 0 is out of range \(expected 1 <= LIST <= 2147483647, or inf\)" mc $pl --N 0 --P 10
expect_usage_error "N fractional" "--N: '1.5' is not a whole number" mc $pl --N 1.5 --P 10
expect_usage_error "N range below 1" "--N: 0.5:10:3 is out of range \(expected 1 <= LIST <= 2147483647, or inf\)" mc $pl --N 0.5:10:3 --P 10
expect_usage_error "P too large" "--P: 3e9 is out of range" mc $pl --N 10 --P 3e9
expect_usage_error "P negative" "--P: -3 is out of range" mc $pl --N 10 --P -3
expect_usage_error "batch without sgd" "--batch is only used by --model sgd" mc $pl --N 10 --P 10 --batch 4
expect_usage_error "eta with ridge" "--eta cannot be used with --model ridge" mc --model ridge $pl --N 10 --P 10 --eta 0.1
expect_usage_error "sgd without eta" "--model sgd needs the step --eta E" mc --model sgd $pl --N 10
expect_usage_error "ridge with rf" "--ridge is only used by --model ridge or krr" mc $pl --N 10 --P 10 --ridge 0.1
expect_usage_error "times with krr" "--t cannot be used with --model krr" mc --model krr $pl --P 10 --t 1
expect_usage_error "share without ensemble" "--share needs --ensemble E with E > 1" mc $pl --N 10 --P 10 --share data
expect_usage_error "sgd shared data" "--share data is not supported with --model sgd" mc --model sgd $pl --N 10 --eta 0.1 --ensemble 2 --share data
expect_usage_error "krr finite N" "--N: 10 with --model krr" mc --model krr $pl --N 10 --P 10
expect_usage_error "sgd finite P" "--P: 10 with --model sgd" mc --model sgd $pl --N 10 --P 10 --eta 0.1
expect_usage_error "sgd t = inf" "--t: inf with --model sgd" mc --model sgd $pl --N 10 --eta 0.1 --t 1,inf
expect_usage_error "t not a multiple of eta" "--t: 0.25 is not a multiple of --eta 0.10000000000000001" mc $pl --N 10 --P 10 --eta 0.1 --t 0.25
expect_usage_error "eta = 0" "--eta: 0 is out of range \(expected E > 0\)" mc $pl --N 10 --P 10 --eta 0
expect_usage_error "trials = 0" "--trials: 0 is out of range" mc $pl --N 10 --P 10 --trials 0
expect_usage_error "negative time" "--t: -1 is out of range" mc $pl --N 10 --P 10 --t 1,-1
expect_usage_error "M beyond the task" "M = 5 exceeds the task's 3 modes" mc --task "$task" --N 2 --P 2 --M 5
expect_usage_error "first-trial beyond the seed space" "first_trial \+ trials" mc $pl --N 2 --P 2 --first-trial 4000000000 --trials 400000000
expect_usage_error "bad share" "--share: 'all' is not one of data\|projection\|none" mc $pl --N 10 --P 10 --ensemble 2 --share all
k3="--model kernel --dim 3 --kernel gaussian"
expect_usage_error "kernel: no dim" "--dim D is missing" mc --model kernel --kernel gaussian --P 10
expect_usage_error "kernel: no kernel" "--kernel K is missing" mc --model kernel --dim 3 --P 10
expect_usage_error "kernel: no P" "--P LIST is missing" mc $k3
expect_usage_error "kernel: bad name" "--kernel: 'poly' is not one of gaussian\|laplace\|relu-ntk\|relu-nngp" mc --model kernel --dim 3 --kernel poly --P 10
expect_usage_error "kernel: dim 1" "--dim: 1 is out of range" mc --model kernel --dim 1 --kernel gaussian --P 10
expect_usage_error "kernel: task option" "--alpha cannot be used with --model kernel" mc $k3 --P 10 --alpha 1.5
expect_usage_error "kernel: task file" "--task cannot be used with --model kernel" mc $k3 --P 10 --task "$task"
expect_usage_error "kernel: times" "--t cannot be used with --model kernel" mc $k3 --P 10 --t 1
expect_usage_error "kernel: eta" "--eta cannot be used with --model kernel" mc $k3 --P 10 --eta 0.1
expect_usage_error "kernel: M" "--M cannot be used with --model kernel" mc $k3 --P 10 --M 5
expect_usage_error "kernel: ensemble" "--ensemble cannot be used with --model kernel" mc $k3 --P 10 --ensemble 2
expect_usage_error "kernel: finite N" "--N: 10 with --model kernel" mc $k3 --P 10 --N 10
expect_usage_error "kernel: P inf" "--P: inf with --model kernel" mc $k3 --P inf
expect_usage_error "kernel: P fractional" "--P: '2.5' is not a whole number" mc $k3 --P 2.5
expect_usage_error "kernel: width with relu" "--width is only used by --kernel gaussian or laplace \(got --kernel relu-ntk\)" mc --model kernel --dim 3 --kernel relu-ntk --width 2 --P 10
expect_usage_error "kernel: depth with gaussian" "--depth is only used by --kernel relu-ntk or relu-nngp" mc $k3 --depth 2 --P 10
expect_usage_error "kernel: width 0" "--width: 0 is out of range" mc $k3 --width 0 --P 10
expect_usage_error "kernel: negative power" "--target-power: -1 is out of range" mc $k3 --P 10 --target-power 0,-1
expect_usage_error "kernel: too many powers" "--target-power: 202 values is too many \(expected at most 201" mc $k3 --P 10 --target-power 1:2:202
expect_usage_error "kernel: n-test 0" "--n-test: 0 is out of range" mc $k3 --P 10 --n-test 0
expect_usage_error "dim without kernel model" "--dim is only used by --model kernel \(got --model rf\)" mc $pl --N 10 --P 10 --dim 3
expect_usage_error "target-power without kernel model" "--target-power is only used by --model kernel" mc --model krr $pl --P 10 --target-power 1

# ---- scales and honesty (issue 10) -----------------------------------------------------
# amplitudes near the ends of double: the losses scale exactly with A_t (the simulation runs
# on the normalised task); before, the standard errors overflowed to inf under 'ok'
run mc --alpha 2 --beta 0.5 --model ridge --N 20 --P 40 --trials 10 --format csv
ref=$(awk -F, 'NR == 2 { printf "%.17g %.17g", $4, $5 }' "$out_file")
run mc --alpha 2 --beta 0.5 --model ridge --N 20 --P 40 --trials 10 --amp-target 1e300 --format csv
# 1e-12 relative: the same draws; only the rounding of the rescaled targets differs
bad=$(awk -F, -v ref="$ref" 'BEGIN { split(ref, r, " ") } NR == 2 { d = $4/1e300 - r[1]; e = $5/1e300 - r[2]
        if (d < 0) d = -d; if (e < 0) e = -e; if (d > 1e-12*r[1] || e > 1e-12*r[2] || $11 != "ok") print }' "$out_file")
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "--amp-target 1e300 scales the loss and its SE exactly" \
  || fail "--amp-target 1e300: rc $rc, $bad (reference $ref)"
# tiny eigenvalues: nothing trains at t = 1 (L = L(0) exactly, SE 0 is true: the test loss at
# w = 0 is the head mass in every trial), and t = inf is the converged value, not NaN 'ok'
run mc --alpha 2 --beta 0.5 --model rf --N 20 --P 40 --trials 10 --amp-lambda 1e-315 --t 1,inf --format csv
ref2=$("$SLT" mc --alpha 2 --beta 0.5 --model rf --N 20 --P 40 --trials 10 --t 0,inf --format csv | awk -F, 'NR > 1 { printf "%.17g ", $4 }')
bad=$(awk -F, -v ref="$ref2" 'BEGIN { split(ref, r, " ") } NR > 1 { d = $4 - r[NR-1]; if (d < 0) d = -d
        if (d > 1e-12*r[NR-1] || $11 != "ok") print }' "$out_file")
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "--amp-lambda 1e-315: t = 1 is L(0), t = inf the converged loss" \
  || fail "--amp-lambda 1e-315: rc $rc, $bad (reference $ref2)"
# a loss beyond double (the N = P pole with A_t = 1e307 overflows) is a failure, never 'ok'
run mc --alpha 2 --beta 0.5 --model ridge --N 40 --P 40 --trials 10 --amp-target 1e307 --format csv
bad=$(awk -F, 'NR > 1 && ($11 == "ok" || $4 != "nan") { print }' "$out_file")
[ "$rc" -eq 1 ] && [ -z "$bad" ] && grep -q -- "--amp-target" "$err_file" \
  && pass "an overflowing loss is a failure row, exit 1, naming the options" || fail "overflow: rc $rc, $bad"
# ridgeless N = P interpolates: the train loss is exactly 0 (was -5.6e-12 'ok' from rounding)
run mc --alpha 2 --beta 0.5 --model ridge --N 40 --P 40 --trials 10 --format csv
bad=$(awk -F, 'NR > 1 && ($6 != 0 || $11 != "ok") { print }' "$out_file")
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "ridgeless N = P: train exactly 0" || fail "interpolation train: rc $rc, $bad"
# a Gaussian width whose 1/w^2 overflows is the identity kernel: exit 0 with train 0 (was
# 'internal error', exit 4, from NaN = exp(0 * inf) on the diagonal)
run mc --model kernel --dim 3 --kernel gaussian --width 1e-320 --N inf --P 10 --format csv
bad=$(awk -F, 'NR > 1 && ($6 != 0 || $11 != "ok") { print }' "$out_file")
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "--width 1e-320: the identity kernel, train 0" || fail "--width 1e-320: rc $rc, $bad"
# the tail mass beyond M is the Hurwitz zeta A_t zeta(q, M + 1), not the rounding of the
# whole sum minus the head (it printed 2.2e-16 for 1.25e-41 = 1e5^-8/8 here)
run mc --alpha 4 --beta 2 --N 20 --P 40 --M 100000 --t 1 --trials 2 --format csv
bad=$(awk -F, 'NR == 2 && !($10 > 1.2e-41 && $10 < 1.3e-41) { print }' "$out_file")
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "tail mass beyond M = 1e5 at q = 9 is 1.25e-41" || fail "tail mass: rc $rc, $bad"
# ---- featlearn (docs/theory/montecarlo.md sec. 11) -----------------------------------------
# gamma = 0 steps the lazy model on the same draws: population GD equals rf's GD to rounding
run mc --model featlearn --alpha 1.5 --beta 0.5 --N 16 --P inf --eta 0.5 --t 0.5,5 --M 200 --trials 4 --format csv
cp "$out_file" "$task.a"
run mc --model rf --alpha 1.5 --beta 0.5 --N 16 --P inf --eta 0.5 --t 0.5,5 --M 200 --trials 4 --format csv
bad=$(paste -d, "$task.a" "$out_file" | awk -F, 'NR > 1 { d = ($4 - $15) / $15; if (d < 0) d = -d; if (d > 1e-12 || $11 != "ok") print }')
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "featlearn gamma = 0 equals rf GD (population)" || fail "featlearn gamma 0 vs rf: $bad"
# the three regimes run, ok, with gamma in the parameters (json)
for regime in "--P inf" "--P 40" "--batch 8"; do
  run mc --model featlearn --alpha 1.5 --beta 0.5 --N 16 $regime --eta 0.5 --gamma 1 --t 0.5,5 --M 200 --trials 3 --format csv
  bad=$(awk -F, 'NR > 1 && $11 != "ok" { print }' "$out_file")
  [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "$(wc -l <"$out_file")" -eq 3 ] && pass "featlearn $regime: 2 ok rows" || fail "featlearn $regime: rc $rc $bad"
done
run mc --model featlearn --alpha 1.5 --beta 0.5 --N 16 --P inf --eta 0.5 --gamma 0.5 --t 0.5 --M 200 --trials 2 --format json
grep -q '"gamma": *0.5' "$out_file" && pass "featlearn json names gamma" || fail "featlearn json: no gamma"
expect_usage_error "featlearn without eta" "--model featlearn needs the step --eta E" mc --model featlearn $pl --N 10 --P inf
expect_usage_error "featlearn N = inf" "--N: inf with --model featlearn" mc --model featlearn $pl --N inf --P inf --eta 0.1
expect_usage_error "featlearn batch with finite P" "--P: 10 with --model featlearn --batch" mc --model featlearn $pl --N 10 --P 10 --batch 4 --eta 0.1
expect_usage_error "gamma without featlearn" "--gamma is only used by --model featlearn" mc $pl --N 10 --P 10 --gamma 1
expect_usage_error "negative gamma" "--gamma: -1 is out of range" mc --model featlearn $pl --N 10 --P inf --eta 0.1 --gamma -1
expect_usage_error "featlearn t = inf" "--t: inf with --model featlearn" mc --model featlearn $pl --N 10 --P inf --eta 0.1 --t inf
finish
