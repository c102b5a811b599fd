# Times and steps on the command line (docs/cli.md, "Times and steps"): the LIST grammar
# (log and linear ranges, ranges from 0, values and ranges joined by commas), --t-file and
# --steps-file (stdin, comments, parse errors naming the line), --steps with --eta against
# the same times, --every, and lists beyond the old 100,000-value cap.
source "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$out_file" "$err_file"' EXIT

# A three-mode task: slt loss sums it in microseconds, so long lists stay fast
printf '# lambda target\n1.0 0.5\n0.25 0.25\n0.01 0.125\n' >"$tmp/task.txt"
task="--task $tmp/task.txt"
col() { awk -F, -v c="$1" 'NR > 1 { printf "%s ", $c }' "$out_file"; }

# ---- the LIST grammar -----------------------------------------------------------------
run loss $task --t 0:10:11:lin --format csv
[ "$rc" -eq 0 ] && [ "$(col 1)" = "0 1 2 3 4 5 6 7 8 9 10 " ] \
  && pass "0:10:11:lin is exactly 0, 1, ..., 10" || fail "linear range: $(col 1)"
run loss $task --t 0:1:5:lin --format csv
[ "$(col 1)" = "0 0.25 0.5 0.75 1 " ] && pass "0:1:5:lin is 0, 0.25, ..., 1" || fail "0:1:5:lin: $(col 1)"
run loss $task --t 3:1:3:lin --format csv
[ "$(col 1)" = "3 2 1 " ] && pass "a decreasing linear range counts down" || fail "3:1:3:lin: $(col 1)"
run loss $task --t 7:100:1:lin --format csv
[ "$(col 1)" = "7 " ] && pass "start:stop:1:lin is the start" || fail "count 1 lin: $(col 1)"
run loss $task --t 10:1e4:4:log --format csv; explicit_log=$(col 1)
run loss $task --t 10:1e4:4 --format csv
[ "$explicit_log" = "10 100 1000 10000 " ] && [ "$(col 1)" = "$explicit_log" ] \
  && pass "start:stop:count:log is start:stop:count (powers of ten exact)" || fail ":log: $explicit_log"
run loss $task --t 0,1:100:3,1e3,0:2:3:lin --format csv
[ "$(col 1)" = "0 1 10 100 1000 0 1 2 " ] && pass "values and ranges joined by commas, in order" \
  || fail "mixed list: $(col 1)"
run loss $task --t 0,2 --format csv; ref=$(cut -d, -f2- "$out_file")
run loss $task --t 0:2:2:lin --format csv
[ "$(cut -d, -f2- "$out_file")" = "$ref" ] && pass "a range gives the values of the same explicit list" \
  || fail "range vs list"

expect_usage_error "log range from 0 suggests :lin" \
  "--t: '0:10:3': start and stop of a log-spaced range must be finite and > 0 \(an evenly spaced range may start at 0: 0:10:3:lin\)" \
  loss $task --t 0:10:3
expect_usage_error "explicit :log from 0" "log-spaced range must be finite and > 0" loss $task --t 0:10:3:log
expect_usage_error "unknown range kind" "--t: '1:10:3:foo' is not a range \(expected start:stop:count, start:stop:count:log or start:stop:count:lin\)" \
  loss $task --t 1:10:3:foo
expect_usage_error "two-part range" "--t: '1:10' is not a range" loss $task --t 1:10
expect_usage_error "five-part range" "--t: '1:10:3:lin:2' is not a range" loss $task --t 1:10:3:lin:2
expect_usage_error "count 0" "--t: count '0' in '0:1:0:lin' is not a whole number >= 1" loss $task --t 0:1:0:lin
expect_usage_error "fractional count" "count '2.5' in '0:1:2.5:lin' is not a whole number" loss $task --t 0:1:2.5:lin
expect_usage_error "infinite end of a range" "start and stop of a range must be finite" \
  dmft --alpha 2 --beta 0.5 --N inf --P inf --t 0:inf:3:lin
expect_usage_error "negative start of a linear range" "--t: -1:1:3:lin is out of range \(expected LIST >= 0\)" \
  loss $task --t -1:1:3:lin
expect_usage_error "an empty entry between ranges" "--t: '1:2:2:lin,,3' has an empty" loss $task --t 1:2:2:lin,,3
expect_usage_error "a list beyond memory names the count and the bytes" \
  "--t: 10000000000000 values would need 8e\+13 bytes \(8e\+04 GB\), more than the .* GB of memory on this machine" \
  loss $task --t 0:1:1e13:lin
expect_usage_error "sizes: range ends whole" "--N: '2.5:10:3:lin' is not a whole number" \
  dmft --alpha 2 --beta 0.5 --N 2.5:10:3:lin --P inf --t 1
run dmft --alpha 2 --beta 0.5 --N 2:10:4:lin --P inf --t 1 --format csv
[ "$(col 1)" = "2 5 7 10 " ] && pass "a linear range of sizes is rounded to whole numbers (2, 4.67, 7.33, 10)" \
  || fail "N lin: $(col 1)"

# ---- no cap below memory: 200,001 times (the old cap was 100,000) -----------------------
start=$EPOCHREALTIME
run loss $task --t 0:100:200001:lin --format csv
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
bad=$(awk -F, 'NR > 1 && ($1 != (NR - 2) / 2000 || $6 != "ok") { print NR; exit }' "$out_file")
[ "$rc" -eq 0 ] && [ "$(wc -l <"$out_file")" -eq 200002 ] && [ -z "$bad" ] \
  && pass "200,001 times accepted, every t = i/2000 exact and ok ($secs s)" || fail "200,001 times: rc $rc, bad row $bad"
awk 'BEGIN { for (i = 0; i <= 200000; i++) print i / 2000 }' >"$tmp/big.txt"
ref_big=$(md5sum <"$out_file")
run loss $task --t-file - --format csv <"$tmp/big.txt"
[ "$rc" -eq 0 ] && [ "$(md5sum <"$out_file")" = "$ref_big" ] \
  && pass "200,001 lines on standard input give the same table" || fail "big stdin"

# ---- --t-file and --steps-file ----------------------------------------------------------
printf '# times of a logged run\n0\n\n  0.5   # half\n5\r\n' >"$tmp/times.txt"
run loss $task --t 0,0.5,5 --format csv; ref=$(cat "$out_file")
run loss $task --t-file "$tmp/times.txt" --format csv
[ "$rc" -eq 0 ] && [ "$(cat "$out_file")" = "$ref" ] \
  && pass "--t-file: comments, blank lines, blanks and CRLF; the same table as --t" || fail "--t-file"
run loss $task --t-file - --format csv <"$tmp/times.txt"
[ "$rc" -eq 0 ] && [ "$(cat "$out_file")" = "$ref" ] && pass "--t-file - reads standard input" || fail "--t-file -"
printf '0\n1\n# fine\nx\n' >"$tmp/bad.txt"
expect_usage_error "bad line: exit 2 naming file and line" \
  "--t-file $tmp/bad.txt, line 4: 'x' is not a number \(expected value >= 0\)" loss $task --t-file "$tmp/bad.txt"
expect_usage_error "bad line on stdin" "--t-file -, line 2: -1 is out of range \(expected value >= 0\)" \
  loss $task --t-file - <<<$'1\n-1'
expect_usage_error "two values on a line" "--t-file -, line 1: '1 2' is not a number" loss $task --t-file - <<<'1 2'
printf '1\n2\0\n' >"$tmp/nul.txt"
expect_usage_error "a NUL byte" "--t-file $tmp/nul.txt, line 2: a NUL byte" loss $task --t-file "$tmp/nul.txt"
expect_usage_error "an endless line" "--t-file /dev/zero, line 1: a NUL byte" loss $task --t-file /dev/zero
printf '# nothing\n\n' >"$tmp/empty.txt"
expect_usage_error "a file without values" "--t-file $tmp/empty.txt: no values" loss $task --t-file "$tmp/empty.txt"
expect_exit 3 "a missing file is an I/O error" loss $task --t-file "$tmp/none.txt"
grep -q -- "--t-file: cannot open '$tmp/none.txt'" "$err_file" && pass "the I/O error names the file" || fail "missing file message"
expect_usage_error "--t and --t-file" "--t and --t-file cannot be used together" loss $task --t 1 --t-file "$tmp/times.txt"
expect_usage_error "stdin read twice" "--task - and --t-file - both read standard input" \
  loss --task - --t-file - <"$tmp/times.txt"
printf '2.5\n' >"$tmp/frac.txt"
expect_usage_error "--steps-file: whole steps" "--steps-file $tmp/frac.txt, line 1: '2.5' is not a whole number" \
  dmft --alpha 2 --beta 0.5 --N inf --P inf --eta 0.5 --steps-file "$tmp/frac.txt"

# ---- steps against times, bit for bit ---------------------------------------------------
pl="--alpha 2 --beta 0.5"
for dyn in "--N 100 --P 200 --eta 0.5" "--N 100 --P inf --eta 0.5 --sgd --batch 4" \
           "--N 100 --P 200 --eta 0.5 --momentum 0.5"; do
  run dmft $pl $dyn --t 0,0.5,5 --format csv; ref=$(cat "$out_file")
  run dmft $pl $dyn --steps 0,1,10 --format csv
  hdr=$(head -1 "$out_file")
  if [ "$rc" -eq 0 ] && [ "$(cut -d, -f1,2,4- "$out_file")" = "$ref" ] && [ "$(col 3)" = "0 1 10 " ] \
     && [[ $hdr == N,P,step,t,* ]]; then
    pass "dmft $dyn: --steps 0,1,10 = --t 0,0.5,5 bit for bit, with a step column"
  else fail "dmft steps vs times ($dyn)"; fi
done
printf '0\n1 # one step\n10\n' >"$tmp/steps.txt"
run dmft $pl --N 100 --P 200 --eta 0.5 --steps 0,1,10 --format csv; ref=$(cat "$out_file")
run dmft $pl --N 100 --P 200 --eta 0.5 --steps-file "$tmp/steps.txt" --format csv
[ "$rc" -eq 0 ] && [ "$(cat "$out_file")" = "$ref" ] && pass "--steps-file gives the rows of --steps" \
  || fail "--steps-file"
for m in "--model rf --N 20 --P 40" "--model sgd --N 20 --batch 4"; do
  run mc $pl $m --eta 0.5 --trials 3 --t 0,0.5,5 --format csv; ref=$(cat "$out_file")
  run mc $pl $m --eta 0.5 --trials 3 --steps 0,1,10 --format csv
  [ "$rc" -eq 0 ] && [ "$(cut -d, -f1,2,4- "$out_file")" = "$ref" ] && [ "$(col 3)" = "0 1 10 " ] \
    && pass "mc $m: --steps 0,1,10 = --t 0,0.5,5 bit for bit, with a step column" || fail "mc steps ($m)"
done
# t = 0 is L(0), the target power (pi^2/6 for alpha 2, beta 0.5), with every dynamics
for dyn in "" "--eta 0.5" "--eta 0.5 --momentum 0.5" "--momentum 2" "--eta 0.5 --sgd --batch 2"; do
  P=200; [[ $dyn == *sgd* ]] && P=inf
  run dmft $pl --N 100 --P $P $dyn --t 0 --format csv
  awk -F, 'NR == 2 { d = $4 - 1.6449340668482264; exit !(d < 1e-14 && d > -1e-14 && $NF == "ok") }' "$out_file" \
    && pass "dmft ${dyn:-(flow)}: t = 0 gives the target power" || fail "t = 0 ($dyn)"
done

# --every and ranges of steps
run dmft $pl --N inf --P inf --eta 0.1 --steps 0:100:5:lin --every 30 --format csv
[ "$(col 3)" = "0 25 30 50 60 75 90 100 " ] && pass "--every 30 with 0:100:5:lin: sorted, each once" \
  || fail "--every: $(col 3)"
run dmft $pl --N inf --P inf --eta 0.1 --steps 7 --every 1 --format csv
[ "$(col 3)" = "0 1 2 3 4 5 6 7 " ] && [ "$(col 4)" = "0 0.10000000000000001 0.20000000000000001 0.30000000000000004 0.40000000000000002 0.5 0.60000000000000009 0.70000000000000007 " ] \
  && pass "--steps 7 --every 1 is every step, t = eta n" || fail "--every 1: $(col 3) / $(col 4)"
run dmft $pl --N inf --P inf --eta 0.1 --steps 1:1e3:10 --format csv
[ "$(col 3)" = "1 2 5 10 22 46 100 215 464 1000 " ] && pass "a log range of steps rounds to whole steps" \
  || fail "log steps: $(col 3)"
run dmft $pl --N inf --P inf --eta 0.1 --steps 0:10:4:lin --format csv
[ "$(col 3)" = "0 3 7 10 " ] && pass "a linear range of steps rounds to whole steps" || fail "lin steps: $(col 3)"

expect_usage_error "--steps without --eta names both" "--steps needs a step --eta E" \
  dmft $pl --N 10 --P 20 --steps 1,2
expect_usage_error "--steps with the continuous heavy ball" "--steps needs a step --eta E" \
  dmft $pl --N 10 --P 20 --steps 1,2 --momentum 2
expect_usage_error "--steps with --t" "--t and --steps cannot be used together \(give the times or the steps\)" \
  dmft $pl --N 10 --P 20 --eta 0.5 --steps 1 --t 1
expect_usage_error "--t-file with --steps-file" "--t-file and --steps-file cannot be used together" \
  dmft $pl --N 10 --P 20 --eta 0.5 --steps-file "$tmp/steps.txt" --t-file "$tmp/times.txt"
expect_usage_error "--every without steps" "--every K needs --steps LIST or --steps-file FILE" \
  dmft $pl --N 10 --P 20 --eta 0.5 --t 1 --every 2
expect_usage_error "fractional step" "--steps: '1.5' is not a whole number" dmft $pl --N 10 --P 20 --eta 0.5 --steps 1.5
expect_usage_error "mc: --steps without --eta" "--steps needs a step --eta E" mc $pl --N 10 --P 20 --steps 1
expect_usage_error "mc: --steps with ridge" "--steps cannot be used with --model ridge" \
  mc --model ridge $pl --N 10 --P 20 --steps 1
expect_usage_error "--every beyond memory" "--every: .* values would need .* bytes" \
  dmft $pl --N 10 --P 20 --eta 0.5 --steps 1e15 --every 1
expect_usage_error "mc: times times trials beyond memory" "--steps: 100000000 values would need" \
  mc $pl --N 10 --P 20 --eta 0.1 --trials 1000 --steps 1:1e8:1e8:lin

finish
