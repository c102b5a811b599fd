# The PLRF letters at finite V (--alpha-P p --beta-P q --M V, conventions.md sec. 6.5)
# against the task written by hand from Paquette et al.'s definition: data covariance
# lambda_j = j^-2p, target b_j = j^-q, so t_j = lambda_j b_j^2 = j^-(2p+2q), j = 1..V.
# Every value column agrees to 1e-14 relative (the letters go through alpha = 2p,
# beta = (2p+2q-1)/(2p), so t_j differs from the file's in the last bits only).
# Also: --M's range rule (2p <= 1 needs --M) and its errors.
source "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$out_file" "$err_file"' EXIT

V=1000
awk -v V=$V 'BEGIN { for (j = 1; j <= V; j++) printf "%.17g %.17g\n", j ^ -0.8, j ^ -2.8 }' >"$tmp/plrf.txt"

# same_values WHAT COLUMNS ARGS...: runs slt with --alpha-P 0.4 --beta-P 1 --M V and with
# --task, csv; the named columns agree to 1e-14 relative on every row, status ok
same_values() {
  local what=$1 cols=$2; shift 2
  run "$@" --alpha-P 0.4 --beta-P 1 --M $V --format csv
  local rc1=$rc
  cp "$out_file" "$tmp/letters.csv"
  run "$@" --task "$tmp/plrf.txt" --format csv
  cp "$out_file" "$tmp/file.csv"
  local bad
  bad=$(awk -F, -v cols="$cols" '
    FNR == 1 { n = split(cols, want, ","); for (i = 1; i <= NF; i++) idx[$i] = i; next }
    FNR == NR { for (c = 1; c <= n; c++) a[FNR, c] = $idx[want[c]]; st[FNR] = $NF; rows = FNR; next }
    { for (c = 1; c <= n; c++) { x = a[FNR, c]; y = $idx[want[c]]; d = x - y; if (d < 0) d = -d
        s = y < 0 ? -y : y; if (x == "" || y == "" || d > 1e-14 * s || st[FNR] != "ok") print FNR, want[c], x, y }
      seen++ }
    END { if (seen != rows - 1 || rows < 2) print "rows", rows, seen }' "$tmp/letters.csv" "$tmp/file.csv")
  if [ "$rc1" -eq 0 ] && [ "$rc" -eq 0 ] && [ -z "$bad" ]; then pass "$what: letters with --M = hand-written task (1e-14)"
  else fail "$what: rc $rc1/$rc: $(echo $bad | head -c 300)"; fi
}

same_values "static" test,train,kappa static --N 100,inf --P 30,300,3000
same_values "loss" loss loss --t 0,1,100,1e4
same_values "dmft flow" test,train dmft --N 100 --P 300 --t 1,30,1000
same_values "dmft flow, P = inf" test dmft --N 100 --P inf --t 1,100,1e4
same_values "dmft GD" test,train dmft --N 100 --P 300 --eta 0.02 --t 0.02,2,200
same_values "dmft SGD batch 1" test dmft --N 100 --P inf --sgd --batch 1 --eta 0.02 --t 0.02,2,200,2e4

# the PLRF echo: their letters and M (their V)
run dmft --alpha-P 0.4 --beta-P 1 --M $V --N 100 --P inf --sgd --batch 1 --eta 0.02 --t 1 --format json
expect_stdout "json echoes alpha_P, beta_P and M" '"alpha_P": 0\.40*[0-9]*, "beta_P": 1\.0, .*"M": 1000'

# 2p <= 1 without --M: the message names the option and points to --M
expect_usage_error "alpha-P 0.4 without --M" \
  "--alpha-P: 0\.4 is out of range \(expected p > 0\.5\); 2p <= 1 needs a finite number of modes: add --M M" \
  dmft --alpha-P 0.4 --beta-P 1 --N 10 --P 10 --t 1
expect_usage_error "alpha 0.8 without --M" "--alpha: 0\.8 is out of range \(expected A > 1\); .*add --M M" \
  static --alpha 0.8 --beta 1 --P 10
expect_usage_error "--M with --task" "--M truncates a power law at M modes; --task lists its own modes" \
  loss --task "$tmp/plrf.txt" --M 10
expect_usage_error "--M 0" "--M: 0 is out of range" static --alpha 2 --beta 1 --P 10 --M 0
expect_usage_error "bahri --M" "--preset bahri takes its number of teacher features as --S, not --M" \
  static --alpha-K 0.5 --preset bahri --P 10 --M 10
# a truncated power law in the canonical letters is the hand-written list as well
awk 'BEGIN { for (k = 1; k <= 50; k++) printf "%.17g %.17g\n", 2 * k ^ -1.5, 3 * k ^ -2.2 }' >"$tmp/c.txt"
run loss --alpha 1.5 --beta 0.8 --amp-lambda 2 --amp-target 3 --M 50 --t 0.1,10 --format csv
cp "$out_file" "$tmp/a.csv"
run loss --task "$tmp/c.txt" --t 0.1,10 --format csv
bad=$(paste -d, "$tmp/a.csv" "$out_file" | awk -F, 'NR > 1 { d = $2 - $8; if (d < 0) d = -d; if (d > 1e-14 * $8) print NR }')
[ -z "$bad" ] && pass "--alpha/--beta/--amp-* with --M = the hand-written list" || fail "canonical --M: $bad"
# mc: the same letters simulated (exact Gaussian batches, k = 1..V), within 4 SE of dmft
run mc --model sgd --alpha-P 0.4 --beta-P 1 --M $V --N 100 --P inf --batch 1 --eta 0.02 --t 2,200 --trials 20 --format csv
cp "$out_file" "$tmp/mc.csv"; rc_mc=$rc
run dmft --alpha-P 0.4 --beta-P 1 --M $V --N 100 --P inf --sgd --batch 1 --eta 0.02 --t 2,200 --format csv
bad=$(paste -d, "$tmp/mc.csv" "$out_file" | awk -F, 'NR > 1 { d = $4 - $15; if (d < 0) d = -d; if ($9 != 1000 || $10 != 0 || d > 4 * $5) print NR, $4, $15, $5 }')
[ "$rc_mc" -eq 0 ] && [ "$rc" -eq 0 ] && [ -z "$bad" ] && pass "mc --alpha-P 0.4 --M: M = V modes, tail_mass 0, within 4 SE of dmft --sgd" \
  || fail "mc PLRF: rc $rc_mc/$rc $bad"
finish
