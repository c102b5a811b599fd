# The slt front end: help, version, dispatch, exit codes.
source "$(dirname "$0")/lib.sh"

expect_exit 0 "--version" --version
expect_stdout "version string" '^slt [0-9]+\.[0-9]+\.[0-9]+$'
expect_exit 0 "slt help" help
for cmd in exponents loss spectrum static dmft mc crosscheck fit; do expect_stdout "slt help lists $cmd" "^  $cmd "; done
for cmd in exponents loss spectrum static dmft mc crosscheck fit; do
  expect_exit 0 "slt help $cmd" help "$cmd"
  expect_stdout "slt help $cmd shows its usage" "^usage: slt $cmd"
  expect_exit 0 "slt $cmd --help" "$cmd" --help
  expect_stdout "slt $cmd --help shows its usage" "^usage: slt $cmd"
done
expect_usage_error "unknown command" "unknown command 'frobnicate'" frobnicate
expect_usage_error "help for an unknown command" "unknown command 'frobnicate'" help frobnicate
expect_exit 2 "no arguments prints usage and exits 2"
grep -q '^usage: slt \[--quiet\] <command>' "$err_file" && pass "usage on stderr" || fail "usage on stderr"

# Help and version to a full disk: exit 3 and a message, never a silent 0.
if [ -w /dev/full ]; then
  for args in "--version" "--help" "help" "help dmft" "mc --help" "crosscheck --help" "loss --help"; do
    # shellcheck disable=SC2086
    "$SLT" $args >/dev/full 2>"$err_file"; rc=$?
    [ "$rc" -eq 3 ] && grep -q "writing the .* to standard output failed" "$err_file" \
      && pass "slt $args > /dev/full: exit 3 with a message" || fail "slt $args > /dev/full: exit $rc"
  done
fi

# --quiet: global (before the command) or a command option; documented in every help
for cmd in exponents loss spectrum static dmft mc crosscheck fit; do
  run "$cmd" --help
  expect_stdout "slt $cmd --help documents --quiet" "^  --quiet +no progress messages on stderr"
done
run dmft --alpha 2 --beta 0.5 --N 10,20,30,40,50 --P 100 --t 1 --format csv
grep -q "N = 50, P = 100 (5 of 5)" "$err_file" && pass "dmft prints progress on stderr" || fail "dmft progress"
for q in "--quiet dmft" "dmft --quiet"; do
  # shellcheck disable=SC2086
  run $q --alpha 2 --beta 0.5 --N 10,20,30,40,50 --P 100 --t 1 --format csv
  [ "$rc" -eq 0 ] && [ ! -s "$err_file" ] && pass "slt $q: no progress" || fail "slt $q: exit $rc"
done

# Log-spaced lists: the points at powers of ten are the decimal literals, so a range
# gives exactly what the explicit list gives (10:1e4:4 used to give P = 99.999999999999986
# and miss the N = P pole of the statics).
run loss --alpha 2 --beta 0.5 --t 1e-5:1e5:11 --format csv; range_out=$(cat "$out_file")
run loss --alpha 2 --beta 0.5 --t 1e-5,1e-4,1e-3,0.01,0.1,1,10,100,1e3,1e4,1e5 --format csv
[ "$range_out" = "$(cat "$out_file")" ] && pass "--t 1e-5:1e5:11 is exactly the decades" || fail "decades of --t 1e-5:1e5:11"
run static --alpha 2 --beta 0.5 --N 100 --P 10:1e4:4 --format csv
p_col=$(awk -F, 'NR > 1 { printf "%s ", $2 }' "$out_file")
[ "$p_col" = "10 100 1000 10000 " ] && pass "--P 10:1e4:4 is P = $p_col" || fail "--P 10:1e4:4 gave P = $p_col"
awk -F, 'NR == 3 && $NF != "ok" { found = 1 } END { exit !found }' "$out_file" \
  && pass "the N = P = 100 pole is not reported ok" || fail "N = P = 100: $(sed -n 3p "$out_file")"
# sizes are whole numbers: a range is rounded (each value once), a given value must be whole
run dmft --alpha 2 --beta 0.5 --N 2:10:20 --P 100 --t 1 --format csv --quiet
n_col=$(awk -F, 'NR > 1 { printf "%s ", $1 }' "$out_file")
[ "$rc" -eq 0 ] && [ "$n_col" = "2 3 4 5 6 7 8 9 10 " ] && pass "dmft --N 2:10:20 rounds to N = $n_col" || fail "dmft --N 2:10:20: $n_col"
expect_usage_error "dmft N must be whole" "--N: '1.5' is not a whole number" dmft --alpha 2 --beta 0.5 --N 1.5 --P 10 --t 1
expect_usage_error "dmft P range ends whole" "--P: '1.5:10:3' is not a whole number" dmft --alpha 2 --beta 0.5 --N 10 --P 1.5:10:3 --t 1

# Numbers: huge values never reach a cast (--ensemble 1e20 was undefined behaviour),
# and nan, 1e999, empty strings and trailing garbage are usage errors naming the option.
pl="--alpha 2 --beta 0.5 --N 10 --P 20 --t 1"
expect_usage_error "dmft --ensemble 1e20" "--ensemble: 1e20 is out of range" dmft $pl --ensemble 1e20
expect_usage_error "dmft --nodes 1e20" "--nodes: 1e20 is out of range" dmft $pl --nodes 1e20
expect_usage_error "mc --seed 1e300" "--seed: 1e300 is out of range" mc $pl --seed 1e300
expect_usage_error "mc --trials -1e300" "--trials: -1e300 is out of range" mc $pl --trials -1e300
expect_usage_error "--eta nan" "--eta: 'nan' is not a finite number" dmft $pl --eta nan
expect_usage_error "--eta 1e999" "--eta: '1e999' is not a finite number" dmft $pl --eta 1e999
expect_usage_error "--eta empty" "--eta: '' is not a number" dmft $pl --eta ''
expect_usage_error "--eta trailing garbage" "--eta: '0.1x' is not a number" dmft $pl --eta 0.1x
expect_usage_error "--t nan in a list" "--t: 'nan' is not a finite number" loss --alpha 2 --beta 0.5 --t 1,nan
expect_usage_error "--beta underflowing to 0" "--beta: 1e-400 is below the smallest double and would be 0" loss --alpha 2 --beta 1e-400 --t 1
expect_usage_error "--threads huge" "--threads: 1e19 is out of range" crosscheck --threads 1e19

# Task files: a NUL byte, an endless line (/dev/zero) or an overlong line is an input
# error naming the file and the line; comments after the numbers, a byte-order mark and
# CRLF line ends are read; '-' is standard input.
tmp=$(mktemp -d)
printf '1 0.5\n0.5 0.25\n' >"$tmp/clean.txt"
printf '\xef\xbb\xbf# lambda target\r\n1 0.5 # note\r\n0.5 0.25\t# another\r\n' >"$tmp/dressed.txt"
printf '1 0.5\n\0 0.5 0.25\n' >"$tmp/nul.txt"
head -c 5000 /dev/zero | tr '\0' 1 >"$tmp/long.txt"
run loss --task "$tmp/clean.txt" --t 1 --format csv; clean=$(cat "$out_file")
# the two modes: 0.5 e^-2 + 0.25 e^-1, to 1e-15 (a few ulps of a value of order 0.2)
awk -F, 'NR == 2 { d = $2 - (0.5 * exp(-2) + 0.25 * exp(-1)); exit !(d < 1e-15 && d > -1e-15) }' "$out_file" \
  && pass "two-mode task file: L(1) = 0.5 e^-2 + 0.25 e^-1" || fail "two-mode task: $(cat "$out_file")"
run loss --task "$tmp/dressed.txt" --t 1 --format csv
[ "$rc" -eq 0 ] && [ "$(tail -n +2 "$out_file")" = "$(echo "$clean" | tail -n +2)" ] \
  && pass "BOM, CRLF and trailing comments: the same task" || fail "dressed task file: exit $rc"
"$SLT" loss --task - --t 1 --format csv <"$tmp/clean.txt" >"$out_file" 2>"$err_file"; rc=$?
[ "$rc" -eq 0 ] && [ "$(tail -n +2 "$out_file")" = "$(echo "$clean" | tail -n +2)" ] \
  && pass "--task - reads standard input" || fail "--task -: exit $rc"
expect_usage_error "a NUL byte in a task file" "task file '$tmp/nul.txt', line 2: a NUL byte" loss --task "$tmp/nul.txt" --t 1
printf '1 0.5\n0.5 1e999\n' >"$tmp/huge.txt"
expect_usage_error "1e999 in a task file" "task file '$tmp/huge.txt', line 2: '1e999' is not a finite number" loss --task "$tmp/huge.txt" --t 1
expect_usage_error "an overlong task line" "task file '$tmp/long.txt', line 1: longer than 4096 characters" loss --task "$tmp/long.txt" --t 1
timeout 20 "$SLT" loss --task /dev/zero --t 1 >"$out_file" 2>"$err_file"; rc=$?
[ "$rc" -eq 2 ] && grep -q "task file '/dev/zero', line 1: a NUL byte" "$err_file" \
  && pass "--task /dev/zero: exit 2 at once, naming file and line" || fail "--task /dev/zero: exit $rc"
# --help or a usage error after list options: the lists parsed so far are freed (the
# sanitized build's leak checker fails this check otherwise, as fuzzing found)
expect_exit 0 "--help after list options" dmft --alpha 2 --beta 1 --N 10,20 --P 10 --t 1 --help
expect_exit 2 "usage error after list options" static --alpha 2 --beta 1 --N 10,20 --P 10 --bogus
rm -rf "$tmp"
finish
