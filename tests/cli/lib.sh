# Shared helpers for the shell tests in tests/cli/. Source it, call the checks, then
# `finish`. Each check prints "ok - ..." or "FAIL - ..." and counts failures.
# The slt binary is $SLT (the first argument of the test script).
SLT=${1:?usage: bash tests/cli/NAME.sh path/to/slt}
cli_failures=0
cli_checks=0
out_file=$(mktemp)
err_file=$(mktemp)
trap 'rm -f "$out_file" "$err_file"' EXIT

# run ARGS...: runs slt, keeping stdout/stderr in $out_file/$err_file and the exit code in $rc
run() { "$SLT" "$@" >"$out_file" 2>"$err_file"; rc=$?; }

pass() { cli_checks=$((cli_checks + 1)); echo "ok - $*"; }
fail() {
  cli_checks=$((cli_checks + 1)); cli_failures=$((cli_failures + 1))
  echo "FAIL - $*"
  echo "  stdout: $(head -c 600 "$out_file")"
  echo "  stderr: $(head -c 600 "$err_file")"
}

# expect_exit CODE DESCRIPTION ARGS...
expect_exit() {
  local code=$1 what=$2; shift 2
  run "$@"
  if [ "$rc" -eq "$code" ]; then pass "$what (exit $code)"; else fail "$what: exit $rc, expected $code (slt $*)"; fi
}

# expect_usage_error DESCRIPTION PATTERN ARGS...: exit 2, exactly one stderr line matching PATTERN, no stdout
expect_usage_error() {
  local what=$1 pattern=$2; shift 2
  run "$@"
  local lines
  lines=$(wc -l <"$err_file")
  if [ "$rc" -ne 2 ]; then fail "$what: exit $rc, expected 2 (slt $*)"
  elif [ "$lines" -ne 1 ]; then fail "$what: $lines stderr lines, expected 1"
  elif ! grep -Eq -- "$pattern" "$err_file"; then fail "$what: stderr does not match /$pattern/"
  elif [ -s "$out_file" ]; then fail "$what: printed to stdout"
  else pass "$what"; fi
}

# expect_stdout DESCRIPTION PATTERN: the last run's stdout matches the extended regex
expect_stdout() {
  if grep -Eq -- "$2" "$out_file"; then pass "$1"; else fail "$1: stdout does not match /$2/"; fi
}

finish() {
  echo "$((cli_checks - cli_failures)) passed, $cli_failures failed"
  [ "$cli_failures" -eq 0 ]
}
