# The slt front end: help, version, dispatch, exit codes.
source "$(dirname "$0")/lib.sh"

expect_exit 0 "--version" --version
expect_stdout "version string" '^slt [0-9]+\.[0-9]+\.[0-9]+$'
expect_exit 0 "slt help" help
for cmd in exponents loss spectrum static dmft mc crosscheck; do expect_stdout "slt help lists $cmd" "^  $cmd "; done
for cmd in exponents loss spectrum static dmft mc crosscheck; do
  expect_exit 0 "slt help $cmd" help "$cmd"
  expect_stdout "slt help $cmd shows its usage" "^usage: slt $cmd"
  expect_exit 0 "slt $cmd --help" "$cmd" --help
  expect_stdout "slt $cmd --help shows its usage" "^usage: slt $cmd"
done
expect_usage_error "unknown command" "unknown command 'frobnicate'" frobnicate
expect_usage_error "help for an unknown command" "unknown command 'frobnicate'" help frobnicate
expect_exit 2 "no arguments prints usage and exits 2"
grep -q '^usage: slt <command>' "$err_file" && pass "usage on stderr" || fail "usage on stderr"
finish
