#!/usr/bin/env bash
# Shell tests of `slt exponents`: bad input (exit 2, one stderr line naming option,
# value and range), every output format, the paper conventions, help.
# usage: bash tests/cli/exponents.sh path/to/slt
source "$(dirname "$0")/lib.sh"

quantities="regime time width_floor data_floor bias_width gap_early gap_late resolution_N
resolution_P variance_N variance_P compute_N_star compute_t_star compute_L_star sgd_N_star
sgd_t_star sgd_L_star crossover_gamma rich_gamma"
n_quantities=$(echo $quantities | wc -w)

# ---- Bad input: exit 2, exactly one stderr line, nothing on stdout ---------------------
expect_usage_error "alpha not a number" "--alpha: 'x' is not a number \(expected A > 1\)" \
  exponents --alpha x --beta 0.5
expect_usage_error "alpha trailing junk" "--alpha: '2abc' is not a number \(expected A > 1\)" \
  exponents --alpha 2abc --beta 0.5
expect_usage_error "beta nan" "--beta: 'nan' is not a finite number \(expected B > 0\)" \
  exponents --alpha 2 --beta nan
expect_usage_error "alpha inf" "--alpha: 'inf' is not a finite number \(expected A > 1\)" \
  exponents --alpha inf --beta 0.5
expect_usage_error "alpha = 1 out of range" "--alpha: 1 is out of range \(expected A > 1\)" \
  exponents --alpha 1 --beta 0.5
expect_usage_error "beta = 0 out of range" "--beta: 0 is out of range \(expected B > 0\)" \
  exponents --alpha 2 --beta 0
expect_usage_error "beta negative" "--beta: -0.5 is out of range \(expected B > 0\)" \
  exponents --alpha 2 --beta -0.5
expect_usage_error "b <= 1 out of range" "--b: 1 is out of range \(expected b > 1\)" \
  exponents --a 3 --b 1
expect_usage_error "a <= 1 out of range" "--a: 0.5 is out of range \(expected a > 1\)" \
  exponents --a 0.5 --b 2
expect_usage_error "alpha-K out of range" "--alpha-K: 0 is out of range \(expected K > 0\)" \
  exponents --alpha-K 0
expect_usage_error "alpha-MRS not a number" "--alpha-MRS: 'one' is not a number \(expected M > 0\)" \
  exponents --alpha-MRS one
expect_usage_error "alpha-P out of range" "--alpha-P: 0.5 is out of range \(expected p > 0.5\)" \
  exponents --alpha-P 0.5 --beta-P 1
expect_usage_error "PLRF giving beta <= 0" \
  "--alpha-P 0.6 --beta-P -0.5: .*beta \(canonical\) = -0.66.* is out of range \(expected beta \(canonical\) > 0\)" \
  exponents --alpha-P 0.6 --beta-P -0.5
expect_usage_error "unknown option" "unknown option '--gamma'" \
  exponents --alpha 2 --beta 0.5 --gamma 1
expect_usage_error "missing value" "option '--beta' needs a value" \
  exponents --alpha 2 --beta
expect_usage_error "stray argument" "unexpected argument 'extra'" \
  exponents --alpha 2 --beta 0.5 extra
expect_usage_error "bad format" "--format: 'xml' is not one of table\|csv\|tsv\|json\|markdown\|latex" \
  exponents --alpha 2 --beta 0.5 --format xml
expect_usage_error "no convention" "no task given: give one of --alpha/--beta, --a/--b, --alpha-K, --alpha-MRS or --alpha-P/--beta-P" \
  exponents
expect_usage_error "format only" "no task given" \
  exponents --format csv
expect_usage_error "canonical and 2024a" "conflicting conventions: --alpha, --beta, --a, --b given" \
  exponents --alpha 2 --beta 0.5 --a 2 --b 2
expect_usage_error "alpha with a" "conflicting conventions: --alpha, --a given" \
  exponents --alpha 2 --a 3
expect_usage_error "Bahri and Maloney" "conflicting conventions: --alpha-K, --alpha-MRS given" \
  exponents --alpha-K 1 --alpha-MRS 1
expect_usage_error "beta with alpha-P" "conflicting conventions: --beta, --alpha-P, --beta-P given" \
  exponents --beta 0.5 --alpha-P 1 --beta-P 1
expect_usage_error "a without b" "incomplete convention: --a given without --b" \
  exponents --a 3
expect_usage_error "b without a" "incomplete convention: --b given without --a" \
  exponents --b 2
expect_usage_error "alpha without beta" "incomplete convention: --alpha given without --beta" \
  exponents --alpha 2
expect_usage_error "beta without alpha" "incomplete convention: --beta given without --alpha" \
  exponents --beta 0.5
expect_usage_error "alpha-P without beta-P" "incomplete convention: --alpha-P given without --beta-P" \
  exponents --alpha-P 1
expect_usage_error "beta-P without alpha-P" "incomplete convention: --beta-P given without --alpha-P" \
  exponents --beta-P 1

# ---- Good runs in every format -----------------------------------------------------------
for fmt in table csv tsv json markdown latex; do
  expect_exit 0 "format $fmt" exponents --alpha 2 --beta 0.5 --format "$fmt"
  if [ -s "$out_file" ] && [ ! -s "$err_file" ]; then pass "format $fmt: output, no stderr"
  else fail "format $fmt: empty stdout or something on stderr"; fi
done

run exponents --alpha 2 --beta 0.5 --format csv
header=$(head -n 1 "$out_file")
if [ "$header" = "quantity,lazy,rich,regime,note" ]; then pass "csv header"
else fail "csv header is '$header'"; fi
n_headers=$(grep -c '^quantity,' "$out_file")
if [ "$n_headers" -eq 1 ]; then pass "csv has exactly one header row"
else fail "csv has $n_headers header rows"; fi
n_lines=$(wc -l <"$out_file")
if [ "$n_lines" -eq $((n_quantities + 1)) ]; then pass "csv has one row per quantity"
else fail "csv has $n_lines lines, expected $((n_quantities + 1))"; fi
missing=""
for q in $quantities; do grep -q "^$q," "$out_file" || missing="$missing $q"; done
if [ -z "$missing" ]; then pass "csv lists every quantity"; else fail "csv lacks:$missing"; fi
# Values (alpha = 2, beta = 1/2, hard): 17 significant digits, nan where no formula.
expect_stdout "csv time row" '^time,0\.5,0\.66666666666666663,hard,'
expect_stdout "csv compute_N_star row" '^compute_N_star,0\.33333333333333331,0\.40000000000000002,hard,'
expect_stdout "csv data_floor rich is nan with a reason" '^data_floor,1,nan,any,.*no static formula'
expect_stdout "csv crossover row" '^crossover_gamma,nan,2,hard,'
bad_fields=$(awk -F, 'NR > 1 && !($2 ~ /^(nan|-?[0-9.e+-]+)$/ && $3 ~ /^(nan|-?[0-9.e+-]+)$/)' "$out_file" | wc -l)
if [ "$bad_fields" -eq 0 ]; then pass "csv lazy/rich columns are numbers or nan"
else fail "csv has $bad_fields rows with non-numeric lazy/rich"; fi

run exponents --alpha 2 --beta 0.5 --format tsv
expect_stdout "tsv header" $'^quantity\tlazy\trich\tregime\tnote$'
n_lines=$(wc -l <"$out_file")
if [ "$n_lines" -eq $((n_quantities + 1)) ]; then pass "tsv has one row per quantity"
else fail "tsv has $n_lines lines"; fi

run exponents --a 3 --b 2 --format json
if head -c 12 "$out_file" | grep -q '^{"command"'; then pass "json starts with {\"command\""
else fail "json does not start with {\"command\""; fi
expect_stdout "json command" '"command": *"exponents"'
expect_stdout "json columns" '"columns": *\["quantity", *"lazy", *"rich", *"regime", *"note"\]'
expect_stdout "json params carry the 2024a letters and alpha, beta" \
  '"params": *\{[^}]*"convention": *"bap2024a"[^}]*"a": *3(\.0*)?[,}][^}]*"b": *2(\.0*)?[,}][^}]*"alpha": *2(\.0*)?[,}][^}]*"beta": *1(\.0*)?[,}]'
expect_stdout "json regime at the boundary beta = 1" '"regime": *"hard/easy"'
expect_stdout "json NaN as null" '\["regime", *null, *null,'

run exponents --alpha-P 1 --beta-P 0.75 --format json
expect_stdout "json params carry the PLRF letters" '"alpha_P": *1(\.0*)?[,}].*"beta_P": *0\.75[,}]'
run exponents --alpha-K 1 --format json
expect_stdout "json params carry alpha_K" '"convention": *"bahri".*"alpha_K": *1(\.0*)?[,}]'
run exponents --alpha-MRS 1 --format json
expect_stdout "json params carry alpha_MRS" '"convention": *"maloney".*"alpha_MRS": *1(\.0*)?[,}]'

run exponents --alpha 2 --beta 0.5
expect_stdout "table format lists the quantities" '^compute_L_star +0\.33333333'
run exponents --alpha 2 --beta 0.5 --format markdown
expect_stdout "markdown header" '^\| *quantity *\| *lazy *\| *rich *\| *regime *\| *note *\|'
run exponents --alpha 2 --beta 0.5 --format latex
expect_stdout "latex tabular" '\\begin\{tabular\}'

# ---- Paper conventions give the same rows (csv has no params) ---------------------------
same_rows() { # DESCRIPTION "ARGS1" "ARGS2"
  local a b
  a=$("$SLT" exponents $2 --format csv 2>&1)
  b=$("$SLT" exponents $3 --format csv 2>&1)
  if [ -n "$a" ] && [ "$a" = "$b" ]; then pass "$1"; else fail "$1: '$2' and '$3' differ"; fi
}
same_rows "--a/--b equals --alpha/--beta (hard)" "--a 2 --b 2" "--alpha 2 --beta 0.5"
same_rows "--a/--b equals --alpha/--beta (beta = 1)" "--a 4 --b 3" "--alpha 3 --beta 1"
same_rows "--alpha-K equals --alpha/--beta" "--alpha-K 1" "--alpha 2 --beta 0.5"
same_rows "--alpha-MRS equals --alpha/--beta" "--alpha-MRS 3" "--alpha 4 --beta 0.75"
same_rows "--alpha-P/--beta-P equals --alpha/--beta (easy)" "--alpha-P 1 --beta-P 0.75" \
  "--alpha 2 --beta 1.25"
same_rows "PLRF phase III boundary beta_P = alpha_P" "--alpha-P 1 --beta-P 1" "--alpha 2 --beta 1.5"
same_rows "option order does not matter" "--beta 0.5 --alpha 2" "--alpha 2 --beta 0.5"

# ---- Regimes, boundaries and the notes of conventions.md §9 ------------------------------
run exponents --alpha 2 --beta 0.5 --format csv
expect_stdout "hard regime" '^regime,nan,nan,hard,'
run exponents --alpha 2 --beta 1 --format csv
expect_stdout "beta = 1 is the hard/easy boundary" '^regime,nan,nan,hard/easy,"exactly at beta = 1'
run exponents --alpha 2 --beta 1.25 --format csv
expect_stdout "easy regime" '^regime,nan,nan,easy,'
run exponents --alpha 2 --beta 1.5 --format csv
expect_stdout "beta = 2 - 1/alpha is the easy/super-easy boundary" '^regime,nan,nan,easy/super-easy,'
run exponents --alpha 2 --beta 1.8 --format csv
expect_stdout "super-easy regime" '^regime,nan,nan,super-easy,'
expect_stdout "width floor for beta > 1 is alpha min(beta,1) with the paper's value noted" \
  '^width_floor,2,2,super-easy,.*alpha\*min\(beta,2\).*3\.6'
expect_stdout "gradient-flow compute uses the easy formula" '^compute_N_star,[0-9.]+,[0-9.]+,easy,.*checked against the frontier computed'
expect_stdout "online SGD differs in the super-easy regime" '^sgd_N_star,0\.5,0\.5,super-easy,'
expect_stdout "no crossover for beta > 1" '^crossover_gamma,nan,nan,super-easy,'

# ---- Help --------------------------------------------------------------------------------
expect_exit 0 "--help" exponents --help
for opt in --alpha --beta --a --b --alpha-K --alpha-MRS --alpha-P --beta-P --format --help; do
  expect_stdout "--help lists $opt" "^ +(-h, )?$opt( |$)"
done
for q in $quantities; do
  case $q in resolution_*|variance_*|compute_*|sgd_*) continue ;; esac
  expect_stdout "--help explains $q" "^ +$q "
done
expect_stdout "--help explains the conventions" 'beta = \(a-1\)/b'
expect_exit 0 "help exponents" help exponents
expect_stdout "help exponents prints the usage" '^usage: slt exponents'
expect_exit 0 "-h" exponents -h
expect_stdout "-h prints the usage" '^usage: slt exponents'
run help
expect_stdout "slt help lists exponents" '^ +exponents +'

finish
