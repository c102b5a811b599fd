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
expect_usage_error "sgd needs a batch" "bad batch \(given exactly for model sgd, or online featlearn\)" crosscheck --battery "$bad"
printf 'quick dmft featlearn 1.5 0.5 64 inf 0.25 0.25 0 - 0 1 - 10 1\n' >"$bad"
expect_usage_error "featlearn needs gamma" "line 1: 16 fields, expected 17" crosscheck --battery "$bad"
printf 'quick dmft featlearn 1.5 0.5 64 inf 0.25 0.25 0 - 0 1 - 10 1 -1\n' >"$bad"
expect_usage_error "featlearn gamma range" "line 1: bad gamma \(>= 0\)" crosscheck --battery "$bad"
printf 'quick dmft featlearn 1.5 0.5 64 128 0.25 0.25 0 8 0 1 - 10 1 1\n' >"$bad"
expect_usage_error "featlearn online needs P inf" "bad batch \(featlearn online needs P inf\)" crosscheck --battery "$bad"
printf 'quick dmft featlearn 1.5 0.5 64 inf 1 0 0 - 0 1 - 10 1 1\n' >"$bad"
expect_usage_error "featlearn needs a step" "bad eta \(featlearn needs a step > 0\)" crosscheck --battery "$bad"
expect_exit 3 "missing battery is an I/O error" crosscheck --battery /nonexistent/battery.txt
grep -q "cannot open the battery '/nonexistent/battery.txt'" "$err_file" && pass "names the file" || fail "message"
expect_usage_error "quick and full" "--quick and --full exclude each other" crosscheck --quick --full

# No point checked is never a pass: an empty battery (or comments only) is an input
# error, a battery whose lines are all in the other tier a failure.
: >"$bad"
expect_usage_error "empty battery" "$bad: no battery lines" crosscheck --battery "$bad"
printf '# only a comment\n\n' >"$bad"
expect_usage_error "comments only" "$bad: no battery lines" crosscheck --battery "$bad"
printf 'full loss rf 2 0.5 inf inf 1,10 0 0 - 0 1 - 1 1\n' >"$bad"
expect_exit 1 "no point of the quick tier: failure, not pass" crosscheck --battery "$bad"
grep -q "0 points.*FAIL (no points checked)" "$err_file" && pass "says no points were checked" || fail "message"
# garbage: NUL bytes (a binary file), overlong lines; file and line named, exit 2
printf 'full loss rf 2 0.5 inf inf 1,10 0 0 - 0 1 - 1 1\n\0garbage\n' >"$bad"
expect_usage_error "a NUL byte" "$bad, line 2: a NUL byte" crosscheck --battery "$bad"
expect_usage_error "/dev/zero" "/dev/zero, line 1: a NUL byte" crosscheck --battery /dev/zero
head -c 5000 /dev/zero | tr '\0' 1 >"$bad"
expect_usage_error "an overlong line" "$bad, line 1: longer than 4096 characters" crosscheck --battery "$bad"
printf 'quick loss rf 1.5 0.7 inf inf 1,2 0 0 - 0 1e30 - 1 1\n' >"$bad"
expect_usage_error "huge ensemble" "line 1: bad ensemble" crosscheck --battery "$bad"
printf 'quick loss rf 1.5 0.7 1e999 inf 1,2 0 0 - 0 1 - 1 1\n' >"$bad"
expect_usage_error "N = 1e999 is not inf" "line 1: bad N" crosscheck --battery "$bad"
printf 'quick loss rf 1.5 0.7 inf inf 1,2 0 0 - 0 1 - 1 1e30\n' >"$bad"
expect_usage_error "huge seed" "line 1: bad seed" crosscheck --battery "$bad"
# '-' is standard input; a BOM and CRLF line ends are read; --quiet drops the progress
printf '\xef\xbb\xbf# comment\r\nquick loss rf 2 0.5 inf inf 1,10 0 0 - 0 1 - 1 1\r\n' >"$bad"
"$SLT" crosscheck --battery - --format csv <"$bad" >"$out_file" 2>"$err_file"; rc=$?
[ "$rc" -eq 0 ] && [ "$(awk 'END { print NR - 1 }' "$out_file")" -eq 4 ] && grep -q "line 2: loss vs mc" "$err_file" \
  && pass "battery on stdin with BOM and CRLF: 4 points, progress on stderr" || fail "battery on stdin: exit $rc"
"$SLT" --quiet crosscheck --battery - --format csv <"$bad" >"$out_file" 2>"$err_file"; rc=$?
[ "$rc" -eq 0 ] && ! grep -q "vs mc" "$err_file" && grep -q "4 points.*pass" "$err_file" \
  && pass "--quiet: no progress, the verdict stays" || fail "--quiet: exit $rc"
rm -f "$bad"
finish
