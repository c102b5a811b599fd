# slt loss: values against independent references, and its input errors.
source "$(dirname "$0")/lib.sh"

# Large t: for λ_k = k^-α the sum equals ∫_0^∞ (Poisson summation; the corrections are
# exp(−c (t)^{1/(1+α)}), below 1e-15 at t >= 1e6), so L = Γ(β)/α (2t)^-β to rounding and
# the local slope is −β. Tolerance 1e-10: the issue's accuracy target.
for ab in "1.5 0.7" "2.5 1.3" "1.2 0.2"; do
  set -- $ab
  run loss --alpha "$1" --beta "$2" --t 1e6,1e7 --format csv
  bad=$(awk -F, -v beta="$2" 'NR > 1 {
          rel = ($2 - $6) / $6; if (rel < 0) rel = -rel
          ds = $4 + beta; if (ds < 0) ds = -ds
          if (rel > 1e-10 || ds > 1e-8 || $7 != "ok") print }' "$out_file")
  if [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "$(wc -l <"$out_file")" -eq 3 ]; then
    pass "alpha=$1 beta=$2: loss equals the Gamma asymptote and slope = -beta at t = 1e6, 1e7"
  else fail "alpha=$1 beta=$2 asymptote: $bad"; fi
done

# The Γ asymptote with amplitudes: A_t Γ(β)/α (2 A_λ t)^-β (conventions.md §4)
run loss --alpha 2 --beta 0.5 --amp-lambda 4 --amp-target 3 --t 1e7 --format csv
bad=$(awk -F, 'NR == 2 { ref = 3 * 1.7724538509055160273 / 2 / sqrt(2 * 4 * 1e7)
                         rel = ($2 - ref) / ref; if (rel < 0) rel = -rel; if (rel > 1e-10) print rel }' "$out_file")
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "amplitudes enter as A_t (2 A_lambda t)^-beta" || fail "amplitudes: $bad"

# An explicit task small enough to sum by hand (awk): Σ t_k e^{−2 λ_k t}
task=$(mktemp)
printf '# lambda target\n1.0 0.5\n0.25 0.25\n0.01 0.125\n' >"$task"
run loss --task "$task" --t 0,0.5,3 --format csv
bad=$(awk -F, 'NR > 1 { t = $1; ref = 0.5*exp(-2*t) + 0.25*exp(-0.5*t) + 0.125*exp(-0.02*t)
                        rel = ($2 - ref) / ref; if (rel < 0) rel = -rel; if (rel > 1e-14) print t, rel }' "$out_file")
if [ "$rc" -eq 0 ] && [ -z "$bad" ] && head -1 "$out_file" | grep -q '^t,loss,loss_err,slope,slope_err,status$'; then
  pass "explicit task file: three-mode sum exact, no asymptote column"
else fail "explicit task: $bad"; fi
rm -f "$task"

# The shipped example task (data/examples): λ_k = e^{-k/20}, t_k = λ_k/k, 200 modes,
# summed independently by awk
run loss --task data/examples/exponential_spectrum.txt --t 0,1,100,1e4 --format csv
bad=$(awk -F, 'NR > 1 { t = $1; ref = 0; for (k = 200; k >= 1; k--) { l = exp(-k/20); ref += l/k * exp(-2*l*t) }
                        rel = ($2 - ref) / ref; if (rel < 0) rel = -rel; if (rel > 1e-13) print t, rel }' "$out_file")
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "shipped example task sums exactly" || fail "example task: $bad"

# Default grid: 19 times from 1 to 1e6; every format renders
run loss --alpha 2 --beta 0.5 --format csv
[ "$(wc -l <"$out_file")" -eq 20 ] && pass "default grid has 19 times" || fail "default grid"
for f in table tsv json markdown latex; do
  expect_exit 0 "format $f" loss --alpha 2 --beta 0.5 --t 1,10 --format "$f"
done
run loss --alpha 2 --beta 0.5 --t 1,10 --format json
expect_stdout "json shape" '^\{"command": "loss", "version": "[0-9.]+", "params": \{"convention": "canonical", "alpha": 2\.0'

# Input errors: one line naming the option, the value and the range; exit 2
expect_usage_error "alpha not a number" "--alpha: 'x' is not a number \(expected A > [01]\)" loss --alpha x --beta 1
expect_usage_error "alpha nan" "--alpha: 'nan' is not a finite number" loss --alpha nan --beta 1
expect_usage_error "alpha out of range" "--alpha: 1 is out of range \(expected A > 1\)" loss --alpha 1 --beta 1
expect_usage_error "negative time in list" "--t: -1 is out of range \(expected LIST >= 0\)" loss --alpha 2 --beta 1 --t 1,-1
expect_usage_error "bad log grid" "--t: count '2.5' in '1:10:2.5' is not a whole number" loss --alpha 2 --beta 1 --t 1:10:2.5
expect_usage_error "log grid from 0" "start and stop of a log-spaced range must be finite and > 0" loss --alpha 2 --beta 1 --t 0:10:3
expect_usage_error "empty list entry" "--t: '1,,2' has an empty" loss --alpha 2 --beta 1 --t 1,,2
expect_usage_error "unknown option" "unknown option '--gamma'" loss --alpha 2 --beta 1 --gamma 3
expect_usage_error "missing value" "option '--beta' needs a value" loss --alpha 2 --beta
expect_usage_error "abbreviated option" "unknown option '--alp' \(did you mean --alpha\? options take their whole name\)" loss --alp 2 --beta 1
expect_usage_error "abbreviated option with =" "unknown option '--form'" loss --alpha 2 --beta 1 --form=csv
run loss --alpha 2 --beta 0.5 --t 7:100:1 --format csv
awk -F, 'NR == 2 { exit !($1 == 7) }' "$out_file" && [ "$(wc -l <"$out_file")" -eq 2 ] && pass "start:stop:1 is the start" || fail "count 1: $(cat "$out_file")"
expect_usage_error "no task" "no task given: give one of .* or --task" loss --t 1
expect_usage_error "incomplete task" "incomplete convention: --alpha given without --beta" loss --alpha 2
expect_usage_error "task given twice" "conflicting conventions: --alpha, --beta, --task given" loss --alpha 2 --beta 1 --task x.txt
expect_usage_error "amplitudes need canonical letters" "--amp-lambda/--amp-target go with --alpha/--beta only" loss --a 2 --b 2 --amp-lambda 3

# Other papers' letters reach the same task: 2024a a = 2, b = 2 is alpha = 2, beta = 0.5
run loss --alpha 2 --beta 0.5 --t 1,1e3 --format csv; canon=$(cut -d, -f1-5 "$out_file")
run loss --a 2 --b 2 --t 1,1e3 --format csv; bap=$(cut -d, -f1-5 "$out_file")
[ "$canon" = "$bap" ] && pass "--a 2 --b 2 gives the same curve as --alpha 2 --beta 0.5" || fail "2024a letters"
run loss --alpha-K 1 --t 1e3 --format json
expect_stdout "Bahri letters echoed and converted" '"convention": "bahri", "alpha_K": 1\.0, "alpha": 2\.0, "beta": 0\.5'
expect_usage_error "bad format" "--format: 'yaml' is not one of table\|csv\|tsv\|json\|markdown\|latex" loss --alpha 2 --beta 1 --format yaml
expect_exit 3 "missing task file is an I/O error" loss --task /nonexistent/task.txt
grep -q "cannot open task file '/nonexistent/task.txt'" "$err_file" && pass "I/O error names the file" || fail "I/O error message"
bad_task=$(mktemp); printf '1 0.5\n2 0.5\n' >"$bad_task"
expect_exit 2 "non-descending task file is an input error" loss --task "$bad_task"
grep -q "descending" "$err_file" && pass "input error says why" || fail "descending message"
rm -f "$bad_task"
if [ -w /dev/full ]; then
  "$SLT" loss --alpha 2 --beta 1 --t 1 >/dev/full 2>"$err_file"; rc=$?
  [ "$rc" -eq 3 ] && pass "failed write to stdout exits 3" || fail "write to /dev/full: exit $rc"
fi
expect_exit 0 "--help" loss --help
for o in alpha beta amp-lambda amp-target task t format help; do
  grep -q -- "--$o" "$out_file" || fail "--help does not list --$o"
done

# ---- scales and honesty (issue 10) -----------------------------------------------------
# a loss that underflows double (0.5 e^-1000 on a two-mode file) is not 0 'ok'
efile=$(mktemp)
printf '1 1\n0.5 0.5\n' >"$efile"
run loss --task "$efile" --t 1,1000 --format csv
rm -f "$efile"
bad=$(awk -F, 'NR == 2 && $NF != "ok" { print } NR == 3 && ($NF == "ok" || $2 != "nan") { print }' "$out_file")
[ "$rc" -eq 1 ] && [ -z "$bad" ] && grep -q "t = 1000" "$err_file" \
  && pass "an underflowing loss is a failure row, exit 1" || fail "underflow: rc $rc, $bad"
# the loss is linear in A_t: --amp-target 1e-320 is 1e-320 times the unit loss, with the
# same slope (it was 'result diverges' from the denormal targets)
run loss --alpha 2 --beta 0.5 --t 0,1,100 --format csv
cp "$out_file" "$out_file.ref"
run loss --alpha 2 --beta 0.5 --t 0,1,100 --amp-target 1e-320 --format csv
bad=$(awk -F, 'BEGIN { s = 1e-160 * 1e-160 } # 1e-320 (mawk cannot read the literal)
      NR == FNR { L[FNR] = $2; E[FNR] = $3; S[FNR] = $4; next }
      FNR > 1 { d = $2 - s*L[FNR]; if (d < 0) d = -d
                if (d > $3 + s*E[FNR] || $4 != S[FNR] || $NF != "ok") print }' "$out_file.ref" "$out_file")
rm -f "$out_file.ref"
[ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "--amp-target 1e-320 scales the loss, same slope" \
  || fail "--amp-target 1e-320: rc $rc, $bad"
# a slope whose sum underflowed (t A_lambda = 1e300: it printed -0 +- nan 'ok') is refused;
# t A_lambda beyond double is out of range (exit 2), naming both options
run loss --alpha 2 --beta 0.5 --amp-lambda 1e300 --t 1 --format csv
bad=$(awk -F, 'NR > 1 && ($NF == "ok" || $4 != "nan") { print }' "$out_file")
[ "$rc" -eq 1 ] && [ -z "$bad" ] && pass "an underflowed slope is a failure row" || fail "slope underflow: rc $rc, $bad"
run loss --alpha 2 --beta 0.5 --amp-lambda 1e300 --t 1e10 --format csv
[ "$rc" -eq 2 ] && grep -q -- "--amp-lambda" "$err_file" && pass "t A_lambda beyond double: exit 2" \
  || fail "t A_lambda overflow: rc $rc"
# Large source exponents (issue 10): q = alpha*beta + 1 in the hundreds or thousands. Every
# sum converges; they used to fail with "result diverges" (exit 0 from dmft) or a wrong
# message. At t = 100 and q >= 211 the loss is t_1 e^{-2 lambda_1 t} = e^{-200} to 1e-19
# (the k = 2 term is below 2^-211 e^{-97} ~ 1e-106) and the slope -2 lambda_1 t = -200.
# Tolerance 1e-14: the loss is one exp to a few ulps plus the sums' rounding bound.
for a in 1.05 2 8 40; do
  for b in 200 400; do
    run loss --alpha "$a" --beta "$b" --t 100 --format csv
    bad=$(awk -F, 'NR == 2 { ref = 1.3838965267367376e-87; rel = ($2 - ref) / ref
                             if (rel < 0) rel = -rel; ds = $4 + 200; if (ds < 0) ds = -ds
                             if (rel > 1e-14 || ds > 1e-8 || $NF != "ok") print }' "$out_file")
    [ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "alpha=$a beta=$b: loss e^-200, slope -200 at t = 100" \
      || fail "alpha=$a beta=$b at t = 100: rc $rc, $bad $(cat "$err_file")"
    # at t = 1 the loss is e^-2 but the large-t asymptote 10^312 is not a double: a failure
    # row naming the asymptote and --beta (it blamed the loss), never "diverges"
    run loss --alpha "$a" --beta "$b" --t 0,1 --format csv
    if [ "$rc" -eq 1 ] && grep -q "asymptote.*--beta $b" "$err_file" && ! grep -qi diverge "$out_file" "$err_file" \
       && awk -F, 'NR == 2 && $2 == 1 && $NF == "ok" { ok = 1 } END { exit !ok }' "$out_file"; then
      pass "alpha=$a beta=$b at t = 0, 1: L(0) = 1 ok, t = 1 names the asymptote"
    else fail "alpha=$a beta=$b at t = 0, 1: rc $rc $(cat "$out_file" "$err_file")"; fi
    # the DMFT at t = inf against the statics at the same N, P (another solver), within the
    # combined error estimates; both ok and exit 0 (dmft printed "divergent" with exit 0)
    run static --alpha "$a" --beta "$b" --P 100 --N 30 --format csv
    st=$(awk -F, 'NR == 2 && $NF == "ok" { print $4, $5 }' "$out_file"); src=$rc
    run dmft --alpha "$a" --beta "$b" --P 100 --N 30 --t 1,inf --format csv
    bad=$(awk -F, -v st="$st" 'BEGIN { split(st, s, " ") }
            NR > 1 && $NF != "ok" { print "row", NR, $NF }
            NR == 3 { d = $4 - s[1]; if (d < 0) d = -d; if (d > $5 + s[2] || st == "") print "t=inf", $4, st }' "$out_file")
    [ "$src" -eq 0 ] && [ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "alpha=$a beta=$b: dmft(t = inf) = static at N = 30, P = 100" \
      || fail "alpha=$a beta=$b dmft/static: rc $src/$rc, $bad $(cat "$err_file")"
  done
done
finish
