# slt crosscheck: the quick battery passes (deterministic: fixed seeds), and a battery
# that cannot be read or parsed is reported with its file and line.
source "$(dirname "$0")/lib.sh"

run crosscheck --quick --format csv
if [ "$rc" -eq 0 ] && grep -q "pass$" "$err_file"; then pass "quick battery: every solver agrees with the simulation"
else fail "quick battery: exit $rc, $(tail -1 "$err_file")"; fi
head -1 "$out_file" | grep -qx 'line,theory,model,N,P,t,quantity,theory_value,theory_err,allowance,mc,mc_se,trials,z,verdict' \
  && pass "csv header" || fail "csv header: $(head -1 "$out_file")"
awk -F, '$2 == "static"' "$out_file" | grep -q . && pass "the statics join the battery" || fail "no statics rows"
awk -F, '$3 == "sgd"' "$out_file" | grep -q . && pass "online SGD joins the battery" || fail "no SGD rows"
n=$(awk 'END { print NR - 1 }' "$out_file")
[ "$n" -ge 110 ] && pass "$n points compared" || fail "only $n points"
awk -F, 'NR > 1 && $1 ~ /^[0-9]+$/ && $2 == "loss" { if ($14 > 1 || $14 < -1) bad = 1 } END { exit bad }' "$out_file" \
  && pass "N = P = inf: simulation equals the mode sum" || fail "loss rows"

bad=$(mktemp)
printf '# a battery with a short line\nquick loss rf 1.5 0.7 inf inf 1,2 0 0 - 0 1 - 1\n' >"$bad"
expect_usage_error "short battery line" "line 2: 15 fields, expected 16" crosscheck --battery "$bad"
printf 'quick loss rf 0.5 0.7 inf inf 1,2 0 0 - 0 1 - 1 1\n' >"$bad"
expect_usage_error "bad value names the field" "line 1: bad alpha \(> 1\)" crosscheck --battery "$bad"
printf 'quick loss rf 1.5 0.7 inf inf 1,x 0 0 - 0 1 - 1 1\n' >"$bad"
expect_usage_error "bad time list" "times \(battery line 1\): 'x' is not a number" crosscheck --battery "$bad"
rm -f "$bad"
printf 'quick static rf 1.5 0.7 100 200 inf 0 0 - 0 1 - 10 1\n' >"$bad"
expect_usage_error "theory and model must pair" "bad pairing \(static goes with ridge" crosscheck --battery "$bad"
printf 'quick dmft sgd 1.5 0.7 100 inf 1,2 0.5 0 - 0 1 - 10 1\n' >"$bad"
expect_usage_error "sgd needs a batch" "bad batch \(given exactly for model sgd\)" crosscheck --battery "$bad"
expect_exit 3 "missing battery is an I/O error" crosscheck --battery /nonexistent/battery.txt
grep -q "cannot open the battery '/nonexistent/battery.txt'" "$err_file" && pass "names the file" || fail "message"
expect_usage_error "quick and full" "--quick and --full exclude each other" crosscheck --quick --full
finish
